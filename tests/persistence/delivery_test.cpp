// Webhook delivery records (issue #6): codec round trips and hostile input
// for delivery_state and delivery_attempt_record; the write-unit operations
// (put state, append-only attempt log, requeue into outbox_pending); the
// reader getters; the event-id index and its backfill when a directory
// written before these databases existed is opened.

#include <cstdint>
#include <lmdb.h>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "dwt/persistence/codec.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"
#include "test_util.hpp"

namespace dwt::persistence {
namespace {

using test::at;
using test::expect_round_trip;
using test::temp_dir;

delivery_state sample_state() {
  delivery_state s;
  s.seq = 0xFFFF'FFFF'FFFFull;
  s.attempts = 4'000'000'000u;
  s.round_base = 10;
  s.next_attempt_at = at(-7); // zigzag keeps the sign
  s.status = delivery_status::dead_lettered;
  s.updated_at = at(INT64_MAX);
  return s;
}

delivery_attempt_record sample_attempt(std::uint64_t seq = 42, std::uint32_t n = 3) {
  delivery_attempt_record a;
  a.seq = seq;
  a.attempt_no = n;
  a.at = at(1'767'225'600'123);
  a.status = 503;
  a.latency_ms = 5001;
  a.error = "timeout \xC3\xA9";
  return a;
}

TEST(DeliveryCodec, RoundTrips) {
  expect_round_trip(sample_state());
  expect_round_trip(delivery_state{});
  expect_round_trip(sample_attempt());
  auto empty = sample_attempt(0, 0);
  empty.error.clear();
  empty.status = 0;
  expect_round_trip(empty);
  auto big = sample_attempt(UINT64_MAX, UINT32_MAX);
  big.status = UINT16_MAX;
  big.latency_ms = UINT32_MAX;
  expect_round_trip(big);
}

TEST(DeliveryCodec, HeaderCarriesNewTags) {
  auto s = codec::encode(sample_state());
  auto a = codec::encode(sample_attempt());
  EXPECT_EQ(static_cast<std::uint8_t>(s[0]), 9);
  EXPECT_EQ(static_cast<std::uint8_t>(a[0]), 10);
  EXPECT_EQ(static_cast<std::uint8_t>(s[1]), codec::current_version);
  // One tag is never decoded as the other.
  EXPECT_EQ(codec::decode<delivery_attempt_record>(s).code(), errc::corrupt_record);
  EXPECT_EQ(codec::decode<delivery_state>(a).code(), errc::corrupt_record);
  EXPECT_EQ(codec::decode<outbox_event>(s).code(), errc::corrupt_record);
}

template <class T>
void expect_every_truncation_rejected(const T& v) {
  auto bytes = codec::encode(v);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = codec::decode<T>(std::string_view{bytes}.substr(0, n));
    ASSERT_FALSE(r.has_value()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(r.code(), errc::corrupt_record);
  }
  auto longer = bytes + '\0';
  EXPECT_EQ(codec::decode<T>(longer).code(), errc::corrupt_record);
  auto other_version = bytes;
  other_version[1] = static_cast<char>(codec::current_version + 1);
  EXPECT_EQ(codec::decode<T>(other_version).code(), errc::unsupported_version);
}

TEST(DeliveryCodec, TruncationTrailingBytesAndVersionsAreRejected) {
  expect_every_truncation_rejected(sample_state());
  expect_every_truncation_rejected(sample_attempt());
}

TEST(DeliveryCodec, BadStatusAndOutOfRangeIntegersAreRejected) {
  delivery_state s;
  s.status = delivery_status::delivered;
  auto bytes = codec::encode(s);
  // Layout: tag, version, u seq(0), u attempts(0), u round_base(0),
  // t next(0), e status, t updated.
  ASSERT_EQ(static_cast<std::uint8_t>(bytes[6]), 1);
  bytes[6] = 3; // feed_only, the last status
  EXPECT_EQ(codec::decode<delivery_state>(bytes).value().status, delivery_status::feed_only);
  bytes[6] = 4;
  EXPECT_EQ(codec::decode<delivery_state>(bytes).code(), errc::corrupt_record);

  // An attempt_no above u32 is refused (not truncated).
  std::string a;
  a.push_back(10);
  a.push_back(static_cast<char>(codec::current_version));
  a.push_back(1); // seq
  for (int i = 0; i < 4; ++i)
    a.push_back(static_cast<char>(0xFF)); // attempt_no = 2^33 - 1
  a.push_back(0x1F);
  a.push_back(0); // at
  a.push_back(0); // status
  a.push_back(0); // latency
  a.push_back(0); // error ""
  EXPECT_EQ(codec::decode<delivery_attempt_record>(a).code(), errc::corrupt_record);
}

TEST(DeliveryCodec, RandomAndMutatedBytesNeverCrash) {
  const std::uint64_t seed = 0x6E6F'7465;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng{seed};
  const std::string samples[] = {codec::encode(sample_state()), codec::encode(sample_attempt())};
  std::size_t accepted = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string bytes;
    if (i % 2 == 0) {
      bytes.assign(rng() % 48, '\0');
      for (auto& c : bytes)
        c = static_cast<char>(rng());
      if (bytes.size() >= 2) {
        bytes[0] = static_cast<char>(9 + rng() % 2);
        bytes[1] = static_cast<char>(codec::current_version);
      }
    } else {
      bytes = samples[rng() % 2];
      for (std::uint64_t f = 0, n = 1 + rng() % 3; f < n; ++f)
        bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    auto s = codec::decode<delivery_state>(bytes);
    if (s.has_value()) {
      ++accepted;
      EXPECT_EQ(codec::decode<delivery_state>(codec::encode(*s)).value(), *s);
    } else {
      EXPECT_TRUE(s.code() == errc::corrupt_record || s.code() == errc::unsupported_version);
    }
    auto a = codec::decode<delivery_attempt_record>(bytes);
    if (a.has_value()) {
      ++accepted;
      EXPECT_EQ(codec::decode<delivery_attempt_record>(codec::encode(*a)).value(), *a);
    } else {
      EXPECT_TRUE(a.code() == errc::corrupt_record || a.code() == errc::unsupported_version);
    }
  }
  SUCCEED() << accepted << " inputs decoded";
}

// -- store -------------------------------------------------------------------

outbox_event make_event(const std::string& id, const std::string& token) {
  outbox_event e;
  e.event_id = id;
  e.partner = engine::partner_id{"partner_1"};
  e.token = engine::token_ref{token};
  e.type = "DigitalWalletTokenTransition";
  e.created_at = at(1'767'225'600'000);
  e.payload = "{}";
  return e;
}

class DeliveryStore : public ::testing::Test {
protected:
  void SetUp() override { open(); }
  void open() {
    auto e = env::open(test::small_options(dir_.path()));
    ASSERT_TRUE(e.has_value()) << e.err().message;
    env_ = std::move(*e);
  }
  result<commit_ack> commit(const write_unit& u) { return commit_now(*env_, u); }
  reader snapshot() {
    auto r = reader::begin(*env_);
    if (!r.has_value())
      std::abort();
    return std::move(*r);
  }
  /// Empties (drop = false) or deletes (drop = true) a named database with
  /// raw LMDB, as a directory written by an older build would look.
  void wipe(db d, bool drop) {
    MDB_txn* t = nullptr;
    ASSERT_EQ(mdb_txn_begin(env_->handle(), nullptr, 0, &t), 0);
    ASSERT_EQ(mdb_drop(t, env_->dbi(d), drop ? 1 : 0), 0);
    ASSERT_EQ(mdb_txn_commit(t), 0);
  }

