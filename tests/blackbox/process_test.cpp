/// @file
/// The dwt-server process contract: the single listening line on stdout,
/// --listen / --data-dir overrides, configuration errors (exit 2 naming the
/// key), secrets from the environment, SIGTERM under load (exit 0, in-flight
/// requests answered, acknowledged changes kept) and a restart on the same
/// data directory showing all state.

#include <atomic>
#include <csignal>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/serialize.hpp>

#include "support.hpp"

namespace dwt::blackbox {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

using process_contract = blackbox_test;

/// Replaces the first occurrence of `from` in `text` (which must exist).
std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  if (at == std::string::npos)
    throw std::logic_error("replace_once: '" + std::string{from} + "' not in the config");
  text.replace(at, from.size(), to);
  return text;
}

TEST_F(process_contract, prints_exactly_one_stdout_line) {
  EXPECT_NE(server_->port(), 0);
  EXPECT_EQ(api_->get("/healthz", "").status, 200);
  const auto expected =
      "dwt-server listening on http://127.0.0.1:" + std::to_string(server_->port()) + "\n";
  ASSERT_EQ(server_->stop_graceful(), "");
  EXPECT_EQ(server_->process().stdout_text(), expected);
}

TEST_F(process_contract, metrics_report_the_allocator_the_build_linked) {
  // The build links tcmalloc into dwt-server unless a sanitizer or
  // -DDWT_SERVER_ALLOCATOR=system says otherwise (actors/server/README.md);
  // the server reads which malloc it runs on from its own symbol table.
  const auto m = api_->get("/metrics", "");
  ASSERT_EQ(m.status, 200);
  const std::string expected = std::string{"dwt_build_info{version=\""} + DWT_VERSION +
                               "\",allocator=\"" + DWT_SERVER_ALLOCATOR + "\"} 1\n";
  EXPECT_NE(m.body.find(expected), std::string::npos) << expected << "\n" << m.body;
}

TEST(process_overrides, listen_and_data_dir_override_the_config) {
  // Hold a port so that the configured listen address cannot be used.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor holder{ioc, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  const auto held = holder.local_endpoint().port();

  config_options options;
  options.listen_port = held;
  server_instance server{options};
  const auto other_data = server.layout().root / "other-data";
  const auto err = server.start({"--listen", "127.0.0.1:0", "--data-dir", other_data.string()});
  ASSERT_EQ(err, "") << "--listen must win over the configured (busy) port " << held;
  EXPECT_NE(server.port(), held);
  api client{server.port()};
  auto r = client.post("/v1/profiles", demo_partner_key, {{"phoneNumber", "+447700900123"}});
  EXPECT_EQ(r.status, 201) << describe(r);
  ASSERT_EQ(server.stop_graceful(), "");

  std::error_code ec;
  EXPECT_FALSE(std::filesystem::is_empty(other_data, ec)) << "--data-dir holds the store";
  EXPECT_TRUE(std::filesystem::is_empty(server.layout().data_dir(), ec))
      << "the configured data_dir is not used when --data-dir is given";
}

struct bad_config_case {
  const char* name;
  const char* from;
  const char* to;
  const char* key; ///< must appear on stderr
};

