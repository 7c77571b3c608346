#pragma once
// Helpers shared by the persistence tests: a temporary data directory that
// cleans itself up, and sample records.

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "dwt/engine/types.hpp"
#include "dwt/persistence/codec.hpp"
#include "dwt/persistence/env.hpp"
#include "dwt/persistence/records.hpp"
#include "dwt/persistence/write_unit.hpp"

namespace dwt::persistence::test {

/// A fresh directory under /tmp, removed (recursively) on destruction.
class temp_dir {
public:
  temp_dir() {
    std::string pattern = "/tmp/dwt-persist-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
      std::abort();
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

/// Encodes `value`, decodes it back and expects the same value.
template <class T>
void expect_round_trip(const T& value) {
  auto bytes = codec::encode(value);
  auto back = codec::decode<T>(bytes);
  ASSERT_TRUE(back.has_value()) << back.err().message;
  EXPECT_EQ(*back, value);
}

inline env_options small_options(const std::filesystem::path& dir) {
  env_options o;
  o.directory = dir;
  o.map_size = std::size_t{64} << 20;
  return o;
}

inline engine::timestamp at(std::int64_t ms) {
  return engine::from_millis(ms);
}

inline engine::token_record sample_token(const std::string& ref, const std::string& card,
                                         std::uint32_t history_count = 1) {
  engine::token_record t;
  t.ref = engine::token_ref{ref};
  t.card = engine::card_id{card};
  t.partner = engine::partner_id{"partner_1"};
  t.wallet = engine::wallet_provider::google_pay;
  t.device = {"device-" + ref, engine::device_type::watch, "Pixel Watch"};
  t.state = engine::token_state::active;
  t.fulfillment = engine::fulfillment_status::provisioned;
  t.suspended_by = engine::channel::partner_api;
  t.last4 = "4242";
  t.token_last4 = "9876";
  t.created_at = at(1'750'000'000'000);
  t.updated_at = at(1'750'000'000'500);
  t.history_count = history_count;
  return t;
}

inline engine::transition_record sample_transition(const std::string& ref, const std::string& card,
                                                   const std::string& id) {
  engine::transition_record r;
  r.id = id;
  r.token = engine::token_ref{ref};
  r.card = engine::card_id{card};
  r.from_state = engine::token_state::requested;
  r.to_state = engine::token_state::active;
  r.fulfillment = engine::fulfillment_status::provisioned;
  r.reason = "verification passed";
  r.by = engine::channel::network;
  r.created_at = at(1'750'000'000'400);
  return r;
}

inline outbox_event sample_event(const std::string& ref, const std::string& id,
                                 const std::string& partner = "partner_1") {
  outbox_event e;
  e.event_id = id;
  e.partner = engine::partner_id{partner};
  e.token = engine::token_ref{ref};
  e.type = "DigitalWalletTokenTransition";
  e.created_at = at(1'750'000'000'600);
  e.payload = R"({"tokenUniqueReference":")" + ref +
              R"(","state":"ACTIVE","fulfillmentStatus":"PROVISIONED"})";
  return e;
}

/// A typical provisioning unit: token put + history append + outbox append.
inline write_unit provisioning_unit(const std::string& ref, const std::string& card) {
  write_unit u;
  u.put_token(sample_token(ref, card, 1));
  u.append_history(0, sample_transition(ref, card, "tr-" + ref + "-0"));
  u.append_outbox(sample_event(ref, "evt-" + ref));
  return u;
}

} // namespace dwt::persistence::test
