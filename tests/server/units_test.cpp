// Unit tests of the server's pure parts: the command line, the settings →
// engine_options mapping (on the example configuration), the webhook retry
// schedule and the runtime metrics text.

#include <algorithm>
#include <filesystem>

#include "dwt/config/load.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/outbound/retry_schedule.hpp"
#include "dwt/server/allocator.hpp"
#include "dwt/server/cli.hpp"
#include "dwt/server/engine_config.hpp"
#include "dwt/server/metrics_text.hpp"
#include "dwt/server/process_metrics.hpp"
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
  EXPECT_EQ(o.idempotency_sweep_interval, std::chrono::seconds{60});
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
  EXPECT_EQ(o.dispatcher.max_concurrent_per_endpoint, s.webhooks.max_concurrency_per_endpoint);
  EXPECT_EQ(o.dispatcher.max_concurrent_per_endpoint, 32u);
  // No custom schedule in the example: the engine's built-in one.
  EXPECT_FALSE(s.webhooks.backoff.has_value());
  EXPECT_TRUE(o.dispatcher.retry_delays.empty());
}

/// The schedule the engine runs for `s` (the same rule as the dispatcher).
dwt::outbound::retry_schedule schedule_of(const dwt::config::settings& s) {
  const auto o = dwt::server::to_engine_options(s);
  return dwt::outbound::make_retry_schedule(o.dispatcher.retry_delays,
                                            o.dispatcher.retry_jitter_percent);
}

/// Issue #6 promises about 3 days of retries before dead-letter: every
/// jittered draw of the schedule spans 2.5–3.5 days, step by step monotone.
void expect_about_three_days(const dwt::outbound::retry_schedule& schedule) {
  using namespace std::chrono_literals;
  const std::chrono::milliseconds low = 60h;  // 2.5 days
  const std::chrono::milliseconds high = 84h; // 3.5 days
  EXPECT_GE(schedule.nominal_total(), low);
  EXPECT_LE(schedule.nominal_total(), high);
  const auto t0 = dwt::engine::from_millis(1'750'000'000'000);
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    dwt::engine::seeded_random rng{seed};
    auto now = t0;
    std::chrono::milliseconds previous{0};
    std::uint32_t made = 0;
    for (;; ++made) {
      const auto next = schedule.next_attempt_at(made, now, rng);
      if (!next)
        break;
      const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*next - now);
      EXPECT_GE(delay, previous) << "seed " << seed << " attempt " << made + 1;
      previous = delay;
      now = *next;
    }
    EXPECT_EQ(made, schedule.max_attempts());
    EXPECT_GE(now - t0, low) << "seed " << seed;
    EXPECT_LE(now - t0, high) << "seed " << seed;
  }
}

TEST(EngineConfig, DefaultWebhookScheduleSpansAboutThreeDays) {
  const dwt::config::settings defaults;
  const auto schedule = schedule_of(defaults);
  expect_about_three_days(schedule);
  // And it is the engine's built-in table, not a copy of it.
  const dwt::outbound::retry_schedule builtin;
  EXPECT_TRUE(std::ranges::equal(schedule.delays(), builtin.delays()));
  EXPECT_EQ(schedule.jitter_percent(), builtin.jitter_percent());
}

TEST(EngineConfig, ExampleConfigurationYieldsTheDefaultWebhookSchedule) {
  const auto root = std::filesystem::path{DWT_OPENAPI_PATH}.parent_path().parent_path();
  auto loaded = dwt::config::load_file(root / "config" / "dwt.example.toml");
  ASSERT_TRUE(loaded) << loaded.error_value().message;
  const auto schedule = schedule_of(loaded.value());
  expect_about_three_days(schedule);
  const auto defaults = schedule_of(dwt::config::settings{});
  EXPECT_TRUE(std::ranges::equal(schedule.delays(), defaults.delays()));
  EXPECT_EQ(schedule.jitter_percent(), defaults.jitter_percent());
}