  temp_dir dir_;
  std::unique_ptr<env> env_;
};

TEST_F(DeliveryStore, StateAndAttemptLog) {
  ASSERT_TRUE(commit(write_unit{}.append_outbox(make_event("evt_1", "tok_1"))).has_value());
  {
    auto r = snapshot();
    EXPECT_EQ(r.find_delivery_state(1).value(), std::nullopt);
    EXPECT_TRUE(r.delivery_attempts_of(1).value().empty());
  }
  delivery_state st;
  st.seq = 1;
  st.attempts = 1;
  st.next_attempt_at = at(5000);
  st.updated_at = at(10);
  ASSERT_TRUE(
      commit(write_unit{}.put_delivery_state(st).append_delivery_attempt(sample_attempt(1, 1)))
          .has_value());
  // Append-only: the same attempt number again conflicts, and the unit's
  // other operations are not applied.
  auto st2 = st;
  st2.attempts = 2;
  auto dup =
      commit(write_unit{}.put_delivery_state(st2).append_delivery_attempt(sample_attempt(1, 1)));
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.code(), errc::conflict);
  EXPECT_EQ(dup.err().message, "attempt 1 of outbox event 1 exists");
  // Attempts of a neighbouring seq never mix in.
  ASSERT_TRUE(commit(write_unit{}
                         .append_delivery_attempt(sample_attempt(1, 2))
                         .append_delivery_attempt(sample_attempt(2, 1))
                         .append_delivery_attempt(sample_attempt(1, 10)))
                  .has_value());
  auto r = snapshot();
  EXPECT_EQ(r.find_delivery_state(1).value(), st);
  auto log = r.delivery_attempts_of(1).value();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].attempt_no, 1u);
  EXPECT_EQ(log[1].attempt_no, 2u);
  EXPECT_EQ(log[2].attempt_no, 10u); // numeric, not lexical, order
  EXPECT_EQ(log[0], sample_attempt(1, 1));
  EXPECT_EQ(r.delivery_attempts_of(2).value().size(), 1u);
  EXPECT_EQ(r.entries(db::delivery_attempts).value(), 4u);
}

