#pragma once
/// @file
/// Start-up pass over the REQUESTED tokens: gives every one that has no
/// verification deadline in the durable index (token_deadlines) the
/// deadline created_at + verification_expiry. Tokens created by this build
/// get theirs in the unit that creates them; this covers a store written
/// before the index existed (or by an older build since). It reads only
/// the `tokens_requested` index (not the whole `tokens` database) and
/// activates no actor: the expiry scheduler then finds the deadlines in
/// the index, after this restart as after any other.
///
/// Threading: runs on a dedicated thread of engine_host (never on an actor
/// worker); each chunk is one short read transaction and, when it found
/// tokens to index, one write unit committed with persistence::commit_now
/// on that thread (LMDB serialises it with the group-commit writer);
/// `stop` aborts between chunks.

#include <atomic>
#include <chrono>
#include <cstddef>

#include "dwt/persistence/env.hpp"

namespace dwt::actors {

/// What the pass did.
struct deadline_index_pass {
  std::size_t requested = 0; ///< REQUESTED tokens seen
  std::size_t indexed = 0;   ///< of those, given a deadline now
  bool complete = false;     ///< false: stopped, or a read / commit failed
};

/// Indexes the deadline of every REQUESTED token that has none, reading
/// `chunk` tokens per read transaction.
deadline_index_pass index_missing_deadlines(persistence::env& store,
                                            std::chrono::seconds verification_expiry,
                                            const std::atomic<bool>& stop,
                                            std::size_t chunk = 1024);

} // namespace dwt::actors
