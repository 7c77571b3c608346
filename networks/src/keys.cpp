#include "dwt/networks/keys.hpp"

#include <fstream>
#include <string>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/crypto.hpp"
#include "dwt/networks/caf_error.hpp"

namespace dwt::networks {

void pkey_deleter::operator()(EVP_PKEY* p) const noexcept {
  EVP_PKEY_free(p);
}

void x509_deleter::operator()(X509* p) const noexcept {
  X509_free(p);
}

namespace {

struct bio_deleter {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

/// A passphrase callback that refuses: OpenSSL's default would prompt on
/// the terminal for an encrypted key.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

caf::expected<bio_ptr> memory_bio(std::string_view pem) {
  if (pem.size() > max_pem_bytes)
    return make_error(errc::payload_too_large, "PEM text larger than max_pem_bytes");
  bio_ptr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  DWT_ASSERT(bio != nullptr);
  return bio;
}

caf::error check_rsa(const EVP_PKEY& key) {
  if (EVP_PKEY_is_a(&key, "RSA") != 1)
    return make_error(errc::unsupported_key, "not an RSA key");
  const int bits = EVP_PKEY_get_bits(&key);
  if (bits < min_rsa_bits || bits > max_rsa_bits)
    return make_error(errc::unsupported_key,
                      "RSA key of " + std::to_string(bits) + " bits (2048-4096 accepted)");
  return {};
}

caf::expected<pkey_ptr> checked(pkey_ptr key, const char* what) {
  if (!key) {
    ERR_clear_error();
    return make_error(errc::key_load_failed, std::string{"not a PEM "} + what);
  }
  if (auto err = check_rsa(*key))
    return err;
  return key;
}

std::string digest_hex(std::string_view bytes, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const int ok = EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr);
  DWT_ASSERT(ok == 1);
  return engine::crypto::hex_encode({reinterpret_cast<const char*>(out), len});
}

} // namespace

caf::expected<pkey_ptr> private_key_from_pem(std::string_view pem) {
  auto bio = memory_bio(pem);
  if (!bio)
    return std::move(bio.error());
  return checked(pkey_ptr{PEM_read_bio_PrivateKey(bio->get(), nullptr, no_passphrase, nullptr)},
                 "private key");
}

caf::expected<pkey_ptr> public_key_from_pem(std::string_view pem) {
  auto bio = memory_bio(pem);
  if (!bio)
    return std::move(bio.error());
  return checked(pkey_ptr{PEM_read_bio_PUBKEY(bio->get(), nullptr, no_passphrase, nullptr)},
                 "public key");
}

caf::expected<x509_ptr> certificate_from_pem(std::string_view pem) {
  auto bio = memory_bio(pem);
  if (!bio)
    return std::move(bio.error());
  x509_ptr cert{PEM_read_bio_X509(bio->get(), nullptr, no_passphrase, nullptr)};
  if (!cert) {
    ERR_clear_error();
    return make_error(errc::key_load_failed, "not a PEM certificate");
  }
  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (key == nullptr) {
    ERR_clear_error();
    return make_error(errc::unsupported_key, "the certificate's key cannot be read");
  }
  if (auto err = check_rsa(*key))
    return err;
  return cert;
}

caf::expected<std::string> read_pem_file(const std::filesystem::path& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return make_error(errc::key_load_failed, "cannot open " + path.string());
  std::string text(max_pem_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad())
    return make_error(errc::key_load_failed, "cannot read " + path.string());
  const auto n = static_cast<std::size_t>(in.gcount());
  if (n > max_pem_bytes)
    return make_error(errc::payload_too_large, path.string() + " is larger than max_pem_bytes");
  text.resize(n);
  return text;
}

namespace {

template <class Parse>
auto load(const std::filesystem::path& path, Parse parse) -> decltype(parse(std::string_view{})) {
  auto text = read_pem_file(path);
  if (!text)
    return std::move(text.error());
  auto out = parse(*text);
  // A private key's PEM text is secret material.
  OPENSSL_cleanse(text->data(), text->size());
  if (!out)
    return make_error(static_cast<errc>(out.error().code()),
                      path.string() + ": " +
                          std::string{describe(static_cast<errc>(out.error().code()))});
  return out;
}

} // namespace

caf::expected<pkey_ptr> load_private_key(const std::filesystem::path& path) {
  return load(path, private_key_from_pem);
}

caf::expected<pkey_ptr> load_public_key(const std::filesystem::path& path) {
  return load(path, public_key_from_pem);
}

caf::expected<x509_ptr> load_certificate(const std::filesystem::path& path) {
  return load(path, certificate_from_pem);
}

std::string spki_der(const EVP_PKEY& key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(&key, &der);
  DWT_ASSERT(len > 0 && der != nullptr);
  std::string out{reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)};
  OPENSSL_free(der);
  return out;
}

pkey_ptr public_half(const EVP_PKEY& key) {
  // Round trip through the DER SubjectPublicKeyInfo: the public half only.
  const std::string der = spki_der(key);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  pkey_ptr out{d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()))};
  DWT_ASSERT(out != nullptr);
  return out;
}

pkey_ptr certificate_key(const X509& cert) {
  EVP_PKEY* key = X509_get_pubkey(const_cast<X509*>(&cert));
  DWT_ASSERT(key != nullptr);
  return pkey_ptr{key};
}

std::string certificate_der(const X509& cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(&cert, &der);
  DWT_ASSERT(len > 0 && der != nullptr);
  std::string out{reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)};
  OPENSSL_free(der);
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  return digest_hex(bytes, EVP_sha256());
}

std::string sha1_hex(std::string_view bytes) {
  return digest_hex(bytes, EVP_sha1());
}

bool same_public_key(const EVP_PKEY& a, const EVP_PKEY& b) noexcept {
  return EVP_PKEY_eq(&a, &b) == 1;
}

} // namespace dwt::networks
