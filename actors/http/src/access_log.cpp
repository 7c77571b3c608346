#include "dwt/http/access_log.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/json.hpp"
#include "dwt/engine/text.hpp"

namespace dwt::http {

namespace {

/// Appends `value` as a JSON string, escaped the way Boost.JSON's
/// serializer escapes (quote, backslash, the short escapes, \u00XX for the
/// other control characters), straight into `out`: no string per field.
void append_json_string(std::string& out, std::string_view value) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  // Copy runs of characters that need no escape in one append: the fields
  // are mostly plain (a character at a time was ~2 % of a push
  // provisioning's instructions under callgrind, bench/README.md).
  std::size_t plain_from = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(value.data() + plain_from, i - plain_from);
    plain_from = i + 1;
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  out.append(value.data() + plain_from, value.size() - plain_from);
  out += '"';
}

/// Appends `d` in milliseconds with three decimals (whole microseconds,
/// rounded half up): "1.500" for 1,500 µs. snprintf("%.3f") cost ~5,000
/// instructions per line under callgrind, over 1 % of a push provisioning.
void append_millis(std::string& out, std::chrono::nanoseconds d) {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(0, d.count()) + 500) / 1000;
  engine::text::append_decimal(out, us / 1000);
  const auto frac = static_cast<unsigned>(us % 1000);
  out += '.';
  out += static_cast<char>('0' + frac / 100);
  out += static_cast<char>('0' + frac / 10 % 10);
  out += static_cast<char>('0' + frac % 10);
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  out += '"';
  out += key;
  out += "\":";
  append_json_string(out, value);
  out += ',';
}

/// The most bytes one write may carry and still arrive whole when the fd
/// is a pipe that other writers share (POSIX PIPE_BUF, 4096 on Linux).
constexpr std::size_t atomic_write_bytes = PIPE_BUF;

/// The longest prefix of `rest` that ends on a line and fits one atomic
/// write; a single line longer than that is the whole prefix.
std::string_view next_write(std::string_view rest) {
  if (rest.size() <= atomic_write_bytes)
    return rest;
  if (auto end = rest.rfind('\n', atomic_write_bytes - 1); end != std::string_view::npos)
    return rest.substr(0, end + 1);
  const auto end = rest.find('\n');
  return end == std::string_view::npos ? rest : rest.substr(0, end + 1);
}

/// The state behind a buffered sink: the buffer, and the thread that
/// writes a batch once it is `flush_interval` old.
class buffered_writer {
public:
  buffered_writer(int fd, buffered_log_limits limits) : fd_(fd), limits_(limits) {
    DWT_ASSERT(limits_.max_buffer_bytes > 0 && limits_.flush_interval.count() > 0);
    buffer_.reserve(limits_.max_buffer_bytes + 256);
    flusher_ = std::thread{[this] { run(); }};
  }
  buffered_writer(const buffered_writer&) = delete;
  buffered_writer& operator=(const buffered_writer&) = delete;
  ~buffered_writer() {
    {
      std::lock_guard lock{mutex_};
      stopping_ = true;
    }
    wake_.notify_one();
    flusher_.join(); // it writes what is left before it returns
  }

  void append(std::string_view line) {
    std::lock_guard lock{mutex_};
    const bool was_empty = buffer_.empty();
    buffer_.append(line);
    buffer_.push_back('\n');
    if (buffer_.size() >= limits_.max_buffer_bytes)
      write_locked(); // full: no wait for the flusher
    else if (was_empty)
      wake_.notify_one(); // a new batch: the flusher starts its clock
  }

private:
  void run() {
    pthread_setname_np(pthread_self(), "dwt.access-log");
    std::unique_lock lock{mutex_};
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !buffer_.empty(); });
      // The batch may still grow (or be written by a full buffer) meanwhile.
      wake_.wait_for(lock, limits_.flush_interval, [this] { return stopping_; });
      write_locked();
      if (stopping_)
        return;
    }
  }

  /// Writes the buffer while holding the mutex, so batches keep their order.
  /// Each write ends on a line and stays within atomic_write_bytes: on a
  /// pipe (stderr under a supervisor) a diagnostic another thread writes to
  /// the same pipe then falls between lines, never inside one.
  void write_locked() {
    std::string_view rest{buffer_};
    while (!rest.empty()) {
      const auto chunk = next_write(rest);
      if (!write_all(chunk))
        break; // dropped: nowhere to report a failing log
      rest.remove_prefix(chunk.size());
    }
    buffer_.clear();
  }

  [[nodiscard]] bool write_all(std::string_view chunk) {
    std::size_t done = 0;
    while (done < chunk.size()) {
      const auto n = ::write(fd_, chunk.data() + done, chunk.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  const int fd_;
  const buffered_log_limits limits_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string buffer_;
  bool stopping_ = false;
  std::thread flusher_;
};

} // namespace

log_sink buffered_fd_log_sink(int fd, buffered_log_limits limits) {
  auto writer = std::make_shared<buffered_writer>(fd, limits);
  return [writer](std::string_view line) { writer->append(line); };
}

log_sink stderr_log_sink() {
  return buffered_fd_log_sink(STDERR_FILENO);
}

log_sink null_log_sink() {
  return [](std::string_view) {};
}

std::string format_access_entry(const access_entry& e) {
  std::string out;
  out.reserve(256); // a typical line: one allocation
  out += '{';
  append_field(
      out, "time",
      engine::json::format_rfc3339(std::chrono::floor<std::chrono::milliseconds>(e.time)).view());
  append_field(out, "requestId", e.request_id);
  append_field(out, "method", e.method);
  append_field(out, "route", e.route);
  append_field(out, "path", e.path);
  out += "\"status\":";
  engine::text::append_decimal(out, e.status);
  out += ",\"latencyMs\":";
  append_millis(out, e.latency);
  if (!e.auth_scheme.empty()) {
    out += ',';
    append_field(out, "auth", std::string{e.auth_scheme} + " [redacted]");
    out.pop_back();
  }
  out += '}';
  return out;
}

} // namespace dwt::http
