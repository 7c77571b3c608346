#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace dwt::load {

namespace {
constexpr unsigned min_precision = 1;
constexpr unsigned max_precision = 16;
constexpr unsigned max_max_bits = 63;
} // namespace

histogram::histogram(unsigned precision, unsigned max_bits)
    : precision_(std::clamp(precision, min_precision, max_precision)),
      max_bits_(std::clamp(max_bits, precision_ + 2, max_max_bits)) {
  // Groups 0 .. (max_bits - precision), each of 2^precision buckets: group 0
  // holds [0, 2^p) exactly, group g >= 1 holds [2^(p+g-1), 2^(p+g)).
  const std::size_t groups = max_bits_ - precision_ + 1;
  counts_.assign(groups << precision_, 0);
}

std::size_t histogram::bucket_of(std::uint64_t value) const noexcept {
  const std::uint64_t sub = std::uint64_t{1} << precision_;
  if (value < sub)
    return static_cast<std::size_t>(value);
  const auto msb = static_cast<unsigned>(std::bit_width(value)) - 1; // >= precision_
  const unsigned group = msb - precision_ + 1;
  const std::uint64_t within = (value >> (msb - precision_)) - sub;
  const std::size_t index = (static_cast<std::size_t>(group) << precision_) + within;
  return std::min(index, counts_.size() - 1);
}

std::uint64_t histogram::bucket_low(std::size_t index) const noexcept {
  const std::size_t sub = std::size_t{1} << precision_;
  const std::size_t group = index >> precision_;
  const std::uint64_t within = index & (sub - 1);
  if (group == 0)
    return within;
  return (std::uint64_t{sub} + within) << (group - 1);
}

std::uint64_t histogram::bucket_high(std::size_t index) const noexcept {
  const std::size_t group = index >> precision_;
  if (group == 0)
    return bucket_low(index);
  return bucket_low(index) + ((std::uint64_t{1} << (group - 1)) - 1);
}

std::uint64_t histogram::highest_trackable() const noexcept {
  return bucket_high(counts_.size() - 1);
}

void histogram::record(std::uint64_t value, std::uint64_t count) noexcept {
  if (count == 0)
    return;
  if (value > highest_trackable())
    clamped_ += count;
  counts_[bucket_of(value)] += count;
  if (total_ == 0 || value < min_)
    min_ = value;
  max_ = std::max(max_, value);
  total_ += count;
  sum_ += static_cast<long double>(value) * static_cast<long double>(count);
}

bool histogram::merge(const histogram& other) noexcept {
  if (other.precision_ != precision_ || other.max_bits_ != max_bits_)
    return false;
  if (other.total_ == 0)
    return true;
  for (std::size_t i = 0; i < counts_.size(); ++i)
    counts_[i] += other.counts_[i];
  min_ = total_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  total_ += other.total_;
  clamped_ += other.clamped_;
  sum_ += other.sum_;
  return true;
}

void histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = min_ = max_ = clamped_ = 0;
  sum_ = 0;
}

double histogram::mean() const noexcept {
  return total_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(total_));
}

std::uint64_t histogram::quantile(double q) const noexcept {
  if (total_ == 0)
    return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Rank of the wanted value, 1-based: the ceil(q * n)-th smallest.
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_)));
  rank = std::clamp<std::uint64_t>(rank, 1, total_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The last bucket also holds clamped values: only the exact max bounds them.
      if (i + 1 == counts_.size() && clamped_ > 0)
        return max_;
      return std::clamp(bucket_high(i), min(), max_);
    }
  }
  return max_;
}

} // namespace dwt::load
