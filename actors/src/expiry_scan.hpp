#pragma once
/// @file
/// Start-up scan for REQUESTED tokens, so that their verification-expiry
/// timers are armed again after a restart (each found token is activated;
/// its actor schedules the timer on activation).
///
/// Threading: runs on a dedicated thread of engine_host (never on an actor
/// worker); each chunk is one short read transaction; `stop` aborts.

#include <atomic>
#include <functional>

#include "dwt/engine/types.hpp"
#include "dwt/persistence/env.hpp"

namespace dwt::actors {

/// Calls `on_requested` for every stored token in state REQUESTED, reading
/// `chunk` tokens per read transaction. Returns the number found.
std::size_t scan_requested_tokens(persistence::env& store,
                                  const std::function<void(const engine::token_ref&)>& on_requested,
                                  const std::atomic<bool>& stop, std::size_t chunk = 1024);

} // namespace dwt::actors
