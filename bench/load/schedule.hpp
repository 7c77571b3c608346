#pragma once
/// \file
/// When the i-th request of an open-loop run is due: a constant rate with an
/// optional burst window at a higher rate. Latency is measured from these
/// times, not from when a connection got round to sending, so a stalled
/// server cannot hide its queueing (coordinated omission).

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace dwt::load {

/// Piecewise-constant rate: `rate` req/s, `burst_rate` in [burst_at, burst_at + burst_for).
class schedule {
public:
  schedule() = default;
  schedule(double rate, double duration_s, double burst_rate = 0, double burst_at_s = 0,
           double burst_for_s = 0) noexcept
      : rate_(std::max(rate, 0.0)), duration_(std::max(duration_s, 0.0)),
        burst_rate_(burst_for_s > 0 ? std::max(burst_rate, 0.0) : 0.0),
        burst_at_(std::clamp(burst_at_s, 0.0, duration_)),
        burst_end_(std::clamp(burst_at_s + std::max(burst_for_s, 0.0), burst_at_, duration_)) {
    if (burst_rate_ == 0)
      burst_end_ = burst_at_;
  }

  /// Requests due in [0, t).
  [[nodiscard]] double due_before(double t) const noexcept {
    t = std::clamp(t, 0.0, duration_);
    const double before = std::min(t, burst_at_);
    const double in_burst = std::clamp(t - burst_at_, 0.0, burst_end_ - burst_at_);
    const double after = std::max(t - burst_end_, 0.0);
    return rate_ * (before + after) + burst_rate_ * in_burst;
  }

  /// Number of requests in the whole run.
  [[nodiscard]] std::uint64_t total() const noexcept {
    return static_cast<std::uint64_t>(std::floor(due_before(duration_) + 1e-9));
  }

  /// Seconds from the start at which request `i` (0-based) is due.
  [[nodiscard]] double time_of(std::uint64_t i) const noexcept {
    const auto n = static_cast<double>(i);
    const double n_before = rate_ * burst_at_;
    if (n < n_before || (burst_rate_ == 0 && rate_ > 0))
      return rate_ > 0 ? n / rate_ : 0.0;
    const double n_burst = burst_rate_ * (burst_end_ - burst_at_);
    if (n < n_before + n_burst)
      return burst_at_ + (n - n_before) / burst_rate_;
    return rate_ > 0 ? burst_end_ + (n - n_before - n_burst) / rate_ : burst_end_;
  }

  [[nodiscard]] double duration() const noexcept { return duration_; }

private:
  double rate_ = 0;
  double duration_ = 0;
  double burst_rate_ = 0;
  double burst_at_ = 0;
  double burst_end_ = 0;
};

} // namespace dwt::load
