/// @file
/// Validation of webhook endpoints and dispatcher options.

#include "webhook_config.hpp"

#include <set>
#include <string>

#include "dwt/errors.hpp"
#include "dwt/outbound/standard_webhooks.hpp"

namespace dwt::actors {

namespace {

caf::error bad(std::string what) {
  return make_error(runtime_errc::invalid_options, std::move(what));
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

} // namespace

caf::expected<std::vector<endpoint_entry>> parse_webhook_endpoints(const engine_options& options) {
  const auto& d = options.dispatcher;
  if (d.timeout.count() <= 0)
    return bad("dispatcher.timeout must be positive");
  if (d.poll_interval.count() <= 0)
    return bad("dispatcher.poll_interval must be positive");
  if (d.max_concurrent_per_endpoint == 0 || d.max_concurrent_per_endpoint > max_webhook_concurrency)
    return bad("dispatcher.max_concurrent_per_endpoint must be 1 to 1024");
  if (d.io_threads == 0 || d.io_threads > max_webhook_io_threads)
    return bad("dispatcher.io_threads must be 1 to 64");
  if (d.max_tracked_per_endpoint == 0 || d.max_tracked_per_endpoint > max_webhook_tracked)
    return bad("dispatcher.max_tracked_per_endpoint must be 1 to 1000000");
  if (d.retry_delays.size() > outbound::max_retry_attempts)
    return bad("dispatcher.retry_delays holds more than 64 attempts");
  for (auto delay : d.retry_delays)
    if (delay.count() < 0)
      return bad("dispatcher.retry_delays must not be negative");
  std::vector<endpoint_entry> out;
  std::set<std::string> seen;
  for (const auto& w : options.webhooks) {
    if (w.partner.value.empty())
      return bad("webhook endpoint without a partner");
    const auto who = "webhook endpoint of partner " + w.partner.value;
    if (!seen.insert(w.partner.value).second)
      return bad(who + " is configured twice");
    if (!starts_with(w.url, "http://") && !starts_with(w.url, "https://"))
      return bad(who + ": url must start with http:// or https://");
    if (w.secrets.empty())
      return bad(who + ": at least one whsec_ secret is required");
    if (w.secrets.size() > outbound::standard_webhooks::max_active_secrets)
      return bad(who + ": at most 4 secrets");
    endpoint_entry e;
    e.partner = w.partner;
    e.endpoint.url = w.url;
    for (std::size_t i = 0; i < w.secrets.size(); ++i) {
      auto s = outbound::standard_webhooks::secret::parse(w.secrets[i]);
      if (!s)
        return bad(who + ": secret #" + std::to_string(i + 1) + " is not a valid whsec_ secret");
      e.endpoint.secrets.push_back(std::move(*s));
    }
    out.push_back(std::move(e));
  }
  return out;
}

outbound::retry_schedule make_retry_schedule(const webhook_dispatcher_options& o) {
  return outbound::make_retry_schedule(o.retry_delays, o.retry_jitter_percent);
}

} // namespace dwt::actors
