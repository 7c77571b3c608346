// Webhook dispatcher through engine_host (issue #6): attempts are durable
// and listable (tenant-scoped, by event id or seq); redelivery of a
// delivered event; resuming after a stop with events pending (none lost,
// duplicates keep their webhook-id); invalid endpoint configuration.

#include <gtest/gtest.h>

#include "actors/webhook_fixture.hpp"

using namespace dwt;
using namespace dwt::engine;
using namespace dwt_test;
using namespace std::chrono_literals;

namespace {

bool is_runtime(const caf::error& e, runtime_errc code) {
  return e.category() == runtime_error_category && e.code() == static_cast<std::uint8_t>(code);
}

TEST_F(WebhookTest, AttemptsAreListableAndTenantScoped) {
  start();
  auto c = card("p1", 1);
  push(c, "p1", "d1");
  const auto p1 = events_of("p1");
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1); }));
  const auto& [id, seq] = *p1.begin();
  ASSERT_TRUE(eventually([&] {
    auto a = attempts("p1", id);
    return a && a->size() == 1;
  }));
  auto by_id = attempts("p1", id);
  auto by_seq = attempts("p1", seq);
  ASSERT_TRUE(by_seq);
  EXPECT_EQ(*by_id, *by_seq);
  const auto& a = by_id->front();
  EXPECT_EQ(a.seq, seq);
  EXPECT_EQ(a.attempt_no, 1u);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.at, clock->now());
  EXPECT_TRUE(a.error.empty());
  // Another partner's event, an unknown id and an unknown seq: not found.
  for (const auto& r : {attempts("p2", id), attempts("p2", seq), attempts("p1", "evt_nope"),
                        attempts("p1", std::uint64_t{999}), attempts("p1", std::string{})}) {
    ASSERT_FALSE(r);
    EXPECT_TRUE(is_runtime(r.error(), runtime_errc::event_not_found)) << to_string(r.error());
    EXPECT_EQ(describe(r.error()).status, 404);
  }
  EXPECT_FALSE(state("p2", id));
  // Durable: still listed after a restart.
  restart();
  auto again = attempts("p1", id);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *by_id);
}

TEST_F(WebhookTest, RedeliveryRequeuesADeliveredEvent) {
  start();
  auto c = card("p1", 1);
  push(c, "p1", "d1");
  const auto p1 = events_of("p1");
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1); }));
  const auto id = p1.begin()->first;
  ASSERT_TRUE(eventually([&] {
    auto s = state("p1", id);
    return s && s->status == persistence::delivery_status::delivered;
  }));
  // Another partner cannot redeliver it.
  auto other = redeliver("p2", id);
  ASSERT_FALSE(other);
  EXPECT_TRUE(is_runtime(other.error(), runtime_errc::event_not_found));
  auto r = redeliver("p1", id);
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(r->status, persistence::delivery_status::pending);
  EXPECT_EQ(r->attempts, 1u);
  EXPECT_EQ(r->round_base, 1u);
  ASSERT_TRUE(eventually([&] {
    std::size_t n = 0;
    for (const auto& x : rx1.log())
      n += x.event_id == id ? 1 : 0;
    return n == 2;
  }));
  ASSERT_TRUE(eventually([&] {
    auto a = attempts("p1", id);
    return a && a->size() == 2;
  }));
  EXPECT_EQ(attempts("p1", id)->back().attempt_no, 2u);
  auto s = state("p1", id);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, persistence::delivery_status::delivered);
  for (const auto& req : rx1.rx().requests())
    EXPECT_TRUE(signed_by_all(req, {'A', 'B'}));
  ASSERT_TRUE(eventually([&] { return host->stats().outbox_pending == 0; }));
}

TEST_F(WebhookTest, RedeliveryOfADeadLetteredEventStartsANewRound) {
  start();
  rx1.decide([](const recorded_request&) { return reply{500, "{}", false}; });
  auto c = card("p1", 1);
  push(c, "p1", "d1");
  const auto p1 = events_of("p1");
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& [id, seq] : p1) {
          auto s = state("p1", id);
          if (!s || s->status != persistence::delivery_status::dead_lettered)
            return false;
        }
        return true;
      },
      clock.get(), 250ms));
  rx1.decide({}); // 200 from now on
  const auto id = p1.begin()->first;
  auto r = redeliver("p1", id);
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(r->round_base, 3u);
  ASSERT_TRUE(eventually([&] { return rx1.delivered().contains(id); }));
  ASSERT_TRUE(eventually([&] {
    auto a = attempts("p1", id);
    return a && a->size() == 4 && a->back().status == 200;
  }));
}

TEST_F(WebhookTest, RestartResumesPendingDeliveries) {
  start();
  // Every request hangs: the engine stops with deliveries in flight and
  // events never attempted.
  rx1.decide([](const recorded_request&) { return reply{0, {}, true}; });
  auto c = card("p1", 1);
  auto t1 = push(c, "p1", "d1");
  auto t2 = push(c, "p1", "d2");
  flip(c, t1, "p1", token_state::suspended);
  flip(c, t2, "p1", token_state::suspended);
  const auto p1 = events_of("p1");
  ASSERT_EQ(p1.size(), 6u);
  ASSERT_TRUE(eventually([&] { return !rx1.log().empty(); }));
  EXPECT_GE(host->stats().outbox_pending, 6u);
  host->stop(); // must not wait for the hanging requests
  host.reset();
  rx1.decide({});
  start();
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1); }, clock.get(), 250ms));
  ASSERT_TRUE(eventually([&] { return host->stats().outbox_pending == 0; }));
  EXPECT_TRUE(in_token_order(rx1.log(), p1));
  // Duplicates are allowed; every request carries a known webhook-id.
  for (const auto& a : rx1.log())
    EXPECT_TRUE(p1.contains(a.event_id)) << a.event_id;
  for (const auto& [id, seq] : p1) {
    auto s = state("p1", id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->status, persistence::delivery_status::delivered);
  }
}

