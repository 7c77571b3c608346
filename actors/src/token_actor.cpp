/// @file
/// The virtual token actor: owns one token's lifecycle state (the record
/// and its pending verification challenge), loads it from LMDB on its first
/// message, and commits every change through the checkpointer as one unit
/// (token + history + outbox event + idempotency record) guarded by
/// expect_token_history_count.
///
/// Ordering: every commit (and every call to the verification pool) is a
/// request with `await`, so while a change of this token is in flight the
/// actor handles no other message: later messages wait in the mailbox and
/// run in arrival order. The in-memory state changes only after the
/// checkpointer acknowledged the unit as durable; a failed commit leaves
/// it as it was. On an optimistic conflict (a card cascade changed the
/// token meanwhile) the actor reloads and re-runs the command.
///
/// Timers: the idle check (passivation) is the registry shard's sweep
/// (registry_shard.cpp): the shard sends idle_atom once nothing was routed
/// here for a whole passivate_after. Not a timer of this actor: a receive
/// timeout is re-armed on CAF's clock thread after every message (a wake-up
/// per message on the hot path), and a delayed message would keep the
/// actor in memory (CAF's clock holds a strong reference to the receiver)
/// until it fired. The verification expiry is no timer of this actor
/// either: the deadline is durable (the persistence index token_deadlines,
/// written with the token) and the expiry scheduler (expiry_scheduler.cpp)
/// sends tk_expire through the shard when it is due, activating the actor
/// if it was passivated. So a REQUESTED token passivates like any other.
/// Every command first checks the deadline: a token past it is declined
/// before the command runs, so no answer shows the stale REQUESTED state.

#include <algorithm>
#include <chrono>
#include <functional>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "changes.hpp"
#include "dwt/actors/runtime.hpp"
#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/decision.hpp"
#include "dwt/engine/enums.hpp"
#include "dwt/engine/state_machine.hpp"
#include "dwt/persistence/keys.hpp"
#include "lookups.hpp"
#include "network_commands.hpp"

namespace dwt::actors {
namespace {

using engine::errc;

struct token_data {
  std::shared_ptr<const runtime> rt;
  registry_actor shard;
  engine::token_ref ref;
  std::optional<engine::token_record> token;
  std::optional<engine::verification_challenge> challenge;
  /// The token's verification deadline (from the deadline index), if any.
  std::optional<engine::timestamp> deadline;
  bool loaded = false;
  std::uint64_t received = 0;
  std::unique_ptr<engine::random_source> rng;
  static inline const char* name = "dwt.token";

