#include "support.hpp"

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <sstream>

#include <boost/json/serialize.hpp>

#include "dwt/engine/luhn.hpp"

#ifdef DWT_BLACKBOX_HAS_OPENAPI
#include "openapi_testkit.hpp"
#endif

namespace dwt::blackbox {

using namespace std::chrono_literals;
namespace json = boost::json;

// ---------------------------------------------------------------------------
// sanitizer reports of spawned servers

namespace {

/// Every `dwt-server` this binary spawns is built with the same sanitizers
/// as the tests (make asan / make tsan). A report in its stderr fails the
/// test that owned the process, whether or not the test looked at how the
/// process ended (SIGKILL at the end of a test skips LeakSanitizer, but not
/// an ASan/UBSan/TSan report written while it ran).
[[maybe_unused]] const bool sanitizer_handler_installed = [] {
  set_sanitizer_report_handler([](const std::string& report) {
    ADD_FAILURE() << "sanitizer report in a spawned " << report;
  });
  return true;
}();

} // namespace

// ---------------------------------------------------------------------------
// contract

std::vector<std::string> contract_problems(std::string_view method, std::string_view target,
                                           const http_response& response) {
#ifdef DWT_BLACKBOX_HAS_OPENAPI
  static const auto loaded = openapi_testkit::load(DWT_OPENAPI_PATH);
  if (!loaded.doc)
    return {"cannot load the OpenAPI document: " + loaded.error};
  return loaded.doc->check_response(method, target, response.status, response.content_type(),
                                    response.body);
#else
  (void)method;
  (void)target;
  (void)response;
  return {};
#endif
}

std::vector<std::string> schema_problems(std::string_view schema_name, std::string_view json_text) {
#ifdef DWT_BLACKBOX_HAS_OPENAPI
  static const auto loaded = openapi_testkit::load(DWT_OPENAPI_PATH);
  if (!loaded.doc)
    return {"cannot load the OpenAPI document: " + loaded.error};
  return loaded.doc->check_schema(schema_name, json_text);
#else
  (void)schema_name;
  (void)json_text;
  return {};
#endif
}

std::string describe(const http_response& r) {
  std::ostringstream s;
  s << r.status << ' ' << r.content_type() << ' ' << r.body.substr(0, 2000);
  return s.str();
}

std::uint64_t run_seed() {
  static const std::uint64_t seed = [] {
    if (const char* env = std::getenv("DWT_TEST_SEED"); env != nullptr && *env != '\0')
      return static_cast<std::uint64_t>(std::strtoull(env, nullptr, 10));
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  }();
  return seed;
}

// ---------------------------------------------------------------------------
// test data

std::string luhn_complete(std::string partial) {
  partial.push_back(dwt::engine::luhn::check_digit(partial));
  return partial;
}

std::string test_data::digits(std::size_t n) {
  std::uniform_int_distribution<int> d{0, 9};
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(static_cast<char>('0' + d(rng_)));
  return out;
}

std::string test_data::pan() {
  for (;;) {
    // 40xxxx-47xxxx: inside demo-debit, never the token BIN 489537.
    std::uniform_int_distribution<int> second{0, 7};
    auto p = luhn_complete("4" + std::to_string(second(rng_)) + digits(13));
    if (used_.insert(p).second)
      return p;
  }
}

std::string test_data::foreign_pan() {
  for (;;) {
    auto p = luhn_complete("5" + digits(14));
    if (used_.insert(p).second)
      return p;
  }
}

std::string test_data::phone() {
  for (;;) {
    auto p = "+4477009" + digits(5);
    if (used_.insert(p).second)
      return p;
  }
}

std::string test_data::cvc() {
  for (;;) {
    auto c = digits(4);
    // Never a plausible year, nor a leading zero (reads like a count).
    if (c[0] == '0' || c.starts_with("19") || c.starts_with("20"))
      continue;
    if (used_.insert("cvc:" + c).second)
      return c;
  }
}

std::string test_data::id(std::string_view prefix) {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<std::size_t> d{0, sizeof alphabet - 2};
  std::string out{prefix};
  for (int i = 0; i < 12; ++i)
    out.push_back(alphabet[d(rng_)]);
  return out;
}

// ---------------------------------------------------------------------------
// api

api::api(std::uint16_t port) : client_{"127.0.0.1", port} {}

http_response api::call(std::string_view method, const std::string& target, std::string_view key,
                        const std::optional<json::value>& body,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  http_request req;
  req.method = std::string{method};
  req.target = target;
  if (!key.empty())
    req.headers.emplace_back("Authorization", "Bearer " + std::string{key});
  req.headers.insert(req.headers.end(), headers.begin(), headers.end());
  if (body)
    req.body = json::serialize(*body);
  auto result = client_.send(req);
  if (!result.response) {
    ADD_FAILURE() << method << ' ' << target << ": no answer: " << result.error;
    return {};
  }
  auto problems = contract_problems(method, target, *result.response);
  if (!problems.empty()) {
    std::string joined;
    for (const auto& p : problems)
      joined += "  " + p + "\n";
    ADD_FAILURE() << method << ' ' << target << " answered " << describe(*result.response)
                  << "\nwhich breaks docs/openapi.yaml:\n"
                  << joined;
  }
  return std::move(*result.response);
}

http_response api::post(const std::string& target, std::string_view key, const json::value& body,
                        const std::string& idempotency_key) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!idempotency_key.empty())
    headers.emplace_back("Idempotency-Key", idempotency_key);
  return call("POST", target, key, body, headers);
}