TEST(config_errors, exit_2_and_name_the_key) {
  const bad_config_case cases[] = {
      {"bad date", "onboarded_on = 2025-06-01", "onboarded_on = \"yesterday\"",
       "partners[0].onboarded_on"},
      {"unknown key", "[listen]\n", "[listen]\nhots = \"127.0.0.1\"\n", "listen.hots"},
      {"bad enum", "durability = \"sync\"", "durability = \"sometimes\"", "store.durability"},
      {"bad BIN", "high = 499999", "high = 4999", "card_products[0].bins"},
      {"missing env secret", "api_key = \"bb-network-key-7c1e\"",
       "api_key_env = \"DWT_BLACKBOX_SURELY_UNSET_VAR\"", "DWT_BLACKBOX_SURELY_UNSET_VAR"},
      {"short key", "otp_key = \"hex:", "otp_key = \"hex:00", "keys.otp_key"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    temp_dir dir;
    server_layout layout{dir.path()};
    auto text = make_config_text(layout);
    if (std::string_view{c.name} == "short key") {
      // Replace the whole otp_key line with a 16-byte key.
      const auto at = text.find("otp_key = ");
      const auto end = text.find('\n', at);
      text.replace(at, end - at, "otp_key = \"hex:00112233445566778899aabbccddeeff\"");
    } else {
      text = replace_once(text, c.from, c.to);
    }
    ASSERT_EQ(write_file(layout.config_file(), text), "");
    server_process p;
    ASSERT_EQ(p.spawn(server_binary(), {"--config", layout.config_file().string()}, dir.path(),
                      layout.log_dir() / "stderr.log"),
              "");
    const auto status = p.wait_exit(15s);
    if (!status)
      p.kill();
    ASSERT_TRUE(status.has_value()) << "dwt-server kept running with a bad config";
    EXPECT_TRUE(status->exited && status->code == 2) << status->describe() << "\nstderr:\n"
                                                     << p.stderr_text();
    EXPECT_NE(p.stderr_text().find(c.key), std::string::npos)
        << "stderr must name '" << c.key << "':\n"
        << p.stderr_text();
    EXPECT_EQ(p.stdout_text().find("listening"), std::string::npos);
    for (auto secret : {demo_partner_key, legacy_partner_key, capped_partner_key}) {
      EXPECT_EQ(p.stderr_text().find(secret), std::string::npos)
          << "an error message must never show a secret";
    }
  }
}

TEST(config_errors, missing_file_exits_2) {
  temp_dir dir;
  server_process p;
  const auto missing = dir.path() / "nope.toml";
  ASSERT_EQ(p.spawn(server_binary(), {"--config", missing.string()}, dir.path(),
                    dir.path() / "stderr.log"),
            "");
  const auto status = p.wait_exit(15s);
  if (!status)
    p.kill();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->exited && status->code == 2) << status->describe();
  EXPECT_NE(p.stderr_text().find("nope.toml"), std::string::npos) << p.stderr_text();
}

TEST(config_secrets, network_key_from_the_environment) {
  server_instance server;
  auto text = read_file(server.layout().config_file());
  text = replace_once(text, "api_key = \"bb-network-key-7c1e\"",
                      "api_key_env = \"DWT_BLACKBOX_NETWORK_KEY\"");
  ASSERT_EQ(server.rewrite_config(text), "");
  server.set_extra_env({"DWT_BLACKBOX_NETWORK_KEY=env-network-key-0042"});
  ASSERT_EQ(server.start(), "");
  api client{server.port()};
  EXPECT_EQ(client.get("/network/v1/tokens/tur_unknown", "env-network-key-0042").status, 404);
  EXPECT_EQ(client.get("/network/v1/tokens/tur_unknown", network_key).status, 401);
  ASSERT_EQ(server.stop_graceful(), "");
}

