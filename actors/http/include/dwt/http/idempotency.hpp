#pragma once
/// @file
/// Idempotency helpers: validate the `Idempotency-Key` header and compute
/// the request fingerprint that detects a key reused with another request.
/// (Storing first responses is the application's job, durably, with the
/// change it acknowledges.)
///
/// Threading: pure functions.

#include <optional>
#include <string>
#include <string_view>

#include "dwt/http/checked.hpp"
#include "dwt/http/request_context.hpp"

namespace dwt::http {

/// Longest accepted `Idempotency-Key`.
inline constexpr std::size_t max_idempotency_key_length = 255;

/// The request's `Idempotency-Key`: nullopt when absent; 400
/// `invalid_idempotency_key` when empty, longer than 255 characters or not
/// visible ASCII (0x21-0x7E).
[[nodiscard]] checked<std::optional<std::string>> idempotency_key(const request_context& ctx);

/// Lower-case hex SHA-256 over the length-prefixed method, path and body.
[[nodiscard]] std::string request_fingerprint(std::string_view method, std::string_view path,
                                              std::string_view body);
/// The same over the context's method, path and body.
[[nodiscard]] std::string request_fingerprint(const request_context& ctx);

} // namespace dwt::http
