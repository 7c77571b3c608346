#pragma once
/// @file
/// An asynchronous HTTP/1.1 client (Boost.Beast on Asio) for outbound
/// calls: webhook deliveries and SMS gateways. HTTP and HTTPS; POST with
/// headers and a body; one total deadline per request; a bounded response
/// body; keep-alive connections reused per endpoint from a small bounded
/// pool.
///
/// TLS: OpenSSL through Beast's ssl_stream, peer verification always on,
/// SNI set, host name (or IP address) checked against the certificate;
/// trust anchors from `ca_file` if given, else the system default paths.
///
/// Threading: the client runs on an io_context it is given; the caller owns
/// the threads that run it (one or many). `post` may be called from any
/// thread. Each request runs on its own strand. `done` is called exactly
/// once, on an io_context thread, unless the io_context is stopped or
/// destroyed first; it must not block or throw.
///
/// Errors: never throws; every failure is reported in `http_result::error`
/// (status 0 when no response header arrived). Error strings never contain
/// header values or bodies (which may hold credentials or an OTP).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace dwt::outbound {

/// Named limits and defaults of the client.
inline constexpr std::chrono::milliseconds default_request_timeout{5000};
inline constexpr std::size_t default_max_response_body = 64 * 1024;
inline constexpr std::size_t max_response_header_size = 16 * 1024;
inline constexpr std::size_t max_request_body_size = 1024 * 1024;
inline constexpr std::size_t max_request_headers = 32;
inline constexpr std::size_t max_url_size = 2048;
inline constexpr std::size_t default_max_idle_per_endpoint = 4;
inline constexpr std::size_t default_max_pooled_endpoints = 256;
inline constexpr std::chrono::seconds default_idle_timeout{30};

struct http_client_options {
  /// Total time allowed for one request: resolve, connect, TLS handshake,
  /// write and read the whole response.
  std::chrono::milliseconds timeout = default_request_timeout;
  /// A response body beyond this many bytes is not read: the result keeps
  /// its status, `body_truncated` is set and the connection is closed.
  std::size_t max_response_body = default_max_response_body;
  /// Idle keep-alive connections kept per endpoint (scheme, host, port).
  std::size_t max_idle_per_endpoint = default_max_idle_per_endpoint;
  /// Endpoints with idle connections kept; beyond, new idle connections
  /// are closed instead of pooled.
  std::size_t max_pooled_endpoints = default_max_pooled_endpoints;
  /// An idle connection older than this is closed rather than reused.
  std::chrono::milliseconds idle_timeout = default_idle_timeout;
  /// PEM file of trusted CA certificates; empty = system default paths.
  std::string ca_file;
  /// The User-Agent header unless the request sets one.
  std::string user_agent = "dwt/0.1";
};

/// One outbound request. Only POST is needed by the callers.
struct http_request {
  /// `http://host[:port]/path?query` or `https://...`.
  std::string url;
  /// Extra header fields (at most `max_request_headers`; no CR/LF).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct http_result {
  /// HTTP status; 0 if no response header was received.
  unsigned status = 0;
  /// From the call to `post` until the result.
  std::chrono::milliseconds latency{0};
  /// Empty on a complete exchange; else a short description ("timeout",
  /// "connect: Connection refused", "tls handshake: certificate verify
  /// failed", ...).
  std::string error;
  /// The response body (at most `max_response_body` bytes).
  std::string body;
  /// The body exceeded `max_response_body` and was not read.
  bool body_truncated = false;
  /// The request went over a pooled keep-alive connection.
  bool reused_connection = false;

  [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

class http_client {
public:
  struct impl;

  /// The client, or an error if the TLS context cannot be set up (e.g. an
  /// unreadable `ca_file`).
  struct created {
    std::shared_ptr<http_client> client;
    std::string error;
  };
  [[nodiscard]] static created create(boost::asio::io_context& io, http_client_options options);

  /// Sends `request` as a POST; `done` receives the result.
  void post(http_request request, std::function<void(http_result)> done);

  /// Idle pooled connections right now (for tests and metrics).
  [[nodiscard]] std::size_t idle_connections() const;

  /// Closes every idle pooled connection.
  void close_idle();

  explicit http_client(std::shared_ptr<impl> state) : impl_(std::move(state)) {}

private:
  std::shared_ptr<impl> impl_;
};

} // namespace dwt::outbound