TEST_F(process_contract, sigterm_under_load_answers_in_flight_requests_and_exits_0) {
  constexpr int threads = 4;
  std::atomic<bool> stop{false};
  std::atomic<bool> terminated{false};
  std::atomic<int> acked_total{0};
  std::atomic<int> answered_after_term{0};
  struct result {
    std::vector<std::pair<std::string, std::string>> profiles; // id, phone
    std::vector<std::string> failures;
  };
  std::vector<result> results(threads);
  std::vector<std::thread> workers;
  const auto port = server_->port();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      http_client client{"127.0.0.1", port};
      test_data data{seed_ + static_cast<std::uint64_t>(t)};
      const auto deadline = std::chrono::steady_clock::now() + 5s;
      while (!stop.load() && std::chrono::steady_clock::now() < deadline) {
        const auto phone = data.phone();
        http_request req{"POST",
                         "/v1/profiles",
                         json::serialize(json::value{{"phoneNumber", phone}}),
                         {{"Authorization", "Bearer " + std::string{demo_partner_key}},
                          {"Idempotency-Key", data.id("term-")}}};
        const bool after = terminated.load();
        auto r = client.send(req);
        if (!r.response) {
          if (r.partial_response)
            results[t].failures.push_back("a truncated answer: " + r.error);
          if (!after && !terminated.load())
            results[t].failures.push_back("transport error before SIGTERM: " + r.error);
          break; // the server is going away
        }
        if (terminated.load())
          ++answered_after_term;
        for (auto& p : contract_problems("POST", "/v1/profiles", *r.response))
          results[t].failures.push_back(p);
        if (r.response->status == 201) {
          results[t].profiles.emplace_back(json_string(r.response->json(), "id"), phone);
          ++acked_total;
        } else if (r.response->status != 503) {
          results[t].failures.push_back("unexpected answer " + describe(*r.response));
        }
      }
    });
  }
  // Terminate mid-burst: after some acknowledged requests (bounded wait).
  const auto wait_until = std::chrono::steady_clock::now() + 10s;
  while (acked_total.load() < 20 && std::chrono::steady_clock::now() < wait_until)
    std::this_thread::sleep_for(1ms);
  terminated.store(true);
  server_->process().signal(SIGTERM);
  const auto status = server_->process().wait_exit(15s);
  stop.store(true);
  for (auto& w : workers)
    w.join();
  ASSERT_TRUE(status.has_value()) << "no exit within 15 s of SIGTERM";
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe() << "\n"
                                                   << server_->process().stderr_text();
  for (const auto& r : results) {
    for (const auto& f : r.failures)
      ADD_FAILURE() << f;
  }
  ASSERT_GT(acked_total.load(), 0);
  std::cout << "[ info ] " << acked_total.load() << " acknowledged, " << answered_after_term.load()
            << " answered after SIGTERM\n";

  // Every acknowledged profile survived the graceful stop.
  const auto err = server_->start();
  ASSERT_EQ(err, "");
  api_ = std::make_unique<api>(server_->port());
  for (const auto& r : results) {
    for (const auto& [id, phone] : r.profiles) {
      auto got = api_->get("/v1/profiles/" + id, demo_partner_key);
      EXPECT_EQ(got.status, 200) << id << ": " << describe(got);
      EXPECT_EQ(json_string(got.json(), "phoneNumber"), phone);
    }
  }
}

/// Everything a partner can read, as (target, JSON) pairs.
std::vector<std::pair<std::string, json::value>>
snapshot(api& client, std::string_view key, const std::vector<std::string>& cards,
         const std::vector<std::string>& profiles) {
  std::vector<std::pair<std::string, json::value>> out;
  auto take = [&](const std::string& target) {
    auto r = client.get(target, key);
    EXPECT_EQ(r.status, 200) << target << ": " << describe(r);
    out.emplace_back(target, r.json());
    return r.json();
  };
  for (const auto& p : profiles)
    take("/v1/profiles/" + p);
  for (const auto& c : cards) {
    take("/v1/cards/" + c);
    const auto list = take("/v1/cards/" + c + "/digital-wallet-tokens");
    for (const auto& t : json_array(list, "data")) {
      const auto tur = json_string(t, "tokenUniqueReference");
      take("/v1/digital-wallet-tokens/" + tur);
      take("/v1/digital-wallet-tokens/" + tur + "/transitions");
    }
  }
  take("/v1/events?limit=1000");
  return out;
}

