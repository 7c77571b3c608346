/// @file
/// Waiting for a server-side gauge to reach zero after the measured phase.
///
/// A closed or open run measures how fast the server acknowledges; work the
/// server does after the acknowledgement (dwt-server delivers each token's
/// webhooks from its outbox) can lag behind and pile up. `--await-zero
/// NAME` polls the target's `/metrics` (Prometheus text) until the unlabelled
/// gauge NAME reads 0, so the report can say how long that backlog took and
/// what rate the run sustained with it included.
///
/// Threads: `await_zero` blocks the calling thread (its own io_context);
/// `gauge_value` is pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dwt::load {

/// The value of the sample `name value` in Prometheus text exposition
/// format: the unlabelled series only (`name{...}` lines are skipped), the
/// first match, comment lines ignored. nullopt when absent or unparsable.
[[nodiscard]] std::optional<double> gauge_value(std::string_view metrics_text,
                                                std::string_view name);

/// How the wait ended.
struct settle_result {
  bool reached_zero = false;
  double seconds = 0;          ///< from the call until zero was read (or until giving up)
  std::optional<double> first; ///< the first value read, if any
  std::optional<double> last;  ///< the last value read, if any
  std::string error;           ///< why it gave up, when !reached_zero
};

/// Polls GET `/metrics` on host:port every `interval` until the gauge reads
/// 0 or `timeout` has passed. Each poll is one short-lived connection with
/// its own deadline (at most `interval` + 2 s), so a hung server cannot
/// stall the wait past `timeout` by more than that. A missing gauge is an
/// error at once (a typo would otherwise wait the whole timeout).
[[nodiscard]] settle_result await_zero(const std::string& host, unsigned port,
                                       std::string_view name, std::chrono::milliseconds timeout,
                                       std::chrono::milliseconds interval);

} // namespace dwt::load
