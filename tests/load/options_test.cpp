#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "options.hpp"
#include "pan.hpp"
#include "schedule.hpp"
#include "sms_watcher.hpp"

namespace {

using namespace dwt::load;

TEST(LoadOptions, ParsesBurstMode) {
  auto r = parse_options({"--target",      "127.0.0.1:9000",
                          "--mode",        "burst",
                          "--rate",        "100",
                          "--burst-rate",  "1000",
                          "--burst-at",    "5",
                          "--burst-for",   "2",
                          "--duration",    "10",
                          "--scenario",    "provision",
                          "--connections", "8",
                          "--threads",     "2",
                          "--seed",        "7"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.port, 9000);
  EXPECT_EQ(r.opts.mode, run_mode::burst);
  EXPECT_EQ(r.opts.scenario, scenario_kind::provision);
  EXPECT_DOUBLE_EQ(r.opts.burst_rate, 1000);
  EXPECT_EQ(r.opts.connections, 8u);
  EXPECT_EQ(r.opts.seed, 7u);
}

TEST(LoadOptions, RejectsBadInput) {
  EXPECT_FALSE(parse_options({"--mode", "sideways"}).error.empty());
  EXPECT_FALSE(parse_options({"--target", "nohost"}).error.empty());
  EXPECT_FALSE(parse_options({"--connections", "0"}).error.empty());
  EXPECT_FALSE(parse_options({"--mode", "burst", "--rate", "10"}).error.empty());
  EXPECT_FALSE(parse_options({"--bogus"}).error.empty());
  EXPECT_FALSE(parse_options({"--rate"}).error.empty());
  // manual OTP needs the SMS sink.
  EXPECT_FALSE(parse_options({"--scenario", "mix"}).error.empty());
  EXPECT_TRUE(parse_options({"--scenario", "mix", "--sms-file", "x"}).error.empty());
  EXPECT_TRUE(parse_options({"--help"}).help);
}

TEST(LoadOptions, NetworkMdesAndTheTokenizeScenario) {
  EXPECT_EQ(parse_options({}).opts.network, network_kind::dwt);
  auto r = parse_options({"--network", "mdes", "--scenario", "tokenize", "--mdes-root", "/mc",
                          "--mdes-issuer-key", "k.pem"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.network, network_kind::mdes);
  EXPECT_EQ(r.opts.scenario, scenario_kind::tokenize);
  EXPECT_EQ(r.opts.mdes_root, "/mc");
  EXPECT_EQ(r.opts.mdes_issuer_key, "k.pem");
  EXPECT_STREQ(to_string(r.opts.network), "mdes");
  EXPECT_STREQ(to_string(r.opts.scenario), "tokenize");
  EXPECT_FALSE(parse_options({"--network", "visa"}).error.empty());
  EXPECT_FALSE(parse_options({"--network"}).error.empty());
}

TEST(LoadOptions, MixWeights) {
  auto r = parse_options({"--mix", "push=3,lifecycle=1"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.weights.push, 3u);
  EXPECT_EQ(r.opts.weights.lifecycle, 1u);
  EXPECT_EQ(r.opts.weights.manual_otp, 0u);
  EXPECT_EQ(r.opts.weights.sum(), 4u);
  EXPECT_FALSE(parse_options({"--mix", "push=0"}).error.empty());
  EXPECT_FALSE(parse_options({"--mix", "warp=1"}).error.empty());
}

TEST(LoadSchedule, ConstantRate) {
  schedule s{100, 10};
  EXPECT_EQ(s.total(), 1000u);
  EXPECT_DOUBLE_EQ(s.time_of(0), 0.0);
  EXPECT_DOUBLE_EQ(s.time_of(250), 2.5);
}

TEST(LoadSchedule, BurstWindowIsTenTimesDenser) {
  schedule s{100, 10, 1000, 4, 2}; // 4 s at 100, 2 s at 1000, 4 s at 100
  EXPECT_EQ(s.total(), 400u + 2000u + 400u);
  EXPECT_DOUBLE_EQ(s.time_of(399), 3.99);
  EXPECT_DOUBLE_EQ(s.time_of(400), 4.0);
  EXPECT_NEAR(s.time_of(1400), 5.0, 1e-9);
  EXPECT_NEAR(s.time_of(2400), 6.0, 1e-9);
  EXPECT_NEAR(s.time_of(2500), 7.0, 1e-9);
  // Monotonic.
  for (std::uint64_t i = 1; i < s.total(); ++i)
    ASSERT_LE(s.time_of(i - 1), s.time_of(i));
  EXPECT_NEAR(s.due_before(5.0), 1400, 1e-9);
}

TEST(LoadPan, GeneratedPansAreLuhnValidInBinRange) {
  std::mt19937_64 rng{1};
  for (int i = 0; i < 1000; ++i) {
    const auto pan = generate_pan(rng);
    ASSERT_EQ(pan.size(), 16u);
    ASSERT_TRUE(luhn_valid(pan)) << pan;
    const int bin = std::stoi(pan.substr(0, 6));
    ASSERT_GE(bin, 400000);
    ASSERT_LE(bin, 499999);
  }
  EXPECT_TRUE(luhn_valid("4111111111111111"));
  EXPECT_FALSE(luhn_valid("4111111111111112"));
  EXPECT_EQ(luhn_check_digit("7992739871"), '3');
}

TEST(LoadSms, ExtractsTheOnlySixDigitNumber) {
  EXPECT_EQ(extract_otp("Your code is 123456. Valid 10 minutes."), "123456");
  EXPECT_EQ(extract_otp("Card 4242: code 004211, ref 1234567"), "004211");
  EXPECT_FALSE(extract_otp("no code here 12345 1234567").has_value());
  EXPECT_FALSE(extract_otp("two 111111 and 222222").has_value());
}

TEST(LoadSms, KeepsLatestCodePerPhone) {
  sms_watcher w{"/nonexistent/dwt-load-test-sms.jsonl"};
  EXPECT_EQ(w.latest_seq("+447000000001"), 0u);
  w.consume_line(R"({"to":"+447000000001","body":"code 111111","sentAt":"x"})");
  const auto s1 = w.latest_seq("+447000000001");
  EXPECT_GT(s1, 0u);
  EXPECT_EQ(w.code_after("+447000000001", 0), "111111");
  EXPECT_FALSE(w.code_after("+447000000001", s1).has_value());
  w.consume_line(R"({"to":"+447000000001","body":"code 222222","sentAt":"x"})");
  EXPECT_EQ(w.code_after("+447000000001", s1), "222222");
  w.consume_line("not json");
  EXPECT_FALSE(w.code_after("+447000000002", 0).has_value());
}

TEST(LoadOptions, AwaitZero) {
  auto r = parse_options(
      {"--scenario", "provision", "--await-zero", "dwt_outbox_pending", "--await-timeout", "60"});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.opts.await_zero, "dwt_outbox_pending");
  EXPECT_EQ(r.opts.await_timeout_s, 60.0);
  EXPECT_TRUE(parse_options({"--scenario", "provision"}).opts.await_zero.empty());
  EXPECT_FALSE(parse_options({"--await-zero"}).error.empty());
  EXPECT_NE(parse_options({"--scenario", "provision", "--await-timeout", "0"})
                .error.find("--await-timeout"),
            std::string::npos);
}

} // namespace
