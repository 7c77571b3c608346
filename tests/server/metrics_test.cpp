// GET /metrics in process (issue #20): the text is parsed into families
// (name -> type) and samples (name{labels} -> value), and each family added
// for operators is checked present with its type and moving after the
// matching action: a decision, an OTP sent / verified / failed, an SMS sent
// and one failed at a failing gateway, LMDB map use growing with writes,
// the process collector's figures plausible. Rendering details (plain
// decimal `le`, /proc parsing) are unit-tested in units_test.cpp.

#include <chrono>
#include <map>
#include <sstream>

#include "support.hpp"

namespace dwt_server_test {
namespace {

/// One scrape, parsed.
struct scrape {
  std::map<std::string, std::string> types; ///< family -> counter|gauge|histogram
  std::map<std::string, double> samples;    ///< `name{labels}` as written -> value

  [[nodiscard]] double at(const std::string& key) const {
    const auto it = samples.find(key);
    if (it == samples.end()) {
      ADD_FAILURE() << "no sample " << key;
      return -1;
    }
    return it->second;
  }
  /// 0 when absent (a labelled counter child appears on first increment).
  [[nodiscard]] double or_zero(const std::string& key) const {
    const auto it = samples.find(key);
    return it == samples.end() ? 0 : it->second;
  }
};

scrape parse(const std::string& text) {
  scrape out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream l{line.substr(7)};
      std::string name, type;
      l >> name >> type;
      EXPECT_FALSE(out.types.contains(name)) << "family " << name << " declared twice";
      out.types[name] = type;
      continue;
    }
    if (line.empty() || line[0] == '#')
      continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) {
      ADD_FAILURE() << "malformed line: " << line;
      continue;
    }
    out.samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

class Metrics : public server_fixture {
protected:
  scrape metrics() {
    auto a = get("/metrics", nullptr);
    EXPECT_EQ(a.status, 200u);
    return parse(a.body);
  }

