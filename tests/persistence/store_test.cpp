// Record operations and snapshot readers: indexes (cards by PAN hash,
// tokens by card, history order), the outbox views, idempotency records and
// their sweep, counters, argument checks and snapshot isolation.

#include <thread>

#include <gtest/gtest.h>

#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"
#include "test_util.hpp"

namespace dwt::persistence {
namespace {

using namespace dwt::engine;
using test::at;
using test::temp_dir;

class Store : public ::testing::Test {
protected:
  void SetUp() override {
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

  temp_dir dir_;
  std::unique_ptr<env> env_;
};

card_record make_card(const std::string& id, char hash_byte) {
  card_record c;
  c.id = card_id{id};
  c.profile = profile_id{"prof_1"};
  c.partner = partner_id{"partner_1"};
  c.pan_hash = std::string(32, hash_byte);
  c.last4 = "4242";
  c.expiry_month = 7;
  c.expiry_year = 2030;
  c.card_product = "demo-debit";
  return c;
}

idempotency_record make_idem(const std::string& key, std::int64_t created, std::int64_t expires) {
  idempotency_record r;
  r.partner = partner_id{"partner_1"};
  r.key = key;
  r.request_fingerprint = std::string(32, 'f');
  r.http_status = 201;
  r.response_body = "{\"key\":\"" + key + "\"}";
  r.created_at = at(created);
  r.expires_at = at(expires);
  return r;
}

TEST_F(Store, PartnersAndProfiles) {
  partner_record p;
  p.id = partner_id{"partner_1"};
  p.name = "Demo";
  p.onboarded_on = date{std::chrono::year{2025}, std::chrono::month{6}, std::chrono::day{1}};
  profile_record pr;
  pr.id = profile_id{"prof_1"};
  pr.partner = p.id;
  pr.phone_number = "+447700900123";
  ASSERT_TRUE(commit(write_unit{}.put_partner(p).put_profile(pr)).has_value());
  EXPECT_EQ(commit(write_unit{}.put_profile_if_absent(pr)).code(), errc::conflict);
  EXPECT_EQ(commit(write_unit{}.put_partner_if_absent(p)).code(), errc::conflict);
  EXPECT_EQ(commit(write_unit{}.put_partner_if_absent(p)).err().message,
            "partner partner_1 exists");
  {
    auto r = snapshot();
    EXPECT_EQ(*r.partner(p.id), p);
    EXPECT_EQ(*r.profile(pr.id), pr);
    EXPECT_EQ(r.profile(profile_id{"nope"}).code(), errc::not_found);
  }
  ASSERT_TRUE(commit(write_unit{}.erase_profile(pr.id).erase_partner(p.id)).has_value());
  auto r = snapshot();
  EXPECT_EQ(r.partner(p.id).code(), errc::not_found);
  EXPECT_EQ(r.profile(pr.id).code(), errc::not_found);
}

TEST_F(Store, CardPanHashIndexIsUniqueAndFollowsUpdates) {
  const partner_id p1{"partner_1"};
  auto c1 = make_card("card_1", 'a');
  ASSERT_TRUE(commit(write_unit{}.put_card_if_absent(c1)).has_value());
  // Same PAN on another card of the same partner: refused, whether plain or if-absent.
  auto c2 = make_card("card_2", 'a');
  EXPECT_EQ(commit(write_unit{}.put_card_if_absent(c2)).code(), errc::conflict);
  EXPECT_EQ(commit(write_unit{}.put_card(c2)).code(), errc::conflict);
  // Re-putting the same card (a state change) is fine.
  c1.state = card_state::suspended;
  ASSERT_TRUE(commit(write_unit{}.put_card(c1)).has_value());
  EXPECT_EQ(commit(write_unit{}.put_card_if_absent(c1)).code(), errc::conflict);
  {
    auto r = snapshot();
    EXPECT_EQ(*r.card_by_pan_hash(p1, std::string(32, 'a')), c1);
    EXPECT_EQ(r.card(card_id{"card_2"}).code(), errc::not_found);
  }
  // Changing a card's hash moves its index entry.
  c1.pan_hash = std::string(32, 'b');
  ASSERT_TRUE(commit(write_unit{}.put_card(c1)).has_value());
  {
    auto r = snapshot();
    EXPECT_EQ(r.card_by_pan_hash(p1, std::string(32, 'a')).code(), errc::not_found);
    EXPECT_EQ(r.card_by_pan_hash(p1, std::string(32, 'b'))->id, c1.id);
  }
  ASSERT_TRUE(commit(write_unit{}.put_card(c2)).has_value()); // hash 'a' is free now
  ASSERT_TRUE(commit(write_unit{}.erase_card(c1.id)).has_value());
  auto r = snapshot();
  EXPECT_EQ(r.card_by_pan_hash(p1, std::string(32, 'b')).code(), errc::not_found);
  EXPECT_EQ(r.card_by_pan_hash(p1, std::string(32, 'a'))->id, c2.id);
  EXPECT_EQ(*r.entries(db::cards_by_pan_hash), 1u);
}

TEST_F(Store, PanUniquenessIsPerPartner) {
  // Issue #20: a PAN another partner holds must register as a separate card
  // (a refusal would tell one partner about another's cards).
  auto a = make_card("card_a", 'a');
  auto b = make_card("card_b", 'a');
  b.partner = partner_id{"partner_2"};
  ASSERT_TRUE(commit(write_unit{}.put_card_if_absent(a)).has_value());
  auto put_b = commit(write_unit{}.put_card_if_absent(b));
  ASSERT_TRUE(put_b.has_value()) << put_b.err().message;
  auto again = make_card("card_a2", 'a');
  auto refused = commit(write_unit{}.put_card_if_absent(again));
  EXPECT_EQ(refused.code(), errc::conflict);
  EXPECT_EQ(refused.err().message.find("card_"), std::string::npos)
      << "names no card: " << refused.err().message;
  {
    auto r = snapshot();
    EXPECT_EQ(r.card_by_pan_hash(partner_id{"partner_1"}, std::string(32, 'a'))->id, a.id);
    EXPECT_EQ(r.card_by_pan_hash(partner_id{"partner_2"}, std::string(32, 'a'))->id, b.id);
    EXPECT_EQ(r.card_by_pan_hash(partner_id{"partner_3"}, std::string(32, 'a')).code(),
              errc::not_found);
    auto all = r.cards_by_pan_hash(std::string(32, 'a'));
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].id, a.id);
    EXPECT_EQ((*all)[1].id, b.id);
    EXPECT_TRUE(r.cards_by_pan_hash(std::string(32, 'z'))->empty());
  }
  // Erasing one partner's card leaves the other's index entry.
  ASSERT_TRUE(commit(write_unit{}.erase_card(a.id)).has_value());
  auto r = snapshot();
  auto left = r.cards_by_pan_hash(std::string(32, 'a'));
  ASSERT_TRUE(left.has_value());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().id, b.id);
}

