#pragma once
/// @file
/// JSON shapes of the API (docs/API.md, docs/openapi.yaml), in one place so the HTTP
/// layer, the idempotency records and the webhook payloads render the same
/// bytes: camelCase fields, RFC 3339 UTC times with milliseconds, enum
/// values in their API spelling. A PAN is never rendered: only last four.
///
/// Threading: pure functions.
///
/// Every builder takes the `storage_ptr` its object is made with (default:
/// the heap), so that a caller who only serialises the result can build it
/// on a stack arena (`scratch_serialize`): each member and each string longer
/// than Boost.JSON's inline buffer is otherwise a heap allocation.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "dwt/engine/types.hpp"

namespace dwt::engine::json {

/// Event type names.
inline constexpr std::string_view transition_event_type = "DigitalWalletTokenTransition";
inline constexpr std::string_view manual_verification_event_type =
    "cards#manual-provisioning-verification";

/// The 24 characters of an RFC 3339 UTC time with milliseconds, held in
/// place: formatting one allocates nothing.
struct rfc3339_text {
  char chars[24];
  [[nodiscard]] std::string_view view() const noexcept { return {chars, sizeof chars}; }
};

/// "2026-11-22T20:50:03.123Z" (years clamped to 0000–9999).
[[nodiscard]] rfc3339_text format_rfc3339(timestamp t) noexcept;
/// The same as a string.
[[nodiscard]] std::string rfc3339(timestamp t);
/// Parses what `rfc3339` writes (and the same without milliseconds, or with
/// an explicit "+00:00"); nullopt otherwise.
[[nodiscard]] std::optional<timestamp> parse_rfc3339(std::string_view s) noexcept;

/// `{id, phoneNumber, email, createdAt, updatedAt}` (email null if absent).
[[nodiscard]] boost::json::object profile(const profile_record& p,
                                          boost::json::storage_ptr sp = {});

/// `{id, profileId, last4, expiryMonth, expiryYear, cardProduct, type,
/// state, createdAt, updatedAt}`: never the PAN, its hash or ciphertext.
[[nodiscard]] boost::json::object card(const card_record& c, boost::json::storage_ptr sp = {});

/// `{id, type, name}`.
[[nodiscard]] boost::json::object device(const device_info& d, boost::json::storage_ptr sp = {});

/// What a card network said of a token: `{network, tokenUniqueReference,
/// panUniqueReference, correlationId, tokenRequestorId, walletId,
/// paymentAppInstanceId, tokenType, tokenExpiry, device {name,
/// serialNumber, formFactor, isoDeviceType, osName, osVersion}, risk
/// {recommendedDecision, recommendationStandardVersion, deviceScore,
/// accountScore, phoneNumberScore, recommendationReasons, activeTokenCount,
/// cvcResponse, dataValidUntil, cardSource}}`; empty members omitted.
[[nodiscard]] boost::json::object network(const network_identity& n,
                                          boost::json::storage_ptr sp = {});

/// `{tokenUniqueReference, cardId, walletProvider, device, state,
/// fulfillmentStatus, last4, tokenLast4, createdAt, updatedAt}`, and
/// `network` when the token came through a card network.
[[nodiscard]] boost::json::object token(const token_record& t, boost::json::storage_ptr sp = {});

/// `{id, tokenUniqueReference, cardId, fromState (null for creation), state,
/// fulfillmentStatus, reason, channel, createdAt}`.
[[nodiscard]] boost::json::object transition(const transition_record& r,
                                             boost::json::storage_ptr sp = {});

/// The `data` of a DigitalWalletTokenTransition webhook: the transition
/// plus `walletProvider`.
[[nodiscard]] boost::json::object transition_event_data(const transition_record& r,
                                                        wallet_provider wallet,
                                                        boost::json::storage_ptr sp = {});

/// The same for token `t`: also `network {network, tokenUniqueReference
/// (once the network named the token)}` when the token came through a card
/// network.
[[nodiscard]] boost::json::object transition_event_data(const transition_record& r,
                                                        const token_record& t,
                                                        boost::json::storage_ptr sp = {});

/// The `data` of cards#manual-provisioning-verification: `{cardId, last4,
/// provisioningRequestedAt, walletProvider, tokenUniqueReference,
/// verificationMethod}`.
[[nodiscard]] boost::json::object manual_verification_event_data(const token_record& t,
                                                                 verification_method method,
                                                                 boost::json::storage_ptr sp = {});

/// Bytes of stack a scratch_serialize arena starts with: a token or a
/// transition with its strings fits (about 1 KiB), a list spills to the heap.
inline constexpr std::size_t scratch_bytes = 2048;

/// Serialises the value `build(storage)` returns, where `storage` is an
/// arena on this function's stack (a monotonic resource, spilling to the
/// heap past scratch_bytes). The builders above given that storage
/// allocate nothing for their members and strings: the one allocation
/// left is the returned text. Every object and string `build` makes must
/// use `storage`; none may outlive the call.
template <class Build>
[[nodiscard]] std::string scratch_serialize(Build&& build) {
  alignas(std::max_align_t) unsigned char scratch[scratch_bytes];
  boost::json::monotonic_resource arena{scratch, sizeof scratch};
  return boost::json::serialize(std::forward<Build>(build)(boost::json::storage_ptr{&arena}));
}

/// The webhook body `{type, timestamp, data}` serialised.
[[nodiscard]] std::string webhook_body(std::string_view type, timestamp at,
                                       const boost::json::object& data);

/// The same envelope around `data_json`, the text of one JSON value copied
/// as is (a stored payload need not be parsed into a DOM and serialised
/// again). Precondition, not checked here: `data_json` is valid JSON.
[[nodiscard]] std::string webhook_body(std::string_view type, timestamp at,
                                       std::string_view data_json);

} // namespace dwt::engine::json
