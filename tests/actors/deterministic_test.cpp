// Deterministic tests of the actor runtime under CAF's test coordinator
// (scheduler.policy = testing), driven by run() / trigger_timeouts() and
// observed through event-based actors (a blocking receive would hang under
// this scheduler). The checkpointer here is the synchronous seam
// (spawn_sync_checkpointer: commit_now on the actor's thread); the real
// group-commit checkpointer is covered by flows_test.cpp.

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

#include "dwt/actors/runtime.hpp"
#include "dwt/engine/otp.hpp"
#include "dwt/engine/state_machine.hpp"
#include "dwt/persistence/codec.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"
#include "test_util.hpp"

using namespace dwt;
using namespace dwt::engine;
using namespace dwt::actors;
using namespace dwt_test;

namespace {

caf::actor_system_config& testing_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    c.set("scheduler.policy", caf::atom("testing"));
    return c;
  }();
  return cfg;
}

class Deterministic : public ::testing::Test {
protected:
  Deterministic()
      : sys(testing_config()),
        sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {}

  void SetUp() override {
    auto o = normalise_options(make_options(dir.path, clock));
    ASSERT_TRUE(o);
    auto e = persistence::env::open(o->store);
    ASSERT_TRUE(e);
    store = std::move(*e);
    rt = std::make_shared<runtime>();
    rt->options = *o;
    rt->store = store.get();
    rt->checkpointer = spawn_sync_checkpointer(sys, *store);
    spawn_runtime(sys, rt);
    sched.run();
    seed_token();
  }

  void TearDown() override {
    if (scheduler)
      caf::anon_send_exit(scheduler, caf::exit_reason::user_shutdown);
    shutdown_runtime(sys, *rt);
    sched.run();
  }

  /// Runs every message and fires every pending timer (idle sweeps,
  /// scheduler rounds) a few times over.
  void settle(int rounds = 3) {
    sched.run();
    for (int i = 0; i < rounds; ++i) {
      sched.trigger_timeouts();
      sched.run();
    }
  }

  std::vector<transition_record> stored_history() {
    auto rd = persistence::reader::begin(*store);
    EXPECT_TRUE(rd);
    auto h = rd->history(ref);
    EXPECT_TRUE(h);
    return h ? *h : std::vector<transition_record>{};
  }

  std::size_t entries(persistence::db d) {
    auto rd = persistence::reader::begin(*store);
    EXPECT_TRUE(rd);
    return rd->entries(d).value();
  }

  void seed_token() {
    persistence::write_unit u;
    for (const auto& p : rt->options.partners)
      u.put_partner(p);
    profile_record prof{profile_id{"prof_1"}, partner_id{"p1"}, "+447700900123",
                        std::nullopt,         clock->now(),     clock->now()};
    u.put_profile(prof);
    card_record c;
    c.id = card_id{"card_1"};
    c.profile = prof.id;
    c.partner = partner_id{"p1"};
    c.pan_hash = std::string(32, 'x');
    c.last4 = "1234";
    c.card_product = "demo-debit";
    u.put_card(c);
    token_record t;
    t.ref = token_ref{"DWT_T1"};
    t.card = c.id;
    t.partner = c.partner;
    t.last4 = "1234";
    t.token_last4 = "9876";
    t.created_at = clock->now();
    t.updated_at = clock->now();
    auto created =
        record_creation(t, channel::network, "tokenization_request", clock->now(), "tr_0");
    u.put_token(created.token).append_history(0, created.record);
    // As the card actor does at tokenisation: the deadline in the same unit.
    u.set_token_deadline(created.token.ref, clock->now() + rt->options.verification_expiry);
    // The IN_APP verification step was reached (a method was chosen), so
    // the partner may APPROVE.
    u.put_challenge(issue_in_app(created.token.ref, clock->now(), rt->options.otp));
    ASSERT_TRUE(persistence::commit_now(*store, u));
    ref = created.token.ref;
  }

  token_record stored() {
    auto rd = persistence::reader::begin(*store);
    EXPECT_TRUE(rd);
    auto t = rd->token(ref);
    EXPECT_TRUE(t);
    return *t;
  }

  /// Sends `cmds` in order from one observer; replies are appended to the
  /// returned vector as they arrive.
  std::shared_ptr<std::vector<caf::expected<token_reply>>>
  send_all(std::vector<token_command> cmds) {
    auto out = std::make_shared<std::vector<caf::expected<token_reply>>>();
    auto shard = rt->shard_for(ref.value);
    // Spawn arguments, not captures: CAF 0.17.6 runs an argument-less actor
    // function through a null argument tuple (UB, aborted by UBSan).
    using replies_ptr = decltype(out);
    using shard_handle = decltype(shard);
    sys.spawn(
        [](caf::event_based_actor* self, replies_ptr replies, shard_handle to, token_ref tok,
           std::vector<token_command> commands) {
          for (const auto& c : commands)
            self->request(to, caf::infinite, token_request{tok, c})
                .then([replies](token_reply& rep) { replies->emplace_back(std::move(rep)); },
                      [replies](caf::error& e) { replies->emplace_back(std::move(e)); });
        },
        out, shard, ref, std::move(cmds));
    return out;
  }

