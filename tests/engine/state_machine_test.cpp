#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/enums.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/engine/state_machine.hpp"
#include "test_util.hpp"

using namespace dwt::engine;
using dwt::engine::test::all_channels;
using dwt::engine::test::all_token_states;
using dwt::engine::test::at;
using dwt::engine::test::code_of;
using dwt::engine::test::make_token;

namespace {

using S = token_state;
using C = channel;

/// The expected table, written out independently of the implementation:
/// every allowed (from, suspended_by, to, by). Anything not listed is
/// refused.
struct allowed_move {
  S from;
  std::optional<C> suspended_by; ///< only for from == SUSPENDED
  S to;
  C by;
};

const std::vector<allowed_move> allowed_moves = {
    // REQUESTED → ACTIVE: verification passed, partner APPROVE, push provisioning.
    {S::requested, {}, S::active, C::network},
    {S::requested, {}, S::active, C::partner_api},
    {S::requested, {}, S::active, C::system},
    // REQUESTED → TERMINATED: only when the card is terminated.
    {S::requested, {}, S::terminated, C::card_cascade},
    // REQUESTED → REQUEST_DECLINED: partner DECLINE, OTP exhausted/expired, rules.
    {S::requested, {}, S::request_declined, C::partner_api},
    {S::requested, {}, S::request_declined, C::system},
    {S::requested, {}, S::request_declined, C::network},
    // ACTIVE → SUSPENDED / TERMINATED: partner API, card cascade, wallet/device.
    {S::active, {}, S::suspended, C::partner_api},
    {S::active, {}, S::suspended, C::card_cascade},
    {S::active, {}, S::suspended, C::network},
    {S::active, {}, S::terminated, C::partner_api},
    {S::active, {}, S::terminated, C::card_cascade},
    {S::active, {}, S::terminated, C::network},
    // SUSPENDED → ACTIVE: issuer suspensions only by the suspending party;
    // network suspensions by the network or the partner.
    {S::suspended, C::partner_api, S::active, C::partner_api},
    {S::suspended, C::card_cascade, S::active, C::card_cascade},
    {S::suspended, C::network, S::active, C::network},
    {S::suspended, C::network, S::active, C::partner_api},
};

/// SUSPENDED → TERMINATED is allowed for these channels whoever suspended.
bool suspended_terminate_allowed(C by) {
  return by == C::partner_api || by == C::card_cascade || by == C::network;
}

errc expected_result(S from, C suspended_by, S to, C by) {
  if (from == S::terminated || from == S::request_declined)
    return errc::token_final;
  if (from == S::suspended && to == S::terminated)
    return suspended_terminate_allowed(by) ? errc::ok : errc::illegal_transition;
  for (const auto& m : allowed_moves) {
    if (m.from != from || m.to != to || m.by != by)
      continue;
    if (m.suspended_by && *m.suspended_by != suspended_by)
      continue;
    return errc::ok;
  }
  if (from == S::suspended && to == S::active)
    return errc::resume_not_allowed;
  return errc::illegal_transition;
}

/// A token in `state` as the table would have produced it.
token_record token_in(S state, C suspended_by = C::system) {
  auto t = make_token();
  t.state = state;
  t.history_count = 3;
  switch (state) {
  case S::requested:
    t.fulfillment = fulfillment_status::pending;
    break;
  case S::active:
    t.fulfillment = fulfillment_status::provisioned;
    break;
  case S::suspended:
    t.fulfillment = fulfillment_status::provisioned;
    t.suspended_by = suspended_by;
    break;
  case S::terminated:
    t.fulfillment = fulfillment_status::provisioned;
    break;
  case S::request_declined:
    t.fulfillment = fulfillment_status::rejected;
    break;
  }
  return t;
}

std::string describe_move(S from, C suspended_by, S to, C by) {
  return std::string{to_string(from)} + "(suspended_by " + std::string{to_string(suspended_by)} +
         ") -> " + std::string{to_string(to)} + " by " + std::string{to_string(by)};
}

fulfillment_status expected_fulfillment(fulfillment_status before, S to) {
  if (before != fulfillment_status::pending)
    return before;
  if (to == S::active)
    return fulfillment_status::provisioned;
  if (to == S::request_declined || to == S::terminated)
    return fulfillment_status::rejected;
  return before;
}

} // namespace

