#pragma once
// In-process fixture for the server tests: a server_app (engine_host +
// http_server) on an ephemeral loopback port with a temporary data
// directory and SMS file, and a real keep-alive Beast client. EVERY answer
// the client receives is checked against docs/openapi.yaml with
// openapi_testkit::check_response. Client operations carry a generous
// safety expiry so a broken server fails a test instead of hanging it; no
// test asserts speed.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "common/time_scale.hpp"
#include "dwt/config/load.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/http/access_log.hpp"
#include "dwt/server/server_app.hpp"
#include "openapi_testkit.hpp"

namespace dwt_server_test {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

inline constexpr auto op_limit = 20s;

inline constexpr const char* p1_key = "p1-partner-key";
inline constexpr const char* p2_key = "p2-partner-key";
inline constexpr const char* network_key = "network-key";

/// The document, loaded once.
inline const dwt::openapi_testkit::document& openapi() {
  static const auto loaded = dwt::openapi_testkit::load(DWT_OPENAPI_PATH);
  if (!loaded.doc) {
    ADD_FAILURE() << "cannot load " << DWT_OPENAPI_PATH << ": " << loaded.error;
    std::abort();
  }
  return *loaded.doc;
}

/// One answer, already checked against the OpenAPI document.
struct answer {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  /// The parsed body (null when empty or not JSON); set by the client.
  json::value value;

  /// The JSON object body (an empty object if none).
  [[nodiscard]] const json::object& obj() const {
    static const json::object empty;
    return value.is_object() ? value.as_object() : empty;
  }
  [[nodiscard]] std::string str(std::string_view field) const {
    const auto* v = obj().if_contains(field);
    return (v != nullptr && v->is_string()) ? std::string{v->get_string()} : std::string{};
  }
  [[nodiscard]] std::string code() const { return str("code"); }
  [[nodiscard]] std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (beast::iequals(k, name))
        return v;
    return {};
  }
};

/// Expects `a`, the answer to `method target`, to be one that
/// docs/openapi.yaml documents (ADD_FAILURE listing the problems).
inline void expect_documented(std::string_view method, const std::string& target, const answer& a) {
  auto problems =
      openapi().check_response(method, target, static_cast<int>(a.status), a.content_type, a.body);
  EXPECT_TRUE(problems.empty()) << method << " " << target << " → " << a.status << " " << a.body
                                << "\n"
                                << dwt::openapi_testkit::join(problems);
}

/// A keep-alive HTTP/1.1 client.
class client {
public:
  explicit client(std::uint16_t port) : port_(port), stream_(ioc_) { connect(); }