TEST_F(Store, ExpectCardStateGuardsTheUnit) {
  auto c = make_card("card_g", 'g');
  ASSERT_TRUE(commit(write_unit{}.put_card(c)).has_value());
  // Holds: the rest of the unit applies.
  ASSERT_TRUE(
      commit(write_unit{}.expect_card_state(c.id, card_state::active).add_counter("guarded", 1))
          .has_value());
  // Fails: nothing of the unit applies.
  EXPECT_EQ(
      commit(write_unit{}.expect_card_state(c.id, card_state::suspended).add_counter("guarded", 1))
          .code(),
      errc::conflict);
  EXPECT_EQ(commit(write_unit{}.expect_card_state(card_id{"card_none"}, card_state::active)).code(),
            errc::conflict);
  EXPECT_EQ(*snapshot().counter("guarded"), 1u);
}

TEST_F(Store, TokensByCardUseExactPrefixes) {
  // "c1" must not see the tokens of "c1x" although the id is a prefix.
  write_unit u;
  u.put_token(test::sample_token("T-3", "c1"));
  u.put_token(test::sample_token("T-1", "c1"));
  u.put_token(test::sample_token("T-2", "c1x"));
  u.put_token(test::sample_token("T-0", "c"));
  ASSERT_TRUE(commit(u).has_value());
  {
    auto r = snapshot();
    auto refs = r.token_refs_of_card(card_id{"c1"});
    ASSERT_TRUE(refs.has_value());
    EXPECT_EQ(*refs, (std::vector<token_ref>{token_ref{"T-1"}, token_ref{"T-3"}}));
    auto toks = r.tokens_of_card(card_id{"c1x"});
    ASSERT_EQ(toks->size(), 1u);
    EXPECT_EQ((*toks)[0].ref.value, "T-2");
    EXPECT_TRUE(r.tokens_of_card(card_id{"none"})->empty());
  }
  // Moving a token to another card moves its index entry; erase removes it.
  ASSERT_TRUE(commit(write_unit{}.put_token(test::sample_token("T-3", "c1x"))).has_value());
  ASSERT_TRUE(commit(write_unit{}.erase_token(token_ref{"T-1"})).has_value());
  auto r = snapshot();
  EXPECT_TRUE(r.token_refs_of_card(card_id{"c1"})->empty());
  EXPECT_EQ(r.token_refs_of_card(card_id{"c1x"})->size(), 2u);
  EXPECT_EQ(r.token(token_ref{"T-1"}).code(), errc::not_found);
}