TEST(engine_state_machine, full_transition_table) {
  int allowed = 0;
  int checked = 0;
  const auto now = at(2025, 6, 1, 12, 30, 15, 250);
  for (S from : all_token_states) {
    // For SUSPENDED, every possible suspending party; otherwise just one.
    std::vector<C> suspenders = from == S::suspended
                                    ? std::vector<C>(all_channels.begin(), all_channels.end())
                                    : std::vector<C>{C::system};
    for (C suspended_by : suspenders) {
      for (S to : all_token_states) {
        for (C by : all_channels) {
          ++checked;
          const auto token = token_in(from, suspended_by);
          const auto what = describe_move(from, suspended_by, to, by);
          const errc want = expected_result(from, suspended_by, to, by);
          EXPECT_EQ(check_transition(token, to, by), want) << what;
          auto out = apply_transition(token, to, by, "because", now, "tr_1");
          if (want != errc::ok) {
            ASSERT_FALSE(out) << what;
            EXPECT_EQ(code_of(out.error()), want) << what;
            continue;
          }
          ++allowed;
          ASSERT_TRUE(out) << what;
          const auto& t = out->token;
          EXPECT_EQ(t.state, to) << what;
          EXPECT_EQ(t.fulfillment, expected_fulfillment(token.fulfillment, to)) << what;
          EXPECT_EQ(t.suspended_by, to == S::suspended ? by : C::system) << what;
          EXPECT_EQ(t.history_count, token.history_count + 1) << what;
          EXPECT_EQ(t.updated_at, now) << what;
          EXPECT_EQ(t.created_at, token.created_at) << what;
          EXPECT_EQ(t.ref, token.ref);
          EXPECT_EQ(t.card, token.card);
          EXPECT_EQ(t.device, token.device);
          const auto& r = out->record;
          EXPECT_EQ(r.id, "tr_1");
          EXPECT_EQ(r.token, token.ref);
          EXPECT_EQ(r.card, token.card);
          EXPECT_EQ(r.from_state, from) << what;
          EXPECT_EQ(r.to_state, to) << what;
          EXPECT_EQ(r.fulfillment, t.fulfillment) << what;
          EXPECT_EQ(r.reason, "because");
          EXPECT_EQ(r.by, by) << what;
          EXPECT_EQ(r.created_at, now);
        }
      }
    }
  }
  // 4 non-suspended from-states x 5 x 4 + 4 suspenders x 5 x 4.
  EXPECT_EQ(checked, 4 * 20 + 4 * 20);
  // 13 non-suspended moves + 4 resumes + 4 suspenders x 3 terminations.
  EXPECT_EQ(allowed, 13 + 4 + 12);
}

TEST(engine_state_machine, final_states_refuse_everything_with_token_final) {
  for (S final_state : {S::terminated, S::request_declined}) {
    EXPECT_TRUE(is_final(final_state));
    for (S to : all_token_states)
      for (C by : all_channels)
        EXPECT_EQ(check_transition(token_in(final_state), to, by), errc::token_final);
  }
  EXPECT_FALSE(is_final(S::requested));
  EXPECT_FALSE(is_final(S::active));
  EXPECT_FALSE(is_final(S::suspended));
}

