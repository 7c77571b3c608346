#pragma once
/// @file
/// Helpers shared by the engine tests.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/crypto.hpp"
#include "dwt/engine/types.hpp"

namespace dwt::engine::test {

inline constexpr std::array all_token_states{token_state::requested, token_state::active,
                                             token_state::suspended, token_state::terminated,
                                             token_state::request_declined};
inline constexpr std::array all_channels{channel::network, channel::partner_api,
                                         channel::card_cascade, channel::system};
inline constexpr std::array all_card_states{card_state::active, card_state::suspended,
                                            card_state::terminated};

/// The engine error code of `err`, which must be an engine error.
[[nodiscard]] inline errc code_of(const caf::error& err) {
  EXPECT_TRUE(is_engine_error(err));
  return static_cast<errc>(err.code());
}

/// A timestamp from a calendar date and time of day (UTC).
[[nodiscard]] inline timestamp at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0,
                                  int ms = 0) {
  using namespace std::chrono;
  return timestamp{sys_days{year{y} / month{m} / day{d}}} + hours{hh} + minutes{mm} + seconds{ss} +
         milliseconds{ms};
}

/// Bytes from hex; the hex must be valid (test data).
[[nodiscard]] inline std::string unhex(std::string_view h) {
  auto r = crypto::hex_decode(h);
  return r ? *r : std::string{"<bad hex>"};
}

/// A REQUESTED token with plausible fields.
[[nodiscard]] inline token_record make_token(std::string ref = "DWTTESTREF",
                                             std::string card = "card_test") {
  token_record t;
  t.ref = token_ref{std::move(ref)};
  t.card = card_id{std::move(card)};
  t.partner = partner_id{"partner_test"};
  t.wallet = wallet_provider::google_pay;
  t.device = device_info{"dev-1", device_type::phone, "Pixel"};
  t.last4 = "1111";
  t.token_last4 = "4242";
  t.created_at = at(2025, 1, 1);
  t.updated_at = at(2025, 1, 1);
  return t;
}

} // namespace dwt::engine::test
