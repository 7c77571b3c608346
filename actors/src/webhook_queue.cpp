/// @file
/// webhook_queue: per-endpoint tracking and per-token order.

#include "webhook_queue.hpp"

#include "dwt/engine/assert.hpp"

namespace dwt::actors {

tracked_event* webhook_queue::find(std::uint64_t seq) {
  auto i = events_.find(seq);
  return i == events_.end() ? nullptr : &i->second;
}

std::optional<engine::timestamp> webhook_queue::oldest_loaded_created() const {
  // Lowest seq first; only redeliveries (at most max_redeliveries_) are
  // skipped.
  for (const auto& [seq, ev] : events_)
    if (ev.ordered)
      return ev.event.created_at;
  return std::nullopt;
}

bool webhook_queue::is_head(const tracked_event& ev) const {
  if (!ev.ordered || ev.event.token.value.empty())
    return true;
  auto i = by_token_.find(ev.event.token.value);
  return i != by_token_.end() && !i->second.empty() && i->second.front() == ev.event.seq;
}

void webhook_queue::add_loaded(tracked_event ev) {
  DWT_ASSERT(room() > 0);
  DWT_ASSERT(!contains(ev.event.seq));
  ev.ordered = true;
  ev.busy = false;
  const auto seq = ev.event.seq;
  if (!ev.event.token.value.empty()) {
    auto& q = by_token_[ev.event.token.value];
    DWT_ASSERT(q.empty() || q.back() < seq);
    q.push_back(seq);
  }
  ++ordered_;
  auto& stored = events_.emplace(seq, std::move(ev)).first->second;
  if (is_head(stored))
    ready_.emplace(stored.next_at, seq);
}

void webhook_queue::add_redelivery(tracked_event ev) {
  DWT_ASSERT(redelivery_room());
  DWT_ASSERT(!contains(ev.event.seq));
  ev.ordered = false;
  ev.busy = false;
  const auto seq = ev.event.seq;
  const auto at = ev.next_at;
  events_.emplace(seq, std::move(ev));
  ready_.emplace(at, seq);
}

std::vector<std::uint64_t> webhook_queue::take_due(engine::timestamp now, std::size_t limit) {
  std::vector<std::uint64_t> out;
  while (out.size() < limit && !ready_.empty() && ready_.begin()->first <= now) {
    auto seq = ready_.begin()->second;
    ready_.erase(ready_.begin());
    auto* ev = find(seq);
    DWT_ASSERT(ev != nullptr && !ev->busy);
    ev->busy = true;
    out.push_back(seq);
  }
  return out;
}

std::optional<engine::timestamp> webhook_queue::next_due() const {
  if (ready_.empty())
    return std::nullopt;
  return ready_.begin()->first;
}

void webhook_queue::release(std::uint64_t seq, engine::timestamp at) {
  auto* ev = find(seq);
  DWT_ASSERT(ev != nullptr && ev->busy);
  ev->busy = false;
  ev->next_at = at;
  DWT_ASSERT(is_head(*ev));
  ready_.emplace(at, seq);
}

void webhook_queue::finish(std::uint64_t seq) {
  auto i = events_.find(seq);
  DWT_ASSERT(i != events_.end());
  auto ev = std::move(i->second);
  events_.erase(i);
  if (!ev.busy)
    ready_.erase(key{ev.next_at, seq});
  if (!ev.ordered)
    return;
  --ordered_;
  if (ev.event.token.value.empty())
    return;
  auto t = by_token_.find(ev.event.token.value);
  DWT_ASSERT(t != by_token_.end() && !t->second.empty() && t->second.front() == seq);
  t->second.erase(t->second.begin());
  if (t->second.empty()) {
    by_token_.erase(t);
    return;
  }
  auto* next = find(t->second.front());
  DWT_ASSERT(next != nullptr && !next->busy);
  ready_.emplace(next->next_at, next->event.seq);
}

void webhook_queue::make_due(std::uint64_t seq, engine::timestamp now) {
  auto* ev = find(seq);
  if (ev == nullptr || ev->busy || ev->next_at <= now)
    return;
  const bool waiting = ready_.erase(key{ev->next_at, seq}) > 0;
  ev->next_at = now;
  if (waiting)
    ready_.emplace(now, seq);
}

} // namespace dwt::actors