TEST(engine_state_machine, fulfillment_changes) {
  const auto now = at(2025, 6, 1);
  // First ACTIVE → PROVISIONED.
  auto a = apply_transition(token_in(S::requested), S::active, C::network, "", now, "t");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->token.fulfillment, fulfillment_status::provisioned);
  // Decline → REJECTED.
  auto d = apply_transition(token_in(S::requested), S::request_declined, C::system, "", now, "t");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->token.fulfillment, fulfillment_status::rejected);
  // A REQUESTED token terminated by its card → REJECTED.
  auto c = apply_transition(token_in(S::requested), S::terminated, C::card_cascade, "", now, "t");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->token.fulfillment, fulfillment_status::rejected);
  // PROVISIONED never changes: suspend, resume, terminate.
  auto s = apply_transition(a->token, S::suspended, C::partner_api, "", now, "t");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->token.fulfillment, fulfillment_status::provisioned);
  auto r = apply_transition(s->token, S::active, C::partner_api, "", now, "t");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->token.fulfillment, fulfillment_status::provisioned);
  auto t = apply_transition(r->token, S::terminated, C::partner_api, "", now, "t");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->token.fulfillment, fulfillment_status::provisioned);
  EXPECT_EQ(t->record.fulfillment, fulfillment_status::provisioned);
}

TEST(engine_state_machine, suspended_by_tracks_the_suspending_party) {
  const auto now = at(2025, 6, 1);
  auto base = token_in(S::active);
  for (C by : {C::partner_api, C::card_cascade, C::network}) {
    auto s = apply_transition(base, S::suspended, by, "", now, "t");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->token.suspended_by, by);
    // Issuer suspensions: only the same party resumes. Network: network or partner.
    for (C resumer : all_channels) {
      const bool ok = resumer == by || (by == C::network && resumer == C::partner_api);
      EXPECT_EQ(check_transition(s->token, S::active, resumer),
                ok ? errc::ok : errc::resume_not_allowed)
          << to_string(by) << " resumed by " << to_string(resumer);
    }
  }
  // A token that looks suspended by the system (cannot arise) is never resumed.
  for (C resumer : all_channels)
    EXPECT_EQ(check_transition(token_in(S::suspended, C::system), S::active, resumer),
              errc::resume_not_allowed);
}

TEST(engine_state_machine, record_creation) {
  auto t = make_token();
  t.history_count = 0;
  const auto now = at(2025, 7, 4, 1, 2, 3, 4);
  auto out = record_creation(t, C::network, "tokenization request", now, "tr_0");
  EXPECT_EQ(out.token.state, S::requested);
  EXPECT_EQ(out.token.fulfillment, fulfillment_status::pending);
  EXPECT_EQ(out.token.history_count, 1U);
  EXPECT_EQ(out.token.created_at, now);
  EXPECT_EQ(out.token.updated_at, now);
  EXPECT_EQ(out.record.id, "tr_0");
  EXPECT_EQ(out.record.token, t.ref);
  EXPECT_EQ(out.record.card, t.card);
  EXPECT_FALSE(out.record.from_state.has_value());
  EXPECT_EQ(out.record.to_state, S::requested);
  EXPECT_EQ(out.record.fulfillment, fulfillment_status::pending);
  EXPECT_EQ(out.record.reason, "tokenization request");
  EXPECT_EQ(out.record.by, C::network);
  EXPECT_EQ(out.record.created_at, now);
}

TEST(engine_state_machine_death, record_creation_requires_a_fresh_token) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto t = token_in(S::active);
  t.history_count = 0;
  EXPECT_DEATH((void)record_creation(t, C::network, "", at(2025, 1, 1), "x"), "requested");
  auto u = make_token();
  u.history_count = 2;
  EXPECT_DEATH((void)record_creation(u, C::network, "", at(2025, 1, 1), "x"), "history_count");
}

TEST(engine_state_machine, push_provisioning_goes_requested_then_active) {
  const auto now = at(2025, 6, 1);
  auto created = record_creation(make_token(), C::partner_api, "push provisioning", now, "a");
  auto active =
      apply_transition(created.token, S::active, C::partner_api, "push provisioning", now, "b");
  ASSERT_TRUE(active);
  EXPECT_EQ(active->token.state, S::active);
  EXPECT_EQ(active->token.fulfillment, fulfillment_status::provisioned);
  EXPECT_EQ(active->token.history_count, 2U);
  EXPECT_EQ(active->record.from_state, S::requested);
}

