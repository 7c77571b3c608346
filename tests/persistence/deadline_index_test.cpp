// The verification-deadline index (token_deadlines + deadline_of_token):
// written by set_token_deadline only while the token is REQUESTED, removed
// in the same unit that moves the token out of REQUESTED (put_token) or
// erases it, ordered by time for reader::due_token_deadlines, and durable
// across a reopen (issue #20: expiry must fire for tokens not in memory).

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/keys.hpp"
#include "dwt/persistence/reader.hpp"
#include "env_fixture.hpp"
#include "test_util.hpp"

namespace dwt::persistence {
namespace {

using engine::from_millis;
using engine::token_ref;
using engine::token_state;
using test::sample_token;
using test::temp_dir;

engine::token_record deadline_token_in(const std::string& ref, token_state s) {
  auto t = sample_token(ref, "card_1");
  t.state = s;
  return t;
}

class DeadlineIndex : public test::env_fixture {
protected:
  std::vector<token_deadline_entry> due(std::int64_t now_ms, std::size_t limit = 100) {
    return snapshot().due_token_deadlines(from_millis(now_ms), limit).value();
  }
  std::optional<engine::timestamp> deadline_of(const std::string& ref) {
    return snapshot().token_deadline(token_ref{ref}).value();
  }
  std::size_t entries(db d) { return snapshot().entries(d).value(); }
};

TEST_F(DeadlineIndex, SetInTheUnitThatCreatesARequestedTokenAndListedWhenDue) {
  write_unit u;
  u.put_token(deadline_token_in("tok_b", token_state::requested))
      .set_token_deadline(token_ref{"tok_b"}, from_millis(2000));
  ASSERT_TRUE(commit(u));
  write_unit v;
  v.put_token(deadline_token_in("tok_a", token_state::requested))
      .set_token_deadline(token_ref{"tok_a"}, from_millis(1000));
  ASSERT_TRUE(commit(v));

  EXPECT_EQ(deadline_of("tok_a"), from_millis(1000));
  EXPECT_EQ(deadline_of("tok_b"), from_millis(2000));
  EXPECT_TRUE(due(999).empty());
  auto one = due(1000);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], (token_deadline_entry{from_millis(1000), token_ref{"tok_a"}}));
  // Earliest first, whatever the ref order; the limit bounds the batch.
  auto both = due(5000);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].ref.value, "tok_a");
  EXPECT_EQ(both[1].ref.value, "tok_b");
  EXPECT_EQ(due(5000, 1).size(), 1u);
  EXPECT_TRUE(due(5000, 0).empty());
  // Paging: strictly after a given entry.
  auto rest = snapshot().due_token_deadlines(from_millis(5000), 100, both[0]).value();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].ref.value, "tok_b");
  EXPECT_TRUE(snapshot().due_token_deadlines(from_millis(5000), 100, both[1]).value().empty());
}

TEST_F(DeadlineIndex, KeysSortByTimeNotByBytesOfTheRef) {
  // 256 ms and 1 ms: big-endian keeps numeric order (little-endian would
  // put 256 first).
  write_unit u;
  u.put_token(deadline_token_in("tok_z", token_state::requested))
      .set_token_deadline(token_ref{"tok_z"}, from_millis(256))
      .put_token(deadline_token_in("tok_y", token_state::requested))
      .set_token_deadline(token_ref{"tok_y"}, from_millis(1));
  ASSERT_TRUE(commit(u));
  auto d = due(1000);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].ref.value, "tok_y");
  EXPECT_EQ(d[1].ref.value, "tok_z");
}

TEST_F(DeadlineIndex, LeavingRequestedRemovesTheDeadlineInTheSameUnit) {
  write_unit u;
  u.put_token(deadline_token_in("tok_1", token_state::requested))
      .set_token_deadline(token_ref{"tok_1"}, from_millis(1000));
  ASSERT_TRUE(commit(u));
  write_unit decline;
  decline.put_token(deadline_token_in("tok_1", token_state::request_declined));
  ASSERT_TRUE(commit(decline));
  EXPECT_EQ(deadline_of("tok_1"), std::nullopt);
  EXPECT_TRUE(due(5000).empty());
  EXPECT_EQ(entries(db::token_deadlines), 0u);
  EXPECT_EQ(entries(db::deadline_of_token), 0u);
}

TEST_F(DeadlineIndex, StayingRequestedKeepsTheDeadline) {
  write_unit u;
  u.put_token(deadline_token_in("tok_1", token_state::requested))
      .set_token_deadline(token_ref{"tok_1"}, from_millis(1000));
  ASSERT_TRUE(commit(u));
  write_unit again; // e.g. a challenge issued: the token is written unchanged
  again.put_token(deadline_token_in("tok_1", token_state::requested));
  ASSERT_TRUE(commit(again));
  EXPECT_EQ(deadline_of("tok_1"), from_millis(1000));
  EXPECT_EQ(due(1000).size(), 1u);
}