TEST_F(DeliveryStore, RequeueOutboxPending) {
  ASSERT_TRUE(commit(write_unit{}.append_outbox(make_event("evt_1", "tok_1"))).has_value());
  ASSERT_TRUE(commit(write_unit{}.erase_outbox_pending(1)).has_value());
  EXPECT_FALSE(snapshot().outbox_is_pending(1).value());
  ASSERT_TRUE(commit(write_unit{}.requeue_outbox_pending(1)).has_value());
  EXPECT_TRUE(snapshot().outbox_is_pending(1).value());
  // Requeueing a pending event is harmless; an unknown seq is refused.
  ASSERT_TRUE(commit(write_unit{}.requeue_outbox_pending(1)).has_value());
  auto bad = commit(write_unit{}.requeue_outbox_pending(7));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.code(), errc::not_found);
  EXPECT_EQ(snapshot().pending_outbox(0, 10).value(), std::vector<std::uint64_t>{1});
}

TEST_F(DeliveryStore, FeedOnlyEventsAreNotPendingAndCarryTheirOwnState) {
  auto p2_event = make_event("evt_2", "tok_2");
  p2_event.partner = engine::partner_id{"p2"};
  write_unit unit;
  unit.append_outbox(make_event("evt_1", "tok_1")).append_outbox(p2_event);
  // Only p2's event is marked.
  EXPECT_EQ(unit.mark_feed_only([](const engine::partner_id& p) { return p.value == "p2"; }), 1u);
  EXPECT_EQ(unit.mark_feed_only([](const engine::partner_id& p) { return p.value == "p2"; }), 0u);
  ASSERT_TRUE(commit(unit).has_value());
  auto r = snapshot();
  EXPECT_EQ(r.pending_outbox(0, 10).value(), std::vector<std::uint64_t>{1});
  EXPECT_FALSE(r.outbox_is_pending(2).value());
  EXPECT_FALSE(r.find_delivery_state(1).value().has_value());
  auto st = r.find_delivery_state(2).value();
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->status, delivery_status::feed_only);
  EXPECT_EQ(st->attempts, 0u);
  EXPECT_EQ(st->updated_at, p2_event.created_at);
  // Still in the feed.
  EXPECT_EQ(r.outbox_after(0, 10).value().size(), 2u);
  auto fo = sample_state();
  fo.status = delivery_status::feed_only;
  expect_round_trip(fo);
}