TEST(EngineConfig, MapsTheMdesCustomerServiceApi) {
  const auto root = std::filesystem::path{DWT_OPENAPI_PATH}.parent_path().parent_path();
  auto loaded = dwt::config::load_file(root / "config" / "dwt.example.toml");
  ASSERT_TRUE(loaded) << loaded.error_value().message;
  auto s = loaded.value();
  auto o = dwt::server::to_engine_options(s);
  EXPECT_EQ(o.mdes.url, s.networks.mdes.customer_service_url);
  EXPECT_EQ(o.mdes.consumer_key, s.networks.mdes.oauth_consumer_key);
  EXPECT_EQ(o.mdes.audit_organization, s.networks.mdes.audit_organization);
  EXPECT_EQ(o.mdes.timeout, s.networks.mdes.customer_service_timeout);
  EXPECT_TRUE(o.mdes.retry_delays.empty()); // the built-in schedule
  EXPECT_TRUE(o.mdes.signing_key_pem.empty()) << "the server reads the key file, not the mapping";
  dwt::config::webhook_backoff_settings w;
  w.initial_backoff = std::chrono::milliseconds{100};
  w.max_backoff = std::chrono::milliseconds{200};
  w.max_attempts = 3;
  s.networks.mdes.customer_service_backoff = w;
  using ms = std::chrono::milliseconds;
  EXPECT_EQ(dwt::server::to_engine_options(s).mdes.retry_delays,
            (std::vector<ms>{ms{0}, ms{100}, ms{200}}));
}

