#include <array>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dwt/engine/crypto.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/engine/random.hpp"
#include "test_util.hpp"

using namespace dwt::engine;
using dwt::engine::test::at;

TEST(engine_pan, luhn_known_valid_and_invalid) {
  for (std::string_view ok :
       {"4111111111111111", "5555555555554444", "378282246310005", "6011111111111117",
        "4012888888881881", "4222222222222", "30569309025904", "79927398713", "0"})
    EXPECT_TRUE(pan::luhn_valid(ok)) << ok;
  for (std::string_view bad :
       {"4111111111111112", "1234567812345678", "79927398710", "5555555555554440", "",
        "4111-1111-1111-1111", "411111111111111a", " 4111111111111111"})
    EXPECT_FALSE(pan::luhn_valid(bad)) << bad;
}

TEST(engine_pan, luhn_check_digit) {
  EXPECT_EQ(pan::luhn_check_digit("7992739871"), '3');
  EXPECT_EQ(pan::luhn_check_digit("411111111111111"), '1');
  EXPECT_EQ(pan::luhn_check_digit("555555555555444"), '4');
  EXPECT_EQ(pan::luhn_check_digit(""), '0');
  seeded_random rng{5};
  for (int i = 0; i < 200; ++i) {
    std::string partial;
    const auto len = 1 + rng.uniform(18);
    for (std::uint64_t k = 0; k < len; ++k)
      partial.push_back(static_cast<char>('0' + rng.uniform(10)));
    const char check = pan::luhn_check_digit(partial);
    EXPECT_TRUE(pan::luhn_valid(partial + check)) << partial;
    // Any other check digit fails.
    for (char other = '0'; other <= '9'; ++other) {
      if (other != check) {
        EXPECT_FALSE(pan::luhn_valid(partial + other)) << partial << other;
      }
    }
  }
}

TEST(engine_pan, validate_lengths_12_to_19) {
  for (std::size_t len = 8; len <= 22; ++len) {
    std::string partial = "4";
    while (partial.size() + 1 < len)
      partial.push_back('1');
    const std::string candidate = partial + pan::luhn_check_digit(partial);
    ASSERT_EQ(candidate.size(), len);
    ASSERT_TRUE(pan::luhn_valid(candidate));
    EXPECT_EQ(pan::validate(candidate), len >= 12 && len <= 19 ? errc::ok : errc::invalid_pan)
        << len;
  }
  EXPECT_EQ(pan::validate("4111111111111112"), errc::invalid_pan);
  EXPECT_EQ(pan::validate("41111111111111a1"), errc::invalid_pan);
  EXPECT_EQ(pan::validate(""), errc::invalid_pan);
}

TEST(engine_pan, validate_expiry) {
  const auto now = at(2025, 3, 15, 10);
  EXPECT_EQ(pan::validate_expiry(3, 2025, now), errc::ok);
  EXPECT_EQ(pan::validate_expiry(4, 2025, now), errc::ok);
  EXPECT_EQ(pan::validate_expiry(1, 2026, now), errc::ok);
  EXPECT_EQ(pan::validate_expiry(12, 2099, now), errc::ok);
  EXPECT_EQ(pan::validate_expiry(2, 2025, now), errc::invalid_expiry);
  EXPECT_EQ(pan::validate_expiry(12, 2024, now), errc::invalid_expiry);
  EXPECT_EQ(pan::validate_expiry(0, 2026, now), errc::invalid_expiry);
  EXPECT_EQ(pan::validate_expiry(13, 2026, now), errc::invalid_expiry);
  EXPECT_EQ(pan::validate_expiry(1, 26, now), errc::invalid_expiry);
  EXPECT_EQ(pan::validate_expiry(1, 10000, now), errc::invalid_expiry);
  // Valid through the last millisecond of the expiry month.
  EXPECT_EQ(pan::validate_expiry(3, 2025, at(2025, 3, 31, 23, 59, 59, 999)), errc::ok);
  EXPECT_EQ(pan::validate_expiry(3, 2025, at(2025, 4, 1)), errc::invalid_expiry);
  EXPECT_EQ(pan::validate_expiry(12, 2025, at(2025, 12, 31, 23)), errc::ok);
  EXPECT_EQ(pan::validate_expiry(12, 2025, at(2026, 1, 1)), errc::invalid_expiry);
}