  engine::random_source& random() {
    if (!rng)
      rng = rt->make_random();
    return *rng;
  }
};

using self_ptr = token_actor::stateful_pointer<token_data>;
using promise = caf::typed_response_promise<token_reply>;

constexpr int max_attempts = 4;

caf::error load(self_ptr self) {
  auto& st = self->state;
  st.loaded = false;
  st.token.reset();
  st.challenge.reset();
  st.deadline.reset();
  auto rd = persistence::reader::begin(*st.rt->store);
  if (!rd)
    return to_error(rd.err());
  auto t = rd->token(st.ref);
  if (!t) {
    if (t.code() != persistence::errc::not_found)
      return to_error(t.err());
  } else {
    st.token = std::move(*t);
    auto c = rd->challenge(st.ref);
    if (c)
      st.challenge = std::move(*c);
    else if (c.code() != persistence::errc::not_found)
      return to_error(c.err());
    auto d = rd->token_deadline(st.ref);
    if (!d)
      return to_error(d.err());
    st.deadline = *d;
  }
  st.loaded = true;
  return {};
}

/// Loads if needed (an absent token is re-read every time: it may have
/// been created since).
caf::error ensure_loaded(self_ptr self) {
  auto& st = self->state;
  if (st.loaded && st.token)
    return {};
  return load(self);
}

/// True if the token is REQUESTED and its verification deadline has
/// passed (by the injected clock). The deadline is the indexed one; a
/// token without an entry (written before the index existed and not yet
/// indexed by the start-up pass) falls back to created_at +
/// verification_expiry, the rule the index entries are made by.
bool expiry_due(self_ptr self) {
  const auto& st = self->state;
  if (!st.token || st.token->state != engine::token_state::requested)
    return false;
  auto deadline = st.deadline.value_or(st.token->created_at + st.rt->options.verification_expiry);
  return st.rt->now() >= deadline;
}

/// Declines the REQUESTED token past its deadline: REQUEST_DECLINED by
/// SYSTEM, reason verification_expired, with its transition event, in one
/// unit (put_token removes the token's deadline entries in it; `stale`
/// also removes that index entry, the one the scheduler saw). Then
/// `next(err)`: no error once durable (the state is updated), else the
/// commit's error (the state is as before).
void decline_expired(self_ptr self, std::optional<engine::timestamp> stale,
                     std::function<void(caf::error)> next) {
  auto& st = self->state;
  auto o = engine::apply_transition(*st.token, engine::token_state::request_declined,
                                    engine::channel::system, "verification_expired", st.rt->now(),
                                    new_transition_id(st.random()));
  if (!o) {
    next(std::move(o.error()));
    return;
  }
  persistence::write_unit unit;
  unit.expect_token_history_count(st.ref, st.token->history_count).put_token(o->token);
  add_transition(unit, *o, st.random());
  if (st.challenge)
    unit.erase_challenge(st.ref);
  if (stale)
    unit.erase_token_deadline(st.ref, *stale);
  auto after = std::move(o->token);
  self->request(st.rt->checkpointer, caf::infinite, commit_request{std::move(unit)})
      .await(
          [self, after, next](commit_reply&) {
            auto& s = self->state;
            s.token = after;
            s.challenge.reset();
            s.deadline.reset();
            next(caf::error{});
          },
          [next](caf::error& err) { next(std::move(err)); });
}

/// The token, if it exists and (when scoped) belongs to `partner`.
const engine::token_record* visible(self_ptr self,
                                    const std::optional<engine::partner_id>& partner) {
  const auto& t = self->state.token;
  if (!t || (partner && t->partner != *partner))
    return nullptr;
  return &*t;
}

/// Why a verification step is refused for a token not (or no longer)
/// REQUESTED.
caf::error not_pending(const engine::token_record& t) {
  return engine::make_error(engine::is_final(t.state) ? errc::token_final
                                                      : errc::no_pending_verification);
}

/// The token while it waits in REQUESTED; otherwise answers `rp` with why
/// not (token_not_found, token_final, not pending) and returns nullptr.
const engine::token_record* requested_token(self_ptr self, promise& rp) {
  const auto* t = visible(self, std::nullopt);
  if (t == nullptr) {
    rp.deliver(engine::make_error(errc::token_not_found));
    return nullptr;
  }
  if (t->state != engine::token_state::requested) {
    rp.deliver(not_pending(*t));
    return nullptr;
  }
  return t;
}

/// The token while its SMS OTP is pending; otherwise answers `rp` with why
/// not (token_not_found, token_final, no_pending_verification) and returns
/// nullptr.
const engine::token_record* pending_sms_otp(self_ptr self, promise& rp) {
  const auto& st = self->state;
  const auto* t = visible(self, std::nullopt);
  if (t == nullptr) {
    rp.deliver(engine::make_error(errc::token_not_found));
    return nullptr;
  }
  if (t->state != engine::token_state::requested || !st.challenge ||
      st.challenge->method != engine::verification_method::sms_otp) {
    rp.deliver(not_pending(*t));
    return nullptr;
  }
  if (st.challenge->code_hash.empty()) {
    // The code came from the card network (tk_deliver_code): the network
    // checks it and sends a new one; dwt holds nothing to compare with.
    rp.deliver(engine::make_error(errc::no_pending_verification, "the network checks this code"));
    return nullptr;
  }
  return t;
}

void run(self_ptr self, token_command cmd, promise rp, int attempt);

/// A change to commit: the unit and the state after it.
struct change {
  persistence::write_unit unit;
  engine::token_record token;
  std::optional<engine::verification_challenge> challenge;
  token_reply reply;
  std::optional<sms_message> sms; ///< sent once durable
  /// (scope, key) of the idempotency record, for conflict diagnosis.
  idem_scope_key idem;
};

void commit(self_ptr self, change c, token_command cmd, promise rp, int attempt) {
  auto& st = self->state;
  auto unit = std::move(c.unit);
  auto shared = std::make_shared<change>(std::move(c));
  self->request(st.rt->checkpointer, caf::infinite, commit_request{std::move(unit)})
      .await(
          [self, shared, rp](commit_reply&) mutable {
            auto& s = self->state;
            s.token = std::move(shared->token);
            s.challenge = std::move(shared->challenge);
            if (shared->sms)
              self->send(s.rt->verification, sms_send{std::move(*shared->sms)});
            rp.deliver(std::move(shared->reply));
          },
          [self, shared, cmd = std::move(cmd), rp, attempt](caf::error& err) mutable {
            answer_commit_error(
                std::move(err), *self->state.rt->store, shared->idem, attempt, max_attempts, rp,
                [self] { return load(self); },
                [&] { run(self, std::move(cmd), std::move(rp), attempt + 1); });
          });
}

/// Whether the token's card lets it move to `target`: a token becomes
/// ACTIVE only while its card is ACTIVE (engine::check_card_allows; the
/// card actor's own cascade does not come through here). Reads the card
/// only for that target.
caf::error card_allows(self_ptr self, engine::token_state target) {
  if (target != engine::token_state::active)
    return {};
  auto& st = self->state;
  auto card =
      snapshot_read(*st.rt, [&](const persistence::reader& rd) { return rd.card(st.token->card); });
  if (!card)
    return std::move(card.error());
  if (auto e = engine::check_card_allows(target, card->state); e != errc::ok)
    return engine::make_error(e);
  return {};
}

/// Applies a transition and commits it. `finish` may add to the change
/// (e.g. compute the reply) before commit.
template <class T, class MakeReply>
void transition(self_ptr self, const token_command& cmd, promise rp, int attempt,
                engine::token_state target, engine::channel by, std::string reason,
                const engine::partner_id& scope, const std::optional<idempotency<T>>& idem,
                MakeReply make_reply) {
  auto& st = self->state;
  auto now = st.rt->now();
  auto o = engine::apply_transition(*st.token, target, by, std::move(reason), now,
                                    new_transition_id(st.random()));
  if (!o) {
    rp.deliver(std::move(o.error()));
    return;
  }
  if (auto err = card_allows(self, target)) {
    rp.deliver(std::move(err));
    return;
  }
  change c;
  c.unit.expect_token_history_count(st.ref, st.token->history_count).put_token(o->token);
  // The card was ACTIVE when read; a card change committed since makes this
  // unit conflict and the command re-run (then refused).
  if (target == engine::token_state::active)
    c.unit.expect_card_state(st.token->card, engine::card_state::active);
  add_transition(c.unit, *o, st.random());
  // An MDES token moved by its partner must reach the network: the command
  // is durable with the transition. Not when the network itself reported
  // the change (no echo).
  const auto* tr = std::get_if<tk_transition>(&cmd);
  if (tr == nullptr || !tr->from_network)
    add_network_command(c.unit, st.token->state, o->token, by, o->record.reason, now);
  c.challenge = st.challenge;
  if (engine::is_final(o->token.state) || o->token.state == engine::token_state::active) {
    if (st.challenge)
      c.unit.erase_challenge(st.ref);
    c.challenge.reset();
  }
  T result = make_reply(o->token);
  add_idempotency(c.unit, scope, idem, result, now);
  c.token = o->token;
  c.reply = token_reply{std::move(result)};
  c.idem = idem_key(scope, idem);
  commit(self, std::move(c), cmd, std::move(rp), attempt);
}

engine::token_record identity(const engine::token_record& t) {
  return t;
}

// -- commands ------------------------------------------------------------------

void on(self_ptr self, const tk_get& c, const token_command&, promise rp, int) {
  if (const auto* t = visible(self, c.partner))
    rp.deliver(token_reply{*t});
  else
    rp.deliver(engine::make_error(errc::token_not_found));
}

void on(self_ptr self, const tk_history& c, const token_command&, promise rp, int) {
  if (visible(self, c.partner) == nullptr) {
    rp.deliver(engine::make_error(errc::token_not_found));
    return;
  }
  auto h =
      snapshot_read(*self->state.rt, [&](const auto& rd) { return rd.history(self->state.ref); });
  if (!h) {
    rp.deliver(std::move(h.error()));
    return;
  }
  rp.deliver(token_reply{std::move(*h)});
}

void on(self_ptr self, const tk_transition& c, const token_command& cmd, promise rp, int attempt) {
  const auto* t = visible(self, c.partner);
  if (t == nullptr || t->card != c.card) {
    rp.deliver(engine::make_error(errc::token_not_found));
    return;
  }
  transition(self, cmd, std::move(rp), attempt, c.target, engine::channel::partner_api,
             c.reason.empty() ? std::string{"partner_request"} : c.reason, c.partner, c.idem,
             identity);
}

void on(self_ptr self, const tk_activate& c, const token_command& cmd, promise rp, int attempt) {
  const auto* t = visible(self, c.partner);
  if (t == nullptr || t->card != c.card) {
    rp.deliver(engine::make_error(errc::token_not_found));
    return;
  }
  if (t->state != engine::token_state::requested) {
    rp.deliver(not_pending(*t));
    return;
  }
  bool approve = c.answer == engine::activation::approve;
  // APPROVE answers the partner's in-app verification step: it is allowed
  // only once that step was reached, i.e. a verification method was chosen
  // (which stored the token's challenge and emitted
  // cards#manual-provisioning-verification). DECLINE is always allowed.
  if (approve && !self->state.challenge) {
    rp.deliver(engine::make_error(errc::verification_not_started));
    return;
  }
  transition(self, cmd, std::move(rp), attempt,
             approve ? engine::token_state::active : engine::token_state::request_declined,
             engine::channel::partner_api, approve ? "partner_approved" : "partner_declined",
             c.partner, c.idem, identity);
}

void on(self_ptr self, const tk_network& c, const token_command& cmd, promise rp, int attempt) {
  if (visible(self, std::nullopt) == nullptr) {
    rp.deliver(engine::make_error(errc::token_not_found));
    return;
  }
  engine::token_state target = engine::token_state::suspended;
  switch (c.event) {
  case engine::network_event::device_lost:
    target = engine::token_state::suspended;
    break;
  case engine::network_event::device_found:
    target = engine::token_state::active;
    break;
  case engine::network_event::deleted_from_wallet:
    target = engine::token_state::terminated;
    break;
  }
  transition(self, cmd, std::move(rp), attempt, target, engine::channel::network,
             std::string{engine::to_string(c.event)}, network_scope, c.idem, identity);
}

void on(self_ptr self, const tk_bind_network& c, const token_command& cmd, promise rp,
        int attempt) {
  auto& st = self->state;
  const auto* t = visible(self, std::nullopt);
  if (t == nullptr) {
    rp.deliver(engine::make_error(errc::token_not_found));
    return;
  }
  if (c.network == engine::card_network::none || c.network_ref.empty() ||
      c.network_ref.size() > persistence::keys::max_id_size) {
    rp.deliver(engine::make_error(errc::invalid_request, "network token reference"));
    return;
  }
  auto updated = *t;
  auto& n = updated.network ? *updated.network : updated.network.emplace();
  if ((n.network != engine::card_network::none && n.network != c.network) ||
      (!n.token_unique_reference.empty() && n.token_unique_reference != c.network_ref)) {
    rp.deliver(engine::make_error(errc::token_exists, "the token has another network reference"));
    return;
  }
  n.network = c.network;
  n.token_unique_reference = c.network_ref;
  if (!c.token_expiry.empty())
    n.token_expiry = c.token_expiry;
  // The network's token suffix replaces dwt's own only when it is four
  // digits (the API's tokenLast4); anything else is ignored.
  if (c.token_last4.size() == 4 &&
      c.token_last4.find_first_not_of("0123456789") == std::string::npos)
    updated.token_last4 = c.token_last4;
  if (updated == *t) {
    rp.deliver(token_reply{*t}); // bound already: nothing to write
    return;
  }
  updated.updated_at = st.rt->now();
  change ch;
  // put_token writes the index entry (network, ref) -> token in this unit;
  // a ref that names another token fails it (conflict).
  ch.unit.expect_token_history_count(st.ref, t->history_count).put_token(updated);
  ch.token = updated;
  ch.challenge = st.challenge;
  ch.reply = token_reply{updated};
  commit(self, std::move(ch), cmd, std::move(rp), attempt);
}

/// The unmasked SMS destination of this token's card.
caf::expected<std::string> destination(self_ptr self) {
  auto& st = self->state;
  auto rd = begin_read(*st.rt);
  if (!rd)
    return std::move(rd.error());
  auto card = rd->card(st.token->card);
  if (!card)
    return to_error(card.err());
  auto dest = lookup_sms_destination(*st.rt, *rd, *card);
  if (!dest)
    return std::move(dest.error());
  if (!*dest)
    return engine::make_error(errc::no_sms_destination);
  return std::move(**dest);
}

/// `destination` for choosing the SMS method: a card without an SMS
/// destination makes the method unavailable.
caf::expected<std::string> sms_method_destination(self_ptr self) {
  auto to = destination(self);
  if (!to) {
    auto err = std::move(to.error());
    if (err.category() == engine::error_category &&
        err.code() == static_cast<std::uint8_t>(errc::no_sms_destination))
      err = engine::make_error(errc::verification_method_unavailable, "no SMS destination");
    return err;
  }
  return to;
}

/// Commits a freshly issued (or re-issued) SMS challenge and sends the SMS.
void commit_sms_challenge(self_ptr self, otp_issued issued, std::string to, bool with_event,
                          const std::optional<idempotency<verification_started>>& idem,
                          const token_command& cmd, promise rp, int attempt) {
  auto& st = self->state;
  auto now = st.rt->now();
  change c;
  c.unit.expect_token_history_count(st.ref, st.token->history_count)
      .put_challenge(issued.challenge);
  if (with_event)
    add_manual_verification_event(c.unit, *st.token, engine::verification_method::sms_otp, now,
                                  st.random());
  verification_started started{engine::verification_method::sms_otp, issued.challenge.expires_at};
  add_idempotency(c.unit, network_scope, idem, started, now);
  c.token = *st.token;
  c.challenge = issued.challenge;
  c.reply = token_reply{started};
  c.sms = sms_message{std::move(to), otp_sms_body(issued.code, st.rt->options.otp.ttl), now};
  c.idem = idem_key(network_scope, idem);
  commit(self, std::move(c), cmd, std::move(rp), attempt);
}

void on(self_ptr self, const tk_choose& c, const token_command& cmd, promise rp, int attempt) {
  auto& st = self->state;
  const auto* t = requested_token(self, rp);
  if (t == nullptr)
    return;
  auto now = st.rt->now();
  if (c.method == engine::verification_method::in_app) {
    if (!st.rt->options.decision.offer_in_app) {
      rp.deliver(engine::make_error(errc::verification_method_unavailable));
      return;
    }
    auto ch = engine::issue_in_app(st.ref, now, st.rt->options.otp);
    change ch_change;
    ch_change.unit.expect_token_history_count(st.ref, t->history_count).put_challenge(ch);
    add_manual_verification_event(ch_change.unit, *t, engine::verification_method::in_app, now,
                                  st.random());
    verification_started started{engine::verification_method::in_app, ch.expires_at};
    add_idempotency(ch_change.unit, network_scope, c.idem, started, now);
    ch_change.token = *t;
    ch_change.challenge = ch;
    ch_change.reply = token_reply{started};
    ch_change.idem = idem_key(network_scope, c.idem);
    commit(self, std::move(ch_change), cmd, std::move(rp), attempt);
    return;
  }
  auto to = sms_method_destination(self);
  if (!to) {
    rp.deliver(std::move(to.error()));
    return;
  }
  otp_issue req{st.ref, engine::mask_phone(*to), std::nullopt, now};
  // A repeated choice keeps the counters of an earlier SMS challenge, so
  // that choosing again never resets wrong attempts or resends.
  std::optional<engine::verification_challenge> previous;
  if (st.challenge && st.challenge->method == engine::verification_method::sms_otp)
    previous = st.challenge;
  self->request(st.rt->verification, caf::infinite, std::move(req))
      .await(
          [self, to = *to, previous, idem = c.idem, cmd, rp, attempt](otp_issued& issued) mutable {
            if (previous) {
              issued.challenge.wrong_attempts = previous->wrong_attempts;
              issued.challenge.resends = previous->resends;
            }
            commit_sms_challenge(self, std::move(issued), std::move(to), true, idem, cmd,
                                 std::move(rp), attempt);
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

void on(self_ptr self, const tk_deliver_code& c, const token_command& cmd, promise rp,
        int attempt) {
  auto& st = self->state;
  const auto* t = requested_token(self, rp);
  if (t == nullptr)
    return;
  auto to = sms_method_destination(self);
  if (!to) {
    rp.deliver(std::move(to.error()));
    return;
  }
  const auto now = st.rt->now();
  const auto ttl = std::chrono::duration_cast<std::chrono::seconds>(st.rt->options.otp.ttl);
  engine::verification_challenge ch;
  ch.token = st.ref;
  ch.method = engine::verification_method::sms_otp;
  // No code hash: dwt keeps no copy of the network's code in any form.
  ch.destination_masked = engine::mask_phone(*to);
  ch.issued_at = now;
  ch.expires_at = c.expires_at ? *c.expires_at : now + ttl;
  // A repeated delivery (the network resends) is the same step: no second
  // event; the counters of the earlier one stay.
  const bool first =
      !(st.challenge && st.challenge->method == engine::verification_method::sms_otp);
  if (!first) {
    ch.wrong_attempts = st.challenge->wrong_attempts;
    ch.resends = static_cast<std::uint8_t>(std::min(st.challenge->resends + 1, 255));
  }
  change chg;
  chg.unit.expect_token_history_count(st.ref, t->history_count).put_challenge(ch);
  if (first)
    add_manual_verification_event(chg.unit, *t, engine::verification_method::sms_otp, now,
                                  st.random());
  chg.token = *t;
  chg.challenge = ch;
  chg.reply =
      token_reply{verification_started{engine::verification_method::sms_otp, ch.expires_at}};
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(ch.expires_at - now);
  chg.sms = sms_message{std::move(*to), activation_code_sms_body(c.code, left), now};
  commit(self, std::move(chg), cmd, std::move(rp), attempt);
}

void on(self_ptr self, const tk_resend& c, const token_command& cmd, promise rp, int attempt) {
  auto& st = self->state;
  if (pending_sms_otp(self, rp) == nullptr)
    return;
  auto to = destination(self);
  if (!to) {
    rp.deliver(std::move(to.error()));
    return;
  }
  otp_issue req{st.ref, st.challenge->destination_masked, st.challenge, st.rt->now()};
  self->request(st.rt->verification, caf::infinite, std::move(req))
      .await(
          [self, to = *to, idem = c.idem, cmd, rp, attempt](otp_issued& issued) mutable {
            commit_sms_challenge(self, std::move(issued), std::move(to), false, idem, cmd,
                                 std::move(rp), attempt);
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

void on(self_ptr self, const tk_submit_otp& c, const token_command& cmd, promise rp, int attempt) {
  auto& st = self->state;
  if (pending_sms_otp(self, rp) == nullptr)
    return;
  otp_check req{*st.challenge, c.code, st.rt->now()};
  self->request(st.rt->verification, caf::infinite, std::move(req))
      .await(
          [self, idem = c.idem, cmd, rp, attempt](engine::otp_verdict& v) mutable {
            auto& s = self->state;
            auto make = [&v](const engine::token_record& tok) {
              return otp_outcome{v.result, v.attempts_left, tok};
            };
            switch (v.result) {
            case engine::otp_result::verified:
              transition(self, cmd, std::move(rp), attempt, engine::token_state::active,
                         engine::channel::network, "otp_verified", network_scope, idem, make);
              return;
            case engine::otp_result::exhausted:
              transition(self, cmd, std::move(rp), attempt, engine::token_state::request_declined,
                         engine::channel::system, "otp_attempts_exhausted", network_scope, idem,
                         make);
              return;
            case engine::otp_result::expired:
              transition(self, cmd, std::move(rp), attempt, engine::token_state::request_declined,
                         engine::channel::system, "verification_expired", network_scope, idem,
                         make);
              return;
            case engine::otp_result::incorrect:
              break;
            }
            auto now = s.rt->now();
            change ch;
            ch.unit.expect_token_history_count(s.ref, s.token->history_count)
                .put_challenge(v.challenge);
            otp_outcome out = make(*s.token);
            add_idempotency(ch.unit, network_scope, idem, out, now);
            ch.token = *s.token;
            ch.challenge = v.challenge;
            ch.reply = token_reply{std::move(out)};
            ch.idem = idem_key(network_scope, idem);
            commit(self, std::move(ch), cmd, std::move(rp), attempt);
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

/// The answer to an expiry step whose commit failed: a conflict (a
/// cascade or another change in between) reloads and runs the command
/// again, like any change; another error is the answer.
void expiry_failed(self_ptr self, caf::error err, token_command cmd, promise rp, int attempt) {
  answer_commit_error(
      std::move(err), *self->state.rt->store, std::nullopt, attempt, max_attempts, rp,
      [self] { return load(self); },
      [&] { run(self, std::move(cmd), std::move(rp), attempt + 1); });
}

/// Answers the token as it is now (token_not_found if it does not exist).
void answer_token(self_ptr self, promise& rp) {
  if (const auto* t = visible(self, std::nullopt))
    rp.deliver(token_reply{*t});
  else
    rp.deliver(engine::make_error(errc::token_not_found));
}

void on(self_ptr self, const tk_expire& c, const token_command& cmd, promise rp, int attempt) {
  auto& st = self->state;
  const bool requested = st.token && st.token->state == engine::token_state::requested;
  if (requested && expiry_due(self)) {
    decline_expired(self, c.at, [self, cmd, rp, attempt](caf::error err) mutable {
      if (err)
        expiry_failed(self, std::move(err), std::move(cmd), std::move(rp), attempt);
      else
        answer_token(self, rp);
    });
    return;
  }
  if (requested && st.deadline == c.at) {
    // Not due by this actor's clock yet: the scheduler will ask again.
    answer_token(self, rp);
    return;
  }
  // The token left REQUESTED (or is gone, or has a later deadline): the
  // entry the scheduler saw is stale. Remove it, so it is not seen again.
  persistence::write_unit unit;
  unit.erase_token_deadline(st.ref, c.at);
  self->request(st.rt->checkpointer, caf::infinite, commit_request{std::move(unit)})
      .await(
          [self, at = c.at, rp](commit_reply&) mutable {
            auto& s = self->state;
            if (s.deadline == at)
              s.deadline.reset();
            answer_token(self, rp);
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
}

void run(self_ptr self, token_command cmd, promise rp, int attempt) {
  if (auto err = ensure_loaded(self)) {
    rp.deliver(std::move(err));
    return;
  }
  // A token past its verification deadline is declined before anything
  // else: no command (a read included) sees or acts on the stale
  // REQUESTED state, whether or not the scheduler got to it yet.
  if (!std::holds_alternative<tk_expire>(cmd) && expiry_due(self)) {
    decline_expired(self, std::nullopt, [self, cmd, rp, attempt](caf::error err) mutable {
      if (err)
        expiry_failed(self, std::move(err), std::move(cmd), std::move(rp), attempt);
      else
        run(self, std::move(cmd), std::move(rp), attempt);
    });
    return;
  }
  std::visit([&](const auto& c) { on(self, c, cmd, rp, attempt); }, cmd);
}

void report_idle(self_ptr self) {
  auto& st = self->state;
  self->send(st.shard, idle_report{actor_kind::token, st.ref.value, st.received});
}

token_actor::behavior_type token_impl(self_ptr self, std::shared_ptr<const runtime> rt,
                                      engine::token_ref ref, registry_actor shard) {
  self->state.rt = std::move(rt);
  self->state.ref = std::move(ref);
  self->state.shard = std::move(shard);
  return {
      [self](token_request& req) -> caf::result<token_reply> {
        auto& st = self->state;
        ++st.received;
        auto rp = self->make_response_promise<token_reply>();
        run(self, std::move(req.cmd), rp, 0);
        return rp;
      },
      [self](refresh_atom) {
        ++self->state.received;
        (void)load(self);
      },
      [self](idle_atom) { report_idle(self); },
      [self](evict_atom) { report_idle(self); },
      [self](stop_atom) {
        auto& st = self->state;
        self->send(st.shard, stopped_report{actor_kind::token, st.ref.value});
        self->quit();
      },
  };
}

} // namespace

token_actor spawn_token_actor(caf::local_actor* parent, std::shared_ptr<const runtime> rt,
                              engine::token_ref ref, registry_actor shard) {
  return parent->system().spawn<caf::lazy_init>(token_impl, std::move(rt), std::move(ref),
                                                std::move(shard));
}

} // namespace dwt::actors
