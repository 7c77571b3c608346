#pragma once
/// @file
/// The networks module's error codes: what can go wrong turning a card
/// network's wire message into values (parsing, field-level encryption, key
/// loading). Each value has a stable snake_case code (`to_code`) and is
/// registered with CAF as the error category `networks` (see
/// `caf_error.hpp`). The server maps them to each network's own error shape.
///
/// Values are stable: never renumber, only append.

#include <cstdint>
#include <string>
#include <string_view>

namespace dwt::networks {

enum class errc : std::uint8_t {
  ok = 0,
  /// A hex field has an odd length or a character that is not a hex digit.
  bad_hex = 1,
  /// A field or a whole payload exceeds its named size limit.
  payload_too_large = 2,
  /// A required field is absent.
  missing_field = 3,
  /// A field has the wrong JSON type, length or format.
  invalid_field = 4,
  /// The text is not JSON, or not a JSON object where one is required.
  invalid_json = 5,
  /// No key of the ring has the FLE object's `publicKeyFingerprint`.
  unknown_key_fingerprint = 6,
  /// `oaepHashingAlgorithm` names a hash other than SHA256 / SHA512.
  unsupported_oaep_hash = 7,
  /// The FLE initialisation vector is not 16 bytes.
  bad_iv = 8,
  /// The RSA unwrap of the one-time AES key failed (wrong key, tampered
  /// `encryptedKey`, wrong padding or OAEP hash) or gave no AES key size.
  unwrap_failed = 9,
  /// AES-CBC decryption failed: bad PKCS#7 padding (tampered data, wrong
  /// key) or a ciphertext that is not a whole number of blocks.
  decrypt_failed = 10,
  /// Encryption failed (an OpenSSL error; never expected with a good key).
  encrypt_failed = 11,
  /// A key or certificate could not be read or is not PEM of that kind.
  key_load_failed = 12,
  /// The key is not an RSA key of at least 2048 bits.
  unsupported_key = 13,
  /// The key ring already holds a key under one of the new key's
  /// fingerprints, or is full.
  key_ring_conflict = 14,
  /// `accountNumber` is not 12-19 digits or fails the Luhn check.
  invalid_account_number = 15,
  /// `expiryMonth` / `expiryYear` are malformed (not whether it is past:
  /// that is the engine's rule).
  invalid_expiry = 16,
  /// A URL to sign or verify is not an absolute http(s) URL, or has a
  /// character or a `%XX` escape that a URI may not.
  invalid_url = 17,
  /// Signing failed (an OpenSSL error; never expected with a good key).
  sign_failed = 18,
  /// An OAuth `Authorization` header is malformed, or misses or repeats a
  /// protocol parameter.
  invalid_authorization = 19,
  /// The OAuth signature method is not RSA-SHA256.
  unsupported_signature_method = 20,
  /// `oauth_body_hash` is not the SHA-256 of the body received.
  body_hash_mismatch = 21,
  /// The OAuth signature does not verify with the key over the request
  /// received (another key, or a changed method, URL or parameter).
  signature_mismatch = 22,
};

/// The stable snake_case code, e.g. "unknown_key_fingerprint".
[[nodiscard]] std::string_view to_code(errc e) noexcept;

/// A short English description of the error.
[[nodiscard]] std::string_view describe(errc e) noexcept;

/// CAF's `to_string` hook for the error category renderer.
[[nodiscard]] std::string to_string(errc e);

} // namespace dwt::networks
