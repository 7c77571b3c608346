#include "dwt/http/access_log.hpp"

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <climits>

#include <pthread.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "dwt/engine/assert.hpp"

namespace dwt::http {

namespace {

std::string rfc3339(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const auto n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                               tm.tm_min, tm.tm_sec, static_cast<int>(ms.count() % 1000));
  return std::string(buf, static_cast<std::size_t>(n > 0 ? n : 0));
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  out += '"';
  out += key;
  out += "\":";
  out += boost::json::serialize(boost::json::string_view{value.data(), value.size()});
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
  std::string out = "{";
  append_field(out, "time", rfc3339(e.time));
  append_field(out, "requestId", e.request_id);
  append_field(out, "method", e.method);
  append_field(out, "route", e.route);
  append_field(out, "path", e.path);
  out += "\"status\":";
  out += std::to_string(e.status);
  out += ",\"latencyMs\":";
  char buf[32];
  const double ms = std::chrono::duration<double, std::milli>(e.latency).count();
  const int n = std::snprintf(buf, sizeof buf, "%.3f", ms);
  out.append(buf, static_cast<std::size_t>(n > 0 ? n : 0));
  if (!e.auth_scheme.empty()) {
    out += ',';
    append_field(out, "auth", std::string{e.auth_scheme} + " [redacted]");
    out.pop_back();
  }
  out += '}';
  return out;
}

} // namespace dwt::http
