#pragma once
/// @file
/// MDES field-level encryption (FLE) (public MDES issuer documentation): an object
/// `{publicKeyFingerprint, encryptedKey, oaepHashingAlgorithm, iv,
/// encryptedData}`, all hex. A one-time AES key wraps with RSA-OAEP (SHA256
/// or SHA512 named by `oaepHashingAlgorithm`, MGF1 with the same hash) or
/// PKCS#1 v1.5 when that field is absent; the data is AES-CBC (128/192/256
/// by the unwrapped key's length) with PKCS#7 padding and a 16-byte IV
/// (absent: zeros).
///
/// Everything on OpenSSL 3's EVP APIs. Sizes are checked against the named
/// limits below before any decoding or allocation. One-time keys and
/// plaintext live in `secret_bytes` (wiped after use); nothing here logs.
///
/// AES-CBC has no integrity: a tampered IV or data block may decrypt to
/// other plaintext without error (only the last block's padding is
/// checked). The caller's parse of the plaintext is the next check; the
/// transport (mutual TLS) is what authenticates the sender.
///
/// Padding oracles: unwrap_failed and decrypt_failed are distinct here for
/// diagnosis, but a server must answer both with the same wire error
/// (`is_decryption_failure`), or the difference is a Bleichenbacher oracle
/// on PKCS#1 v1.5. For the same reason a failed unwrap still runs the AES
/// step with a dummy key, so both failures cost about the same time.
///
/// Threading: pure functions over a const key ring; safe from any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "dwt/engine/random.hpp"
#include "dwt/networks/errc.hpp"
#include "dwt/networks/mdes/fle_key_ring.hpp"
#include "dwt/networks/secret.hpp"

namespace dwt::networks::mdes {

/// Named bounds, checked on the hex text before anything is decoded.
namespace fle_limits {
/// Largest plaintext (card data is far below; a tokenization
/// `encryptedPayload` too).
inline constexpr std::size_t max_plaintext_bytes = 16 * 1024;
/// Largest `encryptedData`: the plaintext plus a full padding block, hex.
inline constexpr std::size_t max_encrypted_data_hex = 2 * (max_plaintext_bytes + 16);
/// Largest `encryptedKey`: one RSA-4096 block, hex.
inline constexpr std::size_t max_encrypted_key_hex = 2 * (max_rsa_bits / 8);
/// Longest `publicKeyFingerprint` (SHA-256 hex; SHA-1 is 40).
inline constexpr std::size_t max_fingerprint_hex = 64;
/// The IV: 16 bytes, 32 hex digits.
inline constexpr std::size_t iv_bytes = 16;
/// Longest `oaepHashingAlgorithm` text `decrypt` looks at.
inline constexpr std::size_t max_oaep_name = 16;
/// Longest `iv` / `oaepHashingAlgorithm` text read from JSON at all
/// (beyond it payload_too_large; shorter wrong values are judged by
/// `decrypt`: bad_iv, unsupported_oaep_hash).
inline constexpr std::size_t max_short_field = 64;
} // namespace fle_limits

/// How the one-time AES key is wrapped.
enum class key_wrap : std::uint8_t {
  /// RSAES-PKCS1-v1_5 (`oaepHashingAlgorithm` absent).
  pkcs1_v15,
  /// RSA-OAEP with SHA-256 and MGF1-SHA-256.
  oaep_sha256,
  /// RSA-OAEP with SHA-512 and MGF1-SHA-512.
  oaep_sha512,
};

/// `oaepHashingAlgorithm` → key_wrap: nullopt (absent) → pkcs1_v15;
/// "SHA256" / "SHA-256" / "SHA512" / "SHA-512" in either case; anything
/// else (also an empty string) is unsupported_oaep_hash.
[[nodiscard]] caf::expected<key_wrap> parse_oaep_hash(std::optional<std::string_view> name);

/// The `oaepHashingAlgorithm` written for `w`: "SHA256", "SHA512", or
/// nullopt (the field is omitted) for PKCS#1 v1.5.
[[nodiscard]] std::optional<std::string_view> oaep_hash_name(key_wrap w) noexcept;

/// The FLE object as on the wire (hex strings, not yet decoded).
struct fle_object {
  std::string public_key_fingerprint;
  std::string encrypted_key;
  std::optional<std::string> oaep_hashing_algorithm;
  std::optional<std::string> iv;
  std::string encrypted_data;
};

/// Decrypts `in` with the ring's key named by its fingerprint. Errors:
/// payload_too_large, missing_field (empty encryptedKey / encryptedData /
/// publicKeyFingerprint), bad_hex, bad_iv, unsupported_oaep_hash,
/// unknown_key_fingerprint, unwrap_failed, decrypt_failed.
[[nodiscard]] caf::expected<secret_bytes> decrypt(const fle_object& in, const fle_key_ring& ring);

/// Encrypts `plaintext` to `to`: a fresh AES-256 key and IV from `rng`
/// (production: engine::secure_random), the key wrapped per `wrap` (dwt's
/// own messages use OAEP; PKCS#1 v1.5 is for playing a network that sends
/// it). The OAEP seed comes from OpenSSL's RAND (it cannot be injected), so
/// the wrapped key differs on every call. Errors: payload_too_large
/// (plaintext beyond max_plaintext_bytes), encrypt_failed.
[[nodiscard]] caf::expected<fle_object> encrypt(std::string_view plaintext, const fle_recipient& to,
                                                key_wrap wrap, engine::random_source& rng);

/// True for the errors a server must not tell apart on the wire (see the
/// file comment): unwrap_failed and decrypt_failed.
[[nodiscard]] constexpr bool is_decryption_failure(errc e) noexcept {
  return e == errc::unwrap_failed || e == errc::decrypt_failed;
}

} // namespace dwt::networks::mdes