  /// Sends one request and reads the answer; checks it against the OpenAPI
  /// document (ADD_FAILURE on any problem).
  answer request(std::string_view method, const std::string& target, const std::string& body = {},
                 const char* key = nullptr,
                 std::vector<std::pair<std::string, std::string>> headers = {},
                 bool json_content = true) {
    if (!open_)
      connect();
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    if (key != nullptr)
      req.set(bhttp::field::authorization, std::string{"Bearer "} + key);
    if (!body.empty() && json_content)
      req.set(bhttp::field::content_type, "application/json");
    for (auto& [k, v] : headers)
      req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    beast::error_code ec;
    stream_.expires_after(op_limit);
    bhttp::async_write(stream_, req, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    EXPECT_FALSE(ec) << method << " " << target << ": write: " << ec.message();
    bhttp::response<bhttp::string_body> res;
    stream_.expires_after(op_limit);
    bhttp::async_read(stream_, buffer_, res, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    EXPECT_FALSE(ec) << method << " " << target << ": read: " << ec.message();
    answer a;
    a.status = res.result_int();
    a.content_type = std::string{res[bhttp::field::content_type]};
    a.body = res.body();
    if (!a.body.empty()) {
      boost::system::error_code parse_ec;
      a.value = json::parse(a.body, parse_ec);
    }
    for (const auto& f : res)
      a.headers.emplace_back(std::string{f.name_string()}, std::string{f.value()});
    if (!res.keep_alive()) {
      beast::error_code ignored;
      stream_.socket().close(ignored);
      buffer_.clear();
      open_ = false;
    }
    expect_documented(method, target, a);
    return a;
  }

private:
  void connect() {
    stream_.close();
    buffer_.clear();
    boost::asio::ip::tcp::endpoint ep{boost::asio::ip::make_address("127.0.0.1"), port_};
    beast::error_code ec;
    stream_.expires_after(op_limit);
    stream_.async_connect(ep, [&](beast::error_code e) { ec = e; });
    run();
    EXPECT_FALSE(ec) << "connect: " << ec.message();
    open_ = true;
  }
  void run() {
    ioc_.run();
    ioc_.restart();
  }

  std::uint16_t port_;
  boost::asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool open_ = false;
};

/// A fresh temporary directory, removed at destruction.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    static std::atomic<int> n{0};
    path = std::filesystem::temp_directory_path() /
           ("dwt_server_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

/// The test configuration, as TOML (so the loader and the settings →
/// engine_options mapping run too). Partner p1: onboarded after the SMS
/// cut-over, cap 2 tokens per card. Partner p2: onboarded before it.
inline std::string test_config(const std::filesystem::path& dir) {
  return R"toml(
data_dir = ")toml" +
         (dir / "data").string() + R"toml("
[listen]
host = "127.0.0.1"
port = 0
[store]
durability = "nosync"
map_size_bytes = 67108864
[runtime]
scheduler_max_threads = 2
shard_count = 4
[http]
max_body_bytes = 4096
io_threads = 2
shutdown_grace_ms = 5000
[network]
api_key = "network-key"
[[partners]]
id = "p1"
name = "Partner One"
api_key = "p1-partner-key"
onboarded_on = 2025-06-01
max_tokens_per_card = 2
[[partners]]
id = "p2"
name = "Partner Two (legacy)"
api_key = "p2-partner-key"
onboarded_on = 2024-11-15
[[card_products]]
name = "demo-debit"
tokenization_enabled = true
bins = [{ low = 400000, high = 499999 }]
[[card_products]]
name = "no-tokens"
tokenization_enabled = false
bins = [{ low = 510000, high = 519999 }]
[keys]
pan_hash_key = "hex:20d26b33298c5a91b2eb5e4382d2f30106661ea56c913a3a17b74287f463fdaa"
pan_encryption_key = "hex:4de5f6b7cf2a3b19fde4b7c334a02a64db093184c3cdc09e609f2e7146771458"
otp_key = "hex:951dbec560539a1f2b5bf448ca742ee94c6ffdb480ec291d61a859325036d614"
[sms]
sink = "file"
[sms.file]
path = ")toml" +
         (dir / "sms.jsonl").string() + R"toml("
)toml";
}

/// A Luhn-valid 16-digit PAN: prefix + serial + check digit.
inline std::string make_pan(const std::string& prefix, std::uint64_t n) {
  std::string body = prefix;
  std::string serial = std::to_string(n);
  body += std::string(15 - prefix.size() - serial.size(), '0') + serial;
  return body + dwt::engine::pan::luhn_check_digit(body);
}

/// The server under test plus helpers for the common calls.
class server_fixture : public ::testing::Test {
protected:
  void SetUp() override { start_server(test_config(dir_.path)); }

  /// Loads `config_text`, starts the server on it and connects `http()`.
  void start_server(const std::string& config_text) {
    ASSERT_NO_FATAL_FAILURE(start_app(config_text));
    http_ = std::make_unique<client>(app_->port());
  }
  /// Loads `config_text` and starts the server on it (`app_`), connecting
  /// no client (for listeners `client` cannot speak to, e.g. TLS).
  void start_app(const std::string& config_text) {
    auto loaded = dwt::config::load_string(config_text);
    ASSERT_TRUE(loaded) << loaded.error_value().message;
    dwt::server::app_options o;
    o.access_log = dwt::http::null_log_sink();
    auto started = dwt::server::server_app::start(loaded.value(), std::move(o));
    ASSERT_TRUE(started.app) << started.error;
    app_ = std::move(started.app);
  }
  void TearDown() override {
    http_.reset();
    if (app_)
      app_->stop();
  }

  client& http() { return *http_; }

  answer post(const std::string& target, const std::string& body, const char* key,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    return http().request("POST", target, body, key, std::move(headers));
  }
  answer get(const std::string& target, const char* key) {
    return http().request("GET", target, {}, key);
  }

  static std::string s(const json::value& v) { return json::serialize(v); }

  /// Creates a profile; returns its id.
  std::string profile(const char* key = p1_key, const std::string& phone = "+447700900123") {
    auto a = post("/v1/profiles", s(json::object{{"phoneNumber", phone}}), key);
    EXPECT_EQ(a.status, 201u) << a.body;
    return a.str("id");
  }

  /// Registers a card (new profile unless given); returns the card id.
  std::string card(const std::string& pan, const char* key = p1_key,
                   std::optional<std::string> card_phone = std::nullopt,
                   std::string profile_id = {}) {
    if (profile_id.empty())
      profile_id = profile(key);
    json::object b{{"profileId", profile_id},     {"pan", pan},
                   {"expiryMonth", 12},           {"expiryYear", 2030},
                   {"cardProduct", "demo-debit"}, {"type", "VIRTUAL"}};
    if (card_phone)
      b["phoneNumber"] = *card_phone;
    auto a = post("/v1/cards", s(b), key);
    EXPECT_EQ(a.status, 201u) << a.body;
    return a.str("id");
  }

  static std::string tokenization_body(const std::string& pan, const std::string& rec,
                                       const std::string& device = "dev-1",
                                       const std::string& tur = {}) {
    json::object b{{"pan", pan},
                   {"expiryMonth", 12},
                   {"expiryYear", 2030},
                   {"walletProvider", "GOOGLE_PAY"},
                   {"device", json::object{{"id", device}, {"type", "PHONE"}, {"name", "Pixel"}}},
                   {"walletRecommendation", rec}};
    if (!tur.empty())
      b["tokenUniqueReference"] = tur;
    return s(b);
  }

  answer tokenize(const std::string& pan, const std::string& rec = "GREEN",
                  const std::string& device = "dev-1") {
    return post("/network/v1/tokenization-requests", tokenization_body(pan, rec, device),
                network_key);
  }

  /// Push-provisions a token; returns its reference.
  std::string push(const std::string& card_id, const char* key = p1_key,
                   const std::string& device = "watch-1") {
    auto a = post("/v1/cards/" + card_id + "/digital-wallet-tokens",
                  s(json::object{{"walletProvider", "APPLE_PAY"},
                                 {"device", json::object{{"id", device}, {"type", "WATCH"}}}}),
                  key);
    EXPECT_EQ(a.status, 201u) << a.body;
    return a.str("tokenUniqueReference");
  }

  std::string token_state(const std::string& tur, const char* key = p1_key) {
    return get("/v1/digital-wallet-tokens/" + tur, key).str("state");
  }

  answer transition(const std::string& card_id, const std::string& tur, const std::string& state,
                    const char* key = p1_key,
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    return post("/v1/cards/" + card_id + "/digital-wallet-token-transitions",
                s(json::object{{"state", state}, {"digitalWalletToken", tur}, {"reason", "test"}}),
                key, std::move(headers));
  }

  /// Every SMS the sink wrote, parsed.
  std::vector<json::object> sms() const {
    std::vector<json::object> out;
    std::ifstream in{dir_.path / "sms.jsonl"};
    std::string line;
    while (std::getline(in, line)) {
      boost::system::error_code ec;
      auto v = json::parse(line, ec);
      if (!ec && v.is_object())
        out.push_back(v.as_object());
    }
    return out;
  }

  /// Waits (bounded) until the sink holds at least `n` SMS, then returns
  /// them all. Why: the token actor hands the SMS to the verification pool
  /// with a one-way message, so the line may land after the 202 answer
  /// (seen under TSan: an empty sink right after the answer).
  std::vector<json::object> sms_at_least(std::size_t n) const {
    std::vector<json::object> all;
    (void)dwt::test::eventually(
        [&] {
          all = sms();
          return all.size() >= n;
        },
        std::chrono::seconds{10}, std::chrono::milliseconds{10});
    return all;
  }

  /// The `to` of the latest SMS once the sink holds at least `n` ("" and a
  /// test failure when it never does).
  std::string sms_to(std::size_t n) const {
    auto all = sms_at_least(n);
    if (all.size() < n) {
      ADD_FAILURE() << "expected at least " << n << " SMS, the sink holds " << all.size();
      return {};
    }
    return std::string{all.back().at("to").as_string()};
  }

  /// The code of the latest SMS: the only six-digit number in its body.
  std::string last_otp() const {
    auto all = sms_at_least(1);
    if (all.empty()) {
      ADD_FAILURE() << "no SMS was sent";
      return {};
    }
    std::string body{all.back().at("body").as_string()};
    static const std::regex six{R"((^|[^0-9])([0-9]{6})([^0-9]|$))"};
    std::smatch m;
    if (!std::regex_search(body, m, six)) {
      ADD_FAILURE() << "no six-digit code in the SMS";
      return {};
    }
    return m[2].str();
  }

  temp_dir dir_;
  std::unique_ptr<dwt::server::server_app> app_;
  std::unique_ptr<client> http_;
};

} // namespace dwt_server_test
