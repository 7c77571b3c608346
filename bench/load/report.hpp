#pragma once
/// \file
/// Results of a dwt-load run: counters, latency summaries, the per-second
/// series, the read-back verdict, and their JSON and SVG renderings.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "histogram.hpp"

namespace dwt::load {

/// Latency quantiles in milliseconds.
struct latency_summary {
  std::uint64_t count = 0;
  double mean_ms = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};

/// Summarises a histogram of nanoseconds.
[[nodiscard]] latency_summary summarize(const histogram& ns);

/// Answers of one kind of request (or of all).
struct counters {
  std::uint64_t sent = 0;             ///< requests written
  std::uint64_t ok = 0;               ///< 2xx answers
  std::uint64_t status_429 = 0;       ///< overload (never lost: not acknowledged)
  std::uint64_t status_503 = 0;       ///< overload (never lost: not acknowledged)
  std::uint64_t client_errors = 0;    ///< other 4xx
  std::uint64_t server_errors = 0;    ///< other 5xx
  std::uint64_t transport_errors = 0; ///< connect/read/write failures, timeouts
  std::uint64_t acknowledged = 0;     ///< 2xx answers that changed state

  void add(const counters& o) noexcept;
  /// Every answered or failed request that is neither 2xx nor 429/503.
  [[nodiscard]] std::uint64_t errors() const noexcept {
    return client_errors + server_errors + transport_errors;
  }
};

/// One second of the run.
struct series_point {
  double t_s = 0;             ///< start of the second, from the run start
  double completed_per_s = 0; ///< every answered request
  double ok_per_s = 0;        ///< 2xx answers
  double overload_per_s = 0;  ///< 429 + 503 answers
  double errors_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

/// The read-back pass.
struct verify_summary {
  bool ran = false;
  std::uint64_t tokens_checked = 0;
  std::uint64_t cards_checked = 0;
  std::uint64_t matched = 0;
  std::uint64_t missing = 0;    ///< acknowledged, answered 404
  std::uint64_t wrong = 0;      ///< acknowledged, another state
  std::uint64_t unreadable = 0; ///< the read itself failed (transport, 5xx)
  /// A few mismatches, for the operator (bounded by `max_examples`).
  std::vector<std::string> examples;
  static constexpr std::size_t max_examples = 20;

  [[nodiscard]] bool passed() const noexcept {
    return missing == 0 && wrong == 0 && unreadable == 0;
  }
};

/// The wait for a server-side gauge after the measured phase (--await-zero).
struct settle_summary {
  bool ran = false;
  std::string gauge;
  bool reached_zero = false;
  double seconds = 0;     ///< from the end of the measured phase
  double first_value = 0; ///< the gauge when the measured phase ended
  std::string error;
};

/// Everything a run reports.
struct run_results {
  std::string mode;
  std::string scenario;
  std::string target;
  std::uint64_t seed = 0;
  unsigned connections = 0;
  unsigned threads = 0;
  double rate = 0;
  double burst_rate = 0;
  double burst_at_s = 0;
  double burst_for_s = 0;
  double duration_s = 0;
  double elapsed_s = 0; ///< measured phase, wall clock
  std::uint64_t setup_requests = 0;
  counters totals;
  latency_summary latency;
  /// Per kind of request (for example "push_provision", "otp_verify").
  std::vector<std::pair<std::string, std::pair<counters, latency_summary>>> kinds;
  std::vector<series_point> series;
  verify_summary verify;
  settle_summary settle;
};

/// 2xx per second with the settle wait counted as part of the run:
/// `ok / (elapsed_s + settle.seconds)`; plain `ok / elapsed_s` when no wait
/// ran. (With a backlog left at the end, acknowledgements alone overstate
/// what the server sustains.)
[[nodiscard]] double settled_ok_per_s(std::uint64_t ok, const run_results& r) noexcept;

/// The results as a JSON document (one object, pretty enough to diff).
[[nodiscard]] std::string to_json(const run_results& r);

/// Layout of the chart.
struct svg_options {
  std::string title = "dwt-load";
  int width = 960;
  int panel_height = 240;
};

/// A standalone SVG: throughput (answered, 2xx, 429/503 per second) above,
/// latency p50/p99 (ms) below, both over time in seconds.
[[nodiscard]] std::string to_svg(const std::vector<series_point>& series,
                                 const svg_options& options);

/// Smallest "nice" axis maximum (1, 2 or 5 times a power of ten) >= `v`;
/// 1 for v <= 0.
[[nodiscard]] double nice_ceiling(double v) noexcept;

/// Escapes &, <, >, " and ' for XML text and attributes.
[[nodiscard]] std::string xml_escape(std::string_view s);

} // namespace dwt::load
