#pragma once
/// @file
/// The simulator's blocking HTTP/1.1 client (Boost.Beast on a private
/// io_context): one keep-alive connection to one host and port, plain or
/// TLS (optionally with a client certificate), every operation bounded by a
/// timeout. Transport failures are values, never
/// exceptions.
///
/// Threading: one client per thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dwt::mdes_sim {

/// HTTPS (TLS 1.2+), the server verified against `ca_file` and the host
/// name; with `cert_file` and `key_file`, the client certificate for mutual
/// TLS (config/dev/ holds the development ones: tls-ca.pem,
/// tls-network-client.pem / .key.pem).
struct tls_options {
  std::filesystem::path ca_file;
  /// Empty: no client certificate.
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
};

/// Largest answer body read.
inline constexpr std::size_t max_response_bytes = 1 << 20;

/// One answer, or why there is none (`status` 0 and `error` set).
struct http_result {
  int status = 0;
  std::string body;
  std::string error;
  [[nodiscard]] bool answered() const noexcept { return status != 0; }
};

class http_client {
public:
  /// Plain HTTP, or HTTPS with `tls`.
  http_client(std::string host, std::uint16_t port,
              std::chrono::milliseconds timeout = std::chrono::seconds{10},
              std::optional<tls_options> tls = std::nullopt);
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;
  http_client(http_client&&) noexcept;
  http_client& operator=(http_client&&) noexcept;

  /// Sends `method target` with `body` (as application/json when not empty)
  /// and `headers`, reads the answer. Reconnects after an error or a
  /// `Connection: close`; never re-sends a request.
  [[nodiscard]] http_result
  send(std::string_view method, const std::string& target, const std::string& body,
       const std::vector<std::pair<std::string, std::string>>& headers = {});

  [[nodiscard]] const std::string& host() const noexcept;
  [[nodiscard]] std::uint16_t port() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace dwt::mdes_sim
