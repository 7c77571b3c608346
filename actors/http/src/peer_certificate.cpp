#include "peer_certificate.hpp"

#include <array>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace dwt::http::detail {

namespace {

struct peer_x509_free {
  void operator()(X509* x) const noexcept { X509_free(x); }
};
struct peer_bio_free {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};

/// RFC 2253 text of `name` ("CN=...,O=..."), UTF-8 kept as is; "" on error.
std::string subject_rfc2253(const X509_NAME* name) {
  std::unique_ptr<BIO, peer_bio_free> bio{BIO_new(BIO_s_mem())};
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
    return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string{data, static_cast<std::size_t>(n)} : std::string{};
}

std::string fingerprint_hex(const unsigned char* p, unsigned n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (unsigned i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 0xF];
  }
  return out;
}

} // namespace

std::shared_ptr<const peer_certificate> verified_peer(SSL* ssl) {
  if (ssl == nullptr)
    return nullptr;
  std::unique_ptr<X509, peer_x509_free> cert{SSL_get1_peer_certificate(ssl)};
  // With verify_peer a certificate that fails verification fails the
  // handshake; the result is checked again so that a context configured
  // otherwise can never pass an unverified certificate on.
  if (!cert || SSL_get_verify_result(ssl) != X509_V_OK)
    return nullptr;
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned md_len = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md.data(), &md_len) != 1)
    return nullptr;
  auto out = std::make_shared<peer_certificate>();
  out->subject = subject_rfc2253(X509_get_subject_name(cert.get()));
  out->sha256 = fingerprint_hex(md.data(), md_len);
  return out;
}

} // namespace dwt::http::detail
