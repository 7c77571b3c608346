#pragma once
/// @file
/// `http_server`: an HTTP/1.1 keep-alive server on its own Asio I/O threads,
/// modelled on Boost.Beast's advanced server. It knows nothing about the
/// application: each request becomes one call of a `handler` with a
/// `request_context` and a one-shot `responder`.
///
/// Limits (all from `config::http_settings`):
/// - header bytes (431), body bytes (413 `payload_too_large`);
/// - open connections: a connection beyond the bound gets 503 and is closed;
/// - idle timeout (no request on a keep-alive connection) and read timeout
///   (one request, first byte to last): the connection is dropped;
/// - write timeout per response;
/// - requests in flight across the server: beyond it 503 `overloaded` with
///   `Retry-After: 1`, answered at once (never queued).
/// Per connection one request at a time: the next request is not read until
/// the response is written (backpressure).
///
/// With `server_options::tls` the listener speaks HTTPS only (TLS 1.2+,
/// handshake bounded by the read timeout); a plain-HTTP client fails the
/// handshake and is closed. With `tls.client_ca_file` it also asks each
/// client for a certificate and verifies it (mutual TLS): a verified one
/// reaches the handler as `request_context::client_certificate`, one that
/// does not verify fails the handshake, none is allowed (routes decide).
///
/// Threading: the handler runs on an I/O thread (the connection's strand)
/// and must never block; hand the work elsewhere and complete the responder
/// from any thread. `start`, `stop` and the destructor are called from a
/// thread that is not one of the server's I/O threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "dwt/config/settings.hpp"
#include "dwt/http/access_log.hpp"
#include "dwt/http/metrics.hpp"
#include "dwt/http/request_context.hpp"
#include "dwt/http/responder.hpp"

namespace dwt::http {

/// The application: called once per request on an I/O thread; must not block.
using handler = std::function<void(request_context, responder)>;

/// Names the route pattern (e.g. "/v1/cards/{cardId}") that `method` and
/// the decoded-or-raw `path` would be dispatched to, or "" when none.
using route_namer = std::function<std::string(std::string_view method, std::string_view path)>;

struct server_options {
  std::string host = "127.0.0.1";
  /// 0 = ephemeral (see `http_server::port()`).
  std::uint16_t port = 0;
  config::http_settings limits;
  /// Where the server records its metrics; a private registry when null.
  std::shared_ptr<metrics_registry> metrics;
  /// Access log sink; stderr when empty.
  log_sink access_log;
  /// HTTPS when `tls.enabled()`: the PEM certificate chain and key (and
  /// the client CAs of `tls.client_ca_file`) are read by `start()` (an
  /// unreadable or mismatched file is its error); TLS 1.2 is the minimum
  /// version. Plain HTTP otherwise.
  config::tls_settings tls;
  /// Names the route of a request the server answers itself before the
  /// application sees it (413, 431, 400 for bad framing) once its request
  /// line was read, so the metrics and the access log count it under its
  /// route; such answers count as route "unmatched" when empty or when it
  /// returns "".
  route_namer route_of;

  [[nodiscard]] static server_options from(const config::listen_settings& listen,
                                           const config::http_settings& limits) {
    server_options o;
    o.host = listen.host;
    o.port = listen.port;
    o.limits = limits;
    o.tls = listen.tls;
    return o;
  }
};

namespace detail {
class server_core;
} // namespace detail

class http_server {
public:
  http_server(server_options options, handler app);
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;
  /// Calls `stop()`.
  ~http_server();

  /// Loads the TLS certificate and key (when configured), binds, listens
  /// and starts the I/O threads. Returns the error (e.g. a missing or
  /// invalid certificate file, address in use, bad host) without starting;
  /// call at most once.
  [[nodiscard]] std::error_code start();

  /// The bound port (useful with port 0); 0 before a successful `start`.
  [[nodiscard]] std::uint16_t port() const noexcept;

  /// Graceful stop: stops accepting, closes idle connections, lets requests
  /// in flight finish (at most `limits.shutdown_grace`), then closes
  /// everything and joins the I/O threads. Idempotent.
  void stop();

  [[nodiscard]] metrics_registry& metrics() noexcept;
  [[nodiscard]] std::size_t connections_open() const noexcept;
  [[nodiscard]] std::size_t requests_in_flight() const noexcept;

private:
  std::unique_ptr<detail::server_core> core_;
};

} // namespace dwt::http
