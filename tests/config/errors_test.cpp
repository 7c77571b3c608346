// Each kind of bad input is refused with a message naming its key.
#include <string>

#include <gtest/gtest.h>

#include "dwt/config/load.hpp"
#include "support.hpp"

namespace dwt::config {
namespace {

using test::expect_error;
using test::minimal_toml;
using test::no_env;
using test::partner_toml;

TEST(ConfigErrors, BadDateNamesPartnerKey) {
  expect_error(minimal_toml() +
                   "\n[[partners]]\nid = \"p1\"\napi_key = \"k\"\nonboarded_on = \"June 1\"\n",
               errc::invalid_value, {"partners[0].onboarded_on: expected a date like 2025-06-01"});
  expect_error(minimal_toml() +
                   "\n[[partners]]\nid = \"p1\"\napi_key = \"k\"\nonboarded_on = 20250601\n",
               errc::wrong_type, {"partners[0].onboarded_on"});
  expect_error(minimal_toml() +
                   "\n[[partners]]\nid = \"p1\"\napi_key = \"k\"\nonboarded_on = \"2025-02-30\"\n",
               errc::invalid_value, {"partners[0].onboarded_on"});
}

TEST(ConfigErrors, DateAsStringIsAccepted) {
  auto loaded = load_string(
      minimal_toml() +
          "\n[[partners]]\nid = \"p1\"\napi_key = \"k\"\nonboarded_on = \"2024-11-15\"\n",
      no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  EXPECT_EQ(loaded->partners.at(0).onboarded_on,
            engine::date{std::chrono::year{2024} / std::chrono::November / 15});
}

TEST(ConfigErrors, WrongTypeNamesKey) {
  expect_error(minimal_toml() + "\n[listen]\nport = \"8080\"\n", errc::wrong_type,
               {"listen.port", "expected an integer", "got a string"});
  expect_error(minimal_toml() + "\n[http]\nio_threads = 1.5\n", errc::wrong_type,
               {"http.io_threads"});
  expect_error(minimal_toml() + partner_toml("sms_destination_migrated = \"yes\""),
               errc::wrong_type, {"partners[0].sms_destination_migrated", "true or false"});
  expect_error("listen = 3\n" + minimal_toml(), errc::wrong_type, {"listen: expected a table"});
}

TEST(ConfigErrors, OutOfRangeNamesKey) {
  expect_error(minimal_toml() + "\n[listen]\nport = 70000\n", errc::invalid_value,
               {"listen.port", "between 0 and 65535", "70000"});
  expect_error(minimal_toml() + "\n[http]\nmax_body_bytes = 0\n", errc::invalid_value,
               {"http.max_body_bytes"});
  expect_error(minimal_toml() + partner_toml("max_tokens_per_card = 0"), errc::invalid_value,
               {"partners[0].max_tokens_per_card"});
}

TEST(ConfigErrors, BadEnumNamesKeyAndChoices) {
  expect_error(minimal_toml() + "\n[store]\ndurability = \"fast\"\n", errc::invalid_value,
               {"store.durability", "\"sync\"", "\"nosync\"", "\"fast\""});
  expect_error(minimal_toml() + "\n[sms]\nsink = \"pigeon\"\n", errc::invalid_value, {"sms.sink"});
}

TEST(ConfigErrors, MissingRequiredKeys) {
  expect_error("", errc::missing_key, {"network: required key is missing", "keys:"});
  expect_error(minimal_toml() + "\n[[partners]]\nid = \"p1\"\napi_key = \"k\"\n", errc::missing_key,
               {"partners[0].onboarded_on"});
  expect_error(minimal_toml() + "\n[[partners]]\nid = \"p1\"\nonboarded_on = 2025-06-01\n",
               errc::missing_key, {"partners[0].api_key", "api_key_env"});
  expect_error(minimal_toml() + "\n[sms]\nsink = \"twilio\"\n", errc::missing_key, {"sms.twilio"});
}

TEST(ConfigErrors, WebhookBackoffKeysGoTogether) {
  // Half a custom schedule would mix with invented values: refused.
  expect_error(minimal_toml() + "\n[webhooks]\nmax_attempts = 30\n", errc::missing_key,
               {"webhooks.initial_backoff_ms", "webhooks.max_backoff_ms"});
  expect_error(minimal_toml() + "\n[webhooks]\ninitial_backoff_ms = 10\nmax_backoff_ms = 5\n"
                                "max_attempts = 3\n",
               errc::invalid_value, {"webhooks.max_backoff_ms", "at least initial_backoff_ms"});
  // More attempts than the engine accepts fail at load, not at start.
  expect_error(minimal_toml() + "\n[webhooks]\ninitial_backoff_ms = 10\nmax_backoff_ms = 20\n"
                                "max_attempts = 65\n",
               errc::invalid_value, {"webhooks.max_attempts"});
  auto loaded = load_string(minimal_toml() + "\n[webhooks]\ninitial_backoff_ms = 10\n"
                                             "max_backoff_ms = 20\nmax_attempts = 64\n",
                            no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  ASSERT_TRUE(loaded->webhooks.backoff.has_value());
  EXPECT_EQ(
      *loaded->webhooks.backoff,
      (webhook_backoff_settings{std::chrono::milliseconds{10}, std::chrono::milliseconds{20}, 64}));
}

TEST(ConfigErrors, UnknownKeysAreRefused) {
  expect_error(minimal_toml() + "\n[listen]\nprot = 8080\n", errc::unknown_key,
               {"listen.prot: unknown key"});
  expect_error(minimal_toml() + "\ndatadir = \"x\"\n", errc::unknown_key, {"datadir"});
  expect_error(minimal_toml() + partner_toml("onboarded = 2025-06-01"), errc::unknown_key,
               {"partners[0].onboarded"});
  expect_error(minimal_toml() + "\n[store.group_commit]\nmax_batches = 3\n", errc::unknown_key,
               {"store.group_commit.max_batches"});
  expect_error(minimal_toml() + "\n[[card_products]]\nname = \"x\"\nbins = [{low = 400000, "
                                "high = 499999, hi = 1}]\n",
               errc::unknown_key, {"card_products[0].bins[0].hi"});
}

TEST(ConfigErrors, BadKeyMaterial) {
  const std::string base = "[network]\napi_key = \"net\"\n[keys]\n"
                           "pan_hash_key = \"hex:" +
                           std::string(64, '1') +
                           "\"\n"
                           "otp_key = \"hex:" +
                           std::string(64, '2') + "\"\n";
  expect_error(base + "pan_encryption_key = \"hex:abcd\"\n", errc::invalid_value,
               {"keys.pan_encryption_key", "exactly 32 bytes", "got 2"});
  expect_error(base + "pan_encryption_key = \"" + std::string(64, '3') + "\"\n",
               errc::invalid_value, {"keys.pan_encryption_key", "hex:"});
  expect_error(base + "pan_encryption_key = \"hex:zz\"\n", errc::invalid_value,
               {"keys.pan_encryption_key"});
}

TEST(ConfigErrors, BadBinRanges) {
  expect_error(minimal_toml() + "\n[[card_products]]\nname = \"x\"\nbins = [{low = 499999, "
                                "high = 400000}]\n",
               errc::invalid_value, {"card_products[0].bins[0]", "low must not exceed high"});
  expect_error(minimal_toml() + "\n[[card_products]]\nname = \"x\"\nbins = [{low = 400000, "
                                "high = 4999999}]\n",
               errc::invalid_value, {"card_products[0].bins[0]", "same number of digits"});
  expect_error(minimal_toml() + "\n[[card_products]]\nname = \"x\"\nbins = []\n",
               errc::invalid_value, {"card_products[0].bins"});
}

TEST(ConfigErrors, BadWebhookSecretAndUrl) {
  expect_error(minimal_toml() + partner_toml("[partners.webhook]\nurl = \"ftp://x\"\nsecret = "
                                             "\"whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\"\n"),
               errc::invalid_value, {"partners[0].webhook.url"});
  expect_error(minimal_toml() +
                   partner_toml("[partners.webhook]\nurl = \"http://x\"\nsecret = \"plain\"\n"),
               errc::invalid_value, {"partners[0].webhook.secret", "whsec_"});
}

TEST(ConfigErrors, DuplicatesAndSharedKeysRefused) {
  expect_error(minimal_toml() + partner_toml() + partner_toml(), errc::invalid_value,
               {"partners[1].id", "duplicate"});
  expect_error(minimal_toml() +
                   "\n[[partners]]\nid = \"p1\"\napi_key = \"net\"\nonboarded_on = 2025-06-01\n",
               errc::invalid_value, {"partners[0].api_key", "already used"});
}

TEST(ConfigErrors, SyntaxErrorGivesLine) {
  auto loaded = load_string("[listen\nport = 1\n", no_env(), "dwt.toml");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error_value().code, errc::syntax_error);
  EXPECT_NE(loaded.error_value().message.find("dwt.toml:1:"), std::string::npos)
      << loaded.error_value().message;
}

TEST(ConfigErrors, AllProblemsReportedAtOnce) {
  auto loaded = load_string(minimal_toml() + "\n[listen]\nport = -1\nhots = \"x\"\n", no_env());
  ASSERT_FALSE(loaded.has_value());
  const auto& msg = loaded.error_value().message;
  EXPECT_NE(msg.find("listen.port"), std::string::npos) << msg;
  EXPECT_NE(msg.find("listen.hots"), std::string::npos) << msg;
}

} // namespace
} // namespace dwt::config
