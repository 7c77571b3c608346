#pragma once
/// @file
/// One rendering function per route answer: the live answer and the one
/// stored with an idempotency record are both made here, so a replay is
/// byte-identical. Shapes follow docs/API.md / docs/openapi.yaml, using the
/// engine's JSON shapes (dwt/engine/json.hpp).
///
/// Threading: pure functions (they also run on actor threads, when the
/// engine stores an idempotent answer).

#include <vector>

#include "dwt/dwt.hpp"

namespace dwt::server {

/// What GET /v1/events/{eventId}/deliveries reports: every attempt, oldest
/// first, and the event's delivery state.
struct delivery_report {
  std::vector<persistence::delivery_attempt_record> attempts;
  persistence::delivery_state state;
};

} // namespace dwt::server

namespace dwt::server::render {

/// POST /v1/profiles → 201 profile.
[[nodiscard]] rendered_response profile_created(const engine::profile_record& p);
/// GET / PATCH /v1/profiles/{id} → 200 profile.
[[nodiscard]] rendered_response profile(const engine::profile_record& p);

/// POST /v1/cards → 201 card.
[[nodiscard]] rendered_response card_created(const engine::card_record& c);
/// GET /v1/cards/{cardId}, POST .../state → 200 card.
[[nodiscard]] rendered_response card(const engine::card_record& c);

/// POST /v1/cards/{cardId}/digital-wallet-tokens → 201 token.
[[nodiscard]] rendered_response token_created(const engine::token_record& t);
/// GET token (both APIs), POST network events → 200 token.
[[nodiscard]] rendered_response token(const engine::token_record& t);
/// GET token (partner API) → 200 token, with its `networkSync` object when
/// a network command was ever written for it (issue #21).
[[nodiscard]] rendered_response
token_with_sync(const engine::token_record& t,
                const std::optional<persistence::network_command>& sync);
/// POST /v1/digital-wallet-tokens/{ref}/network-sync/retry → 202 networkSync.
[[nodiscard]] rendered_response network_sync(const persistence::network_command& c);
/// GET /v1/cards/{cardId}/digital-wallet-tokens → 200 `{data: [token]}`.
[[nodiscard]] rendered_response token_list(const std::vector<engine::token_record>& ts);
/// POST .../digital-wallet-token-transitions → 201
/// `{state, digitalWalletToken, fulfillmentStatus}`.
[[nodiscard]] rendered_response transition_result(const engine::token_record& t);
/// POST .../activation → 204 without a body.
[[nodiscard]] rendered_response activation(const engine::token_record& t);
/// GET .../transitions → 200 `{data: [transition]}`, oldest first.
[[nodiscard]] rendered_response history(const std::vector<engine::transition_record>& h);
/// GET /v1/events → 200 `{data: [event], next}`.
[[nodiscard]] rendered_response events(const event_page& page);

/// GET /v1/events/{eventId}/deliveries → 200 `{data: [attempt], state}`.
[[nodiscard]] rendered_response deliveries(const delivery_report& r);
/// POST /v1/events/{eventId}/redeliver → 202 delivery state.
[[nodiscard]] rendered_response redelivery(const persistence::delivery_state& s);

/// POST /network/v1/tokenization-requests → 200
/// `{decision, tokenUniqueReference, state, reason?, verificationMethods?}`.
[[nodiscard]] rendered_response tokenization(const tokenization_result& r);
/// POST .../verification and .../verification/resend → 202
/// `{method, expiresAt}`.
[[nodiscard]] rendered_response verification_started(const dwt::verification_started& v);
/// POST .../verification/otp → 200 `{result: VERIFIED, state}`, or 422
/// `otp_incorrect` (with `attemptsLeft`) / `otp_attempts_exhausted` /
/// `otp_expired`.
[[nodiscard]] rendered_response otp(const otp_outcome& o);

} // namespace dwt::server::render
