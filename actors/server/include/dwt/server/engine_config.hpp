#pragma once
/// @file
/// The one mapping from the configuration (`config::settings`) to the
/// engine's options (`engine_options`): store, group commit, scheduler,
/// shards, passivation, partners, products, decision and velocity policy,
/// OTP, verification expiry, token BIN, keys, webhook endpoints and the
/// dispatcher. The SMS gateway needs running resources and is made by
/// `sms_resources` (sms_gateway.hpp).
///
/// Threading: pure functions.

#include <chrono>
#include <vector>

#include "dwt/config/settings.hpp"
#include "dwt/dwt.hpp"

namespace dwt::server {

/// Every field of `engine_options` that comes from the settings (the SMS
/// gateway, clock and random source are left at their defaults).
[[nodiscard]] engine_options to_engine_options(const config::settings& s);

/// The partners' `[partners.webhook]` endpoints and the `[webhooks]`
/// delivery settings, written into `out.webhooks` / `out.dispatcher`.
void map_webhooks(const config::settings& s, engine_options& out);

/// The delays of a custom `[webhooks]` schedule: attempt 1 at once, then
/// `initial_backoff` doubling up to `max_backoff`, `max_attempts` in all.
/// (Without one, `map_webhooks` leaves `dispatcher.retry_delays` empty: the
/// engine's built-in ~3-day schedule.)
[[nodiscard]] std::vector<std::chrono::milliseconds>
retry_delays(const config::webhook_backoff_settings& w);

} // namespace dwt::server
