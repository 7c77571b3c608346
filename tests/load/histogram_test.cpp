#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "histogram.hpp"

namespace {

using dwt::load::histogram;

TEST(LoadHistogram, EmptyReportsZero) {
  histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.5), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_DOUBLE_EQ(h.mean(), 0.0);
}

TEST(LoadHistogram, SmallValuesAreExact) {
  histogram h{7};
  // Below 2^(precision+1) every value has its own bucket.
  for (std::uint64_t v = 0; v < 256; ++v) {
    EXPECT_EQ(h.bucket_low(h.bucket_of(v)), v);
    EXPECT_EQ(h.bucket_high(h.bucket_of(v)), v);
  }
  for (std::uint64_t v = 1; v <= 100; ++v)
    h.record(v);
  EXPECT_EQ(h.quantile(0.5), 50u);
  EXPECT_EQ(h.quantile(0.9), 90u);
  EXPECT_EQ(h.quantile(0.99), 99u);
  EXPECT_EQ(h.quantile(1.0), 100u);
  EXPECT_EQ(h.quantile(0.0), 1u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LoadHistogram, BucketsAreContiguousAndContainTheirValues) {
  histogram h{5, 30};
  for (std::size_t i = 0; i + 1 < h.bucket_count(); ++i) {
    ASSERT_LE(h.bucket_low(i), h.bucket_high(i));
    ASSERT_EQ(h.bucket_high(i) + 1, h.bucket_low(i + 1)) << "gap after bucket " << i;
    ASSERT_EQ(h.bucket_of(h.bucket_low(i)), i);
    ASSERT_EQ(h.bucket_of(h.bucket_high(i)), i);
  }
}

TEST(LoadHistogram, RelativeErrorWithinPrecision) {
  std::mt19937_64 rng{42};
  std::lognormal_distribution<double> d{13.0, 1.5}; // around 0.4 ms in ns, long tail
  histogram h{7};
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<std::uint64_t>(d(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
    const double exact = static_cast<double>(values[rank - 1]);
    const double got = static_cast<double>(h.quantile(q));
    EXPECT_GE(got, exact) << "q " << q;
    EXPECT_LE(got, exact * (1.0 + 1.0 / 128.0)) << "q " << q;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.min(), values.front());
}

TEST(LoadHistogram, QuantileNeverExceedsMax) {
  histogram h{3};
  h.record(1000); // bucket high is 1023 at this precision
  EXPECT_EQ(h.quantile(0.99), 1000u);
  EXPECT_EQ(h.quantile(0.5), 1000u);
}

TEST(LoadHistogram, MergeAddsCountsAndExtremes) {
  histogram a;
  histogram b;
  for (std::uint64_t v = 1; v <= 50; ++v)
    a.record(v * 1000);
  for (std::uint64_t v = 51; v <= 100; ++v)
    b.record(v * 1000);
  ASSERT_TRUE(a.merge(b));
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.min(), 1000u);
  EXPECT_EQ(a.max(), 100000u);
  const auto p50 = static_cast<double>(a.quantile(0.5));
  EXPECT_NEAR(p50, 50000.0, 50000.0 / 128);
  histogram other{5};
  EXPECT_FALSE(a.merge(other));
  EXPECT_EQ(a.count(), 100u);
}

TEST(LoadHistogram, ClampsBeyondRangeButKeepsExactMax) {
  histogram h{4, 10};
  const auto top = h.highest_trackable();
  h.record(top * 10);
  h.record(5);
  EXPECT_EQ(h.clamped(), 1u);
  EXPECT_EQ(h.max(), top * 10);
  EXPECT_EQ(h.quantile(1.0), top * 10);
  EXPECT_EQ(h.count(), 2u);
}

TEST(LoadHistogram, RecordWithCountAndReset) {
  histogram h;
  h.record(10, 99);
  h.record(1000000, 1);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.quantile(0.99), 10u);
  EXPECT_GE(h.quantile(0.999), 1000000u * 127 / 128);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.5), 0u);
}

} // namespace
