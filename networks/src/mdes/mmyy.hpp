#pragma once
/// @file
/// MMYY expiry text, as MDES sends token expiries (internal).

#include <string_view>

namespace dwt::networks::detail {

/// True for four digits whose first two are a month 01-12.
[[nodiscard]] constexpr bool is_mmyy(std::string_view s) noexcept {
  if (s.size() != 4)
    return false;
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  const int month = (s[0] - '0') * 10 + (s[1] - '0');
  return month >= 1 && month <= 12;
}

static_assert(is_mmyy("0130") && is_mmyy("1299") && !is_mmyy("0030") && !is_mmyy("1330") &&
              !is_mmyy("013") && !is_mmyy("01a0"));

} // namespace dwt::networks::detail
