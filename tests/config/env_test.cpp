// Secrets from environment variables named in the file.
#include <cstdlib>

#include <gtest/gtest.h>

#include "dwt/config/load.hpp"
#include "support.hpp"

namespace dwt::config {
namespace {

const std::string env_config = R"(
[network]
api_key_env = "TEST_NET_KEY"
[[partners]]
id = "p1"
api_key_env = "TEST_P1_KEY"
onboarded_on = 2025-06-01
[partners.webhook]
url = "https://partner.example/hooks"
secret_env = "TEST_P1_WHSEC"
extra_secrets_env = ["TEST_P1_WHSEC_OLD"]
[keys]
pan_hash_key_env = "TEST_PAN_HASH"
pan_encryption_key_env = "TEST_PAN_ENC"
otp_key_env = "TEST_OTP"
[sms]
sink = "twilio"
[sms.twilio]
account_sid = "AC123"
auth_token_env = "TEST_TWILIO"
from = "+15005550006"
)";

std::map<std::string, std::string> full_env() {
  return {
      {"TEST_NET_KEY", "network-secret"},
      {"TEST_P1_KEY", "partner-secret"},
      {"TEST_P1_WHSEC", "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
      {"TEST_P1_WHSEC_OLD", "whsec_ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="},
      {"TEST_PAN_HASH", "hex:" + std::string(64, 'a')},
      {"TEST_PAN_ENC", "base64:" + std::string(43, 'B') + "="},
      {"TEST_OTP", "hex:" + std::string(64, 'c')},
      {"TEST_TWILIO", "twilio-token"},
  };
}

TEST(ConfigEnv, SecretsResolvedFromEnvironment) {
  auto loaded = load_string(env_config, test::env_of(full_env()));
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  EXPECT_EQ(loaded->network.api_key_sha256, test::sha256("network-secret"));
  const auto& p = loaded->partners.at(0);
  EXPECT_EQ(p.api_key_sha256, test::sha256("partner-secret"));
  ASSERT_TRUE(p.webhook.has_value());
  ASSERT_EQ(p.webhook->secrets.size(), 2u);
  EXPECT_EQ(p.webhook->secrets[0], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(p.webhook->secrets[1], "fedcba9876543210fedcba9876543210");
  EXPECT_EQ(loaded->keys.pan_hash_key, std::string(32, '\xaa'));
  EXPECT_EQ(loaded->keys.pan_encryption_key.size(), 32u);
  EXPECT_EQ(loaded->sms.sink, sms_sink_kind::twilio);
  EXPECT_EQ(loaded->sms.twilio.auth_token, "twilio-token");
  EXPECT_EQ(loaded->sms.twilio.auth_token_env, "TEST_TWILIO");
}

TEST(ConfigEnv, MissingVariableIsNamed) {
  for (const auto& [var, key] : std::map<std::string, std::string>{
           {"TEST_NET_KEY", "network.api_key_env"},
           {"TEST_P1_KEY", "partners[0].api_key_env"},
           {"TEST_P1_WHSEC", "partners[0].webhook.secret_env"},
           {"TEST_P1_WHSEC_OLD", "partners[0].webhook.extra_secrets_env[0]"},
           {"TEST_PAN_ENC", "keys.pan_encryption_key_env"},
           {"TEST_TWILIO", "sms.twilio.auth_token_env"}}) {
    auto env = full_env();
    env.erase(var);
    auto loaded = load_string(env_config, test::env_of(env));
    ASSERT_FALSE(loaded.has_value()) << var;
    EXPECT_EQ(loaded.error_value().code, errc::missing_env_var);
    const auto& msg = loaded.error_value().message;
    EXPECT_NE(msg.find(key), std::string::npos) << msg;
    EXPECT_NE(msg.find("environment variable " + var + " is not set"), std::string::npos) << msg;
  }
}

TEST(ConfigEnv, BothInlineAndEnvRefused) {
  auto loaded = load_string(test::minimal_toml() + "\n[[partners]]\nid = \"p\"\napi_key = "
                                                   "\"a\"\napi_key_env = \"B\"\nonboarded_on = "
                                                   "2025-06-01\n",
                            test::no_env());
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error_value().message.find("partners[0].api_key"), std::string::npos);
}

TEST(ConfigEnv, SecretValuesNeverInMessages) {
  auto env = full_env();
  env["TEST_PAN_ENC"] = "hex:00";
  auto loaded = load_string(env_config, test::env_of(env));
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error_value().message.find("keys.pan_encryption_key"), std::string::npos);
  EXPECT_EQ(loaded.error_value().message.find("network-secret"), std::string::npos);
}

TEST(ConfigEnv, ProcessEnvironmentIsTheDefault) {
  ::setenv("DWT_CONFIG_TEST_VAR", "from-process", 1);
  EXPECT_EQ(process_env("DWT_CONFIG_TEST_VAR"), std::optional<std::string>{"from-process"});
  ::unsetenv("DWT_CONFIG_TEST_VAR");
  EXPECT_EQ(process_env("DWT_CONFIG_TEST_VAR"), std::nullopt);
}

} // namespace
} // namespace dwt::config
