// The dispatcher's per-endpoint queue (pure): per-token order, due times,
// release after a failure, finish releasing the token's next event,
// unordered redeliveries and events without a token, and the bounds.

#include <gtest/gtest.h>

#include "webhook_queue.hpp"

using namespace dwt;
using namespace dwt::actors;

namespace {

engine::timestamp at(std::int64_t ms) {
  return engine::from_millis(ms);
}

tracked_event ev(std::uint64_t seq, const char* token, std::int64_t due = 0) {
  tracked_event t;
  t.event.seq = seq;
  t.event.event_id = "evt_" + std::to_string(seq);
  t.event.token = engine::token_ref{token};
  t.next_at = at(due);
  return t;
}

TEST(WebhookQueue, OnlyTheOldestEventOfATokenIsSendable) {
  webhook_queue q{16, 4};
  q.add_loaded(ev(1, "a"));
  q.add_loaded(ev(2, "b"));
  q.add_loaded(ev(3, "a"));
  q.add_loaded(ev(4, ""));
  q.add_loaded(ev(5, "b"));
  EXPECT_EQ(q.take_due(at(0), 10), (std::vector<std::uint64_t>{1, 2, 4}));
  EXPECT_TRUE(q.take_due(at(0), 10).empty());
  // Event 1 fails: retried later; its token's next event still waits.
  q.release(1, at(100));
  EXPECT_TRUE(q.take_due(at(99), 10).empty());
  EXPECT_EQ(q.next_due(), at(100));
  // Event 2 delivered: 5 (same token b) becomes sendable.
  q.finish(2);
  EXPECT_EQ(q.take_due(at(99), 10), (std::vector<std::uint64_t>{5}));
  EXPECT_EQ(q.take_due(at(100), 10), (std::vector<std::uint64_t>{1}));
  q.finish(1);
  EXPECT_EQ(q.take_due(at(100), 10), (std::vector<std::uint64_t>{3}));
  q.finish(3);
  q.finish(4);
  q.finish(5);
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.room(), 16u);
}

TEST(WebhookQueue, OldestLoadedEventGivesTheBacklogsAge) {
  webhook_queue q{16, 4};
  EXPECT_FALSE(q.oldest_loaded_created().has_value());
  auto e = [](std::uint64_t seq, const char* token, std::int64_t created) {
    auto t = ev(seq, token);
    t.event.created_at = at(created);
    return t;
  };
  // A redelivery of an event delivered long ago is not backlog.
  q.add_redelivery(e(1, "a", 10));
  EXPECT_FALSE(q.oldest_loaded_created().has_value());
  q.add_loaded(e(5, "b", 500));
  q.add_loaded(e(6, "c", 600));
  EXPECT_EQ(q.oldest_loaded_created(), at(500));
  // Failed and waiting for its retry: still the oldest.
  EXPECT_EQ(q.take_due(at(0), 10), (std::vector<std::uint64_t>{1, 5, 6}));
  q.release(5, at(9000));
  EXPECT_EQ(q.oldest_loaded_created(), at(500));
  q.finish(5);
  EXPECT_EQ(q.oldest_loaded_created(), at(600));
  q.finish(6);
  EXPECT_FALSE(q.oldest_loaded_created().has_value());
  q.finish(1);
}

TEST(WebhookQueue, LimitsAndEarliestDueFirst) {
  webhook_queue q{2, 1};
  q.add_loaded(ev(1, "a", 50));
  q.add_loaded(ev(2, "b", 10));
  EXPECT_EQ(q.room(), 0u);
  EXPECT_EQ(q.take_due(at(60), 1), (std::vector<std::uint64_t>{2})); // limit 1, earliest due
  // Redeliveries are unordered and bounded separately.
  ASSERT_TRUE(q.redelivery_room());
  q.add_redelivery(ev(7, "a", 0));
  EXPECT_FALSE(q.redelivery_room());
  EXPECT_EQ(q.take_due(at(60), 5), (std::vector<std::uint64_t>{7, 1}));
  q.finish(7);
  EXPECT_TRUE(q.redelivery_room());
  EXPECT_EQ(q.room(), 0u);
}

TEST(WebhookQueue, MakeDueMovesAWaitingEventForward) {
  webhook_queue q{4, 4};
  q.add_loaded(ev(1, "a", 1000));
  q.add_loaded(ev(2, "a", 0));
  q.make_due(1, at(5));
  q.make_due(2, at(5)); // not the head: only its time changes
  EXPECT_EQ(q.take_due(at(5), 5), (std::vector<std::uint64_t>{1}));
  q.finish(1);
  EXPECT_EQ(q.take_due(at(5), 5), (std::vector<std::uint64_t>{2}));
}

} // namespace