  temp_dir dir;
  std::shared_ptr<test_clock> clock = std::make_shared<test_clock>();
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  std::unique_ptr<persistence::env> store;
  std::shared_ptr<runtime> rt;
  token_ref ref;
  caf::actor scheduler;
};

token_state state_of(const caf::expected<token_reply>& r) {
  EXPECT_TRUE(r);
  return std::get<token_record>(*r).state;
}

} // namespace

TEST_F(Deterministic, MessagesToOneTokenAreHandledInOrder) {
  // Make it ACTIVE first (partner approval), then lose/find the device.
  auto first =
      send_all({tk_activate{partner_id{"p1"}, card_id{"card_1"}, activation::approve, {}}});
  sched.run();
  ASSERT_EQ(first->size(), 1u);
  ASSERT_EQ(state_of((*first)[0]), token_state::active);
  auto out = send_all({tk_network{network_event::device_lost, {}}, tk_get{},
                       tk_network{network_event::device_found, {}}, tk_get{},
                       tk_network{network_event::device_found, {}}});
  sched.run();
  ASSERT_EQ(out->size(), 5u);
  EXPECT_EQ(state_of((*out)[0]), token_state::suspended);
  EXPECT_EQ(state_of((*out)[1]), token_state::suspended);
  EXPECT_EQ(state_of((*out)[2]), token_state::active);
  EXPECT_EQ(state_of((*out)[3]), token_state::active);
  ASSERT_FALSE((*out)[4]); // ACTIVE -> ACTIVE is refused
  EXPECT_EQ(describe((*out)[4].error()).code, "illegal_transition");
  EXPECT_EQ(stored().history_count, 4u);
}

TEST_F(Deterministic, SchedulerDeclinesAPassivatedRequestedTokenAtItsDeadline) {
  scheduler = spawn_expiry_scheduler(sys, rt);
  // Activate the REQUESTED token, then let it go idle: it passivates like
  // any other (its deadline is durable, not a timer of the actor).
  auto first = send_all({tk_get{}});
  sched.run();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(state_of((*first)[0]), token_state::requested);
  settle();
  EXPECT_EQ(rt->counters->live_tokens.load(), 0u);
  EXPECT_EQ(rt->counters->passivations.load(), 1u);
  EXPECT_EQ(stored().state, token_state::requested);

  // Before the deadline the scheduler's rounds change nothing.
  clock->advance(std::chrono::minutes{29});
  settle();
  EXPECT_EQ(stored().state, token_state::requested);
  EXPECT_EQ(entries(persistence::db::token_deadlines), 1u);

  // Past it: the next round activates the token and declines it.
  clock->advance(std::chrono::minutes{2});
  settle(1);
  auto t = stored();
  EXPECT_EQ(t.state, token_state::request_declined);
  EXPECT_EQ(t.fulfillment, fulfillment_status::rejected);
  auto h = stored_history();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].reason, "verification_expired");
  EXPECT_EQ(h[1].by, channel::system);
  EXPECT_EQ(h[1].to_state, token_state::request_declined);
  // Its REQUEST_DECLINED transition event is in the outbox (the webhook).
  EXPECT_EQ(entries(persistence::db::outbox), 1u);
  EXPECT_EQ(entries(persistence::db::token_deadlines), 0u);
  EXPECT_EQ(entries(persistence::db::deadline_of_token), 0u);
  EXPECT_EQ(rt->counters->activations.load(), 2u);

  // Later rounds find nothing more to do: declined once.
  settle();
  EXPECT_EQ(stored_history().size(), 2u);
  EXPECT_EQ(entries(persistence::db::outbox), 1u);
}

TEST_F(Deterministic, SchedulerDrainsMoreDueDeadlinesThanOneBatchInOneRound) {
  // Five due tokens, batches of two: a full batch is followed at once by
  // the next (no timer in between), each after the last entry of the one
  // before, so one timer round declines them all.
  std::vector<token_ref> refs{ref};
  {
    persistence::write_unit u;
    auto base = stored();
    for (int i = 2; i <= 5; ++i) {
      auto t = base;
      t.ref = token_ref{"DWT_T" + std::to_string(i)};
      u.put_token(t).set_token_deadline(t.ref, clock->now() + rt->options.verification_expiry);
      refs.push_back(t.ref);
    }
    ASSERT_TRUE(persistence::commit_now(*store, u));
  }
  rt->options.expiry_scan_batch = 2;
  scheduler = spawn_expiry_scheduler(sys, rt);
  sched.run(); // the first round, at once: nothing due yet
  EXPECT_EQ(entries(persistence::db::token_deadlines), 5u);
  clock->advance(std::chrono::minutes{31});
  sched.trigger_timeouts(); // the next round
  sched.run();
  EXPECT_EQ(entries(persistence::db::token_deadlines), 0u);
  auto rd = persistence::reader::begin(*store);
  ASSERT_TRUE(rd);
  for (const auto& r : refs) {
    auto t = rd->token(r);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->state, token_state::request_declined) << r.value;
  }
}

