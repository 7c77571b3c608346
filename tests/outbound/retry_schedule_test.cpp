#include <set>

#include <gtest/gtest.h>

#include "dwt/outbound/retry_schedule.hpp"

using dwt::engine::seeded_random;
using dwt::engine::timestamp;
using dwt::outbound::retry_schedule;
using namespace std::chrono_literals;

namespace {

const timestamp t0 = dwt::engine::from_millis(1'750'000'000'000);

/// The delays a whole schedule draws for `seed`, attempt 1..max.
std::vector<std::chrono::milliseconds> delays_for(std::uint64_t seed) {
  seeded_random rng{seed};
  retry_schedule s;
  std::vector<std::chrono::milliseconds> out;
  auto now = t0;
  for (std::uint32_t made = 0;; ++made) {
    auto next = s.next_attempt_at(made, now, rng);
    if (!next)
      break;
    out.push_back(*next - now);
    now = *next;
  }
  return out;
}

} // namespace

TEST(RetrySchedule, FirstAttemptIsImmediateAndTheTenthFailureDeadLetters) {
  seeded_random rng{1};
  retry_schedule s;
  EXPECT_EQ(s.max_attempts(), 10u);
  EXPECT_EQ(s.next_attempt_at(0, t0, rng), t0);
  EXPECT_TRUE(s.next_attempt_at(9, t0, rng).has_value());
  EXPECT_FALSE(s.next_attempt_at(10, t0, rng).has_value());
  EXPECT_FALSE(s.next_attempt_at(1000, t0, rng).has_value());
  EXPECT_EQ(delays_for(1).size(), 10u);
}

TEST(RetrySchedule, JitterStaysWithinTenPercentBelowNominal) {
  const auto nominal = dwt::outbound::default_retry_delays();
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const auto d = delays_for(seed);
    ASSERT_EQ(d.size(), nominal.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
      EXPECT_LE(d[i], nominal[i]) << "seed " << seed << " attempt " << i + 1;
      EXPECT_GE(d[i] * 10, nominal[i] * 9) << "seed " << seed << " attempt " << i + 1;
    }
  }
}

TEST(RetrySchedule, IsJitteredNotConstant) {
  const auto nominal = dwt::outbound::default_retry_delays();
  std::size_t below = 0;
  std::set<std::int64_t> distinct;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const auto d = delays_for(seed);
    below += d[8] < nominal[8] ? 1 : 0;
    distinct.insert(d[8].count());
  }
  EXPECT_GT(below, 40u);
  EXPECT_GT(distinct.size(), 40u);
}

TEST(RetrySchedule, IsMonotone) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const auto d = delays_for(seed);
    for (std::size_t i = 1; i < d.size(); ++i)
      EXPECT_GE(d[i], d[i - 1]) << "seed " << seed << " attempt " << i + 1;
    for (std::size_t i = 1; i < d.size(); ++i)
      EXPECT_GT(d[i], 0ms);
  }
}

TEST(RetrySchedule, TotalIsAboutThreeDays) {
  retry_schedule s;
  EXPECT_EQ(s.nominal_total(), 75h + 35min + 5s);
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    std::chrono::milliseconds total{0};
    for (auto d : delays_for(seed))
      total += d;
    EXPECT_GE(total, 24h * 2.75) << "seed " << seed;
    EXPECT_LE(total, 24h * 3.25) << "seed " << seed;
  }
}

TEST(RetrySchedule, IsDeterministicForASeed) {
  EXPECT_EQ(delays_for(1234), delays_for(1234));
  EXPECT_NE(delays_for(1234), delays_for(1235));
}

TEST(RetrySchedule, CustomScheduleWithoutJitterIsExact) {
  retry_schedule s{{0ms, 100ms, 200ms}, 0};
  seeded_random rng{3};
  EXPECT_EQ(s.next_attempt_at(0, t0, rng), t0);
  EXPECT_EQ(s.next_attempt_at(1, t0, rng), t0 + 100ms);
  EXPECT_EQ(s.next_attempt_at(2, t0, rng), t0 + 200ms);
  EXPECT_FALSE(s.next_attempt_at(3, t0, rng).has_value());
  // The free function uses the default schedule.
  EXPECT_FALSE(dwt::outbound::next_attempt_at(10, t0, rng).has_value());
  EXPECT_EQ(dwt::outbound::next_attempt_at(0, t0, rng), t0);
}

TEST(RetrySchedule, CustomScheduleIsBounded) {
  std::vector<std::chrono::milliseconds> many(1000, 1ms);
  retry_schedule s{many, 500};
  EXPECT_EQ(s.max_attempts(), dwt::outbound::max_retry_attempts);
  EXPECT_EQ(s.jitter_percent(), 100u);
}