// ---------------------------------------------------------------------------
// fixture

void blackbox_test::SetUp() {
  seed_ = run_seed() ^
          std::hash<std::string>{}(::testing::UnitTest::GetInstance()->current_test_info()->name());
  RecordProperty("seed", std::to_string(seed_));
  data_ = std::make_unique<test_data>(seed_);
  server_ = std::make_unique<server_instance>(server_options());
  const auto err = server_->start();
  ASSERT_EQ(err, "") << "dwt-server did not start";
  api_ = std::make_unique<api>(server_->port());
}

void blackbox_test::TearDown() {
  api_.reset();
  if (!server_)
    return;
  if (server_->has_process() && server_->process().running()) {
    const auto err = server_->stop_graceful();
    EXPECT_EQ(err, "") << "graceful stop at the end of the test";
  }
  // The security rule: no PAN, CVC or OTP in any file the server wrote
  // (data dir, logs with its stdout/stderr); the SMS sink may hold OTPs.
  auto hits = scan_for_secrets(server_->layout().root, secrets_, {server_->layout().sms_file()});
  for (const auto& h : hits) {
    ADD_FAILURE() << "sensitive value (" << h.label << ") found in " << h.where << " at offset "
                  << h.offset << ": ..." << h.context << "...";
  }
  server_.reset();
}

void blackbox_test::restart() {
  api_.reset();
  const auto err = server_->restart();
  ASSERT_EQ(err, "") << "restart";
  api_ = std::make_unique<api>(server_->port());
}

void blackbox_test::remember_secret(const std::string& value, secret_value::match how,
                                    std::string label) {
  secrets_.push_back({value, how, std::move(label)});
}

std::string blackbox_test::create_profile(std::string_view key, const std::string& phone) {
  auto r = api_->post("/v1/profiles", key, {{"phoneNumber", phone}});
  EXPECT_EQ(r.status, 201) << describe(r);
  const auto v = r.json();
  EXPECT_EQ(json_string(v, "phoneNumber"), phone);
  return r.status == 201 ? json_string(v, "id") : std::string{};
}

json::value blackbox_test::create_card(std::string_view key, const std::string& profile_id,
                                       const std::string& pan,
                                       const std::optional<std::string>& card_phone) {
  remember_secret(pan, secret_value::match::anywhere, "PAN");
  json::object body{{"profileId", profile_id},     {"pan", pan},
                    {"expiryMonth", 12},           {"expiryYear", 2031},
                    {"cardProduct", card_product}, {"type", "VIRTUAL"}};
  if (card_phone)
    body["phoneNumber"] = *card_phone;
  auto r = api_->post("/v1/cards", key, body);
  EXPECT_EQ(r.status, 201) << describe(r);
  if (r.status != 201)
    return {};
  auto v = r.json();
  EXPECT_EQ(json_string(v, "last4"), pan.substr(pan.size() - 4));
  EXPECT_EQ(json_string(v, "profileId"), profile_id);
  EXPECT_EQ(json_string(v, "state"), "ACTIVE");
  EXPECT_EQ(r.body.find(pan), std::string::npos) << "the PAN was returned";
  return v;
}

json::value blackbox_test::new_card(std::string_view key, std::string* pan_out,
                                    std::string* profile_phone,
                                    const std::optional<std::string>& card_phone) {
  const auto phone = data_->phone();
  const auto profile = create_profile(key, phone);
  if (profile.empty())
    return {};
  const auto pan = data_->pan();
  if (pan_out != nullptr)
    *pan_out = pan;
  if (profile_phone != nullptr)
    *profile_phone = phone;
  return create_card(key, profile, pan, card_phone);
}

