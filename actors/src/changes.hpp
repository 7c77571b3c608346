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

#include <caf/error.hpp>

#include "dwt/dwt.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/engine/state_machine.hpp"
#include "dwt/persistence/caf_error.hpp"
#include "dwt/persistence/write_unit.hpp"

namespace dwt::actors {

/// How long idempotency records are kept (API: at least 24 h).
inline constexpr std::chrono::hours idempotency_ttl{24};

/// A fresh transition id ("tr_" + 26 base32).
[[nodiscard]] std::string new_transition_id(engine::random_source& rng);
/// A fresh webhook id ("evt_" + 26 base32).
[[nodiscard]] std::string new_event_id(engine::random_source& rng);

/// Appends the history entry and the DigitalWalletTokenTransition event of
/// an applied transition (`o.token` is the token after it).
void add_transition(persistence::write_unit& unit, const engine::transition_outcome& o,
                    engine::random_source& rng);

/// Appends the cards#manual-provisioning-verification event.
void add_manual_verification_event(persistence::write_unit& unit,
                                   const engine::token_record& token,
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

} // namespace dwt::actors
