#pragma once
/// @file
/// `request_context`: everything a handler learns about one request, as
/// plain values (no Beast types), built by the server on its I/O thread and
/// handed to the application by value.
///
/// Threading: a plain value; move it wherever the request is processed.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dwt::http {

/// The certificate a client presented over mutual TLS and the listener
/// verified against its `client_ca_file` (the handshake fails otherwise).
struct peer_certificate {
  /// The subject, RFC 2253 (e.g. "CN=dwt development network client").
  std::string subject;
  /// Lower-case hex SHA-256 of the certificate's DER encoding.
  std::string sha256;
};

/// Name/value pairs in order of appearance.
using field_list = std::vector<std::pair<std::string, std::string>>;

struct request_context {
  /// Upper-case method token, e.g. "GET", "POST".
  std::string method;
  /// The raw request target, e.g. "/v1/events?after=5".
  std::string target;
  /// The decoded path, e.g. "/v1/cards/c%201" -> "/v1/cards/c 1".
  std::string path;
  /// The decoded path segments ("/v1/cards/x" -> {"v1", "cards", "x"}).
  std::vector<std::string> segments;
  /// Decoded query parameters in order.
  field_list query;
  /// Every header field; names lower-cased.
  field_list headers;
  std::string body;
  /// Unique id of this request (also sent back as `X-Request-Id`).
  std::string request_id;
  /// When the request was fully read (wall clock, for records and logs).
  std::chrono::system_clock::time_point received_at{};
  /// The same instant on the monotonic clock (for latencies).
  std::chrono::steady_clock::time_point received_steady{};
  /// The matched route pattern, e.g. "/v1/cards/{cardId}"; set by the router.
  std::string route;
  /// Values captured by `{name}` segments of the route; set by the router.
  field_list path_params;
  /// The client's verified certificate (mutual TLS; one per connection,
  /// shared by its requests); null over plain HTTP, over TLS without
  /// `client_ca_file`, and when the client sent none.
  std::shared_ptr<const peer_certificate> client_certificate;

  /// First header named `name` (give it lower-case), if present.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const noexcept;
  /// First query parameter named `name`, if present.
  [[nodiscard]] std::optional<std::string_view> query_param(std::string_view name) const noexcept;
  /// The captured route parameter `name` (e.g. "cardId"); "" if none.
  [[nodiscard]] std::string_view param(std::string_view name) const noexcept;

  [[nodiscard]] std::optional<std::string_view> authorization() const noexcept {
    return header("authorization");
  }
  [[nodiscard]] std::optional<std::string_view> idempotency_key() const noexcept {
    return header("idempotency-key");
  }
  [[nodiscard]] std::optional<std::string_view> content_type() const noexcept {
    return header("content-type");
  }
};

} // namespace dwt::http