TEST_F(DeadlineIndex, ErasingTheTokenRemovesItsDeadline) {
  write_unit u;
  u.put_token(deadline_token_in("tok_1", token_state::requested))
      .set_token_deadline(token_ref{"tok_1"}, from_millis(1000));
  ASSERT_TRUE(commit(u));
  write_unit e;
  e.erase_token(token_ref{"tok_1"});
  ASSERT_TRUE(commit(e));
  EXPECT_EQ(entries(db::token_deadlines), 0u);
  EXPECT_EQ(entries(db::deadline_of_token), 0u);
}

TEST_F(DeadlineIndex, NotWrittenForAnAbsentOrNonRequestedToken) {
  write_unit u;
  u.set_token_deadline(token_ref{"tok_none"}, from_millis(1000))
      .put_token(deadline_token_in("tok_active", token_state::active))
      .set_token_deadline(token_ref{"tok_active"}, from_millis(1000));
  ASSERT_TRUE(commit(u)); // not an error: the unit goes on
  EXPECT_EQ(entries(db::token_deadlines), 0u);
  EXPECT_EQ(entries(db::deadline_of_token), 0u);
}

TEST_F(DeadlineIndex, SettingAgainReplacesTheEarlierDeadline) {
  write_unit u;
  u.put_token(deadline_token_in("tok_1", token_state::requested))
      .set_token_deadline(token_ref{"tok_1"}, from_millis(1000));
  ASSERT_TRUE(commit(u));
  write_unit later;
  later.set_token_deadline(token_ref{"tok_1"}, from_millis(3000));
  ASSERT_TRUE(commit(later));
  EXPECT_EQ(deadline_of("tok_1"), from_millis(3000));
  EXPECT_TRUE(due(2999).empty());
  EXPECT_EQ(entries(db::token_deadlines), 1u);
}

TEST_F(DeadlineIndex, EraseAtRemovesOnlyThatEntry) {
  write_unit u;
  u.put_token(deadline_token_in("tok_1", token_state::requested))
      .set_token_deadline(token_ref{"tok_1"}, from_millis(1000));
  ASSERT_TRUE(commit(u));
  // Another time than the token's deadline: nothing of the current one goes.
  write_unit other;
  other.erase_token_deadline(token_ref{"tok_1"}, from_millis(500));
  ASSERT_TRUE(commit(other));
  EXPECT_EQ(deadline_of("tok_1"), from_millis(1000));
  EXPECT_EQ(entries(db::token_deadlines), 1u);
  // Its own time: both entries go.
  write_unit same;
  same.erase_token_deadline(token_ref{"tok_1"}, from_millis(1000));
  ASSERT_TRUE(commit(same));
  EXPECT_EQ(deadline_of("tok_1"), std::nullopt);
  EXPECT_EQ(entries(db::token_deadlines), 0u);
  // Absent: not an error.
  write_unit absent;
  absent.erase_token_deadline(token_ref{"tok_1"});
  EXPECT_TRUE(commit(absent));
}

TEST_F(DeadlineIndex, AFailedUnitLeavesNoDeadline) {
  write_unit u;
  u.put_token(deadline_token_in("tok_1", token_state::requested))
      .set_token_deadline(token_ref{"tok_1"}, from_millis(1000))
      .expect_token_history_count(token_ref{"tok_1"}, 99); // conflict
  auto r = commit(u);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.code(), errc::conflict);
  EXPECT_EQ(entries(db::token_deadlines), 0u);
  EXPECT_EQ(entries(db::deadline_of_token), 0u);
}

TEST_F(DeadlineIndex, SurvivesAReopen) {
  write_unit u;
  u.put_token(deadline_token_in("tok_1", token_state::requested))
      .set_token_deadline(token_ref{"tok_1"}, from_millis(1000));
  ASSERT_TRUE(commit(u));
  open();
  auto d = due(1000);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].ref.value, "tok_1");
}

TEST_F(DeadlineIndex, BadRefIsRefused) {
  write_unit u;
  u.set_token_deadline(token_ref{""}, from_millis(1));
  auto r = commit(u);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.code(), errc::invalid_argument);
  EXPECT_FALSE(snapshot().token_deadline(token_ref{std::string(200, 'x')}));
}

TEST(DeadlineKeys, RoundTripAndClamp) {
  auto k = keys::token_deadline(0x0102030405060708LL, "tok");
  ASSERT_EQ(k.size(), 11u);
  EXPECT_EQ(static_cast<unsigned char>(k[0]), 0x01);
  auto back = keys::read_token_deadline(k);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->first, 0x0102030405060708ULL);
  EXPECT_EQ(back->second, "tok");
  EXPECT_EQ(keys::read_token_deadline(keys::token_deadline(-5, "t"))->first, 0u);
  EXPECT_FALSE(keys::read_token_deadline(std::string(8, '\0')));
}

} // namespace
} // namespace dwt::persistence
