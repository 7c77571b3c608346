/// @file
/// The virtual card actor: owns one card's record; registers it, serves
/// reads, runs the provisioning decision and creates tokens (so that cap
/// and velocity counts are consistent per card), push-provisions, and
/// changes the card's state with the cascade to its tokens.
///
/// Cascade: the card and every affected token's transition (history entry
/// and outbox event each) are committed in ONE unit, every non-final token
/// (affected or not) guarded by expect_token_history_count; on a conflict
/// (a token actor committed in between) the actor re-reads and retries.
/// Token actors guard a move to ACTIVE with expect_card_state(ACTIVE), so
/// whichever commits second sees the other's change: no token is left
/// ACTIVE on a suspended card. After the commit it tells the live token
/// actors (through their shards) to reload.
///
/// Ordering: like token actors, every commit uses `await`.

#include <algorithm>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <openssl/crypto.h>

#include "changes.hpp"
#include "dwt/actors/runtime.hpp"
#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/decision.hpp"
#include "dwt/engine/enums.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/engine/state_machine.hpp"
#include "lookups.hpp"
#include "network_commands.hpp"

namespace dwt::actors {
namespace {

using engine::errc;

/// One of the card's tokens as the card actor knows it (card_data::known).
struct known_token {
  engine::token_ref ref;
  engine::wallet_provider wallet = engine::wallet_provider::apple_pay;
  std::string device_id;
  engine::timestamp created_at{};
  bool open = true;
};

struct card_data {
  std::shared_ptr<const runtime> rt;
  registry_actor shard;
  engine::card_id id;
  std::optional<engine::card_record> card;
  bool loaded = false;
  std::uint64_t received = 0;
  /// What this actor knows of its card's tokens: set from an exact read
  /// and extended with every token this actor creates (only this actor
  /// creates the card's tokens). Creation times are exact; `open` (not in a
  /// final state) is an upper bound: a token actor may have moved a token
  /// to TERMINATED or REQUEST_DECLINED since, but nothing leaves those
  /// states. While it shows no open token for the pushed wallet and device,
  /// fewer open tokens than the cap and fewer recent ones than the velocity
  /// limit, a push decides from it without reading and decoding every token
  /// of the card (the exact figures can only be smaller); otherwise it
  /// re-reads exactly. Entries known to be final and older than the
  /// velocity window are dropped.
  std::optional<std::vector<known_token>> known;
  /// The PAN's leading digits (at most `bin_digits`), kept after the first
  /// push decrypted the PAN for the BIN rule: BIN ranges compare at most 8
  /// leading digits, and a BIN is not secret (PCI DSS lets it be shown with
  /// the last four), so later pushes decide without decrypting the PAN.
  std::string bin;
  /// The PAN hash `bin` was taken from (a card whose PAN changed decrypts
  /// again).
  std::string bin_of;
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
/// Leading PAN digits the BIN rule compares at most (config: 6 to 8).
constexpr std::size_t bin_digits = 8;
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

/// Drops what card_data::known no longer needs: tokens known to be final
/// and created before the velocity window.
void prune_known(self_ptr self, engine::timestamp now) {
  auto& st = self->state;
  if (!st.known)
    return;
  const auto window_start = now - st.rt->options.decision.velocity_window;
  std::erase_if(*st.known,
                [&](const known_token& k) { return !k.open && k.created_at < window_start; });
}

/// Records a token this actor created (or read) in card_data::known.
void remember(self_ptr self, const engine::token_record& t) {
  auto& st = self->state;
  if (st.known)
    st.known->push_back(
        known_token{t.ref, t.wallet, t.device.id, t.created_at, !engine::is_final(t.state)});
}

/// Replaces card_data::known with an exact read's tokens.
void remember_all(self_ptr self, const std::vector<engine::token_record>& tokens,
                  engine::timestamp now) {
  auto& st = self->state;
  st.known.emplace();
  st.known->reserve(tokens.size());
  for (const auto& t : tokens)
    remember(self, t);
  prune_known(self, now);
}

/// Tokenisation requests (tokens created) within the velocity window.
std::uint32_t recent_requests(const runtime& rt, const std::vector<engine::token_record>& tokens,
                              engine::timestamp now) {
  const auto window_start = now - rt.options.decision.velocity_window;
  return static_cast<std::uint32_t>(std::count_if(
      tokens.begin(), tokens.end(), [&](const auto& t) { return t.created_at >= window_start; }));
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
  const engine::card_product* product = nullptr;
  for (const auto& p : rt.options.products)
    if (p.name == req.card_product)
      product = &p;
  if (product == nullptr) {
    rp.deliver(engine::make_error(errc::invalid_request, "unknown card product"));
    return;
  }
  // A card's PAN lies in one of its product's BIN ranges (else every
  // tokenisation of it would be declined bin_not_enabled).
  if (!engine::product_covers(*product, req.pan)) {
    rp.deliver(engine::make_error(errc::bin_not_enabled, "the PAN is outside the card product's "
                                                         "BIN ranges"));
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
  auto pan_hash = engine::pan::lookup_hash(rt.options.pan_hash_key, req.pan);
  // PAN uniqueness is per partner: another partner's card with this PAN is
  // neither found nor revealed (its registration proceeds as a card of its
  // own); this partner's answer names no card.
  if (auto mine = rd->card_by_pan_hash(c.partner, pan_hash); mine) {
    rp.deliver(engine::make_error(errc::pan_already_registered));
    return;
  } else if (mine.code() != persistence::errc::not_found) {
    rp.deliver(to_error(mine.err()));
    return;
  }
  engine::card_record rec;
  rec.id = st.id;
  rec.profile = req.profile;
  rec.partner = c.partner;
  rec.pan_hash = std::move(pan_hash);
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
  // A conflict here is a racing registration of the same PAN by this
  // partner (the retry answers pan_already_registered) or a racing
  // Idempotency-Key (answered by answer_commit_error).
  commit(self, std::move(ch), cmd, std::move(rp), attempt);
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
    if (!target) {
      // Unaffected now, but a token actor may be moving it (e.g. to ACTIVE
      // under the old card state): its commit makes this unit conflict and
      // the cascade re-run on the token's new state.
      if (!engine::is_final(t.state))
        ch.unit.expect_token_history_count(t.ref, t.history_count);
      continue;
    }
    auto o = engine::apply_transition(t, *target, engine::channel::card_cascade,
                                      cascade_reason(c.state), now, new_transition_id(st.random()));
    if (!o)
      continue;
    ch.unit.expect_token_history_count(t.ref, t.history_count).put_token(o->token);
    add_transition(ch.unit, *o, st.random());
    add_network_command(ch.unit, t.state, o->token, engine::channel::card_cascade, o->record.reason,
                        now);
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
  const auto& rt = *st.rt;
  const auto* card = visible(self, c.partner);
  if (card == nullptr) {
    rp.deliver(engine::make_error(errc::card_not_found));
    return;
  }
  if (card->state == engine::card_state::terminated) {
    rp.deliver(engine::make_error(errc::card_final));
    return;
  }
  auto rd = begin_read(rt);
  if (!rd) {
    rp.deliver(std::move(rd.error()));
    return;
  }
  auto partner = lookup_partner(rt, *rd, card->partner);
  if (!partner) {
    rp.deliver(std::move(partner.error()));
    return;
  }
  // The BIN rule needs the PAN's leading digits: push provisioning runs the
  // network path's eligibility rules (engine::check_eligibility), not a
  // copy of them.
  if (st.bin.empty() || st.bin_of != card->pan_hash) {
    auto pan = engine::pan::open(rt.options.pan_encryption_key, card->pan_sealed, card->id);
    if (!pan) {
      rp.deliver(engine::make_error(errc::crypto_failure));
      return;
    }
    st.bin = pan->substr(0, std::min(pan->size(), bin_digits));
    st.bin_of = card->pan_hash;
    OPENSSL_cleanse(pan->data(), pan->size());
  }
  auto now = rt.now();
  engine::decision_input in;
  in.pan = st.bin;
  in.card = card;
  in.partner = &*partner;
  in.products = &rt.options.products;
  in.now = now;
  // Decide from what the actor knows (card_data::known) while that cannot
  // refuse; else from an exact read.
  prune_known(self, now);
  if (!st.known) {
    auto tokens = rd->tokens_of_card(st.id);
    if (!tokens) {
      rp.deliver(to_error(tokens.err()));
      return;
    }
    remember_all(self, *tokens, now);
  }
  const auto window_start = now - rt.options.decision.velocity_window;
  std::size_t open = 0;
  std::uint32_t recent = 0;
  bool same_device = false;
  for (const auto& k : *st.known) {
    open += k.open ? 1 : 0;
    recent += k.created_at >= window_start ? 1 : 0;
    same_device = same_device || (k.open && k.wallet == c.wallet && k.device_id == c.device.id);
  }
  in.tokens_toward_cap = open;
  in.recent_requests = recent;
  in.live_token_for_device = same_device;
  std::optional<engine::token_ref> existing;
  // Any count that could refuse is re-read exactly (a failed commit leaves
  // a token in the summary that does not exist).
  if (same_device || open >= partner->max_tokens_per_card ||
      recent >= rt.options.decision.velocity_limit) {
    auto tokens = rd->tokens_of_card(st.id);
    if (!tokens) {
      rp.deliver(to_error(tokens.err()));
      return;
    }
    remember_all(self, *tokens, now);
    in.tokens_toward_cap = engine::count_toward_cap(*tokens);
    in.recent_requests = recent_requests(rt, *tokens, now);
    const auto* live = engine::find_live_token(*tokens, c.wallet, c.device.id);
    in.live_token_for_device = live != nullptr;
    if (live != nullptr)
      existing = live->ref;
  }
  if (auto e = engine::check_eligibility(in, rt.options.decision); e != errc::ok) {
    // token_exists names the partner's own live token.
    rp.deliver(e == errc::token_exists && existing
                   ? engine::make_error(e, "token " + existing->value)
                   : engine::make_error(e));
    return;
  }
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
  // Before the commit: a failed one only over-counts (card_data::known).
  remember(self, active->token);
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
  engine::decision_input in;
  in.pan = req.pan;
  in.card = &card;
  in.partner = &*partner;
  in.products = &rt.options.products;
  in.sms_destination = *dest;
  in.tokens_toward_cap = engine::count_toward_cap(*tokens);
  in.recent_requests = recent_requests(rt, *tokens, now);
  in.recommendation = req.recommendation;
  in.now = now;
  in.stated_expiry = engine::card_expiry{req.expiry_month, req.expiry_year};
  // A live token for this wallet and device declines the request
  // (token_exists), recorded like every other decline.
  in.live_token_for_device = engine::find_live_token(*tokens, req.wallet, req.device.id) != nullptr;
  auto decided = engine::decide(in, rt.options.decision);
  rt.counters->count_decision(decided.outcome, decided.reason);

  auto ref = req.token_ref && !req.token_ref->empty()
                 ? *req.token_ref
                 : engine::pan::generate_token_ref(now, st.random());
  auto t = new_token(self, ref, req.wallet, req.device, now);
  // What the card network sent is kept whatever the decision (a declined
  // request's token shows the partner why).
  t.network = req.network;
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
  remember_all(self, *tokens, now);
  remember(self, final_token); // before the commit: a failed one only over-counts
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
