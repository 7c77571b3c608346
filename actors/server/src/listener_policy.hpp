#pragma once
/// @file
/// What `DWT_ENV=production` demands of the listener before it starts:
/// the network routes (/network/v1 and `[networks.mdes] context_root`)
/// only behind mutual TLS, and none of the public development TLS keys of
/// config/dev/.
///
/// Threading: pure; reads the configured PEM files.

#include <string>

#include "dwt/config/settings.hpp"

namespace dwt::server {

/// True when a network route can be reached: the network API key is
/// configured or `[networks.mdes]` is enabled.
[[nodiscard]] bool network_routes_enabled(const config::settings& s) noexcept;

/// Why the listener of `s` may not start, naming the configuration key, or
/// "" when it may. Without `production` always "". In production:
/// network routes enabled without `[listen.tls] client_ca_file` are
/// refused, and so is a development key (recognised by its SPKI
/// fingerprint, whatever the file is called) in `cert_file` or
/// `client_ca_file`. A file that cannot be read is left to the listener's
/// own start, which reports it.
[[nodiscard]] std::string listener_refusal(const config::settings& s, bool production);

} // namespace dwt::server
