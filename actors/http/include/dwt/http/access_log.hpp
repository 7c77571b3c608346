#pragma once
/// @file
/// The access log: one JSON line per request. It carries the time, request
/// id, method, route pattern, path (without the query), status, latency and
/// the Authorization scheme only. It never carries a body, a query string or
/// a header value (bodies and queries may hold PANs, CVCs, OTPs; the
/// Authorization value is a secret).
///
/// Threading: a sink may be called from every I/O thread at once; the
/// provided sinks serialise their writes.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace dwt::http {

/// Receives one complete line (without the trailing newline).
using log_sink = std::function<void(std::string_view line)>;

/// Writes each line to stderr (the default sink).
[[nodiscard]] log_sink stderr_log_sink();

/// Discards every line.
[[nodiscard]] log_sink null_log_sink();

/// One access log record.
struct access_entry {
  std::chrono::system_clock::time_point time{};
  std::string_view request_id;
  std::string_view method;
  std::string_view route;
  std::string_view path;
  unsigned status = 0;
  std::chrono::nanoseconds latency{};
  /// The Authorization scheme ("Bearer"), "" when absent. Never the value.
  std::string_view auth_scheme;
};

/// `{"time":"2025-06-01T12:00:00.123Z","requestId":...,"method":...,
/// "route":...,"path":...,"status":200,"latencyMs":1.25,"auth":"Bearer [redacted]"}`
[[nodiscard]] std::string format_access_entry(const access_entry& e);

} // namespace dwt::http
