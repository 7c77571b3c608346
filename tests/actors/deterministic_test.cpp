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
    shutdown_runtime(sys, *rt);
    sched.run();
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

TEST_F(Deterministic, VerificationExpiryFiresThroughDelayedMessageWithoutSleeping) {
  caf::anon_send(rt->shard_for(ref.value), touch_token{ref});
  sched.run();
  EXPECT_EQ(stored().state, token_state::requested);
  clock->advance(std::chrono::minutes{31});
  sched.trigger_timeouts();
  sched.run();
  auto t = stored();
  EXPECT_EQ(t.state, token_state::request_declined);
  EXPECT_EQ(t.fulfillment, fulfillment_status::rejected);
  auto rd = persistence::reader::begin(*store);
  auto h = rd->history(ref);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[1].reason, "verification_expired");
  EXPECT_EQ((*h)[1].by, channel::system);
  EXPECT_EQ(rd->entries(persistence::db::outbox).value(), 1u);
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
