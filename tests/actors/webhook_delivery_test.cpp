// Webhook dispatcher through engine_host (issue #6), against real loopback
// receivers and a real LMDB directory: every event arrives signed (checked
// with an independent OpenSSL HMAC, for each secret of a rotation); retries
// after failures, a hanging endpoint and an endpoint that is down and comes
// back; per-token order with interleaved tokens; dead-lettering.

#include <gtest/gtest.h>

#include "actors/webhook_fixture.hpp"

using namespace dwt;
using namespace dwt::engine;
using namespace dwt_test;
using namespace std::chrono_literals;

namespace {

TEST_F(WebhookTest, EveryEventArrivesSignedWithEverySecret) {
  start();
  auto c1 = card("p1", 1);
  auto c2 = card("p2", 2);
  auto t1 = push(c1, "p1", "d1");
  auto t2 = push(c1, "p1", "d2");
  flip(c1, t1, "p1", token_state::suspended);
  auto t3 = push(c2, "p2", "d3");
  (void)t2;
  (void)t3;
  const auto p1 = events_of("p1");
  const auto p2 = events_of("p2");
  ASSERT_EQ(p1.size(), 5u);
  ASSERT_EQ(p2.size(), 2u);
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1) && rx2.delivered() == ids(p2); }));
  for (const auto& r : rx1.rx().requests()) {
    EXPECT_TRUE(signed_by_all(r, {'A', 'B'})) << r.header("webhook-signature");
    EXPECT_FALSE(signed_by_all(r, {'C'})); // another partner's secret never signs
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_EQ(r.header("webhook-timestamp"), std::to_string(clock->ms.load() / 1000));
    auto body = boost::json::parse(r.body);
    EXPECT_TRUE(body.at("type").as_string() == "DigitalWalletTokenTransition");
  }
  for (const auto& r : rx2.rx().requests())
    EXPECT_TRUE(signed_by_all(r, {'C'}));
  // Each event once (nothing failed), and nothing is left pending.
  EXPECT_EQ(rx1.rx().request_count(), 5u);
  ASSERT_TRUE(eventually([&] {
    auto s = host->stats();
    return s.outbox_pending == 0 && s.webhooks.delivered == 7 && s.webhooks.pending == 0;
  }));
  auto s = host->stats();
  EXPECT_EQ(s.webhooks.failed_attempts, 0u);
  EXPECT_EQ(s.webhooks.dead_lettered, 0u);
  for (const auto& [id, seq] : p1) {
    auto st = state("p1", id);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->status, persistence::delivery_status::delivered);
    EXPECT_EQ(st->attempts, 1u);
    EXPECT_EQ(st->seq, seq);
  }
}

TEST_F(WebhookTest, FailsTwiceThenSucceedsAfterRetries) {
  start();
  rx1.decide([n = 0](const recorded_request&) mutable {
    return reply{++n <= 2 ? 503u : 200u, "{}", false};
  });
  auto c = card("p1", 1);
  auto t = push(c, "p1", "d1");
  const auto p1 = events_of("p1");
  ASSERT_EQ(p1.size(), 2u);
  const auto first = oldest(p1);
  // The first attempt fails; the retry waits for the injected clock.
  ASSERT_TRUE(attempted("p1", first, 1));
  auto st = state("p1", first);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, persistence::delivery_status::pending);
  EXPECT_GE(st->next_attempt_at, clock->now() + 900ms); // 1 s with 10 % jitter
  EXPECT_LE(st->next_attempt_at, clock->now() + 1000ms);
  // Advance the clock: two more attempts, the third succeeds.
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1); }, clock.get(), 250ms));
  auto a = attempts("p1", first);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 3u);
  EXPECT_EQ((*a)[0].status, 503);
  EXPECT_EQ((*a)[1].status, 503);
  EXPECT_EQ((*a)[2].status, 200);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*a)[i].attempt_no, i + 1);
    EXPECT_TRUE((*a)[i].error.empty());
  }
  EXPECT_LT((*a)[0].at, (*a)[1].at);
  // Same webhook-id on every attempt.
  std::size_t same = 0;
  for (const auto& r : rx1.log())
    same += r.event_id == first ? 1 : 0;
  EXPECT_EQ(same, 3u);
  ASSERT_TRUE(eventually([&] { return host->stats().webhooks.failed_attempts == 2; }));
  (void)t;
}

