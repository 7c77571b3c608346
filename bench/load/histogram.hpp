#pragma once
/// \file
/// A log-linear latency histogram in the manner of HdrHistogram: values below
/// 2^(precision+1) are counted exactly, larger ones in buckets whose width is
/// 2^-precision of their magnitude, so every reported quantile is within a
/// relative error of 2^-precision (0.8 % at the default precision 7).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dwt::load {

/// Counts of values (nanoseconds, or any unsigned unit) in log-linear buckets.
/// Not thread-safe: one recorder per thread, merged with `merge`.
class histogram {
public:
  /// Default significant bits: buckets within 1/128 (0.8 %) of the value.
  static constexpr unsigned default_precision = 7;
  /// Default largest trackable value: 2^36 ns ≈ 68.7 s; larger values are
  /// clamped into the last bucket (the exact max is kept apart).
  static constexpr unsigned default_max_bits = 36;

  /// Default precision and range.
  histogram() : histogram(default_precision, default_max_bits) {}
  /// `precision` in [1, 16], `max_bits` in [precision + 2, 63].
  explicit histogram(unsigned precision, unsigned max_bits = default_max_bits);

  /// Adds `count` occurrences of `value`.
  void record(std::uint64_t value, std::uint64_t count = 1) noexcept;
  /// Adds every count of `other`; false (and no change) if the layouts differ.
  [[nodiscard]] bool merge(const histogram& other) noexcept;
  /// Forgets every value.
  void reset() noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return total_; }
  [[nodiscard]] std::uint64_t min() const noexcept { return total_ == 0 ? 0 : min_; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept;
  /// Values clamped into the last bucket because they exceeded the range.
  [[nodiscard]] std::uint64_t clamped() const noexcept { return clamped_; }

  /// The smallest bucket upper bound at or below which a fraction `q` in
  /// [0, 1] of the values lie, capped at the exact max; 0 when empty.
  [[nodiscard]] std::uint64_t quantile(double q) const noexcept;

  /// Index of the bucket holding `value` (clamped to the last bucket).
  [[nodiscard]] std::size_t bucket_of(std::uint64_t value) const noexcept;
  /// Smallest value counted in bucket `index`.
  [[nodiscard]] std::uint64_t bucket_low(std::size_t index) const noexcept;
  /// Largest value counted in bucket `index`.
  [[nodiscard]] std::uint64_t bucket_high(std::size_t index) const noexcept;
  [[nodiscard]] std::size_t bucket_count() const noexcept { return counts_.size(); }
  [[nodiscard]] unsigned precision() const noexcept { return precision_; }
  /// Largest value counted without clamping.
  [[nodiscard]] std::uint64_t highest_trackable() const noexcept;

private:
  unsigned precision_;
  unsigned max_bits_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t clamped_ = 0;
  long double sum_ = 0;
};

} // namespace dwt::load
