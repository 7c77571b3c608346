#pragma once
/// @file
/// JSON shapes of the API (../shared/API.md), in one place so the HTTP
/// layer, the idempotency records and the webhook payloads render the same
/// bytes: camelCase fields, RFC 3339 UTC times with milliseconds, enum
/// values in their API spelling. A PAN is never rendered: only last four.
///
/// Threading: pure functions.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "dwt/engine/types.hpp"

namespace dwt::engine::json {

/// Event type names.
inline constexpr std::string_view transition_event_type = "DigitalWalletTokenTransition";
inline constexpr std::string_view manual_verification_event_type =
  "cards#manual-provisioning-verification";

/// "2026-11-22T20:50:03.123Z".
[[nodiscard]] std::string rfc3339(timestamp t);
/// Parses what `rfc3339` writes (and the same without milliseconds, or with
/// an explicit "+00:00"); nullopt otherwise.
[[nodiscard]] std::optional<timestamp> parse_rfc3339(std::string_view s) noexcept;

/// `{id, phoneNumber, email, createdAt, updatedAt}` (email null if absent).
[[nodiscard]] boost::json::object profile(const profile_record& p);

/// `{id, profileId, last4, expiryMonth, expiryYear, cardProduct, type,
/// state, createdAt, updatedAt}`: never the PAN, its hash or ciphertext.
[[nodiscard]] boost::json::object card(const card_record& c);

/// `{id, type, name}`.
[[nodiscard]] boost::json::object device(const device_info& d);

/// `{tokenUniqueReference, cardId, walletProvider, device, state,
/// fulfillmentStatus, last4, tokenLast4, createdAt, updatedAt}`.
[[nodiscard]] boost::json::object token(const token_record& t);

/// `{id, tokenUniqueReference, cardId, fromState (null for creation), state,
/// fulfillmentStatus, reason, channel, createdAt}`.
[[nodiscard]] boost::json::object transition(const transition_record& r);

/// The `data` of a DigitalWalletTokenTransition webhook: the transition
/// plus `walletProvider`.
[[nodiscard]] boost::json::object transition_event_data(const transition_record& r,
                                                        wallet_provider wallet);

/// The `data` of cards#manual-provisioning-verification: `{cardId, last4,
/// provisioningRequestedAt, walletProvider, tokenUniqueReference,
/// verificationMethod}`.
[[nodiscard]] boost::json::object
manual_verification_event_data(const token_record& t, verification_method method);

/// The webhook body `{type, timestamp, data}` serialised.
[[nodiscard]] std::string webhook_body(std::string_view type, timestamp at,
                                       const boost::json::object& data);

/// The same envelope around `data_json`, the text of one JSON value copied
/// as is (a stored payload need not be parsed into a DOM and serialised
/// again). Precondition, not checked here: `data_json` is valid JSON.
[[nodiscard]] std::string webhook_body(std::string_view type, timestamp at,
                                       std::string_view data_json);

} // namespace dwt::engine::json
