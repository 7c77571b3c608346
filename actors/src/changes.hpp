#pragma once
/// @file
/// Builders for the one-atomic-unit changes the card and token actors
/// commit: a transition (token + history entry + DigitalWalletTokenTransition
/// outbox event), the manual-verification event, and the idempotency record.
///
/// Threading: pure helpers, called on the actor's thread.

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include <caf/error.hpp>

#include "dwt/dwt.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/engine/state_machine.hpp"
#include "dwt/errors.hpp"
#include "dwt/persistence/caf_error.hpp"
#include "dwt/persistence/write_unit.hpp"

namespace dwt::actors {

/// How long idempotency records are kept (API: at least 24 h).
inline constexpr std::chrono::hours idempotency_ttl{24};

/// A fresh transition id ("tr_" + 26 base32).
[[nodiscard]] std::string new_transition_id(engine::random_source& rng);
/// A fresh webhook id ("evt_" + 26 base32, time-ordered: the
/// outbox_by_event_id index grows at its end).
[[nodiscard]] std::string new_event_id(engine::timestamp now, engine::random_source& rng);

/// Appends the history entry and the DigitalWalletTokenTransition event of
/// an applied transition (`o.token` is the token after it).
void add_transition(persistence::write_unit& unit, const engine::transition_outcome& o,
                    engine::random_source& rng);

/// Appends the cards#manual-provisioning-verification event.
void add_manual_verification_event(persistence::write_unit& unit, const engine::token_record& token,
                                   engine::verification_method method, engine::timestamp now,
                                   engine::random_source& rng);

/// Appends the idempotency record `render(result)` (put-if-absent).
template <class T>
void add_idempotency(persistence::write_unit& unit, const engine::partner_id& scope,
                     const std::optional<idempotency<T>>& idem, const T& result,
                     engine::timestamp now) {
  if (!idem || idem->key.empty())
    return;
  rendered_response r;
  if (idem->render)
    r = idem->render(result);
  persistence::idempotency_record rec;
  rec.partner = scope;
  rec.key = idem->key;
  rec.request_fingerprint = idem->fingerprint;
  rec.http_status = r.status;
  rec.response_body = std::move(r.body);
  rec.created_at = now;
  rec.expires_at = now + idempotency_ttl;
  unit.put_idempotency_if_absent(std::move(rec));
}

/// The engine errc of an error, or nullopt if it is no engine error.
[[nodiscard]] bool is_conflict(const caf::error& err) noexcept;

/// True if an idempotency record exists (live) for (scope, key).
[[nodiscard]] bool idempotency_taken(persistence::env& store, const engine::partner_id& scope,
                                     const std::string& key);

/// Converts a persistence error to caf::error.
[[nodiscard]] inline caf::error to_error(const persistence::error& e) {
  return persistence::to_caf_error(e);
}

/// (scope, key) of a change's idempotency record, if it has one.
using idem_scope_key = std::optional<std::pair<engine::partner_id, std::string>>;

template <class T>
[[nodiscard]] idem_scope_key idem_key(const engine::partner_id& scope,
                                      const std::optional<idempotency<T>>& idem) {
  if (!idem || idem->key.empty())
    return std::nullopt;
  return std::make_pair(scope, idem->key);
}

/// The answer to a failed commit of a card or token actor's change. A
/// conflict is either a racing call with the same idempotency key (the
/// loser gets idempotency_in_progress) or a stale view of the store: then
/// `reload()` (returns caf::error, none when it worked) refreshes the
/// actor's state and `retry()` runs the command again, up to
/// `max_attempts`. Any other error is the answer.
template <class Promise, class Reload, class Retry>
void answer_commit_error(caf::error err, persistence::env& store, const idem_scope_key& idem,
                         int attempt, int max_attempts, Promise& rp, Reload reload, Retry retry) {
  if (is_conflict(err)) {
    if (idem && idempotency_taken(store, idem->first, idem->second)) {
      rp.deliver(make_error(runtime_errc::idempotency_in_progress));
      return;
    }
    if (attempt + 1 < max_attempts) {
      if (auto lerr = reload()) {
        rp.deliver(std::move(lerr));
        return;
      }
      retry();
      return;
    }
  }
  rp.deliver(std::move(err));
}

} // namespace dwt::actors
