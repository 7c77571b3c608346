#pragma once
/// @file
/// MDES Authorize Service (public MDES issuer documentation): the request envelope as
/// a struct (its `cardInfo` still encrypted: decrypt it with `fle.hpp`, then
/// `parse_card_info`) and the response the issuer answers with.
///
/// Requests are read leniently: unknown fields are ignored (networks add
/// fields between versions), absent optional fields stay empty; present
/// fields of the wrong type or beyond their length limit are refused,
/// naming the field. Responses omit empty fields.
///
/// Threading: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <caf/expected.hpp>

#include "dwt/networks/mdes/fle.hpp"

namespace dwt::networks::mdes {

/// Named bounds of the request (the public MDES documentation gives them).
namespace authorize_service_limits {
/// The whole request body.
inline constexpr std::size_t max_body_bytes = 64 * 1024;
inline constexpr std::size_t max_request_id = 64;
inline constexpr std::size_t max_correlation_id = 14;
/// Digits only.
inline constexpr std::size_t max_token_requestor_id = 11;
inline constexpr std::size_t max_wallet_id = 3;
inline constexpr std::size_t max_payment_app_instance_id = 48;
/// Hex only.
inline constexpr std::size_t max_account_id_hash = 64;
inline constexpr std::size_t max_mobile_number_suffix = 8;
inline constexpr std::uint64_t max_active_token_count = 9999;
inline constexpr std::size_t max_pan_unique_reference = 64;
inline constexpr std::size_t max_services = 16;
inline constexpr std::size_t max_enum_text = 64;
inline constexpr std::size_t max_device_text = 128;
inline constexpr std::size_t max_payment_types = 8;
inline constexpr std::size_t max_recommendation_reasons = 32;
inline constexpr std::size_t max_recommendation_version = 16;
/// Scores are small integers (1-5 in MDES); bounded generously.
inline constexpr std::uint64_t max_score = 99;
} // namespace authorize_service_limits

/// `tokenType`.
enum class token_type : std::uint8_t { unspecified, embedded_se, cloud, static_token, other };

/// "EMBEDDED_SE" / "CLOUD" / "STATIC"; absent unspecified; unknown other.
[[nodiscard]] token_type parse_token_type(std::optional<std::string_view> s) noexcept;
[[nodiscard]] std::string_view to_string(token_type t) noexcept;

/// `deviceInfo`.
struct device_info {
  std::string device_name;
  std::string serial_number;
  std::string form_factor;
  std::string iso_device_type;
  std::string os_name;
  std::string os_version;
  std::string imei;
  std::string msisdn;
  /// NFC | DSRP | ECOMMERCE (as sent).
  std::vector<std::string> payment_types;
  std::string storage_technology;
};

/// `walletProviderDecisioningInfo` / `tokenRequestorDecisioningInfo`.
struct decisioning_info {
  /// As sent, e.g. "APPROVED", "DECLINED", "REQUIRE_ADDITIONAL_AUTHENTICATION".
  std::string recommended_decision;
  std::string recommendation_standard_version;
  std::optional<std::uint64_t> device_score;
  std::optional<std::uint64_t> account_score;
  std::optional<std::uint64_t> phone_number_score;
  std::vector<std::string> recommendation_reasons;
};

struct authorize_service_request {
  std::string request_id;
  std::vector<std::string> services;
  /// `cardInfo`'s FLE fields, still encrypted.
  fle_object card_info;
  std::string pan_unique_reference;
  std::string correlation_id;
  std::string token_requestor_id;
  std::string wallet_id;
  std::string payment_app_instance_id;
  std::string account_id_hash;
  std::string mobile_number_suffix;
  std::optional<std::uint64_t> active_token_count;
  std::optional<device_info> device;
  /// From `tokenRequestorDecisioningInfo`, else the older
  /// `walletProviderDecisioningInfo`.
  std::optional<decisioning_info> decisioning;
  token_type type = token_type::unspecified;
};

/// Parses the request body (at most max_body_bytes). Errors:
/// payload_too_large, invalid_json, missing_field (requestId, cardInfo and
/// its FLE fields), invalid_field (wrong type, too long, a non-digit
/// tokenRequestorId, non-hex accountIdHash ...).
[[nodiscard]] caf::expected<authorize_service_request>
parse_authorize_service_request(std::string_view body);

/// The same from an already parsed object.
[[nodiscard]] caf::expected<authorize_service_request>
parse_authorize_service_request(const boost::json::object& obj);

/// `decision`.
enum class decision : std::uint8_t { approved, declined, require_additional_authentication };
[[nodiscard]] std::string_view to_string(decision d) noexcept;

/// `activationMethods[].type`.
enum class activation_method_type : std::uint8_t {
  text_to_cardholder_number,
  email_to_cardholder_address,
  cardholder_to_call_automated_number,
  cardholder_to_call_manned_number,
  cardholder_to_visit_website,
  cardholder_to_use_mobile_app,
  issuer_to_call_cardholder_number,
};
[[nodiscard]] std::string_view to_string(activation_method_type t) noexcept;
/// The type named by its wire text (exact, upper case); nullopt when
/// unknown.
[[nodiscard]] std::optional<activation_method_type>
parse_activation_method_type(std::string_view s) noexcept;

struct activation_method {
  activation_method_type type = activation_method_type::text_to_cardholder_number;
  /// Shown to the cardholder: already masked by the caller (a phone number
  /// as engine::mask_phone gives it), never a full number or address.
  std::string value;
};

/// `cvcResponse`.
enum class cvc_response : std::uint8_t { match, invalid, not_processed };
[[nodiscard]] std::string_view to_string(cvc_response c) noexcept;

struct authorize_service_response {
  /// = the request's requestId.
  std::string response_id;
  decision result = decision::declined;
  std::vector<activation_method> activation_methods;
  std::string pan_sequence_number;
  std::string issuer_product_config_id;
  std::optional<cvc_response> cvc;
  /// e.g. ADDRESS_AND_POSTAL_MATCH, NO_DATA, AVS_NOT_SUPPORTED.
  std::string avs_response;
  std::vector<std::string> services;
  std::string token_requestor_id;
};

/// `{responseId, decision, activationMethods, panSequenceNumber,
/// issuerProductConfigId, cvcResponse, avsResponse, services,
/// tokenRequestorId}`, empty fields omitted.
[[nodiscard]] boost::json::object to_json(const authorize_service_response& r);

} // namespace dwt::networks::mdes
