/// @file
/// `[networks.mdes]` → mdes_context (mdes_context.hpp).

#include "mdes_context.hpp"

#include <memory>

#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/keys.hpp"
#include "validate.hpp"

namespace dwt::server {

namespace {

std::string why(const caf::error& err) {
  if (networks::is_networks_error(err))
    return std::string{networks::describe(networks::code_of(err))};
  return "cannot be loaded";
}

/// SPKI SHA-256 of config/dev/*.pub.pem (`openssl pkey -pubin -in F
/// -outform DER | sha256sum`): mdes-issuer-fle, mdes-network-fle,
/// mdes-oauth; then of the keys of config/dev/tls-*.pem (`openssl x509 -in
/// F -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum`):
/// tls-ca, tls-server, tls-network-client (listener_policy.cpp).
constexpr std::string_view development_keys[] = {
    "d28abf78e7ebafbcc2287dd6c30245550172d43ee96df73fc2c086665abe81ae",
    "cc6da8879c7203db8a42608e6572b0fdd128305f0b2bb1bfd4c26323fcfe4acb",
    "9f4ed93ff50cd81181ee16d676fae879e60c638ea5e7df0934a831e6d2718792",
    "48bb708b2b21832be8697d311597ec83dee13459861285c3793e24b8e686601f",
    "fe68657fbe68c439d239b4d3f77a2c8be4cdca35772c83e786daf0c02d0f12cd",
    "c4516cf3b3099577c94acf8d4a82f33de73b7d17792e9bc73e5cd43ea3c22e4e",
};

constexpr std::string_view development_refused =
    ": a public development key (config/dev/) is refused when DWT_ENV=production";

} // namespace

bool is_development_key(std::string_view spki_sha256) noexcept {
  for (auto k : development_keys)
    if (k == spki_sha256)
      return true;
  return false;
}

mdes_loaded load_mdes_context(const config::mdes_settings& s, bool production) {
  auto ctx = std::make_shared<mdes_context>();
  ctx->context_root = s.context_root;
  ctx->wallet_ids = s.wallet_ids;
  ctx->default_wallet = s.default_wallet;
  for (std::size_t i = 0; i < s.issuer_fle_keys.size(); ++i) {
    const auto& k = s.issuer_fle_keys[i];
    if (auto err = ctx->ring.add_pem_files(k.key_file, k.certificate_file))
      return {nullptr, "networks.mdes.issuer_fle_keys[" + std::to_string(i) + "] (" + k.key_file +
                           (k.certificate_file.empty() ? "" : ", " + k.certificate_file) +
                           "): " + why(err)};
    if (production && is_development_key(ctx->ring.fingerprints(ctx->ring.size() - 1).spki_sha256))
      return {nullptr, "networks.mdes.issuer_fle_keys[" + std::to_string(i) + "] (" + k.key_file +
                           ")" + std::string{development_refused}};
  }
  if (!s.network_fle_public_key.empty()) {
    auto key = networks::mdes::fle_recipient::from_pem_file(s.network_fle_public_key);
    if (!key)
      return {nullptr, "networks.mdes.network_fle_public_key (" + s.network_fle_public_key +
                           "): " + why(key.error())};
    if (production && is_development_key(networks::mdes::fingerprints_of(key->key()).spki_sha256))
      return {nullptr, "networks.mdes.network_fle_public_key (" + s.network_fle_public_key + ")" +
                           std::string{development_refused}};
    ctx->network_key = std::move(*key);
  }
  return {std::move(ctx), {}};
}

mdes_signing_key_loaded load_mdes_signing_key(const config::mdes_settings& s, bool production) {
  if (s.customer_service_url.empty())
    return {};
  const std::string where = "networks.mdes.oauth_signing_key (" + s.oauth_signing_key + ")";
  auto pem = networks::read_pem_file(s.oauth_signing_key);
  if (!pem)
    return {{}, where + ": " + why(pem.error())};
  auto key = networks::private_key_from_pem(*pem);
  if (!key)
    return {{}, where + ": " + why(key.error())};
  if (production && is_development_key(networks::mdes::fingerprints_of(**key).spki_sha256))
    return {{}, where + std::string{development_refused}};
  return {std::move(*pem), {}};
}

std::optional<engine::token_ref> token_ref_of_correlation(std::string_view id) {
  std::string ref = "mdes-c-";
  ref += id;
  if (id.empty() || !validate::token_ref_ok(ref))
    return std::nullopt;
  return engine::token_ref{std::move(ref)};
}

} // namespace dwt::server
