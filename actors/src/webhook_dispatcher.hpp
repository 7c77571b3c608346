#pragma once
/// @file
/// The webhook dispatcher actor (issue #6): delivers the durable outbox to
/// the partners' endpoints. See actors/README.md, "Webhook dispatcher".
///
/// Threading: the actor runs on CAF's scheduler; HTTP runs on the
/// `webhook_io` threads, whose callbacks only `anon_send` to the actor;
/// attempt records are committed by the group-commit writer, whose
/// completions only `anon_send` too. Counters are atomics read by
/// engine_host::stats on any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include <caf/actor_system.hpp>

#include "dwt/actors/messages.hpp"
#include "dwt/dwt.hpp"
#include "dwt/outbound/webhook_sender.hpp"
#include "dwt/persistence/env.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "webhook_config.hpp"

namespace dwt::actors {

/// What engine_host::stats reports as `webhook_stats`.
struct webhook_counters {
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> failed_attempts{0};
  std::atomic<std::uint64_t> dead_lettered{0};
  std::atomic<std::uint64_t> pending{0};
  std::atomic<std::uint64_t> in_flight{0};
  std::atomic<std::uint64_t> record_failures{0};
  /// `created_at` (ms since the epoch) of the oldest event loaded and not
  /// yet delivered or dead-lettered, over all endpoints; 0: none.
  std::atomic<std::int64_t> oldest_undelivered_ms{0};
};

/// Everything the dispatcher needs; `store`, `writer` and `sender` must
/// outlive the actor.
struct dispatcher_context {
  engine_options options; ///< normalised (clock and random set)
  persistence::env* store = nullptr;
  persistence::group_commit_writer* writer = nullptr;
  const outbound::webhook_sender* sender = nullptr;
  std::vector<endpoint_entry> endpoints;
  std::shared_ptr<webhook_counters> counters = std::make_shared<webhook_counters>();
};

/// Spawns the dispatcher; it loads pending events from the outbox at once.
[[nodiscard]] webhook_dispatcher_actor
spawn_webhook_dispatcher(caf::actor_system& sys, std::shared_ptr<const dispatcher_context> ctx);

} // namespace dwt::actors
