#pragma once
/// @file
/// Cryptographic primitives on OpenSSL (EVP/HMAC): keyed hashes, constant
/// time comparison, AES-256-GCM sealing, base64 and hex.
///
/// Threading: every function is reentrant and thread-safe.
/// Errors: functions that can fail return `std::optional` / `bool`; they
/// never throw and never log key or plaintext material.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "dwt/engine/random.hpp"

namespace dwt::engine::crypto {

/// Length in bytes of an AES-256 key, a GCM nonce and a GCM tag.
inline constexpr std::size_t aes256_key_size = 32;
inline constexpr std::size_t gcm_nonce_size = 12;
inline constexpr std::size_t gcm_tag_size = 16;

/// HMAC-SHA256(key, data): 32 raw bytes.
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);

/// SHA-256(data): 32 raw bytes.
[[nodiscard]] std::string sha256(std::string_view data);

/// Compares two byte strings in time that depends only on their lengths.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// AES-256-GCM seal. `key` must be 32 bytes (else nullopt). The nonce is
/// drawn from `rng`. Output: nonce(12) | ciphertext | tag(16).
[[nodiscard]] std::optional<std::string> aes256_gcm_seal(std::string_view key,
                                                         std::string_view plaintext,
                                                         std::string_view associated_data,
                                                         random_source& rng);

/// AES-256-GCM seal with an explicit nonce (for known-answer tests).
[[nodiscard]] std::optional<std::string>
aes256_gcm_seal_with_nonce(std::string_view key, std::string_view nonce, std::string_view plaintext,
                           std::string_view associated_data);

/// Opens what `aes256_gcm_seal` produced; nullopt if the key is wrong, the
/// data was tampered with or is truncated.
[[nodiscard]] std::optional<std::string>
aes256_gcm_open(std::string_view key, std::string_view sealed, std::string_view associated_data);

/// Standard base64 (RFC 4648, with padding).
[[nodiscard]] std::string base64_encode(std::string_view bytes);
/// nullopt on invalid input.
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

/// Lower-case hex.
[[nodiscard]] std::string hex_encode(std::string_view bytes);
/// nullopt on odd length or a non-hex digit.
[[nodiscard]] std::optional<std::string> hex_decode(std::string_view text);

} // namespace dwt::engine::crypto
