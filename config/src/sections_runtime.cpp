// Sections without secrets: listen, store, runtime, http, otp, verification,
// velocity, webhooks.
#include <chrono>
#include <cstdint>

#include "sections.hpp"

namespace dwt::config::detail {

namespace {
constexpr std::int64_t u32_max = 0xFFFFFFFFLL;
constexpr std::int64_t day_s = 24 * 3600;
} // namespace

void read_listen(table_reader& r, listen_settings& out) {
  r.string("host", out.host);
  r.uint("port", out.port, 0, 65535);
  if (auto tls = r.table("tls")) {
    // Both required and non-empty: a half-configured TLS never falls back
    // to plain HTTP silently.
    const bool cert = tls->string("cert_file", out.tls.cert_file, /*required=*/true);
    const bool key = tls->string("key_file", out.tls.key_file, /*required=*/true);
    tls->string("client_ca_file", out.tls.client_ca_file);
    if (!cert || !key)
      out.tls = {};
    tls->finish();
  }
  r.finish();
}

void read_store(table_reader& r, store_settings& out) {
  r.uint("map_size_bytes", out.map_size_bytes, 1 << 20, INT64_MAX);
  r.uint("max_map_size_bytes", out.max_map_size_bytes, 1 << 20, INT64_MAX);
  if (out.max_map_size_bytes < out.map_size_bytes)
    r.diag().add(errc::invalid_value, r.path_of("max_map_size_bytes"),
                 "must be at least map_size_bytes");
  if (auto c = r.choice("durability", {"sync", "nosync"}))
    out.durability_mode = *c == 0 ? durability::sync : durability::nosync;
  if (auto gc = r.table("group_commit")) {
    gc->uint("max_batch", out.group_commit.max_batch, 1, 1000000);
    gc->uint("max_wait_us", out.group_commit.max_wait_us, 0, 10000000);
    gc->uint("max_queued_units", out.group_commit.max_queued_units, 1, u32_max);
    gc->finish();
  }
  r.finish();
}

void read_runtime(table_reader& r, runtime_settings& out) {
  r.uint("scheduler_max_threads", out.scheduler_max_threads, 0, 1024);
  r.uint("shard_count", out.shard_count, 1, 65536);
  r.duration("actor_idle_passivation_seconds", out.actor_idle_passivation, 1, day_s);
  r.uint("max_live_actors", out.max_live_actors, 1, u32_max);
  r.duration("idempotency_sweep_seconds", out.idempotency_sweep, 0, day_s);
  r.finish();
}

void read_http(table_reader& r, http_settings& out) {
  r.uint("max_header_bytes", out.max_header_bytes, 1024, 1 << 20);
  r.uint("max_body_bytes", out.max_body_bytes, 1024, 64 << 20);
  r.uint("max_connections", out.max_connections, 1, 1000000);
  r.duration("idle_timeout_ms", out.idle_timeout, 1, 3600 * 1000);
  r.duration("read_timeout_ms", out.read_timeout, 1, 3600 * 1000);
  r.duration("write_timeout_ms", out.write_timeout, 1, 3600 * 1000);
  r.uint("max_requests_in_flight", out.max_requests_in_flight, 1, 10000000);
  r.uint("io_threads", out.io_threads, 1, 256);
  r.duration("shutdown_grace_ms", out.shutdown_grace, 0, 600 * 1000);
  r.finish();
}

void read_otp(table_reader& r, otp_settings& out) {
  r.duration("ttl_seconds", out.ttl, 30, day_s);
  r.uint("max_wrong_attempts", out.max_wrong_attempts, 1, 100);
  r.uint("max_resends", out.max_resends, 0, 100);
  r.finish();
}

void read_verification(table_reader& r, verification_settings& out) {
  r.duration("expiry_seconds", out.expiry, 1, 30 * day_s);
  r.finish();
}

void read_velocity(table_reader& r, velocity_settings& out) {
  r.uint("max_requests_per_card", out.max_requests_per_card, 1, 1000000);
  r.duration("window_seconds", out.window, 1, 30 * day_s);
  r.finish();
}

void read_webhooks(table_reader& r, webhook_delivery_settings& out) {
  r.duration("timeout_ms", out.timeout, 1, 600 * 1000);
  r.uint("max_concurrency_per_endpoint", out.max_concurrency_per_endpoint, 1, 1024);
  r.string("ca_file", out.ca_file, false, false);
  // No backoff key: the engine's built-in ~3-day schedule (out.backoff
  // stays nullopt). Any of them: a custom schedule, and then all three are
  // required, so a half-written schedule never mixes with invented values.
  if (r.has("initial_backoff_ms") || r.has("max_backoff_ms") || r.has("max_attempts")) {
    std::int64_t initial = 0;
    std::int64_t max = 0;
    webhook_backoff_settings b;
    const bool ok_initial = r.integer("initial_backoff_ms", initial, 1, day_s * 1000, true);
    const bool ok_max = r.integer("max_backoff_ms", max, 1, 7 * day_s * 1000, true);
    const bool ok_attempts = r.uint("max_attempts", b.max_attempts, 1, max_webhook_attempts, true);
    b.initial_backoff = std::chrono::milliseconds{initial};
    b.max_backoff = std::chrono::milliseconds{max};
    if (ok_initial && ok_max && max < initial)
      r.diag().add(errc::invalid_value, r.path_of("max_backoff_ms"),
                   "must be at least initial_backoff_ms");
    if (ok_initial && ok_max && ok_attempts)
      out.backoff = b;
  }
  r.finish();
}

} // namespace dwt::config::detail