TEST_F(WebhookTest, RestartAfterFailuresKeepsAttemptNumbering) {
  start();
  rx1.decide([](const recorded_request&) { return reply{503, "{}", false}; });
  auto c = card("p1", 1);
  push(c, "p1", "d1");
  const auto p1 = events_of("p1");
  const auto first = oldest(p1);
  ASSERT_TRUE(attempted("p1", first, 1));
  restart();
  rx1.decide({});
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1); }, clock.get(), 250ms));
  auto a = attempts("p1", first);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[1].attempt_no, 2u);
  EXPECT_EQ((*a)[1].status, 200);
}

TEST_F(WebhookTest, RedeliverWithoutEndpointAndBadConfiguration) {
  start([](engine_options& o) { o.webhooks.pop_back(); }); // p2 has none
  auto c = card("p2", 2);
  push(c, "p2", "d1");
  const auto p2 = events_of("p2");
  auto r = redeliver("p2", p2.begin()->first);
  ASSERT_FALSE(r);
  EXPECT_TRUE(is_runtime(r.error(), runtime_errc::no_webhook_endpoint));
  // p2's events are feed-only (no endpoint): nothing is pending.
  EXPECT_EQ(host->stats().outbox_pending, 0u);
  host->stop();
  host.reset();

  auto bad = [&](std::function<void(engine_options&)> tweak) {
    auto o = options();
    tweak(o);
    auto h = engine_host::start(std::move(o));
    return !h && is_runtime(h.error(), runtime_errc::invalid_options);
  };
  EXPECT_TRUE(bad([](engine_options& o) { o.webhooks[0].secrets = {"whsec_!!"}; }));
  EXPECT_TRUE(bad([](engine_options& o) { o.webhooks[0].secrets.clear(); }));
  EXPECT_TRUE(bad([](engine_options& o) { o.webhooks[0].url = "ftp://x"; }));
  EXPECT_TRUE(bad([](engine_options& o) { o.webhooks[1].partner = partner_id{"p1"}; }));
  EXPECT_TRUE(bad([](engine_options& o) { o.dispatcher.max_concurrent_per_endpoint = 0; }));
  EXPECT_TRUE(bad([](engine_options& o) { o.dispatcher.ca_file = "/nonexistent/ca.pem"; }));
  // A secret never appears in the error text.
  auto o = options();
  o.webhooks[0].secrets = {"whsec_c2VjcmV0"};
  auto h = engine_host::start(std::move(o));
  ASSERT_FALSE(h);
  EXPECT_EQ(to_string(h.error()).find("c2VjcmV0"), std::string::npos);
}

TEST_F(WebhookTest, EventsOfAPartnerWithoutEndpointAreFeedOnly) {
  start([](engine_options& o) { o.webhooks.pop_back(); }); // p2 has none
  auto c = card("p2", 2);
  push(c, "p2", "d1");
  const auto old_events = events_of("p2");
  ASSERT_EQ(old_events.size(), 2u);
  for (const auto& [id, seq] : old_events) {
    auto s = state("p2", id);
    ASSERT_TRUE(s) << to_string(s.error());
    EXPECT_EQ(s->status, persistence::delivery_status::feed_only) << id;
    EXPECT_EQ(s->attempts, 0u);
    EXPECT_EQ(s->next_attempt_at, timestamp{});
  }
  EXPECT_EQ(host->stats().outbox_pending, 0u);

  // p2 gets an endpoint: its old events stay feed-only, new ones are
  // delivered.
  restart();
  EXPECT_EQ(host->stats().outbox_pending, 0u);
  push(c, "p2", "d2");
  const auto all = events_of("p2");
  ASSERT_EQ(all.size(), 4u);
  std::set<std::string> fresh;
  for (const auto& [id, seq] : all)
    if (!old_events.contains(id))
      fresh.insert(id);
  ASSERT_TRUE(eventually([&] { return rx2.delivered() == fresh; }, clock.get(), 250ms));
  ASSERT_TRUE(eventually([&] { return host->stats().outbox_pending == 0; }));
  for (const auto& [id, seq] : old_events) {
    auto s = state("p2", id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->status, persistence::delivery_status::feed_only) << id;
  }
}

TEST_F(WebhookTest, PendingEventsOfARemovedEndpointBecomeFeedOnlyAtStart) {
  start();
  rx2.decide([](const recorded_request&) { return reply{503, "{}", false}; });
  auto c = card("p2", 2);
  push(c, "p2", "d1");
  const auto p2 = events_of("p2");
  ASSERT_EQ(p2.size(), 2u);
  const auto first = oldest(p2);
  ASSERT_TRUE(attempted("p2", first, 1)); // failed once; retried later
  EXPECT_EQ(host->stats().outbox_pending, 2u);

  restart([](engine_options& o) { o.webhooks.pop_back(); });
  EXPECT_EQ(host->stats().outbox_pending, 0u);
  for (const auto& [id, seq] : p2) {
    auto s = state("p2", id);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->status, persistence::delivery_status::feed_only) << id;
    EXPECT_EQ(s->attempts, id == first ? 1u : 0u) << id; // the attempt log stays true
  }
}

} // namespace
