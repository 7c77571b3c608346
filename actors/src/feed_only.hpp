#pragma once
/// @file
/// Feed-only outbox events: events of a partner without a webhook endpoint
/// are never delivered, so they are kept out of outbox_pending and carry
/// delivery_status::feed_only (actors/README.md, "Feed-only events").
///
/// Threading: `endpoint_partners` is immutable once built and shared by
/// the checkpointer; `make_feed_only` runs at start, before the writer.

#include <cstddef>
#include <memory>
#include <string>

#include "dwt/actors/runtime.hpp"
#include "dwt/dwt.hpp"
#include "dwt/persistence/env.hpp"
#include "dwt/persistence/result.hpp"

namespace dwt::actors {

/// Pending events converted per write unit at start.
inline constexpr std::size_t feed_only_batch = 1000;

/// The partners of `options.webhooks`.
[[nodiscard]] std::shared_ptr<const endpoint_partners>
endpoint_partners_of(const engine_options& options);

/// Turns every event in outbox_pending whose partner is not in `endpoints`
/// into a feed-only one (out of outbox_pending, state feed_only keeping its
/// attempt count, updated at `now`), `feed_only_batch` per unit. Returns
/// how many were converted.
[[nodiscard]] persistence::result<std::size_t>
make_feed_only(persistence::env& store, const endpoint_partners& endpoints, engine::timestamp now);

} // namespace dwt::actors
