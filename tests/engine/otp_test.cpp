#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/crypto.hpp"
#include "dwt/engine/otp.hpp"
#include "test_util.hpp"

using namespace dwt::engine;
using namespace std::chrono_literals;
using dwt::engine::test::at;
using dwt::engine::test::code_of;

namespace {

const token_ref tur{"DWTABCDEFGHIJKLMNOPQRSTUVWXYZ234"};
constexpr std::string_view key = "otp-key-for-tests";

std::string wrong_code(const std::string& right) {
  return right == "000000" ? "000001" : "000000";
}

} // namespace

TEST(engine_otp, code_is_six_digits_and_deterministic_per_seed) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    seeded_random a{seed};
    seeded_random b{seed};
    for (int i = 0; i < 100; ++i) {
      const auto code = generate_otp_code(a);
      ASSERT_EQ(code.size(), 6U);
      for (char c : code)
        ASSERT_TRUE(c >= '0' && c <= '9') << code;
      ASSERT_EQ(code, generate_otp_code(b)) << "seed " << seed;
    }
  }
  // Leading zeros are kept and codes spread over the range.
  seeded_random rng{77};
  std::set<char> first_digits;
  std::set<std::string> codes;
  for (int i = 0; i < 2000; ++i) {
    const auto code = generate_otp_code(rng);
    first_digits.insert(code[0]);
    codes.insert(code);
  }
  EXPECT_EQ(first_digits.size(), 10U);
  EXPECT_GT(codes.size(), 1990U);
}

TEST(engine_otp, hash_is_keyed_and_bound_to_the_token) {
  const auto h = hash_otp(key, tur, "123456");
  EXPECT_EQ(h.size(), 32U);
  EXPECT_EQ(h, crypto::hmac_sha256(key, tur.str() + ":123456"));
  EXPECT_NE(h, hash_otp("another-key", tur, "123456"));
  EXPECT_NE(h, hash_otp(key, token_ref{"DWTOTHER"}, "123456"));
  EXPECT_NE(h, hash_otp(key, tur, "123457"));
  EXPECT_NE(h, crypto::sha256(tur.str() + ":123456"));
}

TEST(engine_otp, issue_never_stores_the_clear_code) {
  seeded_random rng{1};
  const auto now = at(2025, 5, 5, 12);
  const auto issued = issue_otp(tur, "+********0123", key, rng, now, otp_policy{});
  const auto& c = issued.challenge;
  EXPECT_EQ(c.token, tur);
  EXPECT_EQ(c.method, verification_method::sms_otp);
  EXPECT_EQ(c.code_hash, hash_otp(key, tur, issued.code));
  EXPECT_EQ(c.destination_masked, "+********0123");
  EXPECT_EQ(c.issued_at, now);
  EXPECT_EQ(c.expires_at, now + 600s);
  EXPECT_EQ(c.wrong_attempts, 0U);
  EXPECT_EQ(c.resends, 0U);
  // The clear code appears in no field of the stored challenge.
  for (const auto& field : {c.code_hash, c.destination_masked, c.token.str()})
    EXPECT_EQ(field.find(issued.code), std::string::npos);
  // Same seed → same code.
  seeded_random again{1};
  EXPECT_EQ(issue_otp(tur, "", key, again, now, otp_policy{}).code, issued.code);
}

TEST(engine_otp, issue_in_app) {
  const auto now = at(2025, 5, 5);
  otp_policy p;
  p.ttl = 120s;
  const auto c = issue_in_app(tur, now, p);
  EXPECT_EQ(c.method, verification_method::in_app);
  EXPECT_TRUE(c.code_hash.empty());
  EXPECT_EQ(c.expires_at, now + 120s);
  EXPECT_EQ(c.token, tur);
}

TEST(engine_otp, right_code_verifies) {
  seeded_random rng{2};
  const auto now = at(2025, 5, 5);
  const auto issued = issue_otp(tur, "", key, rng, now, otp_policy{});
  const auto v = verify_otp(issued.challenge, issued.code, key, now + 599s, otp_policy{});
  EXPECT_EQ(v.result, otp_result::verified);
  EXPECT_EQ(v.attempts_left, 3U);
  // Under another key the right code is wrong: the hash is keyed.
  EXPECT_EQ(verify_otp(issued.challenge, issued.code, "other", now, otp_policy{}).result,
            otp_result::incorrect);
}

TEST(engine_otp, wrong_attempts_exhaust_on_the_third) {
  seeded_random rng{3};
  const auto now = at(2025, 5, 5);
  const otp_policy policy;
  auto challenge = issue_otp(tur, "", key, rng, now, policy);
  const auto bad = wrong_code(challenge.code);
  auto v1 = verify_otp(challenge.challenge, bad, key, now, policy);
  EXPECT_EQ(v1.result, otp_result::incorrect);
  EXPECT_EQ(v1.attempts_left, 2U);
  EXPECT_EQ(v1.challenge.wrong_attempts, 1U);
  auto v2 = verify_otp(v1.challenge, bad, key, now, policy);
  EXPECT_EQ(v2.result, otp_result::incorrect);
  EXPECT_EQ(v2.attempts_left, 1U);
  auto v3 = verify_otp(v2.challenge, bad, key, now, policy);
  EXPECT_EQ(v3.result, otp_result::exhausted);
  EXPECT_EQ(v3.attempts_left, 0U);
  EXPECT_EQ(v3.challenge.wrong_attempts, 3U);
  // Even the right code is refused afterwards.
  EXPECT_EQ(verify_otp(v3.challenge, challenge.code, key, now, policy).result,
            otp_result::exhausted);
  // The right code after two wrong ones still verifies.
  EXPECT_EQ(verify_otp(v2.challenge, challenge.code, key, now, policy).result,
            otp_result::verified);
}

