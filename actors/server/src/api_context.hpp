#pragma once
/// @file
/// What every route handler shares: the engine, the two key
/// authenticators, the metrics registry and the draining flag.
///
/// Threading: filled before the HTTP server starts, then only read (the
/// flag is atomic).

#include <atomic>
#include <memory>

#include "dwt/dwt.hpp"
#include "dwt/http/auth.hpp"
#include "dwt/http/metrics.hpp"

namespace dwt::server {

struct mdes_context;

struct api_context {
  /// The engine; outlives the HTTP server.
  engine_host* host = nullptr;
  /// Partner keys → partner id (reach /v1).
  http::api_key_authenticator partners;
  /// The network key → "network" (reaches /network/v1).
  http::api_key_authenticator network;
  /// The HTTP server's registry (rendered by /metrics).
  std::shared_ptr<http::metrics_registry> metrics;
  /// MDES issuer services (`[networks.mdes]`); null when disabled.
  std::shared_ptr<const mdes_context> mdes;
  /// `[listen.tls] client_ca_file` is set: the network routes (/network/v1
  /// and MDES) answer 403 `client_certificate_required` to a request whose
  /// connection presented no verified client certificate.
  bool network_needs_client_certificate = false;
  /// Set when shutdown begins: /readyz answers 503.
  std::atomic<bool> draining{false};
};

using api_ptr = std::shared_ptr<api_context>;

} // namespace dwt::server
