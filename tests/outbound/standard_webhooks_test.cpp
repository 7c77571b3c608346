#include <gtest/gtest.h>

#include "dwt/engine/random.hpp"
#include "dwt/outbound/standard_webhooks.hpp"
#include "outbound/test_support.hpp"

namespace sw = dwt::outbound::standard_webhooks;
using dwt::outbound::testing::independent_signature;

namespace {

// The published Standard Webhooks test vector (reference libraries' tests).
constexpr std::string_view vector_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view vector_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t vector_ts = 1614265330;
constexpr std::string_view vector_body = R"({"test": 2432232314})";
constexpr std::string_view vector_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::chrono::sys_seconds at(std::int64_t s) {
  return std::chrono::sys_seconds{std::chrono::seconds{s}};
}

sw::secret must_parse(std::string_view text) {
  auto s = sw::secret::parse(text);
  EXPECT_TRUE(s.has_value()) << "secret does not parse";
  return s.value_or(sw::secret::from_raw("x"));
}

} // namespace

TEST(StandardWebhooks, SignsThePublishedTestVector) {
  const auto key = must_parse(vector_secret);
  EXPECT_EQ(sw::sign(key, vector_id, vector_ts, vector_body), vector_signature);
  // And so does the independent OpenSSL implementation used by the receivers.
  EXPECT_EQ(independent_signature(vector_secret, vector_id, std::to_string(vector_ts), vector_body),
            vector_signature);
}

TEST(StandardWebhooks, VerifiesThePublishedTestVector) {
  const std::vector keys{must_parse(vector_secret)};
  const auto ts = std::to_string(vector_ts);
  const sw::received_headers h{vector_id, ts, vector_signature};
  EXPECT_EQ(sw::verify(keys, h, vector_body, at(vector_ts)), sw::verify_result::ok);
  // One bogus signature before the good one does not matter.
  const std::string several = "v1,bm9wZQ== " + std::string{vector_signature};
  EXPECT_EQ(sw::verify(keys, {vector_id, ts, several}, vector_body, at(vector_ts)),
            sw::verify_result::ok);
}

TEST(StandardWebhooks, SecretPrefixIsOptionalAndRoundTrips) {
  const auto with = must_parse(vector_secret);
  const auto without = must_parse(vector_secret.substr(6));
  EXPECT_EQ(with, without);
  EXPECT_EQ(with.key().size(), 24u);
  EXPECT_EQ(with.to_text(), vector_secret);
  EXPECT_FALSE(sw::secret::parse("whsec_not*base64").has_value());
  EXPECT_FALSE(sw::secret::parse("whsec_").has_value());
  EXPECT_FALSE(sw::secret::parse("whsec_c2hvcnQ=").has_value()); // 5 bytes: too short
}

TEST(StandardWebhooks, GeneratedSecretsAreDistinctAndParse) {
  dwt::engine::seeded_random rng{42};
  const auto a = sw::generate_secret(rng);
  const auto b = sw::generate_secret(rng);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.key().size(), sw::generated_key_size);
  EXPECT_EQ(must_parse(a.to_text()), a);
}

class StandardWebhooksVerify : public ::testing::Test {
protected:
  dwt::engine::seeded_random rng_{7};
  sw::secret key_ = sw::generate_secret(rng_);
  std::string id_ = "evt_123";
  std::int64_t ts_ = 1'750'000'000;
  std::string ts_text_ = std::to_string(ts_);
  std::string body_ = R"({"type":"DigitalWalletTokenTransition","data":{}})";
  std::string sig_ = sw::sign(key_, id_, ts_, body_);

  sw::verify_result check(const std::vector<sw::secret>& keys, std::string_view body,
                          std::int64_t now, std::string_view sig) const {
    return sw::verify(keys, {id_, ts_text_, sig}, body, at(now));
  }
};

TEST_F(StandardWebhooksVerify, AcceptsWithinTolerance) {
  EXPECT_EQ(check({key_}, body_, ts_, sig_), sw::verify_result::ok);
  EXPECT_EQ(check({key_}, body_, ts_ + 300, sig_), sw::verify_result::ok);
  EXPECT_EQ(check({key_}, body_, ts_ - 300, sig_), sw::verify_result::ok);
}

TEST_F(StandardWebhooksVerify, RejectsTamperedBody) {
  auto tampered = body_;
  tampered.back() = ' ';
  EXPECT_EQ(check({key_}, tampered, ts_, sig_), sw::verify_result::no_matching_signature);
}

TEST_F(StandardWebhooksVerify, RejectsOldAndFutureTimestamps) {
  EXPECT_EQ(check({key_}, body_, ts_ + 301, sig_), sw::verify_result::too_old);
  EXPECT_EQ(check({key_}, body_, ts_ - 301, sig_), sw::verify_result::too_new);
}

TEST_F(StandardWebhooksVerify, RejectsWrongSecret) {
  const auto other = sw::generate_secret(rng_);
  EXPECT_EQ(check({other}, body_, ts_, sig_), sw::verify_result::no_matching_signature);
  EXPECT_EQ(check({}, body_, ts_, sig_), sw::verify_result::no_matching_signature);
}

TEST_F(StandardWebhooksVerify, RejectsMissingHeadersBadTimestampAndUnknownVersions) {
  const std::vector keys{key_};
  EXPECT_EQ(sw::verify(keys, {"", ts_text_, sig_}, body_, at(ts_)),
            sw::verify_result::missing_header);
  EXPECT_EQ(sw::verify(keys, {id_, "", sig_}, body_, at(ts_)), sw::verify_result::missing_header);
  EXPECT_EQ(sw::verify(keys, {id_, ts_text_, ""}, body_, at(ts_)),
            sw::verify_result::missing_header);
  EXPECT_EQ(sw::verify(keys, {id_, "17500000x0", sig_}, body_, at(ts_)),
            sw::verify_result::bad_timestamp);
  EXPECT_EQ(sw::verify(keys, {id_, "1.5", sig_}, body_, at(ts_)), sw::verify_result::bad_timestamp);
  auto v2 = sig_;
  v2[1] = '2';
  EXPECT_EQ(check(keys, body_, ts_, v2), sw::verify_result::no_matching_signature);
  // The signature covers the id and the timestamp too.
  EXPECT_EQ(sw::verify(keys, {"evt_124", ts_text_, sig_}, body_, at(ts_)),
            sw::verify_result::no_matching_signature);
}

TEST_F(StandardWebhooksVerify, RotationSignsWithEverySecretAndEachVerifiesAlone) {
  const auto next = sw::generate_secret(rng_);
  const std::vector both{key_, next};
  const auto header = sw::signature_header(both, id_, ts_, body_);
  const auto parts = dwt::outbound::testing::split_signatures(header);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], sw::sign(key_, id_, ts_, body_));
  EXPECT_EQ(parts[1], sw::sign(next, id_, ts_, body_));
  EXPECT_EQ(check({key_}, body_, ts_, header), sw::verify_result::ok);
  EXPECT_EQ(check({next}, body_, ts_, header), sw::verify_result::ok);
  EXPECT_EQ(check({sw::generate_secret(rng_)}, body_, ts_, header),
            sw::verify_result::no_matching_signature);
}

TEST(StandardWebhooks, ResultNamesAreStable) {
  EXPECT_EQ(sw::to_string(sw::verify_result::ok), "ok");
  EXPECT_EQ(sw::to_string(sw::verify_result::too_old), "too_old");
  EXPECT_EQ(sw::to_string(sw::verify_result::no_matching_signature), "no_matching_signature");
}
