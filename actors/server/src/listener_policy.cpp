/// @file
/// `DWT_ENV=production` rules for the listener (listener_policy.hpp).

#include "listener_policy.hpp"

#include <cstdio>
#include <memory>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dwt/networks/mdes/fle_key_ring.hpp"
#include "mdes_context.hpp"

namespace dwt::server {

namespace {

struct policy_file_close {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
struct policy_x509_free {
  void operator()(X509* x) const noexcept { X509_free(x); }
};

/// True when a certificate of the PEM file `path` holds a development key
/// of config/dev/ (an unreadable file: false, the listener reports it).
bool holds_development_key(const std::string& path) {
  std::unique_ptr<std::FILE, policy_file_close> f{std::fopen(path.c_str(), "rb")};
  if (!f)
    return false;
  // A bundle holds a handful of certificates; the bound keeps a wrong
  // file (e.g. a huge one of garbage) from being read without end.
  constexpr int max_certificates = 64;
  for (int i = 0; i < max_certificates; ++i) {
    std::unique_ptr<X509, policy_x509_free> cert{PEM_read_X509(f.get(), nullptr, nullptr, nullptr)};
    if (!cert)
      return false;
    const EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (key != nullptr &&
        is_development_key(networks::mdes::fingerprints_of(*key, cert.get()).spki_sha256))
      return true;
  }
  return false;
}

constexpr std::string_view tls_development_refused =
    ": a public development key (config/dev/) is refused when DWT_ENV=production";

} // namespace

bool network_routes_enabled(const config::settings& s) noexcept {
  return !s.network.api_key_sha256.empty() || s.networks.mdes.enabled;
}

std::string listener_refusal(const config::settings& s, bool production) {
  if (!production)
    return {};
  const auto& tls = s.listen.tls;
  if (network_routes_enabled(s) && !tls.mutual())
    return "listen.tls.client_ca_file: the network routes (/network/v1" +
           (s.networks.mdes.enabled ? ", " + s.networks.mdes.context_root : std::string{}) +
           ") require mutual TLS when DWT_ENV=production; configure [listen.tls] cert_file, "
           "key_file and client_ca_file (the CA of the network's client certificates)";
  if (!tls.enabled())
    return {};
  if (holds_development_key(tls.cert_file))
    return "listen.tls.cert_file (" + tls.cert_file + ")" + std::string{tls_development_refused};
  if (!tls.client_ca_file.empty() && holds_development_key(tls.client_ca_file))
    return "listen.tls.client_ca_file (" + tls.client_ca_file + ")" +
           std::string{tls_development_refused};
  return {};
}

} // namespace dwt::server
