#pragma once
/// @file
/// Internal: splitting an outbound URL into what the HTTP client needs.
///
/// Threading: pure.

#include <optional>
#include <string>
#include <string_view>

namespace dwt::outbound::detail {

struct parsed_url {
  bool tls = false;
  /// Host to resolve and to verify the certificate against (IPv6 without
  /// brackets).
  std::string host;
  std::string port;
  /// The Host header value (as written in the URL, with a port if given).
  std::string host_header;
  /// Origin-form request target: path (at least "/") plus "?query".
  std::string target;
  /// Connection pool key: scheme, host and port.
  std::string pool_key;
  /// The host is an IP literal (no SNI; IP address verification).
  bool host_is_ip = false;
};

/// nullopt unless `url` is an absolute http or https URL with a host and no
/// user info.
[[nodiscard]] std::optional<parsed_url> parse_url(std::string_view url);

} // namespace dwt::outbound::detail