TEST(engine_pan, lookup_hash_is_keyed_hmac) {
  const auto h = pan::lookup_hash("key-1", "4111111111111111");
  EXPECT_EQ(h.size(), 32U);
  EXPECT_EQ(h, crypto::hmac_sha256("key-1", "4111111111111111"));
  EXPECT_EQ(h, pan::lookup_hash("key-1", "4111111111111111"));
  EXPECT_NE(h, pan::lookup_hash("key-2", "4111111111111111"));
  EXPECT_NE(h, pan::lookup_hash("key-1", "5555555555554444"));
  EXPECT_NE(h, crypto::sha256("4111111111111111"));
}

TEST(engine_pan, last4_and_bin) {
  EXPECT_EQ(pan::last4("4111111111111234"), "1234");
  EXPECT_EQ(pan::bin_prefix("4111111111111234", 6), 411111U);
  EXPECT_EQ(pan::bin_prefix("4111111111111234", 8), 41111111U);
  EXPECT_EQ(pan::bin_prefix("41", 6), 0U);
  EXPECT_EQ(pan::bin_prefix("41a111111", 6), 0U);
  const bin_range r{400000, 499999, 6};
  EXPECT_TRUE(pan::in_range("4000001234567899", r));
  EXPECT_TRUE(pan::in_range("4999991234567899", r));
  EXPECT_FALSE(pan::in_range("3999991234567899", r));
  EXPECT_FALSE(pan::in_range("5000001234567899", r));
  EXPECT_FALSE(pan::in_range("4000", r));
  const bin_range r8{45000000, 45000099, 8};
  EXPECT_TRUE(pan::in_range("4500005012345678", r8));
  EXPECT_FALSE(pan::in_range("4500010012345678", r8));
}

TEST(engine_pan, seal_binds_the_card_id) {
  seeded_random rng{8};
  const std::string key(32, 'k');
  const card_id a{"card_a"};
  const card_id b{"card_b"};
  auto sealed = pan::seal(key, "4111111111111111", a, rng);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->find("4111111111111111"), std::string::npos);
  EXPECT_EQ(pan::open(key, *sealed, a), "4111111111111111");
  EXPECT_FALSE(pan::open(key, *sealed, b));
  EXPECT_FALSE(pan::open(std::string(32, 'x'), *sealed, a));
  EXPECT_FALSE(pan::seal("short", "4111111111111111", a, rng));
}

TEST(engine_pan, generate_dpan) {
  seeded_random rng{99};
  std::set<std::string> seen;
  for (std::string_view bin : {"489537", "4895370", "48953701"}) {
    for (unsigned len : {12U, 16U, 19U}) {
      for (int i = 0; i < 200; ++i) {
        const auto dpan = pan::generate_dpan(bin, len, rng);
        ASSERT_EQ(dpan.size(), len);
        ASSERT_TRUE(pan::luhn_valid(dpan)) << dpan;
        ASSERT_EQ(pan::validate(dpan), errc::ok) << dpan;
        ASSERT_EQ(dpan.substr(0, bin.size()), bin) << dpan;
        if (len == 16)
          seen.insert(dpan);
      }
    }
  }
  EXPECT_EQ(seen.size(), 600U) << "DPANs repeat across draws";
  // Deterministic per seed.
  seeded_random a{1};
  seeded_random b{1};
  EXPECT_EQ(pan::generate_dpan("489537", 16, a), pan::generate_dpan("489537", 16, b));
}

TEST(engine_pan, token_refs_are_unique_and_well_formed) {
  seeded_random rng{2024};
  const auto now = from_millis(1'795'000'000'000); // 2026-11-18
  std::set<std::string> seen;
  constexpr int draws = 100000;
  for (int i = 0; i < draws; ++i) {
    // Many refs share a millisecond: the random part keeps them unique.
    const auto ref = pan::generate_token_ref(now + std::chrono::milliseconds{i / 1000}, rng);
    ASSERT_EQ(ref.str().size(), 32U);
    ASSERT_EQ(ref.str().substr(0, 3), "DWT");
    for (char c : ref.str().substr(3, pan::time_prefix_chars))
      ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'V')) << ref.str();
    for (char c : ref.str().substr(3 + pan::time_prefix_chars))
      ASSERT_TRUE((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) << ref.str();
    seen.insert(ref.str());
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(draws));
  // Every base32 symbol occurs in the random part (the alphabet is fully used).
  std::set<char> symbols;
  for (const auto& s : seen)
    symbols.insert(s.begin() + 3 + pan::time_prefix_chars, s.end());
  EXPECT_EQ(symbols.size(), 32U);
}

