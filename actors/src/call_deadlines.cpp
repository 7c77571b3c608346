/// @file
/// call_deadlines and its watchdog actor (see the header).

#include "call_deadlines.hpp"

#include <algorithm>
#include <vector>

#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>

#include "dwt/engine/assert.hpp"

namespace dwt::actors {

call_deadlines::ticket call_deadlines::add(std::weak_ptr<expirable> call, clock::time_point due) {
  std::lock_guard lk{mutex_};
  // Callers on different threads compute `due` before taking the mutex, so
  // one may arrive a little out of order: keep the map sorted by due (the
  // sweep stops at the first entry not due) by never going below the last.
  if (!entries_.empty())
    due = std::max(due, entries_.rbegin()->second.due);
  auto t = next_++;
  entries_.emplace_hint(entries_.end(), t, entry{due, std::move(call)});
  return t;
}

void call_deadlines::remove(ticket t) noexcept {
  std::lock_guard lk{mutex_};
  entries_.erase(t);
}

std::size_t call_deadlines::expire_due(clock::time_point now) {
  std::vector<std::shared_ptr<expirable>> due;
  {
    std::lock_guard lk{mutex_};
    auto i = entries_.begin();
    for (; i != entries_.end() && i->second.due <= now; ++i) {
      if (auto call = i->second.call.lock())
        due.push_back(std::move(call));
    }
    entries_.erase(entries_.begin(), i);
  }
  // Outside the mutex: expire() runs the caller's callback, which may start
  // another call (and so take the mutex).
  for (auto& call : due)
    call->expire();
  return due.size();
}

std::size_t call_deadlines::size() const {
  std::lock_guard lk{mutex_};
  return entries_.size();
}

namespace {

using watchdog_tick_atom = caf::atom_constant<caf::atom("wd_tick")>;

caf::behavior watchdog_impl(caf::event_based_actor* self, std::shared_ptr<call_deadlines> deadlines,
                            std::chrono::milliseconds period) {
  self->delayed_send(self, period, watchdog_tick_atom::value);
  return {
      [self, deadlines, period](watchdog_tick_atom) {
        (void)deadlines->expire_due(call_deadlines::clock::now());
        self->delayed_send(self, period, watchdog_tick_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_call_watchdog(caf::actor_system& sys, std::shared_ptr<call_deadlines> deadlines,
                               std::chrono::milliseconds period) {
  DWT_ASSERT(period.count() > 0);
  return sys.spawn(watchdog_impl, std::move(deadlines), period);
}

} // namespace dwt::actors
