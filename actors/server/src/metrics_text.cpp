/// @file
/// Runtime figures in the Prometheus text format (metrics_text.hpp).

#include "dwt/server/metrics_text.hpp"

#include <cstdio>

#include "dwt/engine/enums.hpp"
#include "dwt/engine/errc.hpp"
#include "dwt/http/metrics.hpp"

namespace dwt::server {

namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, double v) {
  out.append(name);
  if (!labels.empty())
    out.append("{").append(labels).append("}");
  out.append(" ").append(number(v)).append("\n");
}

void scalar(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            double v) {
  header(out, name, type, help);
  sample(out, name, {}, v);
}

/// A histogram from non-cumulative bucket counts with upper bounds
/// `bound(i)` (the last bucket is +Inf).
template <class Bound>
void histogram(std::string& out, std::string_view name, std::string_view help,
               const std::uint64_t* counts, std::size_t n, Bound bound, double sum) {
  header(out, name, "histogram", help);
  std::uint64_t cumulative = 0;
  const std::string bucket = std::string{name} + "_bucket";
  for (std::size_t i = 0; i < n; ++i) {
    cumulative += counts[i];
    const std::string le = (i + 1 == n) ? std::string{"+Inf"} : http::format_bucket_bound(bound(i));
    sample(out, bucket, "le=\"" + le + "\"", static_cast<double>(cumulative));
  }
  sample(out, std::string{name} + "_sum", {}, sum);
  sample(out, std::string{name} + "_count", {}, static_cast<double>(cumulative));
}

} // namespace

