#pragma once
/// @file
/// What the MDES routes share: the issuer's FLE key ring, MDES's public key
/// for response payloads, the context root and the walletId mapping, all
/// built from `[networks.mdes]` when the server starts (key files are read
/// then, once).
///
/// Threading: built before the HTTP server starts, then only read (the key
/// ring is safe to share const; networks/README.md, "Threading").

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dwt/config/settings.hpp"
#include "dwt/networks/mdes/fle_key_ring.hpp"

namespace dwt::server {

struct mdes_context {
  std::string context_root = "/mdes";
  networks::mdes::fle_key_ring ring;
  /// MDES's key (response payloads are encrypted to it); none when not
  /// configured.
  std::optional<networks::mdes::fle_recipient> network_key;
  std::vector<std::pair<std::string, engine::wallet_provider>> wallet_ids;
  engine::wallet_provider default_wallet = engine::wallet_provider::google_pay;

  /// The wallet named by `wallet_id`, else the default.
  [[nodiscard]] engine::wallet_provider wallet_of(std::string_view wallet_id) const noexcept {
    for (const auto& [id, wallet] : wallet_ids)
      if (id == wallet_id)
        return wallet;
    return default_wallet;
  }
};

/// Loads the key files of `s` (enabled or not). With `production`, the
/// public development keys of config/dev/ (recognised by their SPKI SHA-256
/// fingerprints, whatever the file is called) are refused. The error names
/// the configuration key and file, never key material.
struct mdes_loaded {
  std::shared_ptr<const mdes_context> context;
  std::string error;
};
[[nodiscard]] mdes_loaded load_mdes_context(const config::mdes_settings& s,
                                            bool production = false);

/// The Customer Service API's signing key (`oauth_signing_key`), read as
/// PEM text and checked: an RSA private key that loads; with `production`,
/// not the development key of config/dev/. The error names the key and
/// file, never key material. Empty pem and no error when no
/// customer_service_url is set.
struct mdes_signing_key_loaded {
  std::string pem;
  std::string error;
};
[[nodiscard]] mdes_signing_key_loaded load_mdes_signing_key(const config::mdes_settings& s,
                                                            bool production = false);

/// True when `spki_sha256` (lower-case hex) is one of the committed
/// development keys of config/dev/.
[[nodiscard]] bool is_development_key(std::string_view spki_sha256) noexcept;

/// The token reference of the token an authorizeService with this
/// correlationId creates: `mdes-c-{correlationId}`. Later MDES messages
/// carry the correlationId and so find the token without an index, and a
/// repeated correlationId can never create a second token. nullopt when the
/// correlationId has a character a token reference may not hold.
[[nodiscard]] std::optional<engine::token_ref> token_ref_of_correlation(std::string_view id);

} // namespace dwt::server
