// The shipped example configuration loads with the values docs/API.md promises.
#include <chrono>

#include <gtest/gtest.h>

#include "dwt/config/load.hpp"
#include "support.hpp"

namespace dwt::config {
namespace {

using namespace std::chrono;

TEST(ConfigExample, LoadsWithExpectedValues) {
  auto loaded = load_file(test::example_path(), test::no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  const settings& s = *loaded;

  EXPECT_EQ(s.listen.host, "127.0.0.1");
  EXPECT_EQ(s.listen.port, 8080);
  EXPECT_EQ(s.data_dir, "var");
  EXPECT_EQ(s.network.api_key_sha256, test::sha256("demo-network-key"));

  ASSERT_EQ(s.partners.size(), 2u);
  const auto* demo = s.find_partner("demo-partner");
  ASSERT_NE(demo, nullptr);
  EXPECT_EQ(demo->api_key_sha256, test::sha256("demo-partner-key"));
  EXPECT_EQ(demo->onboarded_on, year{2025} / June / 1);
  EXPECT_EQ(demo->max_tokens_per_card, 25u);
  ASSERT_TRUE(demo->webhook.has_value());
  EXPECT_EQ(demo->webhook->url, "http://127.0.0.1:8081/webhooks");
  ASSERT_EQ(demo->webhook->secrets.size(), 1u);
  EXPECT_EQ(demo->webhook->secrets[0].size(), 32u);

  const auto* legacy = s.find_partner("legacy-partner");
  ASSERT_NE(legacy, nullptr);
  EXPECT_EQ(legacy->api_key_sha256, test::sha256("legacy-partner-key"));
  EXPECT_EQ(legacy->onboarded_on, year{2024} / November / 15);
  EXPECT_FALSE(legacy->sms_destination_migrated);
  EXPECT_LT(legacy->onboarded_on, engine::date{year{2025} / March / 1});
  EXPECT_EQ(legacy->to_record().id.value, "legacy-partner");

  ASSERT_EQ(s.card_products.size(), 1u);
  const auto& product = s.card_products[0];
  EXPECT_EQ(product.name, "demo-debit");
  EXPECT_TRUE(product.tokenization_enabled);
  ASSERT_EQ(product.bins.size(), 1u);
  EXPECT_EQ(product.bins[0].low, 400000u);
  EXPECT_EQ(product.bins[0].high, 499999u);
  EXPECT_EQ(product.bins[0].digits, 6u);

  EXPECT_EQ(s.sms.sink, sms_sink_kind::file);
  EXPECT_EQ(s.sms.file_path, "var/sms.jsonl");
  EXPECT_EQ(s.keys.pan_encryption_key.size(), 32u);
  EXPECT_EQ(s.keys.pan_hash_key.size(), 32u);
  EXPECT_EQ(s.keys.otp_key.size(), 32u);
  EXPECT_NE(s.keys.pan_hash_key, s.keys.otp_key);

  EXPECT_EQ(s.otp.ttl, seconds{600});
  EXPECT_EQ(s.otp.max_wrong_attempts, 3u);
  EXPECT_EQ(s.otp.max_resends, 3u);
  EXPECT_EQ(s.http.max_header_bytes, 8u * 1024u);
  EXPECT_EQ(s.http.max_body_bytes, 64u * 1024u);
  EXPECT_EQ(s.webhooks.timeout, milliseconds{5000});
  // 4 let one busy partner's webhooks fall ever further behind (bench/README.md,
  // "Webhook concurrency"); the example and the built-in default agree.
  EXPECT_EQ(s.webhooks.max_concurrency_per_endpoint, 32u);
  EXPECT_EQ(dwt::config::webhook_delivery_settings{}.max_concurrency_per_endpoint, 32u);
  // No custom retry schedule: the engine's built-in ~3-day one
  // (tests/server units_test checks the schedule it yields).
  EXPECT_FALSE(s.webhooks.backoff.has_value());
  EXPECT_EQ(s.store.durability_mode, durability::sync);
}

TEST(ConfigExample, MinimalFileTakesDocumentedDefaults) {
  auto loaded = load_string(test::minimal_toml(), test::no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  const settings defaults;
  EXPECT_EQ(loaded->listen.port, defaults.listen.port);
  EXPECT_EQ(loaded->http.idle_timeout, milliseconds{30000});
  EXPECT_EQ(loaded->runtime.shard_count, defaults.runtime.shard_count);
  EXPECT_EQ(loaded->verification.expiry, defaults.verification.expiry);
  EXPECT_TRUE(loaded->partners.empty());
  EXPECT_FALSE(loaded->webhooks.backoff.has_value());
}

TEST(ConfigExample, MissingFileIsAnIoError) {
  auto loaded = load_file("/nonexistent/dwt.toml", test::no_env());
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error_value().code, errc::io_error);
  EXPECT_NE(loaded.error_value().message.find("/nonexistent/dwt.toml"), std::string::npos);
}

} // namespace
} // namespace dwt::config