TEST(EngineConfig, RetryScheduleDoublesUpToTheCap) {
  dwt::config::webhook_backoff_settings w;
  w.initial_backoff = std::chrono::milliseconds{1000};
  w.max_backoff = std::chrono::milliseconds{5000};
  w.max_attempts = 6;
  using ms = std::chrono::milliseconds;
  EXPECT_EQ(dwt::server::retry_delays(w),
            (std::vector<ms>{ms{0}, ms{1000}, ms{2000}, ms{4000}, ms{5000}, ms{5000}}));
  // Configured, it replaces the built-in schedule.
  dwt::config::settings s;
  s.webhooks.backoff = w;
  EXPECT_EQ(schedule_of(s).max_attempts(), 6u);
  EXPECT_EQ(schedule_of(s).nominal_total(), ms{17000});
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
  // Plain decimal, never "3.2e-05" (issue #20).
  EXPECT_NE(text.find("dwt_checkpointer_commit_latency_seconds_bucket{le=\"0.000032\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("dwt_checkpointer_commit_latency_seconds_bucket{le=\"0.000016\"} 0"),
            std::string::npos)
      << text;
  // No bound in exponent form (sample values may use one; `le` may not).
  for (auto at = text.find("le=\""); at != std::string::npos; at = text.find("le=\"", at + 1)) {
    const auto bound = text.substr(at + 4, text.find('"', at + 4) - (at + 4));
    EXPECT_EQ(bound.find_first_of("eE"), std::string::npos) << bound;
  }
  EXPECT_NE(text.find("dwt_engine_ready 1\n"), std::string::npos);
  EXPECT_NE(text.find("dwt_webhook_lag_seconds 0\n"), std::string::npos) << text;
  s.webhooks.oldest_undelivered_age = std::chrono::milliseconds{2500};
  text = dwt::server::render_runtime_metrics(s, true);
  EXPECT_NE(text.find("# TYPE dwt_webhook_lag_seconds gauge\n"), std::string::npos);
  EXPECT_NE(text.find("dwt_webhook_lag_seconds 2.5\n"), std::string::npos) << text;
}

TEST(MetricsText, DecisionsOtpsSmsAndTheLmdbMap) {
  dwt::runtime_stats s;
  s.decisions.push_back({dwt::engine::decision::approved, dwt::engine::errc::ok, 4});
  s.decisions.push_back({dwt::engine::decision::declined, dwt::engine::errc::bin_not_enabled, 2});
  s.verification.otp_sent = 5;
  s.verification.otp_checks = {3, 1, 0, 2};
  s.verification.sms_sent = 4;
  s.verification.sms_failed = 1;
  s.store.map_size = 1 << 20;
  s.store.max_map_size = 1 << 21;
  s.store.used_bytes = 4096 * 7;
  const auto text = dwt::server::render_runtime_metrics(s, true);
  for (const char* line : {
           "# TYPE dwt_decisions_total counter\n",
           "dwt_decisions_total{result=\"APPROVED\",reason=\"none\"} 4\n",
           "dwt_decisions_total{result=\"DECLINED\",reason=\"bin_not_enabled\"} 2\n",
           "# TYPE dwt_otp_sent_total counter\ndwt_otp_sent_total 5\n",
           "dwt_otp_verifications_total{result=\"verified\"} 3\n",
           "dwt_otp_verifications_total{result=\"incorrect\"} 1\n",
           "dwt_otp_verifications_total{result=\"exhausted\"} 0\n",
           "dwt_otp_verifications_total{result=\"expired\"} 2\n",
           "dwt_sms_total{result=\"sent\"} 4\n",
           "dwt_sms_total{result=\"failed\"} 1\n",
           "# TYPE dwt_lmdb_map_size_bytes gauge\ndwt_lmdb_map_size_bytes 1048576\n",
           "dwt_lmdb_map_max_size_bytes 2097152\n",
           "dwt_lmdb_map_used_bytes 28672\n",
       })
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}

TEST(ProcessMetrics, ParsesProcStatWithAnAwkwardCommandName) {
  // proc(5): pid (comm) state ppid pgrp session tty tpgid flags minflt
  // cminflt majflt cmajflt utime stime cutime cstime priority nice
  // num_threads itrealvalue starttime vsize rss ...
  const std::string stat = "4242 (dwt) (x) 1) S 1 2 3 0 -1 4194560 100 0 0 0 "
                           "250 150 0 0 20 0 7 0 1000 123456789 300 18446744073709551615\n";
  auto f = dwt::server::parse_proc_stat(stat, 100, 4096, 1'700'000'000);
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(f->cpu_seconds, 4.0);
  EXPECT_DOUBLE_EQ(f->start_time_seconds, 1'700'000'010.0);
  EXPECT_DOUBLE_EQ(f->virtual_bytes, 123456789.0);
  EXPECT_DOUBLE_EQ(f->resident_bytes, 300.0 * 4096);
  EXPECT_FALSE(dwt::server::parse_proc_stat("4242 (dwt) S 1 2", 100, 4096, 0));
  EXPECT_FALSE(dwt::server::parse_proc_stat("no parenthesis", 100, 4096, 0));
  EXPECT_EQ(dwt::server::parse_boot_time("cpu  1 2 3\nbtime 1700000000\nprocesses 9\n"),
            1'700'000'000.0);
  EXPECT_FALSE(dwt::server::parse_boot_time("cpu 1 2 3\n"));
}

TEST(ProcessMetrics, ReadsThisProcess) {
  auto f = dwt::server::read_process_figures();
  ASSERT_TRUE(f); // Linux with /proc
  EXPECT_GT(f->resident_bytes, 0);
  EXPECT_GT(f->open_fds, 0);
  const auto text = dwt::server::render_process_metrics(*f);
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE process_start_time_seconds gauge\n"), std::string::npos);
}

TEST(MetricsText, BuildInfoIsOneGaugeWithItsLabels) {
  auto text = dwt::server::render_build_info("1.2.3", "tcmalloc");
  EXPECT_EQ(text, "# HELP dwt_build_info The running dwt-server build: version and malloc "
                  "implementation.\n"
                  "# TYPE dwt_build_info gauge\n"
                  "dwt_build_info{version=\"1.2.3\",allocator=\"tcmalloc\"} 1\n");
}

TEST(Allocator, TestBinaryRunsOnTheSystemMalloc) {
  // The test binaries link no allocator (only dwt-server does), so the
  // detection must not mistake glibc's or a sanitizer's malloc for one; the
  // black-box suite checks the positive case on the real server.
  EXPECT_EQ(dwt::server::active_allocator(), "system");
  EXPECT_EQ(dwt::server::active_allocator(), dwt::server::active_allocator());
}

} // namespace
} // namespace dwt_server_test