TEST_F(DeliveryStore, EventIdIndex) {
  ASSERT_TRUE(commit(write_unit{}
                         .append_outbox(make_event("evt_a", "tok_1"))
                         .append_outbox(make_event("evt_b", "tok_1")))
                  .has_value());
  auto r = snapshot();
  EXPECT_EQ(r.outbox_seq_of_event("evt_a").value(), 1u);
  EXPECT_EQ(r.outbox_seq_of_event("evt_b").value(), 2u);
  EXPECT_EQ(r.outbox_seq_of_event("evt_c").code(), errc::not_found);
  EXPECT_EQ(r.outbox_seq_of_event("").code(), errc::invalid_argument);
}

TEST_F(DeliveryStore, OlderDirectoryOpensAndIndexIsBackfilled) {
  ASSERT_TRUE(commit(write_unit{}
                         .append_outbox(make_event("evt_a", "tok_1"))
                         .append_outbox(make_event("evt_b", "tok_2")))
                  .has_value());
  // A directory written before the delivery databases existed: they are
  // missing altogether.
  wipe(db::outbox_by_event_id, true);
  wipe(db::deliveries, true);
  wipe(db::delivery_attempts, true);
  env_.reset();
  open();
  EXPECT_EQ(env_->schema_version(), current_schema_version);
  {
    auto r = snapshot();
    EXPECT_EQ(r.outbox_seq_of_event("evt_b").value(), 2u);
    EXPECT_EQ(r.entries(db::deliveries).value(), 0u);
  }
  // An older build appended an event without indexing it: backfilled at
  // the next open.
  ASSERT_TRUE(commit(write_unit{}.append_outbox(make_event("evt_c", "tok_1"))).has_value());
  wipe(db::outbox_by_event_id, false);
  env_.reset();
  open();
  auto r = snapshot();
  EXPECT_EQ(r.outbox_seq_of_event("evt_a").value(), 1u);
  EXPECT_EQ(r.outbox_seq_of_event("evt_c").value(), 3u);
  EXPECT_EQ(r.entries(db::outbox_by_event_id).value(), 3u);
}

TEST_F(DeliveryStore, CorruptStoredStateIsReported) {
  ASSERT_TRUE(commit(write_unit{}.append_outbox(make_event("evt_1", "tok_1"))).has_value());
  MDB_txn* t = nullptr;
  ASSERT_EQ(mdb_txn_begin(env_->handle(), nullptr, 0, &t), 0);
  std::string key(8, '\0');
  key[7] = 1;
  std::string junk = "\x09\x01\x01";
  MDB_val k{key.size(), key.data()};
  MDB_val v{junk.size(), junk.data()};
  ASSERT_EQ(mdb_put(t, env_->dbi(db::deliveries), &k, &v, 0), 0);
  std::string akey = key + std::string("\0\0\0\x01", 4);
  MDB_val ak{akey.size(), akey.data()};
  ASSERT_EQ(mdb_put(t, env_->dbi(db::delivery_attempts), &ak, &v, 0), 0);
  ASSERT_EQ(mdb_txn_commit(t), 0);
  auto r = snapshot();
  EXPECT_EQ(r.find_delivery_state(1).code(), errc::corrupt_record);
  EXPECT_EQ(r.delivery_attempts_of(1).code(), errc::corrupt_record);
}

} // namespace
} // namespace dwt::persistence