std::string render_runtime_metrics(const runtime_stats& s, bool ready) {
  std::string out;
  out.reserve(8192);
  scalar(out, "dwt_engine_ready", "gauge", "1 while the engine accepts calls.", ready ? 1 : 0);
  header(out, "dwt_live_actors", "gauge", "Live (activated) virtual actors by kind.");
  sample(out, "dwt_live_actors", "kind=\"card\"", static_cast<double>(s.live_cards));
  sample(out, "dwt_live_actors", "kind=\"token\"", static_cast<double>(s.live_tokens));
  scalar(out, "dwt_actor_activations_total", "counter",
         "Card and token actors activated from the store.", static_cast<double>(s.activations));
  scalar(out, "dwt_actor_passivations_total", "counter", "Card and token actors passivated.",
         static_cast<double>(s.passivations));
  scalar(out, "dwt_outbox_pending", "gauge", "Outbox events not yet delivered.",
         static_cast<double>(s.outbox_pending));
  scalar(out, "dwt_network_commands_pending", "gauge",
         "Commands to the card network (MDES Customer Service API) not yet confirmed or failed.",
         static_cast<double>(s.network_commands_pending));
  scalar(out, "dwt_idempotency_records", "gauge",
         "Stored idempotency records (expired ones until the sweeper deletes them).",
         static_cast<double>(s.idempotency_records));
  scalar(out, "dwt_idempotency_swept_total", "counter",
         "Expired idempotency records deleted by the sweeper.",
         static_cast<double>(s.idempotency_swept));

  const auto& c = s.commit;
  scalar(out, "dwt_checkpointer_batches_total", "counter", "Group-commit batches.",
         static_cast<double>(c.batches));
  scalar(out, "dwt_checkpointer_units_total", "counter", "Write units taken by the writer.",
         static_cast<double>(c.units));
  scalar(out, "dwt_checkpointer_units_failed_total", "counter",
         "Write units completed with an error.", static_cast<double>(c.units_failed));
  scalar(out, "dwt_checkpointer_commit_failures_total", "counter", "Failed LMDB commits.",
         static_cast<double>(c.commit_failures));
  scalar(out, "dwt_checkpointer_rejected_overloaded_total", "counter",
         "Write units refused because the writer queue was full.",
         static_cast<double>(c.rejected_overloaded));
  scalar(out, "dwt_store_map_growths_total", "counter", "Automatic LMDB map growths.",
         static_cast<double>(c.map_growths));
  histogram(
      out, "dwt_checkpointer_batch_size", "Write units per group commit.", c.batch_sizes,
      persistence::batch_histogram_buckets,
      [](std::size_t i) { return static_cast<double>(std::uint64_t{1} << i); },
      static_cast<double>(c.units));
  histogram(
      out, "dwt_checkpointer_commit_latency_seconds",
      "Apply and commit latency of one group-commit transaction.", c.commit_latency_us,
      persistence::latency_histogram_buckets,
      [](std::size_t i) { return static_cast<double>(std::uint64_t{1} << (i + 4)) / 1e6; },
      static_cast<double>(c.commit_latency_us_sum) / 1e6);

  const auto& w = s.webhooks;
  scalar(out, "dwt_webhook_delivered_total", "counter", "Webhook events delivered (2xx).",
         static_cast<double>(w.delivered));
  scalar(out, "dwt_webhook_failed_attempts_total", "counter",
         "Webhook delivery attempts that did not deliver.", static_cast<double>(w.failed_attempts));
  scalar(out, "dwt_webhook_dead_lettered_total", "counter", "Webhook events given up on.",
         static_cast<double>(w.dead_lettered));
  scalar(out, "dwt_webhook_pending", "gauge", "Webhook events held in memory for delivery.",
         static_cast<double>(w.pending));
  scalar(out, "dwt_webhook_in_flight", "gauge", "Webhook HTTP requests in flight.",
         static_cast<double>(w.in_flight));
  scalar(out, "dwt_webhook_record_failures_total", "counter",
         "Delivery attempt records that failed to commit.", static_cast<double>(w.record_failures));
  scalar(out, "dwt_webhook_lag_seconds", "gauge",
         "Age of the oldest event not yet delivered to its partner's endpoint (0: none waiting).",
         static_cast<double>(w.oldest_undelivered_age.count()) / 1000.0);

  header(out, "dwt_decisions_total", "counter",
         "Tokenisation decisions by result and reason (reason \"none\" when the decision gives "
         "none).");
  for (const auto& d : s.decisions) {
    std::string labels = "result=\"";
    labels.append(engine::to_string(d.decision)).append("\",reason=\"");
    labels.append(d.reason == engine::errc::ok ? std::string_view{"none"}
                                               : engine::to_code(d.reason));
    labels.append("\"");
    sample(out, "dwt_decisions_total", labels, static_cast<double>(d.count));
  }
  const auto& v = s.verification;
  scalar(out, "dwt_otp_sent_total", "counter",
         "One-time passcodes sent: SMS handed to the gateway (each issue and resend).",
         static_cast<double>(v.otp_sent));
  header(out, "dwt_otp_verifications_total", "counter",
         "OTP checks by result: verified, or failed as incorrect (attempts remain), exhausted or "
         "expired.");
  constexpr std::string_view otp_results[] = {"verified", "incorrect", "exhausted", "expired"};
  for (std::size_t i = 0; i < v.otp_checks.size(); ++i)
    sample(out, "dwt_otp_verifications_total", "result=\"" + std::string{otp_results[i]} + "\"",
           static_cast<double>(v.otp_checks[i]));
  header(out, "dwt_sms_total", "counter",
         "SMS handed to the gateway by outcome: sent (accepted) or failed.");
  sample(out, "dwt_sms_total", "result=\"sent\"", static_cast<double>(v.sms_sent));
  sample(out, "dwt_sms_total", "result=\"failed\"", static_cast<double>(v.sms_failed));

  const auto& m = s.store;
  scalar(out, "dwt_lmdb_map_size_bytes", "gauge", "Current LMDB map size.",
         static_cast<double>(m.map_size));
  scalar(out, "dwt_lmdb_map_max_size_bytes", "gauge",
         "Largest map size automatic growth may reach; writes fail with 507 map_full beyond it.",
         static_cast<double>(m.max_map_size));
  scalar(out, "dwt_lmdb_map_used_bytes", "gauge",
         "LMDB map in use: (last used page + 1) x page size.", static_cast<double>(m.used_bytes));
  scalar(out, "dwt_lmdb_readers_used", "gauge", "LMDB reader slots in use.",
         static_cast<double>(m.readers_used));
  return out;
}

} // namespace dwt::server