TEST_F(Store, HistoryIsOrderedBySequenceNumber) {
  // 300 entries cross the 255 boundary: big-endian keys keep numeric order.
  // Submitted in a scrambled order to prove the order comes from the key.
  std::vector<std::uint32_t> seqs(300);
  for (std::uint32_t i = 0; i < 300; ++i)
    seqs[i] = (i * 7919u) % 300u;
  write_unit u;
  for (auto s : seqs)
    u.append_history(s, test::sample_transition("TOK", "c", "tr-" + std::to_string(s)));
  u.append_history(0, test::sample_transition("TOK2", "c", "other"));
  ASSERT_TRUE(commit(u).has_value());
  auto r = snapshot();
  auto hist = r.history(token_ref{"TOK"});
  ASSERT_TRUE(hist.has_value());
  ASSERT_EQ(hist->size(), 300u);
  for (std::uint32_t i = 0; i < 300; ++i)
    EXPECT_EQ((*hist)[i].id, "tr-" + std::to_string(i));
  EXPECT_EQ(r.history(token_ref{"TOK2"})->size(), 1u);
}

TEST_F(Store, Challenges) {
  verification_challenge c;
  c.token = token_ref{"TOK"};
  c.code_hash = std::string(32, 'h');
  c.destination_masked = "+44*******123";
  c.expires_at = at(600'000);
  ASSERT_TRUE(commit(write_unit{}.put_challenge(c)).has_value());
  EXPECT_EQ(*snapshot().challenge(c.token), c);
  c.wrong_attempts = 1;
  ASSERT_TRUE(commit(write_unit{}.put_challenge(c)).has_value());
  EXPECT_EQ(snapshot().challenge(c.token)->wrong_attempts, 1);
  ASSERT_TRUE(commit(write_unit{}.erase_challenge(c.token)).has_value());
  EXPECT_EQ(snapshot().challenge(c.token).code(), errc::not_found);
}

TEST_F(Store, OutboxViews) {
  write_unit u;
  for (int i = 0; i < 10; ++i)
    u.append_outbox(test::sample_event("T" + std::to_string(i), "e" + std::to_string(i),
                                       i % 2 == 0 ? "pa" : "pb"));
  auto ack = commit(u);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->outbox_seqs, (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  ASSERT_TRUE(commit(write_unit{}.erase_outbox_pending(2).erase_outbox_pending(3)).has_value());
  auto r = snapshot();
  auto after = r.outbox_after(4, 3);
  ASSERT_TRUE(after.has_value());
  ASSERT_EQ(after->size(), 3u);
  EXPECT_EQ((*after)[0].seq, 5u);
  EXPECT_EQ((*after)[2].event_id, "e6");
  auto pa = r.outbox_of_partner_after(partner_id{"pa"}, 1, 100);
  ASSERT_TRUE(pa.has_value());
  std::vector<std::uint64_t> pa_seqs;
  for (const auto& ev : *pa)
    pa_seqs.push_back(ev.seq);
  EXPECT_EQ(pa_seqs, (std::vector<std::uint64_t>{3, 5, 7, 9}));
  EXPECT_TRUE(r.outbox_of_partner_after(partner_id{"p"}, 0, 100)->empty());
  auto pending = r.pending_outbox(0, 4);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(*pending, (std::vector<std::uint64_t>{1, 4, 5, 6}));
  EXPECT_EQ(*r.last_outbox_seq(), 10u);
  EXPECT_EQ(r.outbox_event_at(11).code(), errc::not_found);
  // Delivered events stay in the feed.
  EXPECT_EQ(r.outbox_after(0, 100)->size(), 10u);
}

TEST_F(Store, IdempotencyPutIfAbsentHonoursExpiry) {
  ASSERT_TRUE(commit(write_unit{}.put_idempotency_if_absent(make_idem("k", 100, 200))).has_value());
  // Still live at t=150: conflict.
  EXPECT_EQ(commit(write_unit{}.put_idempotency_if_absent(make_idem("k", 150, 300))).code(),
            errc::conflict);
  // Expired at t=200: replaced, and the old expiry index entry is gone.
  ASSERT_TRUE(commit(write_unit{}.put_idempotency_if_absent(make_idem("k", 200, 400))).has_value());
  auto r = snapshot();
  auto rec = r.idempotency(partner_id{"partner_1"}, "k");
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(*rec, make_idem("k", 200, 400));
  EXPECT_EQ(*r.entries(db::idempotency_by_expiry), 1u);
  EXPECT_EQ(r.idempotency(partner_id{"partner_2"}, "k").code(), errc::not_found);
}

TEST_F(Store, IdempotencySweepDeletesOnlyExpiredRecordsInBoundedBatches) {
  write_unit u;
  for (int i = 0; i < 10; ++i)
    u.put_idempotency(make_idem("key-" + std::to_string(i), 0, 1000 + i * 100)); // 1000..1900
  ASSERT_TRUE(commit(u).has_value());

  // now = 1450: keys 0..4 are expired (expires_at <= now); limit 3 per run.
  auto first = commit(write_unit{}.sweep_idempotency(at(1450), 3));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->idempotency_swept, 3u);
  auto second = commit(write_unit{}.sweep_idempotency(at(1450), 3));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->idempotency_swept, 2u);
  auto third = commit(write_unit{}.sweep_idempotency(at(1450), 3));
  EXPECT_EQ(third->idempotency_swept, 0u);

  auto r = snapshot();
  for (int i = 0; i < 10; ++i) {
    auto rec = r.idempotency(partner_id{"partner_1"}, "key-" + std::to_string(i));
    if (i < 5)
      EXPECT_EQ(rec.code(), errc::not_found) << i;
    else
      EXPECT_TRUE(rec.has_value()) << i;
  }
  EXPECT_EQ(*r.entries(db::idempotency), 5u);
  EXPECT_EQ(*r.entries(db::idempotency_by_expiry), 5u);
}

