// The tokens_requested index: maintained by put_token / erase_token, read
// by reader::requested_token_refs (the start-up expiry scan), rebuilt at
// open for a directory written before it existed or by an older build.

#include <future>
#include <lmdb.h>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dwt/persistence/codec.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/keys.hpp"
#include "dwt/persistence/reader.hpp"
#include "env_fixture.hpp"
#include "test_util.hpp"

namespace dwt::persistence {
namespace {

using test::sample_token;
using test::temp_dir;

engine::token_record token_in(const std::string& ref, engine::token_state s) {
  auto t = sample_token(ref, "card_1");
  t.state = s;
  return t;
}

std::vector<std::string> refs_of(const std::vector<engine::token_ref>& v) {
  std::vector<std::string> out;
  for (const auto& r : v)
    out.push_back(r.value);
  return out;
}

class RequestedIndex : public test::env_fixture {
protected:
  std::vector<std::string> all_requested() {
    return refs_of(snapshot().requested_token_refs("", 1000).value());
  }
  std::uint64_t indexed_count() {
    MDB_txn* t = nullptr;
    EXPECT_EQ(mdb_txn_begin(env_->handle(), nullptr, MDB_RDONLY, &t), 0);
    std::string key{keys::meta_requested_indexed_tokens};
    MDB_val k{key.size(), key.data()};
    MDB_val v{};
    std::uint64_t out = 0;
    if (mdb_get(t, env_->dbi(db::meta), &k, &v) == 0)
      out = keys::read_be64({static_cast<const char*>(v.mv_data), v.mv_size}).value_or(~0ULL);
    mdb_txn_abort(t);
    return out;
  }
  /// Writes a token with raw LMDB only (no index, no count), as an older
  /// build would.
  void raw_put_token(const engine::token_record& t) {
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env_->handle(), nullptr, 0, &txn), 0);
    auto bytes = codec::encode(t);
    MDB_val k{t.ref.value.size(), const_cast<char*>(t.ref.value.data())};
    MDB_val v{bytes.size(), bytes.data()};
    ASSERT_EQ(mdb_put(txn, env_->dbi(db::tokens), &k, &v, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
  }
  /// Empties the index and removes the count: a directory from before.
  void forget_index() {
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env_->handle(), nullptr, 0, &txn), 0);
    ASSERT_EQ(mdb_drop(txn, env_->dbi(db::tokens_requested), 0), 0);
    std::string key{keys::meta_requested_indexed_tokens};
    MDB_val k{key.size(), key.data()};
    ASSERT_EQ(mdb_del(txn, env_->dbi(db::meta), &k, nullptr), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
  }
};

TEST_F(RequestedIndex, FollowsTheTokenState) {
  using engine::token_state;
  ASSERT_TRUE(commit(write_unit{}
                         .put_token(token_in("tok_b", token_state::requested))
                         .put_token(token_in("tok_a", token_state::requested))
                         .put_token(token_in("tok_c", token_state::active)))
                  .has_value());
  EXPECT_EQ(all_requested(), (std::vector<std::string>{"tok_a", "tok_b"}));
  EXPECT_EQ(indexed_count(), 3u);
  // Leaving REQUESTED removes the entry; rewriting an indexed token keeps
  // the count.
  ASSERT_TRUE(commit(write_unit{}.put_token(token_in("tok_a", token_state::active))).has_value());
  ASSERT_TRUE(
      commit(write_unit{}.put_token(token_in("tok_b", token_state::requested))).has_value());
  EXPECT_EQ(all_requested(), (std::vector<std::string>{"tok_b"}));
  EXPECT_EQ(indexed_count(), 3u);
  // Erasing removes the entry and the count; erasing an absent token
  // changes nothing.
  ASSERT_TRUE(commit(write_unit{}
                         .erase_token(engine::token_ref{"tok_b"})
                         .erase_token(engine::token_ref{"tok_zz"}))
                  .has_value());
  EXPECT_TRUE(all_requested().empty());
  EXPECT_EQ(indexed_count(), 2u);
  // A failed unit leaves index and count as they were.
  auto failed = commit(write_unit{}
                           .put_token(token_in("tok_d", token_state::requested))
                           .put_token_if_absent(token_in("tok_c", token_state::active)));
  ASSERT_FALSE(failed.has_value());
  EXPECT_TRUE(all_requested().empty());
  EXPECT_EQ(indexed_count(), 2u);
  // Reopening a consistent directory keeps everything.
  env_.reset();
  open();
  EXPECT_EQ(indexed_count(), 2u);
}

TEST_F(RequestedIndex, PagesStrictlyAfterTheCursor) {
  write_unit u;
  for (char c = 'a'; c <= 'e'; ++c)
    u.put_token(token_in(std::string{"tok_"} + c, engine::token_state::requested));
  ASSERT_TRUE(commit(u).has_value());
  auto r = snapshot();
  EXPECT_EQ(refs_of(r.requested_token_refs("", 2).value()),
            (std::vector<std::string>{"tok_a", "tok_b"}));
  EXPECT_EQ(refs_of(r.requested_token_refs("tok_b", 2).value()),
            (std::vector<std::string>{"tok_c", "tok_d"}));
  // A cursor that is a prefix of keys, or between keys, still works.
  EXPECT_EQ(refs_of(r.requested_token_refs("tok_", 1).value()),
            (std::vector<std::string>{"tok_a"}));
  EXPECT_EQ(refs_of(r.requested_token_refs("tok_d", 10).value()),
            (std::vector<std::string>{"tok_e"}));
  EXPECT_TRUE(r.requested_token_refs("tok_e", 10).value().empty());
  EXPECT_TRUE(r.requested_token_refs("", 0).value().empty());
}

TEST_F(RequestedIndex, RebuiltForADirectoryFromBefore) {
  using engine::token_state;
  ASSERT_TRUE(commit(write_unit{}
                         .put_token(token_in("tok_1", token_state::requested))
                         .put_token(token_in("tok_2", token_state::active)))
                  .has_value());
  forget_index();
  env_.reset();
  open();
  EXPECT_EQ(all_requested(), (std::vector<std::string>{"tok_1"}));
  EXPECT_EQ(indexed_count(), 2u);
}

TEST_F(RequestedIndex, RebuiltAfterAnOlderBuildCreatedTokens) {
  using engine::token_state;
  ASSERT_TRUE(
      commit(write_unit{}.put_token(token_in("tok_1", token_state::requested))).has_value());
  raw_put_token(token_in("tok_0", token_state::requested));
  raw_put_token(token_in("tok_9", token_state::request_declined));
  env_.reset();
  open();
  EXPECT_EQ(all_requested(), (std::vector<std::string>{"tok_0", "tok_1"}));
  EXPECT_EQ(indexed_count(), 3u);
}

TEST_F(RequestedIndex, GroupCommitMaintainsIt) {
  auto w = group_commit_writer::start(*env_).value();
  std::promise<result<commit_ack>> p;
  auto f = p.get_future();
  ASSERT_TRUE(w->submit(write_unit{}.put_token(token_in("tok_x", engine::token_state::requested)),
                        [&p](result<commit_ack> r) { p.set_value(std::move(r)); })
                  .has_value());
  ASSERT_TRUE(f.get().has_value());
  w->stop();
  EXPECT_EQ(all_requested(), (std::vector<std::string>{"tok_x"}));
}

} // namespace
} // namespace dwt::persistence
