#pragma once
/// @file
/// The standard Prometheus process collector's families, read from
/// /proc/self: process_cpu_seconds_total, process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_open_fds, process_max_fds,
/// process_start_time_seconds.
///
/// Threading: pure functions; `read_process_figures` only reads /proc.

#include <optional>
#include <string>
#include <string_view>

namespace dwt::server {

/// One reading of the process's figures.
struct process_figures {
  double cpu_seconds = 0;        ///< user + system CPU time
  double resident_bytes = 0;     ///< resident set size
  double virtual_bytes = 0;      ///< virtual memory size
  double start_time_seconds = 0; ///< since the Unix epoch
  double open_fds = 0;           ///< entries of /proc/self/fd
  double max_fds = 0;            ///< RLIMIT_NOFILE soft limit
};

/// Parses the text of /proc/<pid>/stat (the command name may hold spaces
/// and parentheses: fields are counted after its last ')'). `ticks` is
/// sysconf(_SC_CLK_TCK), `page_size` sysconf(_SC_PAGESIZE), `boot_time`
/// the `btime` line of /proc/stat (seconds since the epoch). Fills
/// cpu_seconds, resident_bytes, virtual_bytes and start_time_seconds; nullopt if the
/// text is malformed.
[[nodiscard]] std::optional<process_figures> parse_proc_stat(std::string_view stat, double ticks,
                                                             double page_size, double boot_time);

/// The `btime` of /proc/stat's text; nullopt if absent.
[[nodiscard]] std::optional<double> parse_boot_time(std::string_view proc_stat);

/// Reads /proc/self/stat, /proc/stat, /proc/self/fd and the fd limit;
/// nullopt when /proc is not readable (then no process_* family is shown).
[[nodiscard]] std::optional<process_figures> read_process_figures();

/// The six families in the Prometheus text format.
[[nodiscard]] std::string render_process_metrics(const process_figures& f);

} // namespace dwt::server
