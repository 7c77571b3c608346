#include "dwt/outbound/retry_schedule.hpp"

#include <algorithm>
#include <array>

namespace dwt::outbound {

namespace {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

constexpr std::array<ms, 10> default_delays{
    ms{0}, ms{5s}, ms{5min}, ms{30min}, ms{2h}, ms{5h}, ms{10h}, ms{14h}, ms{20h}, ms{24h},
};

} // namespace

std::span<const std::chrono::milliseconds> default_retry_delays() noexcept {
  return default_delays;
}

retry_schedule::retry_schedule()
    : delays_(default_delays.begin(), default_delays.end()),
      jitter_percent_(default_retry_jitter_percent) {}

retry_schedule::retry_schedule(std::vector<std::chrono::milliseconds> delays,
                               std::uint32_t jitter_percent)
    : delays_(std::move(delays)), jitter_percent_(std::min<std::uint32_t>(jitter_percent, 100)) {
  if (delays_.size() > max_retry_attempts)
    delays_.resize(max_retry_attempts);
  for (auto& d : delays_)
    d = std::max(d, ms{0});
}

std::optional<engine::timestamp> retry_schedule::next_attempt_at(std::uint32_t attempts_made,
                                                                 engine::timestamp now,
                                                                 engine::random_source& rng) const {
  if (attempts_made >= delays_.size())
    return std::nullopt;
  const auto nominal = delays_[attempts_made].count();
  // Uniform in [nominal - window, nominal], window = nominal * jitter%.
  const auto window = static_cast<std::uint64_t>(nominal) * jitter_percent_ / 100;
  const auto cut = window == 0 ? 0 : rng.uniform(window + 1);
  return now + ms{nominal - static_cast<std::int64_t>(cut)};
}

std::uint32_t retry_schedule::max_attempts() const noexcept {
  return static_cast<std::uint32_t>(delays_.size());
}

std::chrono::milliseconds retry_schedule::nominal_total() const noexcept {
  ms total{0};
  for (auto d : delays_)
    total += d;
  return total;
}

retry_schedule make_retry_schedule(std::span<const std::chrono::milliseconds> delays,
                                   std::uint32_t jitter_percent) {
  if (delays.empty())
    return retry_schedule{};
  return retry_schedule{std::vector<std::chrono::milliseconds>(delays.begin(), delays.end()),
                        jitter_percent};
}

std::optional<engine::timestamp> next_attempt_at(std::uint32_t attempts_made, engine::timestamp now,
                                                 engine::random_source& rng) {
  static const retry_schedule schedule;
  return schedule.next_attempt_at(attempts_made, now, rng);
}

} // namespace dwt::outbound