TEST_F(WebhookTest, LagIsTheAgeOfTheOldestUndeliveredEventUntilItIsDelivered) {
  start();
  auto accept = std::make_shared<std::atomic<bool>>(false);
  rx1.decide([accept](const recorded_request&) {
    return reply{accept->load() ? 200u : 503u, "{}", false};
  });
  EXPECT_EQ(host->stats().webhooks.oldest_undelivered_age, 0ms);
  auto c = card("p1", 1);
  push(c, "p1", "d1"); // two events, created now on the injected clock
  const auto p1 = events_of("p1");
  ASSERT_EQ(p1.size(), 2u);
  const auto first = oldest(p1);
  ASSERT_TRUE(attempted("p1", first, 1));
  // Failed once, its retry due in 0.9-1 s: nothing delivered, so the lag is
  // the time since the events were created, on the engine's clock.
  clock->advance(700ms);
  EXPECT_EQ(host->stats().webhooks.oldest_undelivered_age, 700ms);
  EXPECT_EQ(host->stats().webhooks.delivered, 0u);
  accept->store(true);
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1); }, clock.get(), 250ms));
  ASSERT_TRUE(eventually([&] { return host->stats().webhooks.delivered == 2; }));
  EXPECT_EQ(host->stats().webhooks.oldest_undelivered_age, 0ms);
}

TEST_F(WebhookTest, HangingEndpointTimesOutWithoutSlowingAnother) {
  start([](engine_options& o) { o.dispatcher.timeout = 4000ms; });
  rx1.decide([n = 0](const recorded_request&) mutable {
    return ++n == 1 ? reply{0, {}, true} : reply{200, "{}", false};
  });
  auto c1 = card("p1", 1);
  auto c2 = card("p2", 2);
  push(c1, "p1", "d1");
  push(c2, "p2", "d2");
  push(c2, "p2", "d3");
  const auto p1 = events_of("p1");
  const auto p2 = events_of("p2");
  // p2 is served while p1's first request hangs.
  ASSERT_TRUE(eventually([&] { return rx2.delivered() == ids(p2); }));
  const auto first = oldest(p1);
  // (Not a speed assertion: the hang lasts the whole 4 s timeout, p2 needs
  // milliseconds; a 2 s margin failed once on a machine at load 10.)
  EXPECT_TRUE(attempts("p1", first)->empty());
  // p1's first request travels on its own connection to rx1's own thread;
  // p2 being served says nothing about whether rx1 has read it yet, so wait
  // (bounded) for it to arrive before checking that it is the only one.
  ASSERT_TRUE(eventually([&] { return !rx1.log().empty(); }));
  EXPECT_EQ(rx1.log().size(), 1u); // the second event waits for the first (same token)
  // The hang ends in a timeout attempt; after the retry delay it is delivered.
  ASSERT_TRUE(attempted("p1", first, 1));
  auto a = attempts("p1", first);
  EXPECT_EQ((*a)[0].status, 0);
  EXPECT_NE((*a)[0].error.find("timeout"), std::string::npos) << (*a)[0].error;
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1); }, clock.get(), 250ms));
}

TEST_F(WebhookTest, EndpointDownThenBack) {
  rx1.rx().stop();
  start();
  auto c = card("p1", 1);
  push(c, "p1", "d1");
  const auto p1 = events_of("p1");
  const auto first = oldest(p1);
  ASSERT_TRUE(eventually([&] {
    auto a = attempts("p1", first);
    return a && !a->empty();
  }));
  auto a = attempts("p1", first);
  EXPECT_EQ((*a)[0].status, 0);
  EXPECT_FALSE((*a)[0].error.empty());
  rx1.rx().start();
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1); }, clock.get(), 250ms));
  EXPECT_TRUE(in_token_order(rx1.log(), p1));
}

