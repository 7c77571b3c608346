#pragma once
/// @file
/// API key authentication: `Authorization: Bearer <key>` → SHA-256 →
/// constant-time comparison against every configured digest (the clear key
/// is never stored). Failure answers 401 `unauthorized` with
/// `WWW-Authenticate: Bearer`.
///
/// Threading: register keys before serving; `authenticate` is const and
/// safe from every thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwt/http/request_context.hpp"
#include "dwt/http/response.hpp"

namespace dwt::http {

/// SHA-256 of `data`, 32 raw bytes.
[[nodiscard]] std::string sha256(std::string_view data);

/// Lower-case hex of `bytes`.
[[nodiscard]] std::string to_hex(std::string_view bytes);

class api_key_authenticator {
public:
  /// Registers a principal (e.g. a partner id or "network") by the SHA-256
  /// digest of its key (raw 32 bytes, as in `config::partner_settings`).
  void add(std::string principal, std::string key_sha256);

  /// The principal whose key the request presents, or nullopt. The time
  /// taken does not depend on which key (if any) matched.
  [[nodiscard]] std::optional<std::string> authenticate(const request_context& ctx) const;
  [[nodiscard]] std::optional<std::string>
  authenticate_header(std::optional<std::string_view> authorization) const;

private:
  std::vector<std::pair<std::string, std::string>> keys_;
};

/// 401 `unauthorized` with `WWW-Authenticate: Bearer`.
[[nodiscard]] response unauthorized(std::string_view detail = "A valid API key is required.");

} // namespace dwt::http
