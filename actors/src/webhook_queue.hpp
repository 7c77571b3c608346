#pragma once
/// @file
/// The in-memory delivery queue of ONE webhook endpoint: the events the
/// dispatcher holds for it, per-token order, and which events may be sent
/// now. Pure (no I/O, no clock of its own), so that order is tested without
/// sockets.
///
/// Per-token order: events loaded from the outbox are "ordered": an ordered
/// event with a token is sendable only while it is the oldest tracked event
/// of that token (its predecessors were delivered or dead-lettered and
/// `finish`ed). Events without a token, and redeliveries, are unordered.
/// Loading happens in seq order, so an event not yet loaded is always later
/// than every loaded event of its token.
///
/// Bounds: at most `max_tracked` ordered events and `max_redeliveries`
/// redeliveries (named limits of webhook_dispatcher_options).
///
/// Threading: one owner (the dispatcher actor).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dwt/engine/types.hpp"
#include "dwt/persistence/records.hpp"

namespace dwt::actors {

/// One event the dispatcher is delivering.
struct tracked_event {
  persistence::outbox_event event;
  std::uint32_t attempts = 0;
  std::uint32_t round_base = 0;
  engine::timestamp next_at{};
  /// Taken by `take_due` and not yet released or finished (an HTTP attempt
  /// or its durable record is in progress).
  bool busy = false;
  /// Subject to per-token order (loaded from the outbox).
  bool ordered = true;
};

class webhook_queue {
public:
  webhook_queue(std::size_t max_tracked, std::size_t max_redeliveries)
      : max_tracked_(max_tracked), max_redeliveries_(max_redeliveries) {}

  /// Room for more ordered events.
  [[nodiscard]] std::size_t room() const noexcept {
    return max_tracked_ > ordered_ ? max_tracked_ - ordered_ : 0;
  }
  [[nodiscard]] bool redelivery_room() const noexcept {
    return events_.size() - ordered_ < max_redeliveries_;
  }
  [[nodiscard]] std::size_t size() const noexcept { return events_.size(); }
  [[nodiscard]] bool contains(std::uint64_t seq) const { return events_.contains(seq); }
  [[nodiscard]] tracked_event* find(std::uint64_t seq);

  /// Adds an event loaded from the outbox. Precondition: room() > 0, not
  /// contained, and seq above every ordered event of its token.
  void add_loaded(tracked_event ev);
  /// Adds a redelivery (unordered). Precondition: redelivery_room(), not
  /// contained.
  void add_redelivery(tracked_event ev);

  /// Up to `limit` events that may be sent at `now` (due, not busy, head
  /// of their token), earliest due first; marks them busy.
  [[nodiscard]] std::vector<std::uint64_t> take_due(engine::timestamp now, std::size_t limit);
  /// When the next sendable event is due (nullopt: none is waiting).
  [[nodiscard]] std::optional<engine::timestamp> next_due() const;
  /// `created_at` of the oldest event loaded from the outbox and not yet
  /// finished (busy, waiting for a retry or due); nullopt when there is
  /// none. Redeliveries are not counted (they were delivered before).
  /// Loading goes in seq order, so every event not yet loaded is younger:
  /// this is the age of the endpoint's whole backlog.
  [[nodiscard]] std::optional<engine::timestamp> oldest_loaded_created() const;

  /// A busy event failed and will be retried at `at`.
  void release(std::uint64_t seq, engine::timestamp at);
  /// An event was delivered or dead-lettered: forget it; the next event of
  /// its token becomes sendable.
  void finish(std::uint64_t seq);
  /// Makes a waiting event due at `now` (redelivery of a pending event).
  void make_due(std::uint64_t seq, engine::timestamp now);

private:
  using key = std::pair<engine::timestamp, std::uint64_t>;
  [[nodiscard]] bool is_head(const tracked_event& ev) const;

  std::size_t max_tracked_;
  std::size_t max_redeliveries_;
  std::size_t ordered_ = 0;
  std::map<std::uint64_t, tracked_event> events_;
  /// token ref -> its ordered seqs, ascending. A vector, not a deque: a
  /// token has one or two events here as a rule, and a deque allocates a
  /// 512-byte block and its map for each (per push provisioning); popping
  /// the front of a vector moves at most max_tracked seqs.
  std::unordered_map<std::string, std::vector<std::uint64_t>> by_token_;
  /// Sendable (not busy, head of token) events by (next_at, seq).
  std::set<key> ready_;
};

} // namespace dwt::actors
