#include "dwt/networks/mdes/fle_key_ring.hpp"

#include <algorithm>
#include <cctype>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dwt/engine/assert.hpp"
#include "dwt/networks/caf_error.hpp"

namespace dwt::networks::mdes {

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// The non-empty fingerprints of `f`.
std::vector<const std::string*> all_of(const key_fingerprints& f) {
  std::vector<const std::string*> out;
  for (const auto* s : {&f.spki_sha256, &f.spki_sha1, &f.certificate_sha256, &f.certificate_sha1})
    if (!s->empty())
      out.push_back(s);
  return out;
}

caf::error check_key(const EVP_PKEY& key) {
  if (EVP_PKEY_is_a(&key, "RSA") != 1)
    return make_error(errc::unsupported_key, "not an RSA key");
  const int bits = EVP_PKEY_get_bits(&key);
  if (bits < min_rsa_bits || bits > max_rsa_bits)
    return make_error(errc::unsupported_key, "RSA key outside 2048-4096 bits");
  return {};
}

} // namespace

key_fingerprints fingerprints_of(const EVP_PKEY& public_key, const X509* cert) {
  key_fingerprints out;
  const std::string spki = spki_der(public_key);
  out.spki_sha256 = sha256_hex(spki);
  out.spki_sha1 = sha1_hex(spki);
  if (cert != nullptr) {
    const std::string der = certificate_der(*cert);
    out.certificate_sha256 = sha256_hex(der);
    out.certificate_sha1 = sha1_hex(der);
  }
  return out;
}

caf::error fle_key_ring::add(pkey_ptr private_key, x509_ptr certificate) {
  DWT_ASSERT(private_key != nullptr);
  if (auto err = check_key(*private_key))
    return err;
  // A public key would load, then fail every unwrap: refuse it here.
  BIGNUM* d = nullptr;
  const bool has_private = EVP_PKEY_get_bn_param(private_key.get(), OSSL_PKEY_PARAM_RSA_D, &d) == 1;
  BN_clear_free(d);
  if (!has_private) {
    ERR_clear_error();
    return make_error(errc::key_load_failed, "not a private key");
  }
  if (certificate) {
    const EVP_PKEY* cert_key = X509_get0_pubkey(certificate.get());
    if (cert_key == nullptr || !same_public_key(*cert_key, *private_key))
      return make_error(errc::key_load_failed, "the certificate holds another key");
  }
  if (keys_.size() >= max_keys)
    return make_error(errc::key_ring_conflict, "the key ring is full");
  auto prints = fingerprints_of(*private_key, certificate.get());
  for (const auto* f : all_of(prints))
    if (index_.count(*f) != 0)
      return make_error(errc::key_ring_conflict, "a key with this fingerprint is present: " + *f);
  const std::size_t i = keys_.size();
  for (const auto* f : all_of(prints))
    index_.emplace(*f, i);
  keys_.push_back(entry{std::move(private_key), std::move(certificate), std::move(prints)});
  return {};
}

caf::error fle_key_ring::add_pem_files(const std::filesystem::path& private_key,
                                       const std::filesystem::path& certificate) {
  auto key = load_private_key(private_key);
  if (!key)
    return std::move(key.error());
  x509_ptr cert;
  if (!certificate.empty()) {
    auto c = load_certificate(certificate);
    if (!c)
      return std::move(c.error());
    cert = std::move(*c);
  }
  return add(std::move(*key), std::move(cert));
}

const EVP_PKEY* fle_key_ring::find(std::string_view fingerprint) const {
  // Only plausible digests are looked up (SHA-1 or SHA-256 in hex).
  if (fingerprint.size() != 40 && fingerprint.size() != 64)
    return nullptr;
  auto it = index_.find(lower(fingerprint));
  return it == index_.end() ? nullptr : keys_[it->second].key.get();
}

const key_fingerprints& fle_key_ring::fingerprints(std::size_t i) const {
  DWT_ASSERT(i < keys_.size());
  return keys_[i].fingerprints;
}

caf::expected<fle_recipient> fle_recipient::from_public_key(pkey_ptr key, fingerprint_kind kind) {
  DWT_ASSERT(key != nullptr);
  if (auto err = check_key(*key))
    return err;
  auto pub = public_half(*key);
  auto prints = fingerprints_of(*pub);
  switch (kind) {
  case fingerprint_kind::spki_sha256:
    return fle_recipient{std::move(pub), std::move(prints.spki_sha256)};
  case fingerprint_kind::spki_sha1:
    return fle_recipient{std::move(pub), std::move(prints.spki_sha1)};
  case fingerprint_kind::certificate_sha256:
  case fingerprint_kind::certificate_sha1:
    break;
  }
  return make_error(errc::invalid_field, "a certificate fingerprint needs a certificate");
}

caf::expected<fle_recipient> fle_recipient::from_certificate(x509_ptr cert, fingerprint_kind kind) {
  DWT_ASSERT(cert != nullptr);
  auto key = certificate_key(*cert);
  if (auto err = check_key(*key))
    return err;
  auto prints = fingerprints_of(*key, cert.get());
  std::string chosen;
  switch (kind) {
  case fingerprint_kind::spki_sha256:
    chosen = std::move(prints.spki_sha256);
    break;
  case fingerprint_kind::spki_sha1:
    chosen = std::move(prints.spki_sha1);
    break;
  case fingerprint_kind::certificate_sha256:
    chosen = std::move(prints.certificate_sha256);
    break;
  case fingerprint_kind::certificate_sha1:
    chosen = std::move(prints.certificate_sha1);
    break;
  }
  return fle_recipient{std::move(key), std::move(chosen)};
}

caf::expected<fle_recipient> fle_recipient::from_pem_file(const std::filesystem::path& public_key,
                                                          fingerprint_kind kind) {
  auto key = load_public_key(public_key);
  if (!key)
    return std::move(key.error());
  return from_public_key(std::move(*key), kind);
}

} // namespace dwt::networks::mdes
