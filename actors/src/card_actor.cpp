/// @file
/// The virtual card actor: owns one card's record; registers it, serves
/// reads, runs the provisioning decision and creates tokens (so that cap
/// and velocity counts are consistent per card), push-provisions, and
/// changes the card's state with the cascade to its tokens.
///
/// Cascade: the card and every affected token's transition (history entry
/// and outbox event each) are committed in ONE unit, each token guarded by
/// expect_token_history_count; on a conflict (a token actor committed in
/// between) the actor re-reads and retries. After the commit it tells the
/// live token actors (through their shards) to reload.
///
/// Ordering: like token actors, every commit uses `await`.

#include <algorithm>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "changes.hpp"
#include "dwt/actors/runtime.hpp"
#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/decision.hpp"
#include "dwt/engine/enums.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/engine/state_machine.hpp"
#include "lookups.hpp"

namespace dwt::actors {
namespace {

using engine::errc;

struct card_data {
  std::shared_ptr<const runtime> rt;
  registry_actor shard;
  engine::card_id id;
  std::optional<engine::card_record> card;
  bool loaded = false;
  std::uint64_t received = 0;
  /// An upper bound of this card's tokens in a non-final state (REQUESTED,
  /// ACTIVE, SUSPENDED): the only ones that count, or may come to count,
  /// toward the cap. Set from an exact read, raised for every token this
  /// actor creates. It never falls below the truth: only this actor creates
  /// the card's tokens, and a token that left those states (TERMINATED,
  /// REQUEST_DECLINED) never returns. While it is under the cap, a push
  /// skips reading and decoding every token of the card (up to the cap per
  /// request); at the cap it re-reads and decides exactly as before.
  std::optional<std::size_t> open_tokens_bound;
  std::unique_ptr<engine::random_source> rng;
  static inline const char* name = "dwt.card";

