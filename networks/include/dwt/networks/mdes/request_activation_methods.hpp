#pragma once
/// @file
/// MDES Request Activation Methods (public MDES issuer documentation): the network
/// asks which step-up methods the issuer offers for a token it is
/// provisioning (named by `tokenUniqueReference` and/or the
/// `correlationId` of the authorizeService decision), and dwt answers with
/// `activationMethods[{type, value}]`, values masked.
///
/// Read leniently: unknown fields are ignored; present fields of the wrong
/// type or beyond their limit are refused naming the field.
///
/// Threading: pure functions.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <caf/expected.hpp>

#include "dwt/networks/mdes/authorize_service.hpp"

namespace dwt::networks::mdes {

namespace request_activation_methods_limits {
inline constexpr std::size_t max_body_bytes = 16 * 1024;
inline constexpr std::size_t max_request_id = 64;
inline constexpr std::size_t max_token_unique_reference = 64;
inline constexpr std::size_t max_pan_unique_reference = 64;
inline constexpr std::size_t max_correlation_id = 14;
inline constexpr std::size_t max_payment_app_instance_id = 48;
/// Digits only.
inline constexpr std::size_t max_token_requestor_id = 11;
inline constexpr std::size_t max_wallet_id = 3;
/// Methods in one answer.
inline constexpr std::size_t max_methods = 8;
} // namespace request_activation_methods_limits

struct request_activation_methods_request {
  std::string request_id;
  std::string token_unique_reference;
  std::string pan_unique_reference;
  std::string correlation_id;
  std::string payment_app_instance_id;
  std::string token_requestor_id;
  std::string wallet_id;
};

/// Parses the request body. Errors: payload_too_large, invalid_json,
/// missing_field (requestId; tokenUniqueReference and correlationId both
/// absent: the token cannot be found), invalid_field.
[[nodiscard]] caf::expected<request_activation_methods_request>
parse_request_activation_methods_request(std::string_view body);

struct request_activation_methods_response {
  /// = the request's requestId.
  std::string response_id;
  /// At most max_methods; values already masked by the caller.
  std::vector<activation_method> activation_methods;
};

/// `{responseId, activationMethods:[{type, value}]}` (an empty list is
/// sent as `[]`: no method is offered).
[[nodiscard]] boost::json::object to_json(const request_activation_methods_response& r);

} // namespace dwt::networks::mdes