json::value blackbox_test::tokenize(const std::string& pan, std::string_view recommendation,
                                    std::string_view wallet, bool with_cvc) {
  json::object body{{"pan", pan},
                    {"expiryMonth", 12},
                    {"expiryYear", 2031},
                    {"walletProvider", wallet},
                    {"device", {{"id", data_->id("dev-")}, {"type", "PHONE"}, {"name", "Phone"}}},
                    {"walletRecommendation", recommendation}};
  if (with_cvc) {
    const auto cvc = data_->cvc();
    remember_secret(cvc, secret_value::match::labelled, "CVC");
    body["cvc"] = cvc;
  }
  remember_secret(pan, secret_value::match::anywhere, "PAN");
  auto r = api_->post("/network/v1/tokenization-requests", network_key, body);
  EXPECT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(r.body.find(pan), std::string::npos) << "the PAN was returned";
  return r.status == 200 ? r.json() : json::value{};
}

json::value blackbox_test::push_token(std::string_view key, const std::string& card_id,
                                      std::string_view wallet) {
  auto r = api_->post("/v1/cards/" + card_id + "/digital-wallet-tokens", key,
                      {{"walletProvider", wallet},
                       {"device", {{"id", data_->id("dev-")}, {"type", "PHONE"}, {"name", "P"}}}});
  EXPECT_EQ(r.status, 201) << describe(r);
  return r.status == 201 ? r.json() : json::value{};
}

http_response blackbox_test::transition(std::string_view key, const std::string& card_id,
                                        const std::string& tur, std::string_view state) {
  return api_->post("/v1/cards/" + card_id + "/digital-wallet-token-transitions", key,
                    {{"state", state}, {"digitalWalletToken", tur}, {"reason", "blackbox"}});
}

json::value blackbox_test::get_token(std::string_view key, const std::string& tur) {
  auto r = api_->get("/v1/digital-wallet-tokens/" + tur, key);
  EXPECT_EQ(r.status, 200) << describe(r);
  return r.status == 200 ? r.json() : json::value{};
}

std::vector<json::value> blackbox_test::history(std::string_view key, const std::string& tur) {
  auto r = api_->get("/v1/digital-wallet-tokens/" + tur + "/transitions", key);
  EXPECT_EQ(r.status, 200) << describe(r);
  return json_array(r.json(), "data");
}

std::vector<json::value> blackbox_test::all_events(std::string_view key, int limit) {
  std::vector<json::value> out;
  std::string cursor;
  for (int page = 0; page < 10000; ++page) {
    std::string target = "/v1/events?limit=" + std::to_string(limit);
    if (!cursor.empty())
      target += "&after=" + cursor;
    auto r = api_->get(target, key);
    EXPECT_EQ(r.status, 200) << describe(r);
    if (r.status != 200)
      break;
    const auto v = r.json();
    auto data = json_array(v, "data");
    if (data.empty())
      return out;
    EXPECT_LE(data.size(), static_cast<std::size_t>(limit));
    out.insert(out.end(), data.begin(), data.end());
    cursor = json_string(v, "next");
    EXPECT_FALSE(cursor.empty()) << "a non-empty page without a next cursor";
    if (cursor.empty())
      break;
  }
  return out;
}

http_response blackbox_test::start_verification(const std::string& tur, std::string_view method) {
  return api_->post("/network/v1/tokens/" + tur + "/verification", network_key,
                    {{"method", method}});
}

std::pair<std::string, std::string> blackbox_test::next_otp() {
  auto fresh = wait_for_sms(server_->layout().sms_file(), sms_seen_, 10s);
  EXPECT_EQ(fresh.size(), 1U) << "expected exactly one new SMS in " << server_->layout().sms_file();
  if (fresh.empty())
    return {};
  sms_seen_ += fresh.size();
  const auto& m = fresh.front();
  const auto codes = six_digit_numbers(m.body);
  EXPECT_EQ(codes.size(), 1U) << "the SMS body must hold exactly one six-digit number: " << m.body;
  if (codes.empty())
    return {m.to, {}};
  remember_secret(codes.front(), secret_value::match::isolated, "OTP");
  return {m.to, codes.front()};
}

void expect_start_refused(server_process& p, const std::string& key) {
  const auto status = p.wait_exit(std::chrono::seconds{15});
  if (!status)
    p.kill();
  ASSERT_TRUE(status.has_value()) << "dwt-server started; expected a refusal naming " << key;
  EXPECT_TRUE(status->exited && status->code == 1) << status->describe();
  EXPECT_NE(p.stderr_text().find(key), std::string::npos) << p.stderr_text();
  EXPECT_EQ(p.stdout_text().find("listening"), std::string::npos) << p.stdout_text();
}

} // namespace dwt::blackbox
