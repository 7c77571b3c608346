#pragma once
/// @file
/// Loading one endpoint's pending events from the outbox into its
/// webhook_queue, in seq order, resuming from a cursor. After a start or a
/// crash this is how delivery resumes: an event leaves outbox_pending only
/// once delivered or dead-lettered, and its durable delivery_state carries
/// the attempts made and when the next one is due.
///
/// Threading: pure apart from the reader it is given.

#include <cstddef>
#include <cstdint>

#include "dwt/engine/types.hpp"
#include "dwt/persistence/reader.hpp"
#include "webhook_queue.hpp"

namespace dwt::actors {

/// Events read per reader call while loading.
inline constexpr std::size_t webhook_load_batch = 256;
/// Most outbox events looked at per load (delivered ones included), so one
/// load never holds a reader for long.
inline constexpr std::size_t webhook_max_scan_per_load = 4096;

/// Looks at `partner`'s outbox events with seq > `cursor` and adds the
/// pending ones (not already in `queue`) until the queue is full, the
/// events end or `max_scan` were looked at. Returns the new cursor: every
/// event of the partner at or below it has been looked at. An event with no
/// delivery_state is due at `now` with no attempt made.
[[nodiscard]] persistence::result<std::uint64_t>
load_pending(const persistence::reader& rd, const engine::partner_id& partner, std::uint64_t cursor,
             webhook_queue& queue, engine::timestamp now,
             std::size_t max_scan = webhook_max_scan_per_load);

/// Where loading starts after a start: just below the oldest pending event
/// (or at the last seq when nothing is pending).
[[nodiscard]] persistence::result<std::uint64_t> initial_cursor(const persistence::reader& rd);

} // namespace dwt::actors