// Seeded random walks: invariants hold for any sequence of attempts. The
// seed is printed on failure so that the exact sequence replays.
TEST(engine_state_machine, random_walk_invariants) {
  constexpr int seeds = 20;
  constexpr int attempts = 200;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    seeded_random rng{seed};
    auto token = record_creation(make_token(), C::network, "", at(2025, 1, 1), "c").token;
    auto now = at(2025, 1, 1);
    int finals_seen = 0;
    for (int i = 0; i < attempts; ++i) {
      const S to = all_token_states[rng.uniform(all_token_states.size())];
      const C by = all_channels[rng.uniform(all_channels.size())];
      now += std::chrono::milliseconds{1 + rng.uniform(1000)};
      const auto before = token;
      const auto ctx = "seed " + std::to_string(seed) + " step " + std::to_string(i) + ": " +
                       describe_move(before.state, before.suspended_by, to, by);
      const errc want = expected_result(before.state, before.suspended_by, to, by);
      auto out = apply_transition(before, to, by, "r", now, "t" + std::to_string(i));
      ASSERT_EQ(static_cast<bool>(out), want == errc::ok) << ctx;
      if (!out) {
        ASSERT_EQ(code_of(out.error()), want) << ctx;
        // Nothing changed: the input is const and untouched.
        ASSERT_EQ(token, before) << ctx;
      } else {
        token = out->token;
        ASSERT_FALSE(is_final(before.state)) << "a final state changed; " << ctx;
        ASSERT_EQ(token.history_count, before.history_count + 1) << ctx;
        ASSERT_EQ(token.state, to) << ctx;
        if (before.fulfillment != fulfillment_status::pending) {
          ASSERT_EQ(token.fulfillment, before.fulfillment) << "fulfillment reverted; " << ctx;
        }
        ASSERT_EQ(out->record.from_state, before.state) << ctx;
        ASSERT_EQ(out->record.fulfillment, token.fulfillment) << ctx;
        if (token.state == S::active) {
          ASSERT_EQ(token.fulfillment, fulfillment_status::provisioned) << ctx;
        }
        if (token.state == S::request_declined) {
          ASSERT_EQ(token.fulfillment, fulfillment_status::rejected) << ctx;
        }
      }
      if (is_final(token.state) && ++finals_seen % 4 == 0) {
        // Start a fresh token after a few refused attempts on the final one.
        token = record_creation(make_token(), C::network, "", now, "c").token;
      }
    }
  }
}

TEST(engine_state_machine, cascade_targets) {
  struct row {
    S state;
    C suspended_by;
    std::optional<S> on_suspend;
    std::optional<S> on_reactivate;
    std::optional<S> on_terminate;
  };
  const row rows[] = {
      {S::requested, C::system, {}, {}, S::terminated},
      {S::active, C::system, S::suspended, {}, S::terminated},
      {S::suspended, C::card_cascade, {}, S::active, S::terminated},
      {S::suspended, C::partner_api, {}, {}, S::terminated},
      {S::suspended, C::network, {}, {}, S::terminated},
      {S::terminated, C::system, {}, {}, {}},
      {S::request_declined, C::system, {}, {}, {}},
  };
  for (const auto& r : rows) {
    const auto t = token_in(r.state, r.suspended_by);
    EXPECT_EQ(cascade_target(t, card_state::suspended), r.on_suspend) << to_string(r.state);
    EXPECT_EQ(cascade_target(t, card_state::active), r.on_reactivate) << to_string(r.state);
    EXPECT_EQ(cascade_target(t, card_state::terminated), r.on_terminate) << to_string(r.state);
    // Every cascade target is an allowed card_cascade transition.
    for (card_state cs : dwt::engine::test::all_card_states) {
      if (auto target = cascade_target(t, cs)) {
        EXPECT_EQ(check_transition(t, *target, C::card_cascade), errc::ok);
      }
    }
  }
}