TEST_F(Deterministic, AReadAfterTheDeadlineAnswersDeclinedEvenWithoutTheScheduler) {
  // No scheduler: only the read itself can process the expiry.
  clock->advance(std::chrono::minutes{31});
  auto out = send_all({tk_get{}, tk_get{partner_id{"p1"}}});
  sched.run();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ(state_of((*out)[0]), token_state::request_declined);
  EXPECT_EQ(state_of((*out)[1]), token_state::request_declined);
  EXPECT_EQ(stored().state, token_state::request_declined);
  auto h = stored_history();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].reason, "verification_expired");
  EXPECT_EQ(entries(persistence::db::token_deadlines), 0u);
}

TEST_F(Deterministic, CommandsAfterTheDeadlineSeeTheDeclinedToken) {
  clock->advance(std::chrono::minutes{31});
  // A partner approval after the deadline is refused: the token is final.
  auto out = send_all({tk_activate{partner_id{"p1"}, card_id{"card_1"}, activation::approve, {}}});
  sched.run();
  ASSERT_EQ(out->size(), 1u);
  ASSERT_FALSE((*out)[0]);
  EXPECT_EQ(describe((*out)[0].error()).code, "token_final");
  EXPECT_EQ(stored().state, token_state::request_declined);
}

TEST_F(Deterministic, ExpiryIsIdempotent) {
  auto at = stored().created_at + rt->options.verification_expiry;
  clock->advance(std::chrono::minutes{31});
  auto out = send_all({tk_expire{at}, tk_expire{at}});
  sched.run();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ(state_of((*out)[0]), token_state::request_declined);
  EXPECT_EQ(state_of((*out)[1]), token_state::request_declined);
  EXPECT_EQ(stored_history().size(), 2u);
  EXPECT_EQ(entries(persistence::db::outbox), 1u);
}

