#pragma once
/// @file
/// Internal: appending an unsigned integer's decimal digits to a string
/// without a temporary (the response writer and the access log, both on
/// every request).
///
/// Threading: pure.

#include <charconv>
#include <cstdint>
#include <iterator>
#include <string>

namespace dwt::http::detail {

inline void append_number(std::string& out, std::uint64_t n) {
  char digits[24];
  const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), n);
  (void)ec; // 24 digits hold any uint64_t
  out.append(digits, end);
}

} // namespace dwt::http::detail
