/// @file
/// Loading pending outbox events into an endpoint's queue.

#include "webhook_load.hpp"

#include <algorithm>

namespace dwt::actors {

persistence::result<std::uint64_t> load_pending(const persistence::reader& rd,
                                                const engine::partner_id& partner,
                                                std::uint64_t cursor, webhook_queue& queue,
                                                engine::timestamp now, std::size_t max_scan) {
  std::size_t scanned = 0;
  while (queue.room() > 0 && scanned < max_scan) {
    // Never read more than the queue can take: each event read is decoded,
    // and under a backlog the queue has room for one or two events after
    // each delivery, so reading a full batch there decoded ~256 events to
    // keep one (a quarter of dwt-server's CPU under closed-loop load).
    // Events skipped below (already queued, no longer pending) take no room,
    // so the loop simply reads on.
    const auto batch = std::min({webhook_load_batch, max_scan - scanned, queue.room()});
    auto events = rd.outbox_of_partner_after(partner, cursor, batch);
    if (!events)
      return events.err();
    for (auto& ev : *events) {
      if (queue.room() == 0)
        return cursor;
      ++scanned;
      const auto seq = ev.seq;
      if (!queue.contains(seq)) {
        auto pending = rd.outbox_is_pending(seq);
        if (!pending)
          return pending.err();
        if (*pending) {
          tracked_event t;
          t.next_at = now;
          auto st = rd.find_delivery_state(seq);
          if (!st)
            return st.err();
          if (const auto& found = *st) {
            t.attempts = found->attempts;
            t.round_base = std::min(found->round_base, found->attempts);
            t.next_at = found->next_attempt_at;
          }
          t.event = std::move(ev);
          queue.add_loaded(std::move(t));
        }
      }
      cursor = seq;
    }
    if (events->size() < batch)
      break;
  }
  return cursor;
}

persistence::result<std::uint64_t> initial_cursor(const persistence::reader& rd) {
  auto first = rd.pending_outbox(0, 1);
  if (!first)
    return first.err();
  if (!first->empty())
    return first->front() - 1;
  return rd.last_outbox_seq();
}

} // namespace dwt::actors
