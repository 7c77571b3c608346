#pragma once
/// @file
/// Small text helpers that the HTTP server and the outbound HTTP client both
/// need on every request. Header-only, like hex.hpp, so that any module
/// linking the engine shares one copy.
///
/// Threading: pure functions.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace dwt::engine::text {

/// Appends the decimal digits of `n` to `out`, without a temporary string.
inline void append_decimal(std::string& out, std::uint64_t n) {
  char digits[24];
  const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), n);
  (void)ec; // 24 digits hold any uint64_t
  out.append(digits, end);
}

/// True if `s` holds a CR or an LF: such a value would end an HTTP header
/// field early (header injection).
///
/// A plain loop, not `find_first_of("\r\n")`: libstdc++ calls `memchr` over
/// the two-byte set once per character of `s` (~380 calls per push
/// provisioning's two deliveries under callgrind, bench/README.md).
[[nodiscard]] inline bool has_cr_or_lf(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; });
}

/// True if `name: value` can be written as one HTTP header field as is: no
/// CR or LF in either (header injection) and no ':' in the name. Refusing
/// an empty name is the caller's choice.
[[nodiscard]] inline bool is_safe_header_field(std::string_view name,
                                               std::string_view value) noexcept {
  return !has_cr_or_lf(name) && name.find(':') == std::string_view::npos && !has_cr_or_lf(value);
}

} // namespace dwt::engine::text
