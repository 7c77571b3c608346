#pragma once
/// @file
/// MDES Deliver Activation Code (public MDES issuer documentation): **the network
/// generates the code**; the issuer only sends it to the cardholder (SMS or
/// email, by `activationMethod`) and never stores it in clear. The code is
/// held in a `secret_bytes` (wiped, never printed) and the body is parsed
/// in a wiped arena, so no copy of it is left in freed memory.
///
/// The success answer is `acknowledgement.hpp`'s `{responseId}`.
///
/// Threading: pure functions.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "dwt/engine/types.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"
#include "dwt/networks/secret.hpp"

namespace dwt::networks::mdes {

namespace deliver_activation_code_limits {
inline constexpr std::size_t max_body_bytes = 16 * 1024;
inline constexpr std::size_t max_request_id = 64;
inline constexpr std::size_t max_token_unique_reference = 64;
inline constexpr std::size_t max_correlation_id = 14;
/// Printable ASCII.
inline constexpr std::size_t max_activation_code = 32;
inline constexpr std::size_t max_method_value = 128;
inline constexpr std::size_t max_reason_codes = 16;
inline constexpr std::size_t max_reason_code = 64;
} // namespace deliver_activation_code_limits

/// `activationMethod` as the network names it back.
struct delivery_method {
  /// nullopt when the network sent a type this module does not know (the
  /// caller answers with an error: it cannot deliver by an unknown method).
  std::optional<activation_method_type> type;
  /// The masked value dwt offered (e.g. "***-***-1234"); the real
  /// destination comes from dwt's own records.
  std::string value;
};

struct deliver_activation_code_request {
  std::string request_id;
  std::string token_unique_reference;
  std::string correlation_id;
  /// The network's one-time code; never logged, stored or echoed.
  secret_bytes activation_code;
  /// When the code stops working (absent: the network did not say).
  std::optional<engine::timestamp> expiration;
  /// Absent when the message has no `activationMethod`.
  std::optional<delivery_method> method;
  std::vector<std::string> reason_codes;
};

/// Parses the request body. Errors: payload_too_large, invalid_json,
/// missing_field (requestId, tokenUniqueReference, activationCode),
/// invalid_field (wrong type, beyond a limit, a code that is not printable
/// ASCII, a date-time that is not ISO 8601); error contexts never hold the
/// code.
[[nodiscard]] caf::expected<deliver_activation_code_request>
parse_deliver_activation_code_request(std::string_view body);

} // namespace dwt::networks::mdes
