/// @file
/// settings → engine_options (engine_config.hpp).

#include "dwt/server/engine_config.hpp"

#include <algorithm>
#include <thread>

#include "dwt/outbound/retry_schedule.hpp"
#include "dwt/outbound/standard_webhooks.hpp"

namespace dwt::server {

// The configuration bounds a custom schedule by its own constant (it must not
// depend on dwt::outbound); a mismatch would let a schedule load that the
// engine then refuses at start.
static_assert(config::max_webhook_attempts == outbound::max_retry_attempts);

namespace {

std::uint8_t small(std::uint32_t v) {
  return static_cast<std::uint8_t>(std::min<std::uint32_t>(v, 255));
}

} // namespace

engine_options to_engine_options(const config::settings& s) {
  engine_options o;
  o.data_dir = s.data_dir;
  o.store.directory = s.data_dir;
  o.store.map_size = static_cast<std::size_t>(s.store.map_size_bytes);
  o.store.max_map_size = static_cast<std::size_t>(s.store.max_map_size_bytes);
  o.store.mode = s.store.durability_mode == config::durability::nosync
                     ? persistence::durability::nosync
                     : persistence::durability::sync;
  o.commit.max_batch = s.store.group_commit.max_batch;
  o.commit.max_wait = std::chrono::microseconds{s.store.group_commit.max_wait_us};
  o.commit.max_queued_units = s.store.group_commit.max_queued_units;

  // 0 means "number of cores" in the configuration.
  o.scheduler_threads = s.runtime.scheduler_max_threads != 0
                            ? s.runtime.scheduler_max_threads
                            : std::max(1U, std::thread::hardware_concurrency());
  o.shard_count = s.runtime.shard_count;
  o.passivate_after = s.runtime.actor_idle_passivation;
  o.idempotency_sweep_interval = s.runtime.idempotency_sweep;
  o.max_live_actors = s.runtime.max_live_actors;

  o.partners.reserve(s.partners.size());
  for (const auto& p : s.partners)
    o.partners.push_back(p.to_record());
  o.products = s.card_products;

  o.decision.velocity_limit = s.velocity.max_requests_per_card;
  o.decision.velocity_window = s.velocity.window;
  o.otp.ttl = s.otp.ttl;
  o.otp.max_wrong_attempts = small(s.otp.max_wrong_attempts);
  o.otp.max_resends = small(s.otp.max_resends);
  o.verification_expiry = s.verification.expiry;
  o.token_bin = s.token_bin;

  o.pan_hash_key = s.keys.pan_hash_key;
  o.pan_encryption_key = s.keys.pan_encryption_key;
  o.otp_key = s.keys.otp_key;

  map_webhooks(s, o);
  const auto& m = s.networks.mdes;
  o.mdes.url = m.customer_service_url;
  o.mdes.consumer_key = m.oauth_consumer_key;
  o.mdes.audit_user_id = m.audit_user_id;
  o.mdes.audit_user_name = m.audit_user_name;
  o.mdes.audit_organization = m.audit_organization;
  o.mdes.timeout = m.customer_service_timeout;
  o.mdes.reference_wait = m.token_reference_wait;
  o.mdes.ca_file = s.webhooks.ca_file;
  o.mdes.retry_delays = m.customer_service_backoff ? retry_delays(*m.customer_service_backoff)
                                                   : std::vector<std::chrono::milliseconds>{};
  // The signing key's PEM text is read by the server (server_app.cpp).
  return o;
}

void map_webhooks(const config::settings& s, engine_options& out) {
  out.webhooks.clear();
  for (const auto& p : s.partners) {
    if (!p.webhook)
      continue;
    webhook_endpoint_config w;
    w.partner = p.id;
    w.url = p.webhook->url;
    // The configuration keeps decoded keys; the engine takes `whsec_` text.
    for (const auto& key : p.webhook->secrets)
      w.secrets.push_back(outbound::standard_webhooks::secret::from_raw(key).to_text());
    out.webhooks.push_back(std::move(w));
  }
  const auto& d = s.webhooks;
  out.dispatcher.timeout = d.timeout;
  out.dispatcher.max_concurrent_per_endpoint =
      std::max<std::uint32_t>(1, d.max_concurrency_per_endpoint);
  out.dispatcher.ca_file = d.ca_file;
  // Unset: leave retry_delays empty, which the engine reads as its built-in
  // ~3-day schedule (outbound::retry_schedule), the one place it is defined.
  out.dispatcher.retry_delays =
      d.backoff ? retry_delays(*d.backoff) : std::vector<std::chrono::milliseconds>{};
}

std::vector<std::chrono::milliseconds> retry_delays(const config::webhook_backoff_settings& w) {
  std::vector<std::chrono::milliseconds> out;
  const auto attempts = std::max<std::uint32_t>(1, w.max_attempts);
  out.reserve(attempts);
  out.emplace_back(0);
  auto delay = w.initial_backoff;
  for (std::uint32_t i = 1; i < attempts; ++i) {
    out.push_back(std::min(delay, w.max_backoff));
    if (delay < w.max_backoff)
      delay *= 2;
  }
  return out;
}

} // namespace dwt::server
