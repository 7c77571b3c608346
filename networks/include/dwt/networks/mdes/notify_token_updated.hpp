#pragma once
/// @file
/// MDES Notify Token Updated (public MDES issuer documentation): the network tells the
/// issuer that tokens changed state (`tokens[{tokenUniqueReference,
/// status, suspendedBy[], tokenExpiry}]`, `reasonCode`), and
/// `target_of` maps one token's status to the engine's target state and
/// the suspender the engine records (the ownership rule: who may resume).
///
/// Read leniently: unknown fields are ignored and unknown enum values kept
/// as `other` (the mapping then changes nothing); present fields of the
/// wrong type or beyond their limit are refused, naming the field.
///
/// The success answer is `acknowledgement.hpp`'s `{responseId}`.
///
/// Threading: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "dwt/engine/types.hpp"

namespace dwt::networks::mdes {

namespace notify_token_updated_limits {
inline constexpr std::size_t max_body_bytes = 64 * 1024;
inline constexpr std::size_t max_request_id = 64;
/// Tokens in one notification (all the tokens of a PAN).
inline constexpr std::size_t max_tokens = 100;
inline constexpr std::size_t max_token_unique_reference = 64;
inline constexpr std::size_t max_suspended_by = 8;
inline constexpr std::size_t max_enum_text = 64;
} // namespace notify_token_updated_limits

/// `tokens[].status`.
enum class token_status : std::uint8_t { inactive, active, suspended, deactivated, other };
/// "INACTIVE" | "ACTIVE" | "SUSPENDED" | "DEACTIVATED"; anything else other.
[[nodiscard]] token_status parse_token_status(std::string_view s) noexcept;
[[nodiscard]] std::string_view to_string(token_status s) noexcept;

/// `tokens[].suspendedBy[]`.
enum class suspending_party : std::uint8_t {
  issuer,
  token_requestor,
  mobile_pin_locked,
  cardholder,
  other
};
[[nodiscard]] suspending_party parse_suspending_party(std::string_view s) noexcept;
[[nodiscard]] std::string_view to_string(suspending_party p) noexcept;

/// `reasonCode`.
enum class token_update_reason : std::uint8_t {
  unspecified,
  status_update,
  redigitization_complete,
  deleted_from_consumer_app,
  other
};
[[nodiscard]] token_update_reason
parse_token_update_reason(std::optional<std::string_view> s) noexcept;
[[nodiscard]] std::string_view to_string(token_update_reason r) noexcept;

struct token_update {
  std::string token_unique_reference;
  token_status status = token_status::other;
  std::vector<suspending_party> suspended_by;
  /// MMYY, empty when absent.
  std::string token_expiry;
};

struct notify_token_updated_request {
  std::string request_id;
  std::vector<token_update> tokens;
  token_update_reason reason = token_update_reason::unspecified;
};

/// Parses the request body. Errors: payload_too_large, invalid_json,
/// missing_field (requestId, tokens or an empty list, a token's
/// tokenUniqueReference or status), invalid_field (wrong type, beyond a
/// limit, a tokenExpiry that is not MMYY).
[[nodiscard]] caf::expected<notify_token_updated_request>
parse_notify_token_updated_request(std::string_view body);

/// What one token update asks of the engine.
struct token_update_target {
  /// INACTIVE → REQUESTED (provisioned, not yet activated), ACTIVE →
  /// ACTIVE, SUSPENDED → SUSPENDED, DEACTIVATED → TERMINATED.
  engine::token_state state = engine::token_state::requested;
  /// The channel to apply the transition with and, for SUSPENDED, the
  /// suspender the engine records: `partner_api` when the ISSUER is the
  /// only suspender (MDES echoing dwt's own Customer Service API call: the
  /// issuer's suspension and its owner stand, so a partner may resume it),
  /// else `network` (the cardholder, the token requestor or a PIN lock at
  /// the network: only the partner or the network may resume).
  engine::channel by = engine::channel::network;
  /// For the DigitalWalletTokenTransition, e.g.
  /// "MDES STATUS_UPDATE: SUSPENDED by CARDHOLDER, TOKEN_REQUESTOR".
  std::string reason;
};

/// The engine's target for one token of a notification; nullopt when its
/// status is not one MDES documents (the caller changes nothing and
/// acknowledges). A caller whose token is already in `state` changes
/// nothing either (a notification may repeat what dwt did).
[[nodiscard]] std::optional<token_update_target> target_of(const token_update& t,
                                                           token_update_reason reason);

} // namespace dwt::networks::mdes