TEST_F(Store, IdempotencyEraseRemovesIndexEntry) {
  ASSERT_TRUE(commit(write_unit{}.put_idempotency(make_idem("k", 0, 10))).has_value());
  ASSERT_TRUE(commit(write_unit{}.erase_idempotency(partner_id{"partner_1"}, "k")).has_value());
  auto r = snapshot();
  EXPECT_EQ(*r.entries(db::idempotency), 0u);
  EXPECT_EQ(*r.entries(db::idempotency_by_expiry), 0u);
}

TEST_F(Store, Counters) {
  ASSERT_TRUE(
      commit(write_unit{}.add_counter("a").add_counter("a", 41).add_counter("b", 2)).has_value());
  auto r = snapshot();
  EXPECT_EQ(*r.counter("a"), 42u);
  EXPECT_EQ(*r.counter("b"), 2u);
  EXPECT_EQ(*r.counter("never"), 0u);
}

TEST_F(Store, InvalidIdsFailTheUnit) {
  EXPECT_EQ(commit(write_unit{}.put_token(test::sample_token("", "c"))).code(),
            errc::invalid_argument);
  EXPECT_EQ(commit(write_unit{}.put_token(test::sample_token(std::string(129, 'x'), "c"))).code(),
            errc::invalid_argument);
  EXPECT_EQ(commit(write_unit{}.put_idempotency(make_idem(std::string(256, 'k'), 0, 1))).code(),
            errc::invalid_argument);
  EXPECT_EQ(commit(write_unit{}.add_counter("")).code(), errc::invalid_argument);
  auto no_hash = make_card("card_x", 'a');
  no_hash.pan_hash.clear();
  EXPECT_EQ(commit(write_unit{}.put_card(no_hash)).code(), errc::invalid_argument);
  // A failed unit leaves nothing behind, even its valid first operation.
  EXPECT_EQ(commit(write_unit{}.add_counter("x").put_token(test::sample_token("", "c"))).code(),
            errc::invalid_argument);
  auto r = snapshot();
  EXPECT_EQ(*r.counter("x"), 0u);
  EXPECT_EQ(r.token(token_ref{""}).code(), errc::invalid_argument);
}

