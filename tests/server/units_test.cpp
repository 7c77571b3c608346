// Unit tests of the server's pure parts: the command line, the settings →
// engine_options mapping (on the example configuration), the webhook retry
// schedule and the runtime metrics text.

#include <filesystem>

#include "dwt/config/load.hpp"
#include "dwt/server/cli.hpp"
#include "dwt/server/engine_config.hpp"
#include "dwt/server/metrics_text.hpp"
#include "support.hpp"

namespace dwt_server_test {
namespace {

using dwt::server::parse_cli;
using dwt::server::parse_listen;

TEST(Cli, ParsesEveryOption) {
  auto r = parse_cli({"--config", "c.toml", "--listen", "0.0.0.0:0", "--data-dir=/tmp/x"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->config_path, "c.toml");
  ASSERT_TRUE(r.options->listen);
  EXPECT_EQ(r.options->listen->host, "0.0.0.0");
  EXPECT_EQ(r.options->listen->port, 0);
  EXPECT_EQ(r.options->data_dir, "/tmp/x");
}

TEST(Cli, RefusesBadArguments) {
  EXPECT_FALSE(parse_cli({}).options);
  EXPECT_FALSE(parse_cli({"--config"}).options);
  EXPECT_FALSE(parse_cli({"--config", "c.toml", "--verbose"}).options);
  EXPECT_FALSE(parse_cli({"--config", "c.toml", "--listen", "localhost"}).options);
  EXPECT_FALSE(parse_cli({"--config", "c.toml", "--listen", "h:65536"}).options);
}

TEST(Cli, ListenForms) {
  auto v6 = parse_listen("[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
  EXPECT_FALSE(parse_listen("::1:8080"));
  EXPECT_FALSE(parse_listen(":8080"));
  EXPECT_FALSE(parse_listen("h:"));
  EXPECT_FALSE(parse_listen("h:8o"));
}

TEST(EngineConfig, MapsTheExampleConfiguration) {
  const auto root = std::filesystem::path{DWT_OPENAPI_PATH}.parent_path().parent_path();
  auto loaded = dwt::config::load_file(root / "config" / "dwt.example.toml");
  ASSERT_TRUE(loaded) << loaded.error_value().message;
  const auto& s = loaded.value();
  auto o = dwt::server::to_engine_options(s);
  EXPECT_EQ(o.data_dir, std::filesystem::path{"var"});
  EXPECT_EQ(o.commit.max_batch, s.store.group_commit.max_batch);
  EXPECT_EQ(o.commit.max_wait, std::chrono::microseconds{s.store.group_commit.max_wait_us});
  EXPECT_EQ(o.store.mode, dwt::persistence::durability::sync);
  EXPECT_GE(o.scheduler_threads, 1u); // 0 in the file: number of cores
  EXPECT_EQ(o.shard_count, s.runtime.shard_count);
  EXPECT_EQ(o.passivate_after, s.runtime.actor_idle_passivation);
  ASSERT_EQ(o.partners.size(), 2u);
  EXPECT_EQ(o.partners[0].id.value, "demo-partner");
  EXPECT_EQ(o.products, s.card_products);
  EXPECT_EQ(o.otp.max_wrong_attempts, 3);
  EXPECT_EQ(o.verification_expiry, s.verification.expiry);
  EXPECT_EQ(o.decision.velocity_limit, s.velocity.max_requests_per_card);
  EXPECT_EQ(o.pan_encryption_key.size(), 32u);
  EXPECT_EQ(o.token_bin, "489537");
  // The demo partner's webhook, secret back in whsec_ form.
  ASSERT_EQ(o.webhooks.size(), 1u);
  EXPECT_EQ(o.webhooks[0].partner.value, "demo-partner");
  EXPECT_EQ(o.webhooks[0].url, "http://127.0.0.1:8081/webhooks");
  ASSERT_EQ(o.webhooks[0].secrets.size(), 1u);
  EXPECT_EQ(o.webhooks[0].secrets[0], "whsec_X73qG1LrAtQNT/5lYFLH1zfzQNFD2IqjCO3B7PI56dA=");
  EXPECT_EQ(o.dispatcher.timeout, s.webhooks.timeout);
  EXPECT_EQ(o.dispatcher.retry_delays.size(), s.webhooks.max_attempts);
}

TEST(EngineConfig, RetryScheduleDoublesUpToTheCap) {
  dwt::config::webhook_delivery_settings w;
  w.initial_backoff = std::chrono::milliseconds{1000};
  w.max_backoff = std::chrono::milliseconds{5000};
  w.max_attempts = 6;
  using ms = std::chrono::milliseconds;
  EXPECT_EQ(dwt::server::retry_delays(w),
            (std::vector<ms>{ms{0}, ms{1000}, ms{2000}, ms{4000}, ms{5000}, ms{5000}}));
}

TEST(MetricsText, HistogramsAreCumulative) {
  dwt::runtime_stats s;
  s.live_cards = 3;
  s.commit.batches = 3;
  s.commit.units = 5;
  s.commit.batch_sizes[0] = 2; // two batches of 1
  s.commit.batch_sizes[2] = 1; // one batch of 3
  s.commit.commit_latency_us[1] = 3;
  s.commit.commit_latency_us_sum = 90;
  auto text = dwt::server::render_runtime_metrics(s, true);
  EXPECT_NE(text.find("dwt_live_actors{kind=\"card\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("dwt_checkpointer_batch_size_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("dwt_checkpointer_batch_size_bucket{le=\"4\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("dwt_checkpointer_batch_size_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("dwt_checkpointer_batch_size_count 3\n"), std::string::npos);
  EXPECT_NE(text.find("dwt_checkpointer_commit_latency_seconds_bucket{le=\"3.2e-05\"} 3"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("dwt_engine_ready 1\n"), std::string::npos);
}

} // namespace
} // namespace dwt_server_test