TEST_F(WebhookTest, PerTokenOrderHoldsBackOnlyTheFailingToken) {
  start();
  auto c = card("p1", 1);
  auto ta = push(c, "p1", "da");
  auto tb = push(c, "p1", "db");
  auto tc = push(c, "p1", "dc");
  // Token A's events fail until `open`; B and C must flow meanwhile.
  auto open = std::make_shared<std::atomic<bool>>(false);
  rx1.decide([open, a = ta.ref.value](const recorded_request& r) {
    return token_of(r.body) == a && !open->load() ? reply{500, "{}", false}
                                                  : reply{200, "{}", false};
  });
  for (int round = 0; round < 3; ++round) {
    for (const auto* t : {&ta, &tb, &tc}) {
      flip(c, *t, "p1", token_state::suspended);
      flip(c, *t, "p1", token_state::active);
    }
  }
  const auto p1 = events_of("p1");
  ASSERT_EQ(p1.size(), 3u * 2 + 3u * 6);
  // Every event of B and C is delivered while A is stuck on a failure.
  auto of_token = [&](const std::string& token) {
    std::set<std::string> out;
    auto evs = wait_for<event_page>([&](auto cb) { host->events(partner_id{"p1"}, 0, 1000, cb); });
    for (const auto& e : evs->events)
      if (e.token.value == token)
        out.insert(e.event_id);
    return out;
  };
  auto bc = of_token(tb.ref.value);
  for (const auto& id : of_token(tc.ref.value))
    bc.insert(id);
  // (The events of A already delivered before the receiver started failing
  // are not counted: push happened before `decide`.)
  ASSERT_TRUE(eventually([&] {
    auto d = rx1.delivered();
    return std::includes(d.begin(), d.end(), bc.begin(), bc.end());
  }));
  // A's stuck event was tried, but none of A's later events was sent.
  std::set<std::string> a_seen;
  for (const auto& r : rx1.log())
    if (r.token == ta.ref.value && r.status != 200)
      a_seen.insert(r.event_id);
  EXPECT_EQ(a_seen.size(), 1u);
  EXPECT_TRUE(in_token_order(rx1.log(), p1));
  // Let A through: the rest follows, in order.
  open->store(true);
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1); }, clock.get(), 250ms));
  EXPECT_TRUE(in_token_order(rx1.log(), p1));
}

TEST_F(WebhookTest, DeadLettersAfterTheScheduleAndReleasesTheToken) {
  start();
  auto c = card("p1", 1);
  push(c, "p1", "d1");
  auto p1 = events_of("p1");
  ASSERT_TRUE(eventually([&] { return rx1.delivered() == ids(p1); }));
  auto tok = wait_for<std::vector<token_record>>(
      [&](auto cb) { host->list_tokens(partner_id{"p1"}, c.id, cb); });
  ASSERT_TRUE(tok && tok->size() == 1);
  // The next event (SUSPENDED) always fails; the one after (ACTIVE) is fine.
  auto doomed_id = std::make_shared<std::string>();
  auto doomed_mutex = std::make_shared<std::mutex>();
  rx1.decide([known = ids(p1), doomed_id, doomed_mutex](const recorded_request& r) {
    std::lock_guard lock{*doomed_mutex};
    const auto id = r.header("webhook-id");
    if (doomed_id->empty() && !known.contains(id))
      *doomed_id = id;
    return reply{id == *doomed_id ? 500u : 200u, "{}", false};
  });
  flip(c, tok->front(), "p1", token_state::suspended);
  p1 = events_of("p1");
  std::string doomed;
  for (const auto& [id, seq] : p1)
    if (seq == 3)
      doomed = id;
  ASSERT_FALSE(doomed.empty());
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock{*doomed_mutex};
    return *doomed_id == doomed;
  }));
  flip(c, tok->front(), "p1", token_state::active);
  p1 = events_of("p1");
  ASSERT_EQ(p1.size(), 4u);
  ASSERT_TRUE(eventually(
      [&] {
        auto st = state("p1", doomed);
        return st && st->status == persistence::delivery_status::dead_lettered;
      },
      clock.get(), 250ms));
  auto a = attempts("p1", doomed);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->size(), 3u); // the test schedule has three attempts
  for (const auto& x : *a)
    EXPECT_EQ(x.status, 500);
  // Dead-lettering releases the token: the later event is delivered.
  ASSERT_TRUE(eventually([&] { return rx1.delivered().size() == 3; }, clock.get(), 250ms));
  EXPECT_TRUE(in_token_order(rx1.log(), p1, {doomed}));
  ASSERT_TRUE(eventually([&] {
    auto s = host->stats();
    return s.outbox_pending == 0 && s.webhooks.dead_lettered == 1 && s.webhooks.delivered == 3;
  }));
}

} // namespace
