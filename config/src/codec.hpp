#pragma once
/// @file
/// Internal: decoding of key material and the SHA-256 digest of API keys.
/// Kept inside dwt::config so the loader does not depend on the engine's
/// compiled crypto (types only).

#include <optional>
#include <string>
#include <string_view>

namespace dwt::config::detail {

/// Lower/upper-case hex to bytes; nullopt on odd length or a bad digit.
[[nodiscard]] std::optional<std::string> decode_hex(std::string_view text);

/// RFC 4648 base64 (padding optional) to bytes; nullopt on a bad character.
[[nodiscard]] std::optional<std::string> decode_base64(std::string_view text);

/// SHA-256 digest, 32 raw bytes.
[[nodiscard]] std::string sha256(std::string_view data);

} // namespace dwt::config::detail
