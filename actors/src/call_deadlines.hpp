#pragma once
/// @file
/// Deadlines of engine_host calls, checked by one periodic watchdog instead
/// of a CAF request timeout per call.
///
/// Why: CAF 0.17 registers every request timeout (and its cancellation) on
/// the actor clock's thread, waking it once or twice per request; on this
/// project's 2-core VM that wake-up and its context switch are a measurable
/// share of a provisioning request (bench/README.md, "Where the time goes
/// now"). Calls share one timeout, so their deadlines are ordered by
/// registration and a sorted map with a 1-second sweep bounds every call at
/// timeout + 1 s.
///
/// Threading: every member function is thread-safe (one mutex). `expire`
/// runs the callbacks outside the mutex, on the watchdog's thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace dwt::actors {

/// Something that can be told its deadline passed.
class expirable {
public:
  virtual ~expirable() = default;
  /// Called at most once by call_deadlines, on the watchdog's thread.
  virtual void expire() = 0;
};

/// The deadlines of calls in flight.
class call_deadlines {
public:
  using clock = std::chrono::steady_clock;
  using ticket = std::uint64_t;

  /// Registers `call` to expire at `due`, or at the latest due registered
  /// so far if that is later (calls share one timeout, so that is at most
  /// the time between computing `due` and registering it).
  [[nodiscard]] ticket add(std::weak_ptr<expirable> call, clock::time_point due);

  /// Forgets a call (answered in time). A ticket already expired or
  /// removed is ignored.
  void remove(ticket t) noexcept;

  /// Calls `expire()` on every call whose deadline is at or before `now`
  /// and forgets them; returns how many were still alive.
  std::size_t expire_due(clock::time_point now);

  /// Calls registered and not yet removed or expired.
  [[nodiscard]] std::size_t size() const;

private:
  struct entry {
    clock::time_point due;
    std::weak_ptr<expirable> call;
  };
  mutable std::mutex mutex_;
  ticket next_ = 0;
  std::map<ticket, entry> entries_;
};

/// Spawns the watchdog: every `period` it runs `deadlines->expire_due`.
/// It stops with the actor system (or an exit message).
[[nodiscard]] caf::actor spawn_call_watchdog(caf::actor_system& sys,
                                             std::shared_ptr<call_deadlines> deadlines,
                                             std::chrono::milliseconds period);

} // namespace dwt::actors