  engine::random_source& random() {
    if (!rng)
      rng = rt->make_random();
    return *rng;
  }
};

using self_ptr = card_actor::stateful_pointer<card_data>;
using promise = caf::typed_response_promise<card_reply>;

constexpr int max_attempts = 5;
/// How long a token listing waits for a token past its verification
/// deadline to answer (it declines itself first: one commit).
constexpr std::chrono::seconds overdue_read_timeout{30};

caf::error load(self_ptr self) {
  auto& st = self->state;
  st.card.reset();
  st.loaded = false;
  auto rd = persistence::reader::begin(*st.rt->store);
  if (!rd)
    return to_error(rd.err());
  auto c = rd->card(st.id);
  if (c)
    st.card = std::move(*c);
  else if (c.code() != persistence::errc::not_found)
    return to_error(c.err());
  st.loaded = true;
  return {};
}

const engine::card_record* visible(self_ptr self, const engine::partner_id& partner) {
  const auto& c = self->state.card;
  if (!c || c->partner != partner)
    return nullptr;
  return &*c;
}

void run(self_ptr self, card_command cmd, promise rp, int attempt);

/// Tokens not in a final state (see card_data::open_tokens_bound).
std::size_t open_token_count(const std::vector<engine::token_record>& tokens) {
  return static_cast<std::size_t>(std::count_if(
      tokens.begin(), tokens.end(), [](const auto& t) { return !engine::is_final(t.state); }));
}

struct change {
  persistence::write_unit unit;
  std::optional<engine::card_record> card; ///< the card after the change
  card_reply reply;
  std::vector<engine::token_ref> refresh; ///< live tokens to reload
  idem_scope_key idem;
};

void commit(self_ptr self, change c, card_command cmd, promise rp, int attempt) {
  auto unit = std::move(c.unit);
  auto shared = std::make_shared<change>(std::move(c));
  self->request(self->state.rt->checkpointer, caf::infinite, commit_request{std::move(unit)})
      .await(
          [self, shared, rp](commit_reply&) mutable {
            auto& st = self->state;
            if (shared->card)
              st.card = std::move(shared->card);
            for (auto& ref : shared->refresh)
              self->send(st.rt->shard_for(ref.value), refresh_token{ref});
            rp.deliver(std::move(shared->reply));
          },
          [self, shared, cmd = std::move(cmd), rp, attempt](caf::error& err) mutable {
            answer_commit_error(
                std::move(err), *self->state.rt->store, shared->idem, attempt, max_attempts, rp,
                [self] { return load(self); },
                [&] { run(self, std::move(cmd), std::move(rp), attempt + 1); });
          });
}

// -- commands ------------------------------------------------------------------

void on(self_ptr self, const cd_create& c, const card_command& cmd, promise rp, int attempt) {
  auto& st = self->state;
  const auto& rt = *st.rt;
  if (st.card) {
    rp.deliver(engine::make_error(errc::invalid_request, "card exists"));
    return;
  }
  const auto& req = c.req;
  auto now = rt.now();
  if (auto e = engine::pan::validate(req.pan); e != errc::ok) {
    rp.deliver(engine::make_error(e));
    return;
  }
  if (auto e = engine::pan::validate_expiry(req.expiry_month, req.expiry_year, now);
      e != errc::ok) {
    rp.deliver(engine::make_error(e));
    return;
  }
  if (req.phone_number && !engine::is_e164(*req.phone_number)) {
    rp.deliver(engine::make_error(errc::invalid_request, "phoneNumber must be E.164"));
    return;
  }
  bool known_product = false;
  for (const auto& p : rt.options.products)
    known_product = known_product || p.name == req.card_product;
  if (!known_product) {
    rp.deliver(engine::make_error(errc::invalid_request, "unknown card product"));
    return;
  }
  auto rd = begin_read(rt);
  if (!rd) {
    rp.deliver(std::move(rd.error()));
    return;
  }
  auto prof = rd->profile(req.profile);
  if (!prof || prof->partner != c.partner) {
    rp.deliver(prof || prof.code() == persistence::errc::not_found
                   ? engine::make_error(errc::profile_not_found)
                   : to_error(prof.err()));
    return;
  }
  engine::card_record rec;
  rec.id = st.id;
  rec.profile = req.profile;
  rec.partner = c.partner;
  rec.pan_hash = engine::pan::lookup_hash(rt.options.pan_hash_key, req.pan);
  rec.last4 = engine::pan::last4(req.pan);
  auto sealed = engine::pan::seal(rt.options.pan_encryption_key, req.pan, st.id, st.random());
  if (!sealed) {
    rp.deliver(engine::make_error(errc::crypto_failure));
    return;
  }
  rec.pan_sealed = std::move(*sealed);
  rec.expiry_month = static_cast<std::uint8_t>(req.expiry_month);
  rec.expiry_year = static_cast<std::uint16_t>(req.expiry_year);
  rec.card_product = req.card_product;
  rec.type = req.type;
  rec.state = engine::card_state::active;
  rec.phone_number = req.phone_number;
  rec.created_at = now;
  rec.updated_at = now;
  change ch;
  ch.unit.put_card_if_absent(rec);
  add_idempotency(ch.unit, c.partner, c.idem, rec, now);
  ch.card = rec;
  ch.reply = card_reply{rec};
  ch.idem = idem_key(c.partner, c.idem);
  // A conflict here is a PAN registered already (or a racing key): no retry.
  commit(self, std::move(ch), cmd, std::move(rp), max_attempts);
  (void)attempt;
}

void on(self_ptr self, const cd_get& c, const card_command&, promise rp, int) {
  if (const auto* card = visible(self, c.partner))
    rp.deliver(card_reply{*card});
  else
    rp.deliver(engine::make_error(errc::card_not_found));
}

void on(self_ptr self, const cd_list_tokens& c, const card_command&, promise rp, int) {
  if (visible(self, c.partner) == nullptr) {
    rp.deliver(engine::make_error(errc::card_not_found));
    return;
  }
  const auto& rt = *self->state.rt;
  // The card's tokens, and which of them are REQUESTED past their
  // verification deadline (read in the same snapshot).
  std::vector<std::size_t> overdue;
  auto tokens = snapshot_read(rt, [&](const auto& rd) {
    auto all = rd.tokens_of_card(self->state.id);
    if (!all)
      return all;
    auto now = rt.now();
    for (std::size_t i = 0; i < all->size(); ++i) {
      const auto& t = (*all)[i];
      if (t.state != engine::token_state::requested)
        continue;
      auto d = rd.token_deadline(t.ref);
      if (!d)
        return decltype(all){d.err()};
      if (now >= d->value_or(t.created_at + rt.options.verification_expiry))
        overdue.push_back(i);
    }
    return all;
  });
  if (!tokens) {
    rp.deliver(std::move(tokens.error()));
    return;
  }
  if (overdue.empty()) {
    rp.deliver(card_reply{std::move(*tokens)});
    return;
  }
  // Never list the stale REQUESTED state of a token past its deadline: ask
  // each such token actor (which declines itself first) and list its answer.
  // Token actors never wait on card actors, so this cannot deadlock.
  auto list = std::make_shared<std::vector<engine::token_record>>(std::move(*tokens));
  auto left = std::make_shared<std::size_t>(overdue.size());
  auto failed = std::make_shared<bool>(false);
  for (auto i : overdue) {
    const auto& ref = (*list)[i].ref;
    self->request(rt.shard_for(ref.value), overdue_read_timeout, token_request{ref, tk_get{}})
        .await(
            [list, left, failed, i, rp](token_reply& r) mutable {
              if (*failed)
                return;
              if (auto* t = std::get_if<engine::token_record>(&r))
                (*list)[i] = std::move(*t);
              if (--*left == 0)
                rp.deliver(card_reply{std::move(*list)});
            },
            [failed, rp](caf::error& err) mutable {
              if (*failed)
                return;
              *failed = true;
              rp.deliver(std::move(err));
            });
  }
}

std::string cascade_reason(engine::card_state s) {
  switch (s) {
  case engine::card_state::active:
    return "card_activated";
  case engine::card_state::suspended:
    return "card_suspended";
  case engine::card_state::terminated:
    return "card_terminated";
  }
  return "card_state_changed";
}

void on(self_ptr self, const cd_set_state& c, const card_command& cmd, promise rp, int attempt) {
  auto& st = self->state;
  const auto* card = visible(self, c.partner);
  if (card == nullptr) {
    rp.deliver(engine::make_error(errc::card_not_found));
    return;
  }
  if (auto e = engine::check_card_transition(card->state, c.state); e != errc::ok) {
    rp.deliver(engine::make_error(e));
    return;
  }
  auto rd = begin_read(*st.rt);
  if (!rd) {
    rp.deliver(std::move(rd.error()));
    return;
  }
  auto tokens = rd->tokens_of_card(st.id);
  if (!tokens) {
    rp.deliver(to_error(tokens.err()));
    return;
  }
  auto now = st.rt->now();
  auto updated = *card;
  updated.state = c.state;
  updated.updated_at = now;
  change ch;
  ch.unit.put_card(updated);
  for (const auto& t : *tokens) {
    auto target = engine::cascade_target(t, c.state);
    if (!target)
      continue;
    auto o = engine::apply_transition(t, *target, engine::channel::card_cascade,
                                      cascade_reason(c.state), now, new_transition_id(st.random()));
    if (!o)
      continue;
    ch.unit.expect_token_history_count(t.ref, t.history_count).put_token(o->token);
    add_transition(ch.unit, *o, st.random());
    if (engine::is_final(o->token.state))
      ch.unit.erase_challenge(t.ref);
    ch.refresh.push_back(t.ref);
  }
  add_idempotency(ch.unit, c.partner, c.idem, updated, now);
  ch.card = updated;
  ch.reply = card_reply{updated};
  ch.idem = idem_key(c.partner, c.idem);
  commit(self, std::move(ch), cmd, std::move(rp), attempt);
}

/// A new token record (REQUESTED) for this card.
engine::token_record new_token(self_ptr self, engine::token_ref ref, engine::wallet_provider wallet,
                               engine::device_info device, engine::timestamp now) {
  auto& st = self->state;
  const auto& opts = st.rt->options;
  engine::token_record t;
  t.ref = std::move(ref);
  t.card = st.id;
  t.partner = st.card->partner;
  t.wallet = wallet;
  t.device = std::move(device);
  t.state = engine::token_state::requested;
  t.fulfillment = engine::fulfillment_status::pending;
  t.last4 = st.card->last4;
  auto dpan = engine::pan::generate_dpan(opts.token_bin, opts.dpan_length, st.random());
  t.token_last4 = dpan.size() >= 4 ? dpan.substr(dpan.size() - 4) : dpan;
  t.created_at = now;
  t.updated_at = now;
  return t;
}

void on(self_ptr self, const cd_push& c, const card_command& cmd, promise rp, int attempt) {
  auto& st = self->state;
  const auto* card = visible(self, c.partner);
  if (card == nullptr) {
    rp.deliver(engine::make_error(errc::card_not_found));
    return;
  }
  if (card->state != engine::card_state::active) {
    rp.deliver(engine::make_error(
        card->state == engine::card_state::terminated ? errc::card_final : errc::card_not_active));
    return;
  }
  auto rd = begin_read(*st.rt);
  if (!rd) {
    rp.deliver(std::move(rd.error()));
    return;
  }
  auto partner = lookup_partner(*st.rt, *rd, card->partner);
  if (!partner) {
    rp.deliver(std::move(partner.error()));
    return;
  }
  if (!st.open_tokens_bound || *st.open_tokens_bound >= partner->max_tokens_per_card) {
    auto tokens = rd->tokens_of_card(st.id);
    if (!tokens) {
      rp.deliver(to_error(tokens.err()));
      return;
    }
    st.open_tokens_bound = open_token_count(*tokens);
    if (engine::count_toward_cap(*tokens) >= partner->max_tokens_per_card) {
      rp.deliver(engine::make_error(errc::token_cap_reached));
      return;
    }
  }
  ++*st.open_tokens_bound; // before the commit: a failed one only over-counts
  auto now = st.rt->now();
  auto t =
      new_token(self, engine::pan::generate_token_ref(now, st.random()), c.wallet, c.device, now);
  auto created = engine::record_creation(std::move(t), engine::channel::partner_api,
                                         "push_provisioning", now, new_transition_id(st.random()));
  auto active = engine::apply_transition(created.token, engine::token_state::active,
                                         engine::channel::partner_api, "push_provisioning", now,
                                         new_transition_id(st.random()));
  if (!active) {
    rp.deliver(std::move(active.error()));
    return;
  }
  change ch;
  ch.unit.put_token_if_absent(active->token);
  add_transition(ch.unit, created, st.random());
  add_transition(ch.unit, *active, st.random());
  add_idempotency(ch.unit, c.partner, c.idem, active->token, now);
  ch.reply = card_reply{active->token};
  ch.idem = idem_key(c.partner, c.idem);
  commit(self, std::move(ch), cmd, std::move(rp), attempt);
}

void on(self_ptr self, const cd_tokenize& c, const card_command& cmd, promise rp, int attempt) {
  auto& st = self->state;
  const auto& rt = *st.rt;
  if (!st.card) {
    rp.deliver(engine::make_error(errc::card_not_found));
    return;
  }
  const auto& card = *st.card;
  const auto& req = c.req;
  auto now = rt.now();
  auto rd = begin_read(rt);
  if (!rd) {
    rp.deliver(std::move(rd.error()));
    return;
  }
  auto partner = lookup_partner(rt, *rd, card.partner);
  if (!partner) {
    rp.deliver(std::move(partner.error()));
    return;
  }
  auto tokens = rd->tokens_of_card(st.id);
  if (!tokens) {
    rp.deliver(to_error(tokens.err()));
    return;
  }
  auto dest = lookup_sms_destination(rt, *rd, card);
  if (!dest) {
    rp.deliver(std::move(dest.error()));
    return;
  }
  std::uint32_t recent = 0;
  auto window_start = now - rt.options.decision.velocity_window;
  for (const auto& t : *tokens)
    if (t.created_at >= window_start)
      ++recent;
  engine::decision_input in;
  in.pan = req.pan;
  in.card = &card;
  in.partner = &*partner;
  in.products = &rt.options.products;
  in.sms_destination = *dest;
  in.tokens_toward_cap = engine::count_toward_cap(*tokens);
  in.recent_requests = recent;
  in.recommendation = req.recommendation;
  auto decided = engine::decide(in, rt.options.decision);
  rt.counters->count_decision(decided.outcome, decided.reason);

  auto ref = req.token_ref && !req.token_ref->empty()
                 ? *req.token_ref
                 : engine::pan::generate_token_ref(now, st.random());
  auto t = new_token(self, ref, req.wallet, req.device, now);
  auto created =
      engine::record_creation(std::move(t), engine::channel::network, "tokenization_request", now,
                              new_transition_id(st.random()));
  change ch;
  std::optional<engine::transition_outcome> second;
  if (decided.outcome == engine::decision::approved) {
    auto o = engine::apply_transition(created.token, engine::token_state::active,
                                      engine::channel::network, "approved", now,
                                      new_transition_id(st.random()));
    if (!o) {
      rp.deliver(std::move(o.error()));
      return;
    }
    second = std::move(*o);
  } else if (decided.outcome == engine::decision::declined) {
    auto o = engine::apply_transition(
        created.token, engine::token_state::request_declined, engine::channel::system,
        std::string{engine::to_code(decided.reason)}, now, new_transition_id(st.random()));
    if (!o) {
      rp.deliver(std::move(o.error()));
      return;
    }
    second = std::move(*o);
  }
  const auto& final_token = second ? second->token : created.token;
  st.open_tokens_bound = open_token_count(*tokens) + (engine::is_final(final_token.state) ? 0 : 1);
  ch.unit.put_token_if_absent(final_token);
  // A token left awaiting verification gets its deadline in the same unit:
  // the expiry scheduler finds it there whether or not its actor is live.
  if (final_token.state == engine::token_state::requested)
    ch.unit.set_token_deadline(final_token.ref, now + rt.options.verification_expiry);
  add_transition(ch.unit, created, st.random());
  if (second)
    add_transition(ch.unit, *second, st.random());
  tokenization_result result;
  result.decision = decided.outcome;
  result.token_ref = final_token.ref;
  result.state = final_token.state;
  result.reason = decided.reason;
  result.methods = decided.methods;
  result.token = final_token;
  add_idempotency(ch.unit, network_scope, c.idem, result, now);
  ch.reply = card_reply{std::move(result)};
  ch.idem = idem_key(network_scope, c.idem);
  // A conflict with a caller-supplied token ref that exists is final.
  bool caller_ref = req.token_ref && !req.token_ref->empty();
  commit(self, std::move(ch), cmd, std::move(rp), caller_ref ? max_attempts : attempt);
}

void run(self_ptr self, card_command cmd, promise rp, int attempt) {
  auto& st = self->state;
  if (!st.loaded || !st.card) {
    if (auto err = load(self)) {
      rp.deliver(std::move(err));
      return;
    }
  }
  std::visit([&](const auto& c) { on(self, c, cmd, rp, attempt); }, cmd);
}

card_actor::behavior_type card_impl(self_ptr self, std::shared_ptr<const runtime> rt,
                                    engine::card_id id, registry_actor shard) {
  self->state.rt = std::move(rt);
  self->state.id = std::move(id);
  self->state.shard = std::move(shard);
  return {
      [self](card_request& req) -> caf::result<card_reply> {
        auto& st = self->state;
        ++st.received;
        auto rp = self->make_response_promise<card_reply>();
        run(self, std::move(req.cmd), rp, 0);
        return rp;
      },
      [self](idle_atom) {
        auto& st = self->state;
        self->send(st.shard, idle_report{actor_kind::card, st.id.value, st.received});
      },
      [self](evict_atom) {
        auto& st = self->state;
        self->send(st.shard, idle_report{actor_kind::card, st.id.value, st.received});
      },
      [self](stop_atom) {
        auto& st = self->state;
        self->send(st.shard, stopped_report{actor_kind::card, st.id.value});
        self->quit();
      },
  };
}

} // namespace

card_actor spawn_card_actor(caf::local_actor* parent, std::shared_ptr<const runtime> rt,
                            engine::card_id id, registry_actor shard) {
  return parent->system().spawn<caf::lazy_init>(card_impl, std::move(rt), std::move(id),
                                                std::move(shard));
}

} // namespace dwt::actors