  /// Waits (bounded) until `key` reaches at least `want`; returns the last
  /// scrape. The SMS is sent one-way after the answer, so its counters may
  /// move a little later.
  scrape wait_for(const std::string& key, double want) {
    scrape m;
    (void)dwt::test::eventually(
        [&] {
          m = metrics();
          return m.or_zero(key) >= want;
        },
        std::chrono::seconds{10}, std::chrono::milliseconds{10});
    return m;
  }
};

TEST_F(Metrics, EveryOperatorFamilyHasItsType) {
  const auto m = metrics();
  const std::map<std::string, std::string> want{
      {"dwt_decisions_total", "counter"},
      {"dwt_otp_sent_total", "counter"},
      {"dwt_otp_verifications_total", "counter"},
      {"dwt_sms_total", "counter"},
      {"dwt_lmdb_map_size_bytes", "gauge"},
      {"dwt_lmdb_map_max_size_bytes", "gauge"},
      {"dwt_lmdb_map_used_bytes", "gauge"},
      {"dwt_lmdb_readers_used", "gauge"},
      {"process_cpu_seconds_total", "counter"},
      {"process_resident_memory_bytes", "gauge"},
      {"process_virtual_memory_bytes", "gauge"},
      {"process_open_fds", "gauge"},
      {"process_max_fds", "gauge"},
      {"process_start_time_seconds", "gauge"},
  };
  for (const auto& [name, type] : want) {
    ASSERT_TRUE(m.types.contains(name)) << name;
    EXPECT_EQ(m.types.at(name), type) << name;
  }
  // No histogram bound in exponent form anywhere.
  for (const auto& [key, v] : m.samples)
    if (key.find("le=\"") != std::string::npos) {
      const auto le = key.substr(key.find("le=\"") + 4);
      EXPECT_EQ(le.find_first_of("eE"), std::string::npos) << key;
    }
}

TEST_F(Metrics, ProcessFiguresArePlausible) {
  const auto m = metrics();
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(m.at("process_resident_memory_bytes"), 0);
  EXPECT_GE(m.at("process_virtual_memory_bytes"), m.at("process_resident_memory_bytes"));
  EXPECT_GE(m.at("process_cpu_seconds_total"), 0);
  // This test process started before the scrape, and not a day ago.
  EXPECT_LE(m.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(m.at("process_start_time_seconds"), now - 86400);
  EXPECT_GT(m.at("process_open_fds"), 2); // stdio, the listener, LMDB, ...
  EXPECT_GE(m.at("process_max_fds"), m.at("process_open_fds"));
}

TEST_F(Metrics, LmdbMapSizeIsConfiguredAndUseGrowsWithWrites) {
  const auto before = metrics();
  EXPECT_EQ(before.at("dwt_lmdb_map_size_bytes"), 67108864.0); // test_config's map_size_bytes
  EXPECT_GE(before.at("dwt_lmdb_map_max_size_bytes"), 67108864.0);
  const auto used_before = before.at("dwt_lmdb_map_used_bytes");
  EXPECT_GT(used_before, 0);
  for (std::uint64_t i = 1; i <= 40; ++i)
    push(card(make_pan("433333", i)));
  const auto after = metrics();
  EXPECT_GT(after.at("dwt_lmdb_map_used_bytes"), used_before);
  EXPECT_LE(after.at("dwt_lmdb_map_used_bytes"), after.at("dwt_lmdb_map_size_bytes"));
}

TEST_F(Metrics, DecisionsAreCountedByResultAndReason) {
  const std::string approved = R"(dwt_decisions_total{result="APPROVED",reason="none"})";
  const std::string bin = R"(dwt_decisions_total{result="DECLINED",reason="bin_not_enabled"})";
  const auto before = metrics();
  const auto pan = make_pan("444444", 1);
  card(pan);
  auto t = tokenize(pan, "GREEN");
  ASSERT_EQ(t.status, 200u) << t.body;
  ASSERT_EQ(t.str("decision"), "APPROVED");
  // A PAN outside every card product: declined before any card is found.
  auto d = tokenize(make_pan("900000", 1), "GREEN");
  ASSERT_EQ(d.status, 200u) << d.body;
  ASSERT_EQ(d.str("decision"), "DECLINED");
  const auto after = metrics();
  EXPECT_EQ(after.at(approved), before.or_zero(approved) + 1);
  EXPECT_EQ(after.at(bin), before.or_zero(bin) + 1);
}

TEST_F(Metrics, OtpsAndSmsAreCounted) {
  const std::string sent = "dwt_otp_sent_total";
  const std::string verified = R"(dwt_otp_verifications_total{result="verified"})";
  const std::string incorrect = R"(dwt_otp_verifications_total{result="incorrect"})";
  const std::string sms_sent = R"(dwt_sms_total{result="sent"})";
  const std::string sms_failed = R"(dwt_sms_total{result="failed"})";
  const std::string verify = R"(dwt_decisions_total{result="REQUIRE_VERIFICATION",reason="none"})";
  const auto before = metrics();
  EXPECT_EQ(before.at(sent), 0);
  EXPECT_EQ(before.at(verified), 0);
  EXPECT_EQ(before.at(sms_sent), 0);

  const auto pan = make_pan("455555", 1);
  card(pan);
  auto t = tokenize(pan, "YELLOW");
  ASSERT_EQ(t.str("decision"), "REQUIRE_VERIFICATION") << t.body;
  const auto tur = t.str("tokenUniqueReference");
  ASSERT_EQ(
      post("/network/v1/tokens/" + tur + "/verification", R"({"method":"SMS_OTP"})", network_key)
          .status,
      202u);
  const auto code = last_otp();
  auto m = wait_for(sms_sent, 1);
  EXPECT_EQ(m.at(sent), 1);
  EXPECT_EQ(m.at(sms_sent), 1);
  EXPECT_EQ(m.at(sms_failed), 0);
  EXPECT_EQ(m.or_zero(verify), before.or_zero(verify) + 1);

  const std::string wrong = code == "000000" ? "111111" : "000000";
  EXPECT_EQ(post("/network/v1/tokens/" + tur + "/verification/otp",
                 s(json::object{{"code", wrong}}), network_key)
                .status,
            422u);
  m = metrics();
  EXPECT_EQ(m.at(incorrect), 1);
  EXPECT_EQ(m.at(verified), 0);
  ASSERT_EQ(post("/network/v1/tokens/" + tur + "/verification/otp", s(json::object{{"code", code}}),
                 network_key)
                .status,
            200u);
  m = metrics();
  EXPECT_EQ(m.at(verified), 1);
  EXPECT_EQ(m.at(incorrect), 1);
}

TEST_F(Metrics, SmsRefusedByTheGatewayIsCountedAsFailed) {
  // A file sink whose path is a directory: every write fails.
  TearDown();
  auto text = test_config(dir_.path);
  const auto sms_path = (dir_.path / "sms.jsonl").string();
  const auto at = text.find(sms_path);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, sms_path.size(), dir_.path.string());
  start_server(text);

  const auto pan = make_pan("466666", 1);
  card(pan);
  const auto tur = tokenize(pan, "YELLOW").str("tokenUniqueReference");
  ASSERT_EQ(
      post("/network/v1/tokens/" + tur + "/verification", R"({"method":"SMS_OTP"})", network_key)
          .status,
      202u);
  const auto m = wait_for(R"(dwt_sms_total{result="failed"})", 1);
  EXPECT_EQ(m.at(R"(dwt_sms_total{result="failed"})"), 1);
  EXPECT_EQ(m.at(R"(dwt_sms_total{result="sent"})"), 0);
  EXPECT_EQ(m.at("dwt_otp_sent_total"), 1);
}

} // namespace
} // namespace dwt_server_test
