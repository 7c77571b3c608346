#pragma once
/// @file
/// Field readers for the API's enums and value rules, on top of
/// `http::field_reader` (400 `invalid_request` naming the field): wallet
/// provider, device, E.164 phone, e-mail, 6-digit code, token reference;
/// and the PAN rule (422 `invalid_pan`, as docs/openapi.yaml decides).
/// Error texts never echo values (they may be PANs, CVCs or OTPs).
///
/// Threading: pure helpers.

#include <optional>
#include <string>
#include <string_view>

#include "dwt/engine/types.hpp"
#include "dwt/http/body.hpp"

namespace dwt::server::validate {

/// Longest free-text field (names, reasons, ids).
inline constexpr std::size_t max_text = 256;

[[nodiscard]] std::optional<engine::wallet_provider> wallet(http::field_reader& f,
                                                            std::string_view name);
/// `{id, type, name?}` (DeviceInput).
[[nodiscard]] std::optional<engine::device_info> device(http::field_reader& f,
                                                        std::string_view name);
/// A non-empty string of at most `max_text` characters.
[[nodiscard]] std::optional<std::string> required_text(http::field_reader& f,
                                                       std::string_view name);
/// E.164: '+' then 8 to 15 digits, the first not 0.
[[nodiscard]] std::optional<std::string> phone(http::field_reader& f, std::string_view name,
                                               bool required);
/// A plausible e-mail address (one '@', no spaces, at most 254 chars).
[[nodiscard]] bool email_ok(std::string_view s) noexcept;
/// Exactly six digits.
[[nodiscard]] std::optional<std::string> otp_code(http::field_reader& f, std::string_view name);
/// A token unique reference: 1-64 of [A-Za-z0-9._~-].
[[nodiscard]] bool token_ref_ok(std::string_view s) noexcept;
/// 3 or 4 digits.
[[nodiscard]] bool cvc_ok(std::string_view s) noexcept;

/// PAN: 12-19 digits and Luhn-valid; nullopt when fine, else the 422
/// `invalid_pan` answer.
[[nodiscard]] std::optional<http::response> pan(std::string_view pan);

} // namespace dwt::server::validate
