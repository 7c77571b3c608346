#pragma once
/// @file
/// `server_app`: the dwt HTTP API as one object — an `engine_host` on the
/// configured data directory, an `http::http_server` on the configured
/// address, and the router that turns every request into one engine call.
/// `dwt-server` (main.cpp) is a thin shell around it; the integration tests
/// start it in-process.
///
/// Threading: `start`, `stop` and the destructor run on a thread that is
/// neither an HTTP I/O thread nor an actor-system worker. Everything else
/// is thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dwt/config/settings.hpp"
#include "dwt/dwt.hpp"
#include "dwt/http/access_log.hpp"

namespace dwt::server {

/// How to start, beyond the settings.
struct app_options {
  /// Access log sink; stderr when empty.
  http::log_sink access_log;
  /// Last word on the engine options before the engine starts (tests inject
  /// a clock or seeded randomness here).
  std::function<void(engine_options&)> tweak_engine;
  /// `DWT_ENV=production` (main.cpp reads it): the public development keys
  /// of config/dev/ are refused (the start fails naming the key), and so
  /// are network routes without mutual TLS (`[listen.tls] client_ca_file`).
  bool production = false;
};

class server_app {
public:
  struct state;

  /// What `start` gives: the running app, or (when `app` is null) why not.
  struct started {
    std::unique_ptr<server_app> app;
    std::string error;
  };

  /// Starts the engine, then the HTTP server. Nothing is left running on
  /// failure. Never throws.
  [[nodiscard]] static started start(const config::settings& settings, app_options options = {});

  /// Graceful stop: /readyz turns 503, the HTTP server stops accepting and
  /// drains requests in flight (bounded by `http.shutdown_grace_ms`), then
  /// the engine stops (flushing the checkpointer). Idempotent.
  void stop();
  ~server_app();

  server_app(const server_app&) = delete;
  server_app& operator=(const server_app&) = delete;

  /// The configured host and the bound port (the real one when the
  /// configured port is 0).
  [[nodiscard]] const std::string& host() const noexcept;
  [[nodiscard]] std::uint16_t port() const noexcept;
  /// `http://HOST:PORT` (`https://` with `[listen.tls]`; IPv6 hosts in brackets).
  [[nodiscard]] std::string base_url() const;

  /// The engine (valid until `stop`).
  [[nodiscard]] engine_host& engine() noexcept;

private:
  explicit server_app(std::unique_ptr<state> self);
  std::unique_ptr<state> self_;
};

} // namespace dwt::server