TEST_F(Store, ReaderSeesASnapshot) {
  auto before = snapshot();
  ASSERT_TRUE(commit(test::provisioning_unit("TOK", "c")).has_value());
  EXPECT_EQ(before.token(token_ref{"TOK"}).code(), errc::not_found);
  EXPECT_EQ(*before.last_outbox_seq(), 0u);
  EXPECT_TRUE(snapshot().token(token_ref{"TOK"}).has_value());
}

TEST_F(Store, ReaderMayMoveBetweenThreads) {
  ASSERT_TRUE(commit(test::provisioning_unit("TOK", "c")).has_value());
  auto r = snapshot(); // begun on this thread (MDB_NOTLS)
  bool found = false;
  std::thread other{[&] {
    found = r.token(token_ref{"TOK"}).has_value();
    auto moved = std::move(r); // ended on the other thread
    (void)moved;
  }};
  other.join();
  EXPECT_TRUE(found);
  EXPECT_TRUE(snapshot().token(token_ref{"TOK"}).has_value());
}

TEST_F(Store, ManyConcurrentReadersWhileWriting) {
  auto w = group_commit_writer::start(*env_);
  ASSERT_TRUE(w.has_value());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (!done) {
        auto r = reader::begin(*env_);
        if (!r) {
          ++errors;
          continue;
        }
        auto seq = r->last_outbox_seq();
        auto evs = r->outbox_after(0, 1000000);
        // Within one snapshot the feed and the counter agree.
        if (!seq || !evs || evs->size() != *seq)
          ++errors;
        ++reads;
      }
    });
  }
  std::atomic<int> acked{0};
  for (int i = 0; i < 300; ++i)
    ASSERT_TRUE((*w)->submit(test::provisioning_unit("T" + std::to_string(i), "c"),
                             [&](result<commit_ack> r) {
                               if (r)
                                 ++acked;
                             }));
  (*w)->stop();
  done = true;
  for (auto& t : readers)
    t.join();
  EXPECT_EQ(acked.load(), 300);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

} // namespace
} // namespace dwt::persistence
