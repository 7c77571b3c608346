#include "dwt/http/access_log.hpp"

#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

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

} // namespace

log_sink stderr_log_sink() {
  auto mutex = std::make_shared<std::mutex>();
  return [mutex](std::string_view line) {
    // One write per line: stderr is unbuffered, so a separate newline was a
    // second system call per request.
    std::string out;
    out.reserve(line.size() + 1);
    out.append(line);
    out.push_back('\n');
    std::lock_guard lock{*mutex};
    std::fwrite(out.data(), 1, out.size(), stderr);
  };
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