namespace {

/// Applies a card state change to every token, as the card actor would.
std::vector<token_record> cascade(std::vector<token_record> tokens, card_state cs) {
  for (auto& t : tokens) {
    if (auto target = cascade_target(t, cs)) {
      auto out = apply_transition(t, *target, C::card_cascade, "card", at(2025, 8, 1), "x");
      EXPECT_TRUE(out);
      if (out)
        t = out->token;
    }
  }
  return tokens;
}

} // namespace

TEST(engine_state_machine, card_cascade_suspend_reactivate_terminate) {
  std::vector<token_record> tokens = {
      token_in(S::requested),
      token_in(S::active),
      token_in(S::active),
      token_in(S::suspended, C::partner_api),
      token_in(S::suspended, C::network),
      token_in(S::terminated),
      token_in(S::request_declined),
  };
  auto suspended = cascade(tokens, card_state::suspended);
  EXPECT_EQ(suspended[0].state, S::requested);
  EXPECT_EQ(suspended[1].state, S::suspended);
  EXPECT_EQ(suspended[1].suspended_by, C::card_cascade);
  EXPECT_EQ(suspended[2].state, S::suspended);
  EXPECT_EQ(suspended[3].suspended_by, C::partner_api);
  EXPECT_EQ(suspended[4].suspended_by, C::network);
  EXPECT_EQ(suspended[5].state, S::terminated);
  EXPECT_EQ(suspended[6].state, S::request_declined);
  EXPECT_EQ(count_toward_cap(suspended), 4U);

  auto reactivated = cascade(suspended, card_state::active);
  EXPECT_EQ(reactivated[1].state, S::active);
  EXPECT_EQ(reactivated[2].state, S::active);
  // Suspended by someone else: stays suspended.
  EXPECT_EQ(reactivated[3].state, S::suspended);
  EXPECT_EQ(reactivated[4].state, S::suspended);
  EXPECT_EQ(reactivated[0].state, S::requested);

  auto terminated = cascade(suspended, card_state::terminated);
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_EQ(terminated[i].state, S::terminated) << i;
  EXPECT_EQ(terminated[0].fulfillment, fulfillment_status::rejected);
  EXPECT_EQ(terminated[1].fulfillment, fulfillment_status::provisioned);
  EXPECT_EQ(terminated[6].state, S::request_declined);
  EXPECT_EQ(terminated[5].history_count, tokens[5].history_count);
  EXPECT_EQ(count_toward_cap(terminated), 0U);
}

TEST(engine_state_machine, card_state_transitions) {
  using CS = card_state;
  for (CS from : dwt::engine::test::all_card_states) {
    for (CS to : dwt::engine::test::all_card_states) {
      errc want = errc::ok;
      if (from == CS::terminated)
        want = errc::card_final;
      else if (from == to)
        want = errc::illegal_transition;
      EXPECT_EQ(check_card_transition(from, to), want)
          << to_string(from) << " -> " << to_string(to);
    }
  }
}

TEST(engine_state_machine, count_toward_cap_counts_active_and_suspended_only) {
  std::vector<token_record> tokens;
  EXPECT_EQ(count_toward_cap(tokens), 0U);
  for (S s : all_token_states)
    tokens.push_back(token_in(s, C::partner_api));
  EXPECT_EQ(count_toward_cap(tokens), 2U);
  tokens.push_back(token_in(S::active));
  tokens.push_back(token_in(S::requested));
  EXPECT_EQ(count_toward_cap(tokens), 3U);
}

TEST(engine_state_machine, a_token_becomes_active_only_while_its_card_is_active) {
  // Issue #20: a partner resumed its own token while the card was SUSPENDED.
  for (auto target : all_token_states) {
    EXPECT_EQ(check_card_allows(target, card_state::active), errc::ok) << to_string(target);
    const auto want = target == token_state::active ? errc::card_not_active : errc::ok;
    EXPECT_EQ(check_card_allows(target, card_state::suspended), want) << to_string(target);
    EXPECT_EQ(check_card_allows(target, card_state::terminated), want) << to_string(target);
  }
}
