// [networks.mdes]: defaults, the example file's values, and every refusal
// names its key.
#include <string>

#include <gtest/gtest.h>

#include "dwt/config/load.hpp"
#include "support.hpp"

namespace dwt::config {
namespace {

using test::expect_error;
using test::minimal_toml;
using test::no_env;

TEST(ConfigNetworks, AbsentSectionMeansDisabledWithDefaults) {
  auto loaded = load_string(minimal_toml(), no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  const auto& m = loaded->networks.mdes;
  EXPECT_FALSE(m.enabled);
  EXPECT_EQ(m.context_root, "/mdes");
  EXPECT_TRUE(m.issuer_fle_keys.empty());
  EXPECT_TRUE(m.network_fle_public_key.empty());
  EXPECT_TRUE(m.wallet_ids.empty());
  EXPECT_EQ(m.default_wallet, engine::wallet_provider::google_pay);
}

TEST(ConfigNetworks, ReadsEveryKey) {
  auto loaded = load_string(minimal_toml() + R"(
[networks.mdes]
enabled = true
context_root = "/issuer/mdes-v1"
issuer_fle_keys = ["a.key.pem", { key_file = "b.key.pem", certificate_file = "b.crt.pem" }]
network_fle_public_key = "net.pub.pem"
default_wallet = "SAMSUNG_PAY"
[networks.mdes.wallet_ids]
"103" = "APPLE_PAY"
"216" = "GOOGLE_PAY"
)",
                            no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  const auto& m = loaded->networks.mdes;
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.context_root, "/issuer/mdes-v1");
  ASSERT_EQ(m.issuer_fle_keys.size(), 2u);
  EXPECT_EQ(m.issuer_fle_keys[0], (mdes_fle_key_file{"a.key.pem", ""}));
  EXPECT_EQ(m.issuer_fle_keys[1], (mdes_fle_key_file{"b.key.pem", "b.crt.pem"}));
  EXPECT_EQ(m.network_fle_public_key, "net.pub.pem");
  EXPECT_EQ(m.default_wallet, engine::wallet_provider::samsung_pay);
  ASSERT_EQ(m.wallet_ids.size(), 2u);
  bool apple = false;
  bool google = false;
  for (const auto& [id, wallet] : m.wallet_ids) {
    apple = apple || (id == "103" && wallet == engine::wallet_provider::apple_pay);
    google = google || (id == "216" && wallet == engine::wallet_provider::google_pay);
  }
  EXPECT_TRUE(apple);
  EXPECT_TRUE(google);
}

TEST(ConfigNetworks, ExampleEnablesMdesWithTheDevelopmentKeys) {
  auto loaded = load_file(test::example_path(), no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  const auto& m = loaded->networks.mdes;
  EXPECT_TRUE(m.enabled);
  EXPECT_EQ(m.context_root, "/mdes");
  ASSERT_EQ(m.issuer_fle_keys.size(), 1u);
  EXPECT_EQ(m.issuer_fle_keys[0].key_file, "config/dev/mdes-issuer-fle.key.pem");
  EXPECT_EQ(m.network_fle_public_key, "config/dev/mdes-network-fle.pub.pem");
}

TEST(ConfigNetworks, ExampleSetsTheCustomerServiceApiWithTheDevelopmentKey) {
  auto loaded = load_file(test::example_path(), no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  const auto& m = loaded->networks.mdes;
  EXPECT_EQ(m.customer_service_url, "http://127.0.0.1:8082/mdes");
  EXPECT_EQ(m.oauth_signing_key, "config/dev/mdes-oauth.key.pem");
  EXPECT_FALSE(m.oauth_consumer_key.empty());
  EXPECT_FALSE(m.audit_user_id.empty());
  EXPECT_FALSE(m.audit_user_name.empty());
  EXPECT_FALSE(m.audit_organization.empty());
  EXPECT_FALSE(m.customer_service_backoff); // the built-in schedule
}

TEST(ConfigNetworks, CustomerServiceKeys) {
  auto loaded = load_string(minimal_toml() + R"(
[networks.mdes]
customer_service_url = "https://mdes.example/api"
oauth_consumer_key = "ck"
oauth_signing_key = "k.pem"
audit_user_id = "u"
audit_user_name = "U"
audit_organization = "O"
customer_service_timeout_ms = 2500
token_reference_wait_seconds = 60
retry_initial_backoff_ms = 100
retry_max_backoff_ms = 400
retry_max_attempts = 5
)",
                            no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  const auto& m = loaded->networks.mdes;
  EXPECT_EQ(m.customer_service_url, "https://mdes.example/api");
  EXPECT_EQ(m.customer_service_timeout, std::chrono::milliseconds{2500});
  EXPECT_EQ(m.token_reference_wait, std::chrono::seconds{60});
  ASSERT_TRUE(m.customer_service_backoff);
  EXPECT_EQ(m.customer_service_backoff->max_attempts, 5u);
  // Unset: no calls, nothing else required.
  auto plain = load_string(minimal_toml() + "\n[networks.mdes]\n", no_env());
  ASSERT_TRUE(plain.has_value());
  EXPECT_TRUE(plain->networks.mdes.customer_service_url.empty());
}

TEST(ConfigNetworks, CustomerServiceUrlNeedsCredentialsAndAudit) {
  expect_error(minimal_toml() + "\n[networks.mdes]\ncustomer_service_url = \"http://x\"\n",
               errc::missing_key, {"networks.mdes.oauth_consumer_key"});
  expect_error(minimal_toml() + "\n[networks.mdes]\ncustomer_service_url = \"ftp://x\"\n",
               errc::invalid_value, {"networks.mdes.customer_service_url"});
  expect_error(minimal_toml() + "\n[networks.mdes]\nretry_max_attempts = 3\n", errc::missing_key,
               {"networks.mdes.retry_initial_backoff_ms"});
}

TEST(ConfigNetworks, EnabledNeedsAKey) {
  expect_error(minimal_toml() + "\n[networks.mdes]\nenabled = true\n", errc::missing_key,
               {"networks.mdes.issuer_fle_keys", "at least one"});
}

TEST(ConfigNetworks, UnknownKeysAreRefused) {
  expect_error(minimal_toml() + "\n[networks.mdes]\nenable = true\n", errc::unknown_key,
               {"networks.mdes.enable: unknown key"});
  expect_error(minimal_toml() + "\n[networks.vts]\nenabled = true\n", errc::unknown_key,
               {"networks.vts: unknown key"});
  expect_error(minimal_toml() +
                   "\n[networks.mdes]\nissuer_fle_keys = [{ key_file = \"a\", cert = \"b\" }]\n",
               errc::unknown_key, {"networks.mdes.issuer_fle_keys[0].cert: unknown key"});
}

TEST(ConfigNetworks, BadValuesNameTheirKey) {
  for (const char* root : {"mdes", "/mdes/", "/a//b", "/md es", "/", "/mdes?x"})
    expect_error(minimal_toml() + "\n[networks.mdes]\ncontext_root = \"" + root + "\"\n",
                 errc::invalid_value, {"networks.mdes.context_root"});
  for (const char* root : {"/v1", "/network/mdes", "/metrics"})
    expect_error(minimal_toml() + "\n[networks.mdes]\ncontext_root = \"" + root + "\"\n",
                 errc::invalid_value, {"networks.mdes.context_root", "must not lie under"});
  expect_error(minimal_toml() + "\n[networks.mdes]\nissuer_fle_keys = [\"a\", 3]\n",
               errc::wrong_type, {"networks.mdes.issuer_fle_keys[1]"});
  expect_error(minimal_toml() + "\n[networks.mdes]\nissuer_fle_keys = \"a\"\n", errc::wrong_type,
               {"networks.mdes.issuer_fle_keys"});
  expect_error(minimal_toml() + "\n[networks.mdes]\ndefault_wallet = \"PAYPAL\"\n",
               errc::invalid_value, {"networks.mdes.default_wallet", "APPLE_PAY"});
  expect_error(minimal_toml() + "\n[networks.mdes.wallet_ids]\n\"103\" = \"APPLE\"\n",
               errc::invalid_value, {"networks.mdes.wallet_ids.103"});
  expect_error(minimal_toml() + "\n[networks.mdes]\nenabled = \"yes\"\n", errc::wrong_type,
               {"networks.mdes.enabled"});
}

} // namespace
} // namespace dwt::config
