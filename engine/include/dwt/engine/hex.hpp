#pragma once
/// @file
/// Hex decoding. Header-only so that dwt::config (which uses the engine's
/// types but not its compiled library) shares it with engine::crypto.
///
/// Threading: pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace dwt::engine::hex {

/// The value of one hex digit (either case), or -1.
[[nodiscard]] constexpr int digit_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// Hex (either case) to bytes; nullopt on odd length or a non-hex digit.
[[nodiscard]] inline std::optional<std::string> decode(std::string_view text) {
  if (text.size() % 2 != 0)
    return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = digit_value(text[i]);
    const int lo = digit_value(text[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

} // namespace dwt::engine::hex
