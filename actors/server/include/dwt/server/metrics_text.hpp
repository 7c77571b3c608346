#pragma once
/// @file
/// The engine's runtime figures in the Prometheus text format (0.0.4):
/// live actors, activations and passivations, outbox backlog, the
/// checkpointer's batch-size and commit-latency histograms (from
/// `group_commit_stats`), webhook delivery counters, readiness, decisions
/// by result and reason, OTPs and SMS, the LMDB map's size and use.
/// Histogram `le` values are plain decimals (http::format_bucket_bound).
///
/// Threading: pure function.

#include <string>

#include "dwt/dwt.hpp"

namespace dwt::server {

[[nodiscard]] std::string render_runtime_metrics(const runtime_stats& stats, bool ready);

} // namespace dwt::server
