#pragma once
/// @file
/// Loading RSA keys and X.509 certificates from PEM (text or files) into
/// owning OpenSSL handles, and the fingerprints networks name keys by.
///
/// Threading: pure functions; a loaded key is immutable and may be shared
/// (const) between threads.
/// Errors: `caf::expected` in the `networks` category: key_load_failed
/// (unreadable, not PEM of that kind, encrypted private key),
/// payload_too_large (file beyond max_pem_bytes), unsupported_key (not RSA,
/// or outside min_rsa_bits..max_rsa_bits).

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <caf/expected.hpp>
#include <openssl/types.h>

namespace dwt::networks {

/// Largest PEM text read (a key or a certificate with a short chain).
inline constexpr std::size_t max_pem_bytes = 64 * 1024;
/// RSA modulus sizes accepted: below 2048 is too weak; the upper bound
/// bounds every wrapped key (`encryptedKey`) we have to accept.
inline constexpr int min_rsa_bits = 2048;
inline constexpr int max_rsa_bits = 4096;

struct pkey_deleter {
  void operator()(EVP_PKEY* p) const noexcept;
};
struct x509_deleter {
  void operator()(X509* p) const noexcept;
};
/// An owned key (private or public only).
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;
/// An owned certificate.
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

/// An unencrypted PEM private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA
/// PRIVATE KEY"); RSA, min_rsa_bits..max_rsa_bits. Never prompts for a
/// passphrase: an encrypted key is key_load_failed.
[[nodiscard]] caf::expected<pkey_ptr> private_key_from_pem(std::string_view pem);

/// A PEM "PUBLIC KEY" (SubjectPublicKeyInfo); RSA, same sizes.
[[nodiscard]] caf::expected<pkey_ptr> public_key_from_pem(std::string_view pem);

/// The first PEM "CERTIFICATE"; its key must be RSA of the sizes above.
[[nodiscard]] caf::expected<x509_ptr> certificate_from_pem(std::string_view pem);

/// The file's text, at most max_pem_bytes (payload_too_large beyond).
[[nodiscard]] caf::expected<std::string> read_pem_file(const std::filesystem::path& path);

/// The same loaders reading a file.
[[nodiscard]] caf::expected<pkey_ptr> load_private_key(const std::filesystem::path& path);
[[nodiscard]] caf::expected<pkey_ptr> load_public_key(const std::filesystem::path& path);
[[nodiscard]] caf::expected<x509_ptr> load_certificate(const std::filesystem::path& path);

/// A new handle on the public half of `key` (a private key or a public one).
[[nodiscard]] pkey_ptr public_half(const EVP_PKEY& key);

/// A new handle on `cert`'s public key.
[[nodiscard]] pkey_ptr certificate_key(const X509& cert);

/// The DER SubjectPublicKeyInfo of `key`'s public half.
[[nodiscard]] std::string spki_der(const EVP_PKEY& key);

/// The DER encoding of `cert`.
[[nodiscard]] std::string certificate_der(const X509& cert);

/// Lower-case hex SHA-256 / SHA-1 of `bytes` (fingerprints).
[[nodiscard]] std::string sha256_hex(std::string_view bytes);
[[nodiscard]] std::string sha1_hex(std::string_view bytes);

/// True if `a` and `b` hold the same public key.
[[nodiscard]] bool same_public_key(const EVP_PKEY& a, const EVP_PKEY& b) noexcept;

} // namespace dwt::networks
