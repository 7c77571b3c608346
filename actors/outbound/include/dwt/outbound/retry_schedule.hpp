#pragma once
/// @file
/// The webhook delivery retry schedule: when to make the next attempt after
/// a failed one, and when to give up (dead-letter).
///
/// Nominal delays, before attempt n (n = 1 is the first delivery):
///
/// | attempt | delay after the previous attempt | nominal elapsed |
/// |--------:|---------------------------------:|----------------:|
/// |  1 | immediately | 0 |
/// |  2 | 5 s         | 5 s |
/// |  3 | 5 min       | ~5 min |
/// |  4 | 30 min      | ~35 min |
/// |  5 | 2 h         | ~2 h 35 min |
/// |  6 | 5 h         | ~7 h 35 min |
/// |  7 | 10 h        | ~17 h 35 min |
/// |  8 | 14 h        | ~31 h 35 min |
/// |  9 | 20 h        | ~51 h 35 min |
/// | 10 | 24 h        | ~75 h 35 min (≈ 3.15 days) |
///
/// After the 10th failed attempt the event is dead-lettered.
///
/// Jitter: every non-zero delay is drawn uniformly from
/// [delay × (1 − jitter), delay] (default jitter 10 %), from an injected
/// random source. Endpoints that failed together (an outage) therefore come
/// back spread out instead of in one thundering herd, while the schedule
/// stays monotone (the jitter windows of consecutive steps never overlap)
/// and the dead-letter horizon stays bounded: between ≈ 2.83 and ≈ 3.15
/// days after the first attempt. Full jitter ([0, delay]) was rejected
/// because it makes that horizon, and the step order, unpredictable.
///
/// Threading: a retry_schedule is an immutable value; `next_attempt_at` is
/// pure apart from drawing from `rng` (which is not thread-safe).

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dwt/engine/random.hpp"
#include "dwt/engine/types.hpp"

namespace dwt::outbound {

/// The default nominal delays; index i is the delay before attempt i + 1.
[[nodiscard]] std::span<const std::chrono::milliseconds> default_retry_delays() noexcept;

/// Default jitter, in percent of each delay (subtracted).
inline constexpr std::uint32_t default_retry_jitter_percent = 10;
/// Longest schedule accepted (attempts), so a misconfiguration cannot
/// retry forever.
inline constexpr std::size_t max_retry_attempts = 64;

class retry_schedule {
public:
  /// The default schedule (table above).
  retry_schedule();
  /// A custom schedule: `delays[i]` is the delay before attempt i + 1
  /// (`delays[0]` is normally zero); truncated to `max_retry_attempts`;
  /// `jitter_percent` clamped to [0, 100].
  retry_schedule(std::vector<std::chrono::milliseconds> delays, std::uint32_t jitter_percent);

  /// When to make attempt `attempts_made + 1`, given that `attempts_made`
  /// attempts have been made (0 = none yet, the first attempt is now) and
  /// the last one ended at `now`. nullopt: give up, dead-letter the event.
  [[nodiscard]] std::optional<engine::timestamp> next_attempt_at(std::uint32_t attempts_made,
                                                                 engine::timestamp now,
                                                                 engine::random_source& rng) const;

  /// Attempts made before dead-lettering.
  [[nodiscard]] std::uint32_t max_attempts() const noexcept;
  /// Sum of the nominal delays (the dead-letter horizon without jitter).
  [[nodiscard]] std::chrono::milliseconds nominal_total() const noexcept;
  [[nodiscard]] std::span<const std::chrono::milliseconds> delays() const noexcept {
    return delays_;
  }
  [[nodiscard]] std::uint32_t jitter_percent() const noexcept { return jitter_percent_; }

private:
  std::vector<std::chrono::milliseconds> delays_;
  std::uint32_t jitter_percent_;
};

/// The schedule of configured `delays`: the default one (table above)
/// when `delays` is empty, else `retry_schedule{delays, jitter_percent}`.
/// The one rule by which the engine reads its options, so a caller can see
/// the schedule a configuration yields.
[[nodiscard]] retry_schedule make_retry_schedule(std::span<const std::chrono::milliseconds> delays,
                                                 std::uint32_t jitter_percent);

/// `retry_schedule{}.next_attempt_at(...)`: the default schedule.
[[nodiscard]] std::optional<engine::timestamp>
next_attempt_at(std::uint32_t attempts_made, engine::timestamp now, engine::random_source& rng);

} // namespace dwt::outbound
