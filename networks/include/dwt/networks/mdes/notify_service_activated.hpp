#pragma once
/// @file
/// MDES Notify Service Activated (public MDES issuer documentation): the token named
/// by `tokenUniqueReference` is now active on the device (engine: ACTIVE,
/// fulfillment PROVISIONED). The token reference may sit in `cardAndToken`
/// (the documented place) or at the top level; `cardAndToken` may also
/// carry FLE fields, kept encrypted here.
///
/// The success answer is `acknowledgement.hpp`'s `{responseId}`.
///
/// Threading: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "dwt/engine/types.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"
#include "dwt/networks/mdes/fle.hpp"

namespace dwt::networks::mdes {

namespace notify_service_activated_limits {
inline constexpr std::size_t max_body_bytes = 64 * 1024;
inline constexpr std::size_t max_request_id = 64;
inline constexpr std::size_t max_token_unique_reference = 64;
inline constexpr std::size_t max_pan_unique_reference = 64;
inline constexpr std::size_t max_correlation_id = 14;
/// Digits only.
inline constexpr std::size_t max_token_requestor_id = 11;
inline constexpr std::size_t max_wallet_id = 3;
inline constexpr std::size_t max_payment_app_instance_id = 48;
/// Digits only (the last four of the PAN or the token).
inline constexpr std::size_t max_suffix = 4;
inline constexpr std::size_t max_enum_text = 64;
inline constexpr std::uint64_t max_count = 9999;
inline constexpr std::uint64_t max_assurance_level = 99;
} // namespace notify_service_activated_limits

/// `cardAndToken` in clear.
struct card_and_token {
  std::string token_unique_reference;
  std::string pan_unique_reference;
  /// Last four of the PAN / of the token, digits.
  std::string account_pan_suffix;
  std::string token_pan_suffix;
  /// MMYY.
  std::string token_expiry;
  /// FLE fields when the network encrypted card data here.
  std::optional<fle_object> encrypted;
};

struct notify_service_activated_request {
  std::string request_id;
  card_and_token card;
  std::optional<device_info> device;
  std::string token_requestor_id;
  std::string correlation_id;
  std::string wallet_id;
  std::string payment_app_instance_id;
  token_type type = token_type::unspecified;
  /// Top-level `accountPanSuffix` (also read inside cardAndToken).
  std::string account_pan_suffix;
  std::optional<engine::timestamp> service_request_time;
  /// As sent, e.g. "APPROVED".
  std::string decision;
  /// As sent, e.g. "ISSUER", "MASTERCARD".
  std::string decision_made_by;
  std::optional<engine::timestamp> token_activated_time;
  std::optional<std::uint64_t> number_of_activation_attempts;
  std::optional<std::uint64_t> number_of_active_tokens;
  std::optional<std::uint64_t> token_assurance_level;
};

/// Parses the request body. Errors: payload_too_large, invalid_json,
/// missing_field (requestId, tokenUniqueReference), invalid_field (wrong
/// type, beyond a limit, non-digit suffixes or tokenRequestorId, a
/// tokenExpiry that is not MMYY, a date-time that is not ISO 8601),
/// and the FLE object's errors when `cardAndToken` is half encrypted.
[[nodiscard]] caf::expected<notify_service_activated_request>
parse_notify_service_activated_request(std::string_view body);

} // namespace dwt::networks::mdes
