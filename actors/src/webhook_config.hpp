#pragma once
/// @file
/// Validation of the webhook part of engine_options: endpoints (URL and
/// `whsec_` secrets, parsed once) and dispatcher limits.
///
/// Threading: pure functions.

#include <cstddef>
#include <vector>

#include <caf/expected.hpp>

#include "dwt/dwt.hpp"
#include "dwt/outbound/retry_schedule.hpp"
#include "dwt/outbound/webhook_sender.hpp"

namespace dwt::actors {

/// Named limits of the dispatcher options.
inline constexpr std::size_t max_webhook_io_threads = 64;
inline constexpr std::size_t max_webhook_concurrency = 1024;
inline constexpr std::size_t max_webhook_tracked = 1'000'000;

/// One configured endpoint, secrets decoded.
struct endpoint_entry {
  engine::partner_id partner;
  outbound::webhook_endpoint endpoint;
};

/// The endpoints of `options.webhooks`. Errors: runtime_errc::
/// invalid_options (empty partner, a partner listed twice, a URL that is
/// not http(s), no secret, more than outbound::standard_webhooks::
/// max_active_secrets, a secret that does not parse, bad dispatcher
/// limits). Secrets never appear in error text.
[[nodiscard]] caf::expected<std::vector<endpoint_entry>>
parse_webhook_endpoints(const engine_options& options);

/// The retry schedule of the options (the default one when no delays are
/// configured).
[[nodiscard]] outbound::retry_schedule make_retry_schedule(const webhook_dispatcher_options& o);

} // namespace dwt::actors