TEST_F(Deterministic, ExpiryOfATokenThatLeftRequestedRemovesOnlyItsStaleEntry) {
  auto at = stored().created_at + rt->options.verification_expiry;
  auto first =
      send_all({tk_activate{partner_id{"p1"}, card_id{"card_1"}, activation::approve, {}}});
  sched.run();
  ASSERT_EQ(state_of((*first)[0]), token_state::active);
  EXPECT_EQ(entries(persistence::db::token_deadlines), 0u); // left with the state
  // A stale entry, as a build without the index would leave behind.
  {
    persistence::write_unit u;
    auto t = stored();
    auto requested = t;
    requested.state = token_state::requested;
    u.put_token(requested).set_token_deadline(ref, at);
    ASSERT_TRUE(persistence::commit_now(*store, u));
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(store->handle(), nullptr, 0, &txn), 0);
    auto bytes = persistence::codec::encode(t); // back to ACTIVE, index untouched
    MDB_val k{ref.value.size(), ref.value.data()};
    MDB_val v{bytes.size(), bytes.data()};
    ASSERT_EQ(mdb_put(txn, store->dbi(persistence::db::tokens), &k, &v, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
  }
  ASSERT_EQ(entries(persistence::db::token_deadlines), 1u);
  scheduler = spawn_expiry_scheduler(sys, rt);
  clock->advance(std::chrono::minutes{31});
  settle();
  EXPECT_EQ(stored().state, token_state::active);
  EXPECT_EQ(stored_history().size(), 2u);
  EXPECT_EQ(entries(persistence::db::token_deadlines), 0u);
  EXPECT_EQ(entries(persistence::db::deadline_of_token), 0u);
}

TEST_F(Deterministic, PassivationAndReactivationKeepStateIdentical) {
  auto first =
      send_all({tk_activate{partner_id{"p1"}, card_id{"card_1"}, activation::approve, {}}});
  sched.run();
  ASSERT_EQ(first->size(), 1u);
  auto before = std::get<token_record>(*(*first)[0]);
  EXPECT_EQ(rt->counters->live_tokens.load(), 1u);
  // Two idle periods without messages: the actor reports idle and stops.
  for (int i = 0; i < 3; ++i) {
    sched.trigger_timeouts();
    sched.run();
  }
  EXPECT_EQ(rt->counters->live_tokens.load(), 0u);
  EXPECT_EQ(rt->counters->passivations.load(), 1u);
  auto again = send_all({tk_get{}});
  sched.run();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(std::get<token_record>(*(*again)[0]), before);
  EXPECT_EQ(rt->counters->activations.load(), 2u);
}

TEST_F(Deterministic, ACardSuspendedBetweenReadAndCommitStopsTheResume) {
  // Issue #20: a token may become ACTIVE only while its card is ACTIVE.
  // Here the card is suspended after the token actor read it (ACTIVE) but
  // before its unit commits: the unit's expect_card_state guard conflicts,
  // the command re-runs and is refused.
  auto setup = send_all(
      {tk_activate{partner_id{"p1"}, card_id{"card_1"}, activation::approve, {}},
       tk_transition{partner_id{"p1"}, card_id{"card_1"}, token_state::suspended, "test", {}}});
  sched.run();
  ASSERT_EQ(setup->size(), 2u);
  ASSERT_EQ(state_of((*setup)[1]), token_state::suspended);
  auto out = send_all(
      {tk_transition{partner_id{"p1"}, card_id{"card_1"}, token_state::active, "test", {}}});
  auto* checkpointer = caf::actor_cast<caf::abstract_actor*>(rt->checkpointer);
  int steps = 0;
  while (sched.has_job() && &sched.next_job<caf::abstract_actor>() !=
                                static_cast<caf::abstract_actor*>(checkpointer)) {
    sched.run_once();
    ASSERT_LT(++steps, 1000) << "the token actor never sent its unit";
  }
  ASSERT_TRUE(sched.has_job()) << "the token actor never sent its unit";
  // The card changes now, between the token actor's read and its commit.
  card_record card;
  {
    auto rd = persistence::reader::begin(*store);
    ASSERT_TRUE(rd);
    auto c = rd->card(card_id{"card_1"});
    ASSERT_TRUE(c);
    card = *c;
  }
  card.state = card_state::suspended;
  ASSERT_TRUE(persistence::commit_now(*store, persistence::write_unit{}.put_card(card)));
  sched.run();
  ASSERT_EQ(out->size(), 1u);
  ASSERT_FALSE((*out)[0]) << "resumed on a suspended card";
  EXPECT_EQ(describe((*out)[0].error()).code, "card_not_active");
  EXPECT_EQ(stored().state, token_state::suspended);
}

TEST_F(Deterministic, ATokenActivatedBetweenTheCascadesReadAndCommitIsSuspendedToo) {
  // The other side of the race: the card actor read the token REQUESTED
  // (no cascade for it), then the token became ACTIVE before the card's
  // unit committed. The unit guards every non-final token, so it conflicts
  // and the cascade re-runs on the token's new state.
  auto replies = std::make_shared<std::vector<caf::expected<card_reply>>>();
  using replies_ptr = decltype(replies);
  auto shard = rt->shard_for("card_1");
  using shard_handle = decltype(shard);
  sys.spawn(
      [](caf::event_based_actor* self, replies_ptr out, shard_handle to) {
        self->request(to, caf::infinite,
                      card_request{card_id{"card_1"},
                                   cd_set_state{partner_id{"p1"}, card_state::suspended, {}}})
            .then([out](card_reply& r) { out->emplace_back(std::move(r)); },
                  [out](caf::error& e) { out->emplace_back(std::move(e)); });
      },
      replies, shard);
  auto* checkpointer = caf::actor_cast<caf::abstract_actor*>(rt->checkpointer);
  int steps = 0;
  while (sched.has_job() && &sched.next_job<caf::abstract_actor>() !=
                                static_cast<caf::abstract_actor*>(checkpointer)) {
    sched.run_once();
    ASSERT_LT(++steps, 1000) << "the card actor never sent its unit";
  }
  ASSERT_TRUE(sched.has_job()) << "the card actor never sent its unit";
  auto before = stored();
  ASSERT_EQ(before.state, token_state::requested);
  auto o = apply_transition(before, token_state::active, channel::partner_api, "partner_approved",
                            clock->now(), "tr_race");
  ASSERT_TRUE(o);
  ASSERT_TRUE(
      persistence::commit_now(*store, persistence::write_unit{}
                                          .expect_token_history_count(ref, before.history_count)
                                          .put_token(o->token)
                                          .append_history(before.history_count, o->record)));
  sched.run();
  ASSERT_EQ(replies->size(), 1u);
  ASSERT_TRUE((*replies)[0]) << describe((*replies)[0].error()).code;
  auto after = stored();
  EXPECT_EQ(after.state, token_state::suspended) << "left ACTIVE on a suspended card";
  EXPECT_EQ(after.suspended_by, channel::card_cascade);
}
