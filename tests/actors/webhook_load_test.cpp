// Loading the durable outbox into a dispatcher queue whose window is
// smaller than the backlog (the regime of a dispatcher behind provisioning):
// events come in seq order, one partner only, delivered events are skipped
// without taking room, and the cursor never passes an event left unloaded.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dwt/persistence/env.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"
#include "dwt/persistence/write_unit.hpp"
#include "test_util.hpp"
#include "webhook_load.hpp"

using namespace dwt;
using namespace dwt::actors;

namespace {

struct outbox_fixture {
  dwt_test::temp_dir dir;
  std::unique_ptr<persistence::env> store;

  outbox_fixture() {
    persistence::env_options o;
    o.directory = dir.path;
    o.map_size = std::size_t{64} << 20;
    auto e = persistence::env::open(o);
    if (!e)
      ADD_FAILURE() << "env::open failed";
    else
      store = std::move(*e);
  }

  /// Appends one event of `partner`; returns its seq.
  std::uint64_t append(const std::string& partner, const std::string& token) {
    persistence::outbox_event ev;
    ev.event_id = "evt_" + partner + "_" + std::to_string(++appended);
    ev.partner = engine::partner_id{partner};
    ev.token = engine::token_ref{token};
    ev.type = "DigitalWalletTokenTransition";
    ev.payload = "{}";
    persistence::write_unit u;
    u.append_outbox(ev);
    auto ack = persistence::commit_now(*store, u);
    EXPECT_TRUE(ack.has_value());
    auto rd = persistence::reader::begin(*store);
    EXPECT_TRUE(rd.has_value());
    return *rd->last_outbox_seq();
  }

  void mark_delivered(std::uint64_t seq) {
    persistence::write_unit u;
    u.erase_outbox_pending(seq);
    ASSERT_TRUE(persistence::commit_now(*store, u).has_value());
  }

  std::uint64_t load(webhook_queue& q, std::uint64_t cursor, std::size_t max_scan = 4096) {
    auto rd = persistence::reader::begin(*store);
    EXPECT_TRUE(rd.has_value());
    auto c =
        load_pending(*rd, engine::partner_id{"p1"}, cursor, q, engine::from_millis(0), max_scan);
    EXPECT_TRUE(c.has_value());
    return c ? *c : cursor;
  }

  int appended = 0;
};

std::vector<std::uint64_t> loaded(const webhook_queue& q, const std::vector<std::uint64_t>& all) {
  std::vector<std::uint64_t> out;
  for (auto s : all)
    if (q.contains(s))
      out.push_back(s);
  return out;
}

TEST(WebhookLoad, FillsASmallWindowInOrderAndResumesAtTheCursor) {
  outbox_fixture f;
  ASSERT_TRUE(f.store);
  std::vector<std::uint64_t> mine;
  for (int i = 0; i < 10; ++i) {
    mine.push_back(f.append("p1", "tok_" + std::to_string(i)));
    f.append("p2", "tok_other"); // another partner's events interleave
  }
  webhook_queue q{3, 4};
  auto cursor = f.load(q, 0);
  EXPECT_EQ(loaded(q, mine), (std::vector<std::uint64_t>{mine[0], mine[1], mine[2]}));
  EXPECT_EQ(cursor, mine[2]) << "the cursor stops at the last event taken";
  EXPECT_EQ(q.room(), 0U);

  // A full window loads nothing and keeps the cursor.
  EXPECT_EQ(f.load(q, cursor), cursor);

  // One delivered: exactly the next one comes in.
  auto due = q.take_due(engine::from_millis(0), 1);
  ASSERT_EQ(due.size(), 1U);
  q.finish(due.front());
  f.mark_delivered(due.front());
  cursor = f.load(q, cursor);
  EXPECT_EQ(cursor, mine[3]);
  EXPECT_TRUE(q.contains(mine[3]));
  EXPECT_FALSE(q.contains(mine[4]));
}

TEST(WebhookLoad, DeliveredEventsTakeNoRoom) {
  outbox_fixture f;
  ASSERT_TRUE(f.store);
  std::vector<std::uint64_t> mine;
  for (int i = 0; i < 8; ++i)
    mine.push_back(f.append("p1", "tok_" + std::to_string(i)));
  // Delivered before any load (e.g. by an earlier run): only 2, 5, 6, 7 pend.
  for (int i : {0, 1, 3, 4})
    f.mark_delivered(mine[static_cast<std::size_t>(i)]);
  webhook_queue q{3, 4};
  auto cursor = f.load(q, 0);
  EXPECT_EQ(loaded(q, mine), (std::vector<std::uint64_t>{mine[2], mine[5], mine[6]}));
  EXPECT_EQ(cursor, mine[6]);
}

TEST(WebhookLoad, MaxScanBoundsOneLoad) {
  outbox_fixture f;
  ASSERT_TRUE(f.store);
  std::vector<std::uint64_t> mine;
  for (int i = 0; i < 6; ++i)
    mine.push_back(f.append("p1", "tok_" + std::to_string(i)));
  for (int i = 0; i < 4; ++i)
    f.mark_delivered(mine[static_cast<std::size_t>(i)]);
  webhook_queue q{8, 4};
  // Three looked at, none pending: the cursor advances past them only.
  auto cursor = f.load(q, 0, 3);
  EXPECT_EQ(cursor, mine[2]);
  EXPECT_EQ(q.size(), 0U);
  cursor = f.load(q, cursor);
  EXPECT_EQ(loaded(q, mine), (std::vector<std::uint64_t>{mine[4], mine[5]}));
  EXPECT_EQ(cursor, mine[5]);
}

} // namespace
