#pragma once
/// @file
/// The Luhn (mod 10) checksum of card numbers. Header-only so that targets
/// that do not link the engine's compiled library (the load tool) share it.
///
/// Threading: pure functions.

#include <string_view>

namespace dwt::engine::luhn {

/// Luhn sum of the decimal `digits`, doubling every second digit counted
/// from the right, starting with the rightmost one when `double_rightmost`
/// (that is how the check digit of a number without it is computed).
/// Precondition: every character is '0'..'9'.
[[nodiscard]] constexpr unsigned sum(std::string_view digits, bool double_rightmost) noexcept {
  unsigned total = 0;
  bool dbl = double_rightmost;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    auto d = static_cast<unsigned>(*it - '0');
    if (dbl) {
      d *= 2;
      if (d > 9)
        d -= 9;
    }
    total += d;
    dbl = !dbl;
  }
  return total;
}

/// The check digit that makes `partial` + digit Luhn-valid.
/// Precondition: every character of `partial` is '0'..'9'.
[[nodiscard]] constexpr char check_digit(std::string_view partial) noexcept {
  return static_cast<char>('0' + (10 - sum(partial, true) % 10) % 10);
}

} // namespace dwt::engine::luhn
