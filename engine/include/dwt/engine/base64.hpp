#pragma once
/// @file
/// The standard base64 alphabet (RFC 4648 §4). Header-only, like hex.hpp,
/// so that dwt::config (which uses the engine's types but not its compiled
/// library) shares it with engine::crypto; each keeps its own decoding
/// policy (crypto: canonical, padded; config: padding optional).
///
/// Threading: pure functions.

#include <string_view>

namespace dwt::engine::base64 {

/// The 64 symbols in value order.
inline constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The value of one base64 symbol, or -1 (padding '=' included).
[[nodiscard]] constexpr int digit_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

static_assert(digit_value('A') == 0 && digit_value('/') == 63 && digit_value('=') == -1);

} // namespace dwt::engine::base64