TEST(engine_pan, token_refs_and_ids_sort_by_creation_time) {
  seeded_random rng{7};
  // Millisecond steps across symbol boundaries (31 -> 32, 1023 -> 1024) and
  // far apart, from the epoch to the year 2300.
  const std::vector<std::int64_t> times{
      0, 1, 31, 32, 1023, 1024, 1'795'000'000'000, 1'795'000'000'001, 10'413'792'000'000};
  std::vector<std::string> refs;
  std::vector<std::string> ids;
  for (auto ms : times) {
    refs.push_back(pan::generate_token_ref(from_millis(ms), rng).str());
    ids.push_back(pan::generate_time_ordered_id("evt_", from_millis(ms), rng));
  }
  for (std::size_t i = 1; i < times.size(); ++i) {
    EXPECT_LT(refs[i - 1], refs[i]) << times[i - 1] << " vs " << times[i];
    EXPECT_LT(ids[i - 1], ids[i]) << times[i - 1] << " vs " << times[i];
  }
  // The prefix is the time itself: equal times give equal prefixes.
  auto a = pan::generate_token_ref(from_millis(1024), rng).str();
  EXPECT_EQ(a.substr(0, 3 + pan::time_prefix_chars), refs[5].substr(0, 3 + pan::time_prefix_chars));
  EXPECT_EQ(a.substr(3, pan::time_prefix_chars), "0000000100");
  // Before the epoch clamps to zero instead of wrapping.
  EXPECT_EQ(pan::generate_token_ref(from_millis(-5), rng).str().substr(3, pan::time_prefix_chars),
            "0000000000");
}

TEST(engine_pan, time_ordered_ids_have_prefix_and_26_symbols) {
  seeded_random rng{5};
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = pan::generate_time_ordered_id("card_", from_millis(1'795'000'000'000), rng);
    ASSERT_EQ(id.size(), 5U + 26U);
    ASSERT_EQ(id.substr(0, 5), "card_");
    for (char c : id.substr(5, pan::time_prefix_chars))
      ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'v')) << id;
    for (char c : id.substr(5 + pan::time_prefix_chars))
      ASSERT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000U); // one millisecond, 80 random bits each
}

TEST(engine_pan, id_symbols_are_uniform_in_every_position) {
  // 3,200 ids of 26 symbols: each of the 32 symbols is expected 100 times
  // in each position. A symbol drawn with a bias of 1/8 (e.g. from 3 bits
  // too few) would be ~50 or ~150; the bounds below are ~5 sigma.
  seeded_random rng{11};
  constexpr int ids = 3200;
  std::array<std::array<int, 32>, 26> counts{};
  constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  for (int i = 0; i < ids; ++i) {
    const auto id = pan::generate_id("", rng);
    for (std::size_t p = 0; p < id.size(); ++p)
      ++counts[p][alphabet.find(id[p])];
  }
  for (std::size_t p = 0; p < counts.size(); ++p)
    for (std::size_t s = 0; s < 32; ++s) {
      EXPECT_GT(counts[p][s], 50) << "position " << p << " symbol " << alphabet[s];
      EXPECT_LT(counts[p][s], 150) << "position " << p << " symbol " << alphabet[s];
    }
}

TEST(engine_pan, dpan_account_digits_are_uniform_in_every_position) {
  // 2,000 DPANs of 19 digits after a 6-digit BIN: 12 account digits each
  // (the number is drawn in one call and written with leading zeros). Each
  // digit is expected 200 times in each position, sd ~13.4; a position that
  // never held a 0, or a digit with a bias of 1/4, falls outside ~5 sigma.
  seeded_random rng{12};
  constexpr int dpans = 2000;
  constexpr std::size_t bin_size = 6;
  std::array<std::array<int, 10>, 12> counts{};
  for (int i = 0; i < dpans; ++i) {
    const auto dpan = pan::generate_dpan("489537", 19, rng);
    for (std::size_t p = 0; p < counts.size(); ++p)
      ++counts[p][dpan[bin_size + p] - '0'];
  }
  for (std::size_t p = 0; p < counts.size(); ++p)
    for (std::size_t d = 0; d < 10; ++d) {
      EXPECT_GT(counts[p][d], 135) << "position " << p << " digit " << d;
      EXPECT_LT(counts[p][d], 265) << "position " << p << " digit " << d;
    }
}

TEST(engine_pan, generate_id_has_prefix_and_26_base32_chars) {
  seeded_random rng{3};
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = pan::generate_id("card_", rng);
    ASSERT_EQ(id.size(), 5U + 26U);
    ASSERT_EQ(id.substr(0, 5), "card_");
    for (char c : id.substr(5))
      ASSERT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000U);
  EXPECT_EQ(pan::generate_id("", rng).size(), 26U);
}
