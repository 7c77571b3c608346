/// Signing a request (the `Authorization` header) and verifying one, with
/// RSASSA-PKCS1-v1_5 over SHA-256 (OpenSSL's EVP_DigestSign/Verify).

#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dwt/engine/crypto.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/keys.hpp"
#include "dwt/networks/oauth1.hpp"

namespace dwt::networks::oauth1 {

namespace {

struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;

bool usable_rsa(const EVP_PKEY& key) noexcept {
  const int bits = EVP_PKEY_get_bits(&key);
  return EVP_PKEY_is_a(&key, "RSA") == 1 && bits >= min_rsa_bits && bits <= max_rsa_bits;
}

caf::expected<std::string> rsa_sha256_sign(std::string_view message, const EVP_PKEY& key) {
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  // OpenSSL takes the key non-const but only reads it here.
  auto* pkey = const_cast<EVP_PKEY*>(&key);
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    return make_error(errc::sign_failed, "RSA-SHA256 signing failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    return make_error(errc::sign_failed, "RSA-SHA256 signing failed");
  sig.resize(len);
  return sig;
}

bool rsa_sha256_verify(std::string_view message, std::string_view sig, const EVP_PKEY& key) {
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  auto* pkey = const_cast<EVP_PKEY*>(&key);
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

bool printable(std::string_view s) noexcept {
  for (char c : s)
    if (c < 0x20 || c > 0x7e)
      return false;
  return true;
}

} // namespace

caf::expected<std::string> authorization_header(const request& req, const credentials& cred,
                                                const EVP_PKEY& signing_key) {
  if (cred.consumer_key.empty() || cred.consumer_key.size() > limits::max_consumer_key ||
      !printable(cred.consumer_key))
    return make_error(errc::invalid_field, "the consumer key must be 1-" +
                                               std::to_string(limits::max_consumer_key) +
                                               " printable characters");
  if (cred.nonce.empty() || cred.nonce.size() > limits::max_nonce || !printable(cred.nonce))
    return make_error(errc::invalid_field, "the nonce must be 1-" +
                                               std::to_string(limits::max_nonce) +
                                               " printable characters");
  if (req.body.size() > limits::max_body_bytes)
    return make_error(errc::invalid_field, "the body is larger than its limit");
  if (!usable_rsa(signing_key))
    return make_error(errc::unsupported_key, "the signing key is not RSA 2048-4096");
  // Already in name order: the header lists them so.
  std::vector<parameter> params = {
      {"oauth_body_hash", body_hash(req.body)},
      {"oauth_consumer_key", std::string{cred.consumer_key}},
      {"oauth_nonce", std::string{cred.nonce}},
      {"oauth_signature_method", std::string{signature_method}},
      {"oauth_timestamp", std::to_string(cred.timestamp)},
      {"oauth_version", "1.0"},
  };
  auto base = signature_base_string(req.method, req.url, params);
  if (!base)
    return std::move(base.error());
  auto sig = rsa_sha256_sign(*base, signing_key);
  if (!sig)
    return std::move(sig.error());
  params.insert(params.begin() + 3, {"oauth_signature", engine::crypto::base64_encode(*sig)});
  std::string out = "OAuth ";
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i > 0)
      out += ',';
    out += params[i].first;
    out += "=\"";
    out += percent_encode(params[i].second);
    out += '"';
  }
  return out;
}

caf::expected<authorization> verify(std::string_view header, const request& req,
                                    const EVP_PKEY& public_key) {
  auto auth = parse_authorization(header);
  if (!auth)
    return std::move(auth.error());
  if (auth->signature_method != signature_method)
    return make_error(errc::unsupported_signature_method,
                      "oauth_signature_method must be RSA-SHA256");
  if (req.body.size() > limits::max_body_bytes)
    return make_error(errc::invalid_field, "the body is larger than its limit");
  const auto expected_hash = body_hash(req.body);
  if (auth->body_hash.size() != expected_hash.size() ||
      CRYPTO_memcmp(auth->body_hash.data(), expected_hash.data(), expected_hash.size()) != 0)
    return make_error(errc::body_hash_mismatch, "oauth_body_hash does not match the body");
  auto base = signature_base_string(req.method, req.url, auth->params);
  if (!base)
    return std::move(base.error());
  const auto sig = engine::crypto::base64_decode(auth->signature);
  if (!sig)
    return make_error(errc::invalid_authorization, "oauth_signature is not base64");
  if (!usable_rsa(public_key))
    return make_error(errc::unsupported_key, "the verification key is not RSA 2048-4096");
  if (!rsa_sha256_verify(*base, *sig, public_key))
    return make_error(errc::signature_mismatch, "the signature does not verify");
  return auth;
}

} // namespace dwt::networks::oauth1