TEST_F(process_contract, restart_on_the_same_data_dir_shows_all_state) {
  std::vector<std::string> cards;
  std::vector<std::string> profiles;
  std::string pan_a;
  std::string phone_a;
  const auto card_a = new_card(demo_partner_key, &pan_a, &phone_a);
  cards.push_back(json_string(card_a, "id"));
  profiles.push_back(json_string(card_a, "profileId"));
  const auto pushed = json_string(push_token(demo_partner_key, cards[0]), "tokenUniqueReference");
  ASSERT_EQ(transition(demo_partner_key, cards[0], pushed, "SUSPENDED").status, 201);
  const auto declined = tokenize(pan_a, "RED");
  EXPECT_EQ(json_string(declined, "decision"), "DECLINED");
  // A REQUESTED token with an SMS verification pending across the restart.
  const auto pending = json_string(tokenize(pan_a, "YELLOW"), "tokenUniqueReference");
  ASSERT_FALSE(pending.empty());
  ASSERT_EQ(start_verification(pending, "SMS_OTP").status, 202);
  const auto code = next_otp().second;
  ASSERT_EQ(code.size(), 6U);

  std::string pan_b;
  const auto card_b = new_card(demo_partner_key, &pan_b);
  cards.push_back(json_string(card_b, "id"));
  profiles.push_back(json_string(card_b, "profileId"));
  ASSERT_FALSE(push_token(demo_partner_key, cards[1]).is_null());
  ASSERT_EQ(
      api_->post("/v1/cards/" + cards[1] + "/state", demo_partner_key, {{"state", "TERMINATED"}})
          .status,
      200);

  const auto before = snapshot(*api_, demo_partner_key, cards, profiles);
  restart();
  const auto after = snapshot(*api_, demo_partner_key, cards, profiles);
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(before[i].first, after[i].first);
    EXPECT_EQ(before[i].second, after[i].second)
        << before[i].first << "\nbefore: " << json::serialize(before[i].second)
        << "\nafter:  " << json::serialize(after[i].second);
  }

  // The pending verification survived: its code still works.
  auto ok = api_->post("/network/v1/tokens/" + pending + "/verification/otp", network_key,
                       {{"code", code}});
  EXPECT_EQ(ok.status, 200) << describe(ok);
  EXPECT_EQ(json_string(get_token(demo_partner_key, pending), "state"), "ACTIVE");
  // Ids keep being unique after a restart.
  const auto fresh = json_string(new_card(demo_partner_key), "id");
  EXPECT_EQ(std::count(cards.begin(), cards.end(), fresh), 0);
}

// The harness side of `make asan` / `make tsan`: a sanitizer report in a
// spawned process's stderr must reach the handler (which fails the test)
// even when the process exited 0 or was SIGKILLed.
TEST(harness, sanitizer_reports_finds_each_sanitizer_report) {
  EXPECT_EQ(sanitizer_reports("dwt-server: stopping\nbye\n"), "");
  const std::string asan = "noise\n==42==ERROR: AddressSanitizer: heap-use-after-free on x\n#0 f\n";
  EXPECT_EQ(sanitizer_reports(asan), asan.substr(6));
  EXPECT_NE(sanitizer_reports("==7==ERROR: LeakSanitizer: detected memory leaks\n"), "");
  EXPECT_NE(sanitizer_reports("a.cpp:3:9: runtime error: signed integer overflow\n"), "");
  EXPECT_NE(sanitizer_reports("WARNING: ThreadSanitizer: data race (pid=1)\n"), "");
}

std::string g_captured_report; // NOLINT: written by the handler below only

TEST(harness, a_report_in_a_spawned_process_stderr_reaches_the_handler) {
  temp_dir dir;
  g_captured_report.clear();
  const auto previous =
      set_sanitizer_report_handler([](const std::string& r) { g_captured_report = r; });
  {
    server_process p;
    ASSERT_EQ(p.spawn("/bin/sh",
                      {"-c", "echo 'x.cpp:1:2: runtime error: load of misaligned address' >&2"},
                      dir.path(), dir.path() / "stderr.log"),
              "");
    const auto status = p.wait_exit(15s);
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
  }
  set_sanitizer_report_handler(previous);
  EXPECT_NE(g_captured_report.find("runtime error: load of misaligned address"), std::string::npos)
      << g_captured_report;
}

} // namespace
} // namespace dwt::blackbox