TEST(engine_otp, malformed_codes_count_as_wrong) {
  seeded_random rng{4};
  const auto now = at(2025, 5, 5);
  auto issued = issue_otp(tur, "", key, rng, now, otp_policy{});
  const std::string padded = issued.code + " ";
  for (std::string_view bad :
       {std::string_view{""}, std::string_view{"12345"}, std::string_view{"1234567"},
        std::string_view{"12345a"}, std::string_view{padded}}) {
    auto v = verify_otp(issued.challenge, bad, key, now, otp_policy{});
    EXPECT_EQ(v.result, otp_result::incorrect) << bad;
    EXPECT_EQ(v.challenge.wrong_attempts, 1U) << bad;
  }
}

TEST(engine_otp, expires_exactly_at_the_boundary) {
  seeded_random rng{5};
  const auto now = at(2025, 5, 5);
  const otp_policy policy;
  auto issued = issue_otp(tur, "", key, rng, now, policy);
  const auto expiry = issued.challenge.expires_at;
  EXPECT_EQ(verify_otp(issued.challenge, issued.code, key, expiry - 1ms, policy).result,
            otp_result::verified);
  EXPECT_EQ(verify_otp(issued.challenge, issued.code, key, expiry, policy).result,
            otp_result::expired);
  EXPECT_EQ(verify_otp(issued.challenge, wrong_code(issued.code), key, expiry + 1h, policy).result,
            otp_result::expired);
}

TEST(engine_otp, resends_up_to_three_then_limit) {
  seeded_random rng{6};
  auto now = at(2025, 5, 5);
  const otp_policy policy;
  auto issued = issue_otp(tur, "+***", key, rng, now, policy);
  // A wrong attempt survives resends.
  auto wrong = verify_otp(issued.challenge, wrong_code(issued.code), key, now, policy);
  auto challenge = wrong.challenge;
  std::string previous_code = issued.code;
  for (std::uint8_t i = 1; i <= 3; ++i) {
    now += 60s;
    auto r = resend_otp(challenge, key, rng, now, policy);
    ASSERT_TRUE(r) << int{i};
    EXPECT_EQ(r->challenge.resends, i);
    EXPECT_EQ(r->challenge.wrong_attempts, 1U);
    EXPECT_EQ(r->challenge.issued_at, now);
    EXPECT_EQ(r->challenge.expires_at, now + policy.ttl);
    EXPECT_EQ(r->challenge.code_hash, hash_otp(key, tur, r->code));
    EXPECT_EQ(r->challenge.destination_masked, "+***");
    // The new code verifies; an old code does not (unless equal by chance).
    EXPECT_EQ(verify_otp(r->challenge, r->code, key, now, policy).result, otp_result::verified);
    if (previous_code != r->code) {
      EXPECT_EQ(verify_otp(r->challenge, previous_code, key, now, policy).result,
                otp_result::incorrect);
    }
    previous_code = r->code;
    challenge = r->challenge;
  }
  auto limit = resend_otp(challenge, key, rng, now, policy);
  ASSERT_FALSE(limit);
  EXPECT_EQ(code_of(limit.error()), errc::otp_resend_limit);
}

TEST(engine_otp, resend_refuses_expired_and_in_app) {
  seeded_random rng{7};
  const auto now = at(2025, 5, 5);
  auto issued = issue_otp(tur, "", key, rng, now, otp_policy{});
  auto expired = resend_otp(issued.challenge, key, rng, issued.challenge.expires_at, otp_policy{});
  ASSERT_FALSE(expired);
  EXPECT_EQ(code_of(expired.error()), errc::otp_expired);
  auto in_app = resend_otp(issue_in_app(tur, now, otp_policy{}), key, rng, now, otp_policy{});
  ASSERT_FALSE(in_app);
  EXPECT_EQ(code_of(in_app.error()), errc::verification_method_unavailable);
}

TEST(engine_otp, policy_limits_are_configurable) {
  seeded_random rng{8};
  const auto now = at(2025, 5, 5);
  otp_policy policy;
  policy.max_wrong_attempts = 1;
  policy.max_resends = 0;
  policy.ttl = 30s;
  auto issued = issue_otp(tur, "", key, rng, now, policy);
  EXPECT_EQ(issued.challenge.expires_at, now + 30s);
  EXPECT_EQ(verify_otp(issued.challenge, wrong_code(issued.code), key, now, policy).result,
            otp_result::exhausted);
  auto r = resend_otp(issued.challenge, key, rng, now, policy);
  ASSERT_FALSE(r);
  EXPECT_EQ(code_of(r.error()), errc::otp_resend_limit);
}

TEST(engine_otp_death, verify_requires_an_sms_challenge) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const auto c = issue_in_app(tur, at(2025, 5, 5), otp_policy{});
  EXPECT_DEATH((void)verify_otp(c, "123456", key, at(2025, 5, 5), otp_policy{}), "sms_otp");
}
