#pragma once
/// @file
/// The issuer → MDES Customer Service API (public MDES issuer documentation): the
/// request bodies of `token/suspend`, `token/unsuspend`, `token/delete` and
/// `token/update` (PascalCase, wrapped in a root element), their URLs, and
/// the network's answers: the success shape
/// `{"Token<Op>Response":{"Token":{"TokenUniqueReference","CommentId"}}}`
/// and the error shape
/// `{"Errors":{"Error":[{"Source","ReasonCode","Description","Recoverable","Details"}]}}`,
/// which says whether to retry.
///
/// Calls are signed with `oauth1.hpp` over the exact rendered body. Answers
/// are read leniently (unknown fields ignored).
///
/// Threading: pure functions.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <caf/expected.hpp>

#include "dwt/networks/secret.hpp"

namespace dwt::networks::mdes {

/// Named bounds of what dwt sends and reads.
namespace customer_service_limits {
inline constexpr std::size_t max_base_url = 1024;
inline constexpr std::size_t max_token_unique_reference = 64;
inline constexpr std::size_t max_comment_text = 512;
inline constexpr std::size_t max_reason_code = 64;
inline constexpr std::size_t max_audit_field = 64;
inline constexpr std::size_t max_expiration_date = 7;
inline constexpr std::size_t max_account_pan_sequence_number = 3;
/// An answer body.
inline constexpr std::size_t max_response_bytes = 64 * 1024;
/// Tokens or errors in one answer.
inline constexpr std::size_t max_items = 64;
inline constexpr std::size_t max_response_text = 1024;
} // namespace customer_service_limits

/// The operations dwt calls.
/// `activate` (token/activate: the issuer completed the cardholder's
/// verification itself) takes the lifecycle body like suspend.
enum class cs_operation : std::uint8_t { suspend, unsuspend, delete_token, update, activate };

/// "/csapi/v2/token/suspend" etc.
[[nodiscard]] std::string_view path_of(cs_operation op) noexcept;
/// "TokenSuspendRequest" etc.
[[nodiscard]] std::string_view request_root(cs_operation op) noexcept;
/// "TokenSuspendResponse" etc.
[[nodiscard]] std::string_view response_root(cs_operation op) noexcept;

/// `{base}/csapi/v2/token/<op>?Format=JSON`; one trailing '/' of `base` is
/// dropped. Errors: invalid_url (not http(s)://…, a query or fragment in
/// the base, longer than max_base_url).
[[nodiscard]] caf::expected<std::string> cs_url(std::string_view base, cs_operation op);

/// `AuditInfo`: who at the issuer asked for the change.
struct audit_info {
  std::string user_id;
  std::string user_name;
  std::string organization;
  /// Optional.
  std::string phone;
};

/// The body of suspend, unsuspend and delete.
struct token_lifecycle_request {
  std::string token_unique_reference;
  /// Optional free text.
  std::string comment_text;
  /// e.g. "SUSPECTED_FRAUD", "CUSTOMER_REQUEST", "OTHER" (as the issuer's
  /// agreement with Mastercard names them): sent as given.
  std::string reason_code;
  audit_info audit;
};

/// `token/update`: the lifecycle fields plus the card's new data.
struct token_update_request {
  token_lifecycle_request base;
  /// The new PAN (12-19 digits, Luhn); optional when only the expiry
  /// changes. A secret: the rendered body is one too.
  secret_bytes new_account_pan;
  /// "MMYY" (optional).
  std::string expiration_date;
  /// Up to 3 digits (optional).
  std::string account_pan_sequence_number;
};

/// `{"<root>":{"TokenUniqueReference","CommentText","ReasonCode","AuditInfo":{…}}}`
/// with empty optional fields omitted, for suspend / unsuspend / delete /
/// activate
/// (`op` must not be update). Errors: missing_field (TokenUniqueReference,
/// ReasonCode, AuditInfo UserId / UserName / Organization), invalid_field
/// (beyond a limit, a control character).
[[nodiscard]] caf::expected<std::string> render_cs_request(cs_operation op,
                                                           const token_lifecycle_request& r);

/// The `TokenUpdateRequest` body, in a wiped buffer (it holds the PAN).
/// Errors: as above, plus invalid_account_number, invalid_expiry (not
/// MMYY), invalid_field (a sequence number that is not 1-3 digits), and
/// missing_field when neither a PAN nor an expiry is given.
[[nodiscard]] caf::expected<secret_bytes> render_cs_update_request(const token_update_request& r);

/// One token of a success answer.
struct cs_token_result {
  std::string token_unique_reference;
  std::string comment_id;
};

/// A success answer.
struct cs_response {
  std::vector<cs_token_result> tokens;
};

/// One entry of `Errors.Error`.
struct cs_error {
  std::string source;
  std::string reason_code;
  std::string description;
  /// `Recoverable` (a JSON boolean or "true"/"false"); false when absent.
  bool recoverable = false;
  std::string details;
};

/// The error answer.
struct cs_errors {
  std::vector<cs_error> errors;

  /// True when trying again later may succeed: there is at least one error
  /// and every one says Recoverable. Otherwise the command has failed for
  /// good (FAILED), unless the HTTP status itself says retry (5xx, 429),
  /// which is the caller's rule.
  [[nodiscard]] bool recoverable() const noexcept;
};

/// Parses a success answer for `op` (root `response_root(op)`, `Token` an
/// object or an array). Errors: payload_too_large, invalid_json,
/// missing_field (the root), invalid_field.
[[nodiscard]] caf::expected<cs_response> parse_cs_response(cs_operation op, std::string_view body);

/// Parses the error shape. `Error` may also be a single object. Errors:
/// payload_too_large, invalid_json, missing_field (Errors.Error),
/// invalid_field.
[[nodiscard]] caf::expected<cs_errors> parse_cs_errors(std::string_view body);

/// Either shape, chosen by the root (`Errors` → cs_errors).
[[nodiscard]] caf::expected<std::variant<cs_response, cs_errors>>
parse_cs_reply(cs_operation op, std::string_view body);

} // namespace dwt::networks::mdes
