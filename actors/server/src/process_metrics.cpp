/// @file
/// Process figures from /proc/self (process_metrics.hpp).

#include "dwt/server/process_metrics.hpp"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <vector>

#include <sys/resource.h>

namespace dwt::server {

namespace {

/// Most bytes read from one /proc file (/proc/stat grows with the CPU
/// count; its `btime` line comes after the per-CPU lines).
constexpr std::size_t max_proc_file = 1 << 20;

std::optional<std::string> read_proc_file(const char* path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::string out;
  char buf[4096];
  while (out.size() < max_proc_file && in.read(buf, sizeof buf).gcount() > 0)
    out.append(buf, static_cast<std::size_t>(in.gcount()));
  return out;
}

std::optional<double> parse_unsigned(std::string_view s) {
  unsigned long long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size())
    return std::nullopt;
  return static_cast<double>(v);
}

std::string process_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

void process_family(std::string& out, std::string_view name, std::string_view type,
                    std::string_view help, double v) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(" ").append(process_number(v)).append("\n");
}

} // namespace

std::optional<process_figures> parse_proc_stat(std::string_view stat, double ticks,
                                               double page_size, double boot_time) {
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || ticks <= 0)
    return std::nullopt;
  // Fields from the third on (state, ppid, ...), split on spaces.
  std::vector<std::string_view> fields;
  auto rest = stat.substr(close + 1);
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos)
      break;
    rest.remove_prefix(start);
    const auto end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  // proc(5) numbers fields from 1; fields[0] is field 3 (state).
  auto field = [&](std::size_t n) -> std::optional<double> {
    if (n < 3 || n - 3 >= fields.size())
      return std::nullopt;
    return parse_unsigned(fields[n - 3]);
  };
  const auto utime = field(14);
  const auto stime = field(15);
  const auto start = field(22);
  const auto vsize = field(23);
  const auto rss = field(24);
  if (!utime || !stime || !start || !vsize || !rss)
    return std::nullopt;
  process_figures f;
  f.cpu_seconds = (*utime + *stime) / ticks;
  f.start_time_seconds = boot_time + *start / ticks;
  f.virtual_bytes = *vsize;
  f.resident_bytes = *rss * page_size;
  return f;
}

std::optional<double> parse_boot_time(std::string_view proc_stat) {
  constexpr std::string_view key = "btime ";
  std::size_t at = 0;
  while (at < proc_stat.size()) {
    const auto end = proc_stat.find('\n', at);
    const auto line =
        proc_stat.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (line.starts_with(key))
      return parse_unsigned(line.substr(key.size()));
    if (end == std::string_view::npos)
      break;
    at = end + 1;
  }
  return std::nullopt;
}

std::optional<process_figures> read_process_figures() {
  const auto stat = read_proc_file("/proc/self/stat");
  const auto system = read_proc_file("/proc/stat");
  if (!stat || !system)
    return std::nullopt;
  const auto boot = parse_boot_time(*system);
  if (!boot)
    return std::nullopt;
  auto f = parse_proc_stat(*stat, static_cast<double>(::sysconf(_SC_CLK_TCK)),
                           static_cast<double>(::sysconf(_SC_PAGESIZE)), *boot);
  if (!f)
    return std::nullopt;
  std::error_code ec;
  double fds = 0;
  for (std::filesystem::directory_iterator it{"/proc/self/fd", ec}, end; !ec && it != end;
       it.increment(ec))
    ++fds;
  f->open_fds = fds;
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0)
    f->max_fds = static_cast<double>(lim.rlim_cur);
  return f;
}

std::string render_process_metrics(const process_figures& f) {
  std::string out;
  out.reserve(1024);
  process_family(out, "process_cpu_seconds_total", "counter",
                 "Total user and system CPU time spent in seconds.", f.cpu_seconds);
  process_family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                 f.resident_bytes);
  process_family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
                 f.virtual_bytes);
  process_family(out, "process_start_time_seconds", "gauge",
                 "Start time of the process since unix epoch in seconds.", f.start_time_seconds);
  process_family(out, "process_open_fds", "gauge", "Number of open file descriptors.", f.open_fds);
  process_family(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
                 f.max_fds);
  return out;
}

} // namespace dwt::server
