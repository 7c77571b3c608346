#pragma once
// The fixture of the webhook dispatcher tests: an engine_host on a real
// LMDB temp dir with partners p1 and p2 whose endpoints are two logged
// loopback receivers; p1 signs with two secrets (a rotation in progress),
// p2 with one. Retries run on the injected clock with a short test
// schedule; the dispatcher polls every 10 ms.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/webhook_support.hpp"

namespace dwt_test {

class WebhookTest : public ::testing::Test {
protected:
  void SetUp() override { RecordProperty("seed", std::to_string(test_seed())); }
  void TearDown() override {
    if (host)
      host->stop();
  }

  dwt::engine_options options() {
    auto o = make_options(dir.path, clock);
    o.webhooks = {
        dwt::webhook_endpoint_config{
            dwt::engine::partner_id{"p1"}, rx1.url(), {whsec('A'), whsec('B')}},
        dwt::webhook_endpoint_config{dwt::engine::partner_id{"p2"}, rx2.url(), {whsec('C')}},
    };
    o.dispatcher.poll_interval = std::chrono::milliseconds{10};
    o.dispatcher.timeout = std::chrono::milliseconds{3000};
    o.dispatcher.max_concurrent_per_endpoint = 4;
    // Three attempts, one (injected-clock) second apart, then dead-letter.
    o.dispatcher.retry_delays = {std::chrono::milliseconds{0}, std::chrono::milliseconds{1000},
                                 std::chrono::milliseconds{1000}};
    o.dispatcher.retry_jitter_percent = 10;
    return o;
  }

  void start(std::function<void(dwt::engine_options&)> tweak = {}) {
    auto o = options();
    if (tweak)
      tweak(o);
    auto h = dwt::engine_host::start(std::move(o));
    ASSERT_TRUE(h) << to_string(h.error());
    host = std::move(*h);
  }
  void restart(std::function<void(dwt::engine_options&)> tweak = {}) {
    host->stop();
    host.reset();
    start(std::move(tweak));
  }

  dwt::engine::card_record card(const char* partner, std::uint64_t n) {
    using namespace dwt;
    auto p = wait_for<engine::profile_record>([&](auto cb) {
      host->create_profile(engine::partner_id{partner},
                           profile_create{"+447700900123", std::nullopt}, std::nullopt, cb);
    });
    EXPECT_TRUE(p) << to_string(p.error());
    card_register req;
    req.profile = p ? p->id : engine::profile_id{};
    req.pan = make_pan("4000", n);
    req.expiry_month = 12;
    req.expiry_year = 2030;
    req.card_product = "demo-debit";
    auto c = wait_for<engine::card_record>(
        [&](auto cb) { host->register_card(engine::partner_id{partner}, req, std::nullopt, cb); });
    EXPECT_TRUE(c) << to_string(c.error());
    return c ? *c : engine::card_record{};
  }

  /// Push-provisions a token (two events: REQUESTED, then ACTIVE).
  dwt::engine::token_record push(const dwt::engine::card_record& c, const char* partner,
                                 const std::string& device) {
    using namespace dwt;
    auto t = wait_for<engine::token_record>([&](auto cb) {
      host->push_provision(engine::partner_id{partner}, c.id, engine::wallet_provider::apple_pay,
                           engine::device_info{device, engine::device_type::phone, "Phone"},
                           std::nullopt, cb);
    });
    EXPECT_TRUE(t) << to_string(t.error());
    return t ? *t : engine::token_record{};
  }

  /// Suspends or resumes a token (one event).
  void flip(const dwt::engine::card_record& c, const dwt::engine::token_record& t,
            const char* partner, dwt::engine::token_state target) {
    using namespace dwt;
    auto r = wait_for<engine::token_record>([&](auto cb) {
      host->transition_token(engine::partner_id{partner}, c.id, t.ref, target, "test", std::nullopt,
                             cb);
    });
    EXPECT_TRUE(r) << to_string(r.error());
  }

  /// Every event of `partner`, by id -> seq.
  std::map<std::string, std::uint64_t> events_of(const char* partner) {
    using namespace dwt;
    std::map<std::string, std::uint64_t> out;
    std::uint64_t after = 0;
    for (;;) {
      auto page = wait_for<event_page>(
          [&](auto cb) { host->events(engine::partner_id{partner}, after, 1000, cb); });
      EXPECT_TRUE(page);
      if (!page || page->events.empty())
        break;
      for (const auto& e : page->events)
        out.emplace(e.event_id, e.seq);
      after = page->next;
    }
    return out;
  }

  /// The id of the oldest (lowest seq) of `events` (from events_of).
  static std::string oldest(const std::map<std::string, std::uint64_t>& events) {
    EXPECT_FALSE(events.empty());
    const auto i = std::min_element(events.begin(), events.end(),
                                    [](auto& a, auto& b) { return a.second < b.second; });
    return i == events.end() ? std::string{} : i->first;
  }

  /// Waits (bounded) until `event` of `partner` has exactly `n` durable
  /// attempt records.
  bool attempted(const char* partner, const std::string& event, std::size_t n) {
    return eventually([&] {
      auto a = attempts(partner, event);
      return a && a->size() == n;
    });
  }

  std::set<std::string> ids(const std::map<std::string, std::uint64_t>& m) {
    std::set<std::string> out;
    for (const auto& [id, seq] : m)
      out.insert(id);
    return out;
  }

  caf::expected<std::vector<dwt::persistence::delivery_attempt_record>>
  attempts(const char* partner, dwt::event_ref ref) {
    return wait_for<std::vector<dwt::persistence::delivery_attempt_record>>(
        [&](auto cb) { host->delivery_attempts(dwt::engine::partner_id{partner}, ref, cb); });
  }
  caf::expected<dwt::persistence::delivery_state> state(const char* partner, dwt::event_ref ref) {
    return wait_for<dwt::persistence::delivery_state>(
        [&](auto cb) { host->delivery_state(dwt::engine::partner_id{partner}, ref, cb); });
  }
  caf::expected<dwt::persistence::delivery_state> redeliver(const char* partner,
                                                            dwt::event_ref ref) {
    return wait_for<dwt::persistence::delivery_state>(
        [&](auto cb) { host->redeliver(dwt::engine::partner_id{partner}, ref, cb); });
  }

  temp_dir dir;
  std::shared_ptr<test_clock> clock = std::make_shared<test_clock>();
  logged_receiver rx1;
  logged_receiver rx2;
  std::unique_ptr<dwt::engine_host> host;
};

} // namespace dwt_test
