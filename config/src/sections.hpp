#pragma once
/// @file
/// Internal: one reader per configuration section. Each fills its part of
/// `settings` and records problems in the reader's diagnostics.

#include "dwt/config/load.hpp"
#include "reader.hpp"

namespace dwt::config::detail {

void read_listen(table_reader& r, listen_settings& out);
void read_store(table_reader& r, store_settings& out);
void read_runtime(table_reader& r, runtime_settings& out);
void read_http(table_reader& r, http_settings& out);
void read_network(table_reader& r, network_settings& out, const load_options& options);
void read_partners(table_reader& root, std::vector<partner_settings>& out,
                   const load_options& options);
void read_card_products(table_reader& root, std::vector<engine::card_product>& out);
void read_keys(table_reader& r, key_settings& out, const load_options& options);
void read_otp(table_reader& r, otp_settings& out);
void read_verification(table_reader& r, verification_settings& out);
void read_velocity(table_reader& r, velocity_settings& out);
void read_sms(table_reader& r, sms_settings& out, const load_options& options);
void read_webhooks(table_reader& r, webhook_delivery_settings& out);
void read_networks(table_reader& r, networks_settings& out);

/// Decodes `whsec_<base64>`; nullopt if malformed.
[[nodiscard]] std::optional<std::string> decode_webhook_secret(std::string_view text);

/// Decodes `hex:<hex>` or `base64:<base64>`; nullopt if malformed.
[[nodiscard]] std::optional<std::string> decode_key_material(std::string_view text);

} // namespace dwt::config::detail
