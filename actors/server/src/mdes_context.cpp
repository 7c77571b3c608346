/// @file
/// `[networks.mdes]` → mdes_context (mdes_context.hpp).

#include "mdes_context.hpp"

#include <memory>

#include "dwt/networks/caf_error.hpp"
#include "validate.hpp"

namespace dwt::server {

namespace {

std::string why(const caf::error& err) {
  if (networks::is_networks_error(err))
    return std::string{networks::describe(networks::code_of(err))};
  return "cannot be loaded";
}

} // namespace

mdes_loaded load_mdes_context(const config::mdes_settings& s) {
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
  }
  if (!s.network_fle_public_key.empty()) {
    auto key = networks::mdes::fle_recipient::from_pem_file(s.network_fle_public_key);
    if (!key)
      return {nullptr, "networks.mdes.network_fle_public_key (" + s.network_fle_public_key +
                           "): " + why(key.error())};
    ctx->network_key = std::move(*key);
  }
  return {std::move(ctx), {}};
}

std::optional<engine::token_ref> token_ref_of_correlation(std::string_view id) {
  std::string ref = "mdes-c-";
  ref += id;
  if (id.empty() || !validate::token_ref_ok(ref))
    return std::nullopt;
  return engine::token_ref{std::move(ref)};
}

} // namespace dwt::server
