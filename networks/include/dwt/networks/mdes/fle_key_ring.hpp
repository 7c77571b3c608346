#pragma once
/// @file
/// The issuer's MDES field-level encryption keys, found by fingerprint.
/// MDES names the key it encrypted to by `publicKeyFingerprint`: the hex
/// SHA-256 of the public key's DER SubjectPublicKeyInfo per the
/// documentation, SHA-1 in some flows, the certificate's fingerprint with
/// Mastercard's client libraries (public MDES issuer documentation). Each key is
/// therefore indexed under every variant; several keys may be held at once
/// (rotation: the old key stays until MDES no longer uses it).
///
/// Also `fle_recipient`: the public key dwt encrypts response payloads to
/// (MDES's), with the fingerprint it is named by.
///
/// Threading: build a ring once (add), then share it const between threads;
/// `find` and decryption only read it.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "dwt/networks/keys.hpp"

namespace dwt::networks::mdes {

/// Which fingerprint a key is named by.
enum class fingerprint_kind : std::uint8_t {
  /// SHA-256 of the DER SubjectPublicKeyInfo (the documented default).
  spki_sha256,
  /// SHA-1 of the DER SubjectPublicKeyInfo.
  spki_sha1,
  /// SHA-256 of the certificate's DER.
  certificate_sha256,
  /// SHA-1 of the certificate's DER.
  certificate_sha1,
};

/// Every fingerprint of a key, lower-case hex (the certificate ones empty
/// without a certificate).
struct key_fingerprints {
  std::string spki_sha256;
  std::string spki_sha1;
  std::string certificate_sha256;
  std::string certificate_sha1;
};

/// The fingerprints of `public_key` and, when not null, of `cert`.
[[nodiscard]] key_fingerprints fingerprints_of(const EVP_PKEY& public_key,
                                               const X509* cert = nullptr);

class fle_key_ring {
public:
  /// Most keys held at once (rotation needs two; a few spare).
  static constexpr std::size_t max_keys = 16;

  fle_key_ring() = default;
  fle_key_ring(fle_key_ring&&) noexcept = default;
  fle_key_ring& operator=(fle_key_ring&&) noexcept = default;
  fle_key_ring(const fle_key_ring&) = delete;
  fle_key_ring& operator=(const fle_key_ring&) = delete;

  /// Adds a private key, and optionally its certificate, under every
  /// fingerprint variant. Errors: unsupported_key (not RSA 2048-4096),
  /// key_load_failed (the certificate holds another key), key_ring_conflict
  /// (a fingerprint already present, or max_keys reached). On error the
  /// ring is unchanged.
  [[nodiscard]] caf::error add(pkey_ptr private_key, x509_ptr certificate = {});

  /// Loads a PEM private key file and an optional PEM certificate file
  /// (empty path: none) and adds them.
  [[nodiscard]] caf::error add_pem_files(const std::filesystem::path& private_key,
                                         const std::filesystem::path& certificate = {});

  /// The private key named by `fingerprint` (hex, either case, any
  /// variant), or nullptr.
  [[nodiscard]] const EVP_PKEY* find(std::string_view fingerprint) const;

  /// Number of keys (not fingerprints).
  [[nodiscard]] std::size_t size() const noexcept { return keys_.size(); }

  /// The fingerprints of the i-th key added.
  [[nodiscard]] const key_fingerprints& fingerprints(std::size_t i) const;

private:
  struct entry {
    pkey_ptr key;
    x509_ptr certificate;
    key_fingerprints fingerprints;
  };
  std::vector<entry> keys_;
  /// Lower-case hex fingerprint → index in keys_.
  std::unordered_map<std::string, std::size_t> index_;
};

/// A public key dwt encrypts to, and the fingerprint it names it by.
class fle_recipient {
public:
  /// From a public (or private) key; `kind` must be an SPKI kind.
  [[nodiscard]] static caf::expected<fle_recipient>
  from_public_key(pkey_ptr key, fingerprint_kind kind = fingerprint_kind::spki_sha256);

  /// From a certificate; `kind` may be any kind.
  [[nodiscard]] static caf::expected<fle_recipient>
  from_certificate(x509_ptr cert, fingerprint_kind kind = fingerprint_kind::spki_sha256);

  /// Loads a PEM public key file (SPKI fingerprints).
  [[nodiscard]] static caf::expected<fle_recipient>
  from_pem_file(const std::filesystem::path& public_key,
                fingerprint_kind kind = fingerprint_kind::spki_sha256);

  [[nodiscard]] const EVP_PKEY& key() const noexcept { return *key_; }
  [[nodiscard]] const std::string& fingerprint() const noexcept { return fingerprint_; }

private:
  fle_recipient(pkey_ptr key, std::string fingerprint)
      : key_(std::move(key)), fingerprint_(std::move(fingerprint)) {}
  pkey_ptr key_;
  std::string fingerprint_;
};

} // namespace dwt::networks::mdes
