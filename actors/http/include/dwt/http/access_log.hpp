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
///
/// The default sink buffers: one `write` per line was one system call per
/// request on the HTTP thread (1 of its ~4 per request, measured with
/// `perf trace -s`, bench/README.md). Lines are written in batches, like
/// nginx's `access_log ... buffer= flush=`: when the buffer is full, and at
/// the latest `flush_interval` after the first line of a batch. The cost is
/// that a process killed with SIGKILL, or crashing, loses up to
/// `flush_interval` of access log lines; a stop through the server's own
/// shutdown writes them (the sink flushes when its last copy is destroyed).

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace dwt::http {

/// Receives one complete line (without the trailing newline).
using log_sink = std::function<void(std::string_view line)>;

/// Bounds of a buffered sink.
struct buffered_log_limits {
  /// A batch this large is written at once, by the thread that filled it.
  std::size_t max_buffer_bytes = 64 * 1024;
  /// The longest a line waits in the buffer before its batch is written.
  std::chrono::milliseconds flush_interval{100};
};

/// Writes lines to file descriptor `fd` in batches (see the file comment).
/// Owns one flusher thread, which sleeps while the buffer is empty; the
/// last copy of the sink flushes what is left and joins it. A failed
/// `write` (other than EINTR) drops that batch: there is nowhere to report
/// it. `fd` is not closed. Precondition (asserted): limits are positive.
[[nodiscard]] log_sink buffered_fd_log_sink(int fd, buffered_log_limits limits = {});

/// The default sink: `buffered_fd_log_sink(STDERR_FILENO)`.
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
