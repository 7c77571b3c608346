#include <algorithm>
#include <array>
#include <cstddef>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/random.hpp"

using dwt::engine::secure_random;
using dwt::engine::seeded_random;

TEST(engine_random, seeded_random_is_deterministic_per_seed) {
  for (std::uint64_t seed : {0ULL, 1ULL, 42ULL, 0xffffffffffffffffULL}) {
    seeded_random a{seed};
    seeded_random b{seed};
    for (int i = 0; i < 100; ++i)
      ASSERT_EQ(a.next(), b.next()) << "seed " << seed;
  }
  seeded_random a{1};
  seeded_random b{2};
  EXPECT_NE(a.next(), b.next());
}

TEST(engine_random, seeded_random_matches_reference_xoshiro256starstar) {
  // Reference: splitmix64(0) seeds, then xoshiro256** (Blackman & Vigna).
  // splitmix64 from state 0 yields e220a8397b1dcdaf as its first output.
  std::uint64_t sm = 0;
  auto splitmix = [&sm] {
    std::uint64_t z = (sm += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
  };
  std::uint64_t s[4] = {splitmix(), splitmix(), splitmix(), splitmix()};
  EXPECT_EQ(s[0], 0xe220a8397b1dcdafULL);
  auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  seeded_random rng{0};
  for (int i = 0; i < 50; ++i) {
    const std::uint64_t expected = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17U;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    ASSERT_EQ(rng.next(), expected) << i;
  }
}

TEST(engine_random, fill_is_little_endian_words_and_handles_odd_lengths) {
  seeded_random a{9};
  seeded_random b{9};
  std::array<std::byte, 11> buf{};
  a.fill(buf);
  const auto w0 = b.next();
  const auto w1 = b.next();
  for (std::size_t i = 0; i < 8; ++i)
    EXPECT_EQ(buf[i], static_cast<std::byte>((w0 >> (8 * i)) & 0xffU));
  for (std::size_t i = 8; i < 11; ++i)
    EXPECT_EQ(buf[i], static_cast<std::byte>((w1 >> (8 * (i - 8))) & 0xffU));
}

TEST(engine_random, uniform_stays_in_bounds_and_covers_range) {
  seeded_random rng{3};
  for (std::uint64_t bound : {1ULL, 2ULL, 3ULL, 7ULL, 10ULL, 1000000ULL}) {
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 2000; ++i) {
      const auto v = rng.uniform(bound);
      ASSERT_LT(v, bound);
      seen.insert(v);
    }
    if (bound <= 10) {
      EXPECT_EQ(seen.size(), bound);
    }
  }
  const auto big = (1ULL << 63U) + 1;
  for (int i = 0; i < 100; ++i)
    EXPECT_LT(rng.uniform(big), big);
}

namespace {

/// A source that replays fixed 64-bit words, to observe rejection.
class scripted_random final : public dwt::engine::random_source {
public:
  explicit scripted_random(std::vector<std::uint64_t> words) : words_(std::move(words)) {}
  void fill(std::span<std::byte> out) override {
    std::uint64_t w = words_.at(next_++);
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = static_cast<std::byte>(w & 0xffU);
      w >>= 8U;
    }
  }
  [[nodiscard]] std::size_t draws() const noexcept { return next_; }

private:
  std::vector<std::uint64_t> words_;
  std::size_t next_ = 0;
};

} // namespace

TEST(engine_random, uniform_rejects_the_biased_low_zone) {
  // For bound 3, 2^64 mod 3 == 1: the word 0 is rejected (it would bias 0).
  scripted_random rng{{0, 4}};
  EXPECT_EQ(rng.uniform(3), 4U % 3U);
  EXPECT_EQ(rng.draws(), 2U);
  // For bound 10, 2^64 mod 10 == 6: words 0..5 are rejected.
  scripted_random rng10{{5, 6}};
  EXPECT_EQ(rng10.uniform(10), 6U);
  EXPECT_EQ(rng10.draws(), 2U);
  // Powers of two never reject.
  scripted_random rng8{{0}};
  EXPECT_EQ(rng8.uniform(8), 0U);
}

TEST(engine_random, uniform_is_roughly_uniform) {
  seeded_random rng{11};
  std::array<int, 10> counts{};
  constexpr int n = 100000;
  for (int i = 0; i < n; ++i)
    ++counts[rng.uniform(10)];
  for (int c : counts) {
    EXPECT_GT(c, n / 10 - 600);
    EXPECT_LT(c, n / 10 + 600);
  }
}

TEST(engine_random, secure_random_fills_and_differs) {
  secure_random rng;
  std::array<std::byte, 32> a{};
  std::array<std::byte, 32> b{};
  rng.fill(a);
  rng.fill(b);
  EXPECT_NE(a, b);
  std::array<std::byte, 0> empty{};
  rng.fill(empty);
  EXPECT_LT(rng.uniform(6), 6U);
}

TEST(engine_random, secure_random_buffered_draws_never_repeat) {
  // Small draws come from a per-thread buffer: across several refills (and
  // from two instances on one thread) no 16-byte draw may repeat, and
  // draws larger than the buffer's share bypass it.
  secure_random a;
  secure_random b;
  std::set<std::array<std::byte, 16>> seen;
  for (int i = 0; i < 500; ++i) {
    std::array<std::byte, 16> x{};
    std::array<std::byte, 16> y{};
    a.fill(x);
    b.fill(y);
    EXPECT_TRUE(seen.insert(x).second);
    EXPECT_TRUE(seen.insert(y).second);
  }
  std::array<std::byte, 4096> big{};
  a.fill(big);
  EXPECT_NE(std::count(big.begin(), big.end(), std::byte{0}), 4096);
  std::array<std::byte, 3> odd{};
  for (int i = 0; i < 1000; ++i)
    a.fill(odd); // uneven sizes cross the refill boundary
}

TEST(engine_assert_death, dwt_assert_aborts_with_file_and_line) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(DWT_ASSERT(1 + 1 == 3), "random_test.cpp:[0-9]+: .*1 \\+ 1 == 3");
  EXPECT_DEATH(DWT_ASSERT_MSG(false, "because"), "because");
  seeded_random rng{1};
  EXPECT_DEATH((void)rng.uniform(0), "bound > 0");
}
