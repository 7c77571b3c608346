/// @file
/// Records the answers of a real `dwt-server` to every route of
/// docs/openapi.yaml, for the contract check (validate_responses.mjs, run by
/// the ctest `dwt_contract_responses` after this one).
///
/// The server runs as a separate process on loopback over a temporary LMDB
/// directory (the black-box harness, tests/blackbox). Each route is driven
/// to its success answer and to its main error answers (401, 404, 400
/// invalid_request / invalid_argument / bad_request, 409, 413, 415, 422,
/// 429, 431, 503 too_many_connections / overloaded, 507 map_full,
/// problem+json); every answer is
/// written as one JSON line {kind, method, path (the template), target,
/// status, headers, body, note} to $DWT_CONTRACT_RESPONSES, and every
/// webhook delivery a loopback receiver got as {kind: "webhook", type,
/// headers, body}. The tests here only check that the scenario ran (a
/// missing answer fails); whether the answers match the document is the
/// second test's job, done with a real OpenAPI/JSON Schema validator.

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "../common/mdes_receiver.hpp"
#include "../common/time_scale.hpp"
#include "../outbound/test_receiver.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/networks/mdes/fle.hpp"
#include "dwt/networks/mdes/fle_json.hpp"
#include "fault_support.hpp"
#include "support.hpp"

namespace dwt::blackbox {
namespace {

namespace json = boost::json;
namespace rx = dwt::outbound::testing;
using namespace std::chrono_literals;

using headers_t = std::vector<std::pair<std::string, std::string>>;

// --- the record file -----------------------------------------------------------

/// The JSON-lines file of this run (truncated when the process first
/// writes to it). Thread-safe.
class recorder {
public:
  static recorder& instance() {
    static recorder r;
    return r;
  }

  /// One answer of the server to `method target`, documented under the
  /// path template `path` (or, with `unrouted`, under x-dwt-unrouted).
  void answer(std::string_view method, std::string_view path, std::string_view target,
              const http_response& r, std::string_view note, std::string_view unrouted = {}) {
    json::object o;
    o["kind"] = "response";
    o["method"] = method;
    o["path"] = path;
    o["target"] = target;
    o["status"] = r.status;
    o["headers"] = headers_of(r.headers);
    o["body"] = r.body;
    o["note"] = note;
    if (!unrouted.empty())
      o["unrouted"] = unrouted;
    write(o);
  }

  /// One webhook delivery as the partner's endpoint received it.
  void delivery(const rx::recorded_request& req) {
    const auto body = parse_json(req.body).value_or(json::value{});
    json::object o;
    o["kind"] = "webhook";
    o["type"] = json_string(body, "type");
    o["headers"] = headers_of(req.headers);
    o["body"] = req.body;
    write(o);
  }

  /// Why the file cannot be written ("" when it can).
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

private:
  recorder() {
    const char* path = std::getenv("DWT_CONTRACT_RESPONSES");
    if (path == nullptr || *path == '\0') {
      error_ = "DWT_CONTRACT_RESPONSES (the record file) is not set";
      return;
    }
    out_.open(path, std::ios::out | std::ios::trunc);
    if (!out_)
      error_ = std::string{"cannot write "} + path;
  }

  static json::object headers_of(const std::map<std::string, std::string>& h) {
    json::object o;
    for (const auto& [k, v] : h)
      o[k] = v;
    return o;
  }

  void write(const json::object& o) {
    std::lock_guard lock{mutex_};
    out_ << json::serialize(o) << '\n';
    out_.flush();
  }

  std::mutex mutex_;
  std::ofstream out_;
  std::string error_;
};

/// Parses a complete HTTP/1.1 answer read from a raw socket.
std::optional<http_response> parse_raw_answer(const std::string& bytes) {
  const auto head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string::npos || !bytes.starts_with("HTTP/1.1 "))
    return std::nullopt;
  http_response r;
  r.status = std::atoi(bytes.c_str() + 9);
  std::size_t pos = bytes.find("\r\n") + 2;
  while (pos < head_end) {
    const auto eol = bytes.find("\r\n", pos);
    const auto line = bytes.substr(pos, eol - pos);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[name] = value;
    }
    pos = eol + 2;
  }
  r.body = bytes.substr(head_end + 4);
  if (const auto len = r.headers.find("content-length"); len != r.headers.end())
    r.body.resize(
        std::min(r.body.size(), static_cast<std::size_t>(std::atol(len->second.c_str()))));
  return r;
}

/// Sends `bytes` on a new connection and reads the answer until the server
/// closes (bounded).
std::optional<http_response> raw_exchange(std::uint16_t port, std::string_view bytes,
                                          std::string& error) {
  raw_socket s;
  if (auto err = s.connect(port); !err.empty()) {
    error = err;
    return std::nullopt;
  }
  if (!s.send_all(bytes)) {
    error = "send failed";
    return std::nullopt;
  }
  bool closed = false;
  const auto text = s.read_until_close(10s, closed);
  auto r = parse_raw_answer(text);
  if (!r)
    error = "no complete answer: " + text.substr(0, 200);
  return r;
}

// --- the scenario ----------------------------------------------------------------

/// Development-style Standard Webhooks secret of the receiver (test only).
constexpr std::string_view webhook_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class contract_recording : public blackbox_test {
protected:
  config_options server_options() override {
    config_options o;
    o.demo_partner_toml = "[partners.webhook]\nurl = \"" + rx_.url() + "\"\nsecret = \"" +
                          std::string{webhook_secret} + "\"\n";
    // The first delivery fails (500): its event stays PENDING with a next
    // attempt 1.5 s later, long enough to record that state.
    o.extra_toml = "[webhooks]\ntimeout_ms = 2000\ninitial_backoff_ms = 1500\n"
                   "max_backoff_ms = 3000\nmax_attempts = 10\n"
                   "[networks.mdes]\nenabled = true\nissuer_fle_keys = [\"" +
                   std::string{DWT_SOURCE_DIR} + "/config/dev/mdes-issuer-fle.key.pem\"]\n" +
                   // The Customer Service API: a loopback MDES that refuses
                   // until told otherwise (networkSync FAILED, its webhook).
                   "customer_service_url = \"" + mdes_.base_url() +
                   "\"\noauth_consumer_key = \"contract\"\noauth_signing_key = \"" +
                   std::string{DWT_SOURCE_DIR} +
                   "/config/dev/mdes-oauth.key.pem\"\naudit_user_id = \"ops\"\n"
                   "audit_user_name = \"Ops\"\naudit_organization = \"Demo Bank\"\n"
                   "customer_service_timeout_ms = 1000\nretry_initial_backoff_ms = 100\n"
                   "retry_max_backoff_ms = 200\nretry_max_attempts = 60\n";
    return o;
  }

  void SetUp() override {
    ASSERT_EQ(recorder::instance().error(), "");
    rx_.script(500, 1);
    blackbox_test::SetUp();
  }

  /// One request (raw body text, or none), recorded under `path`.
  http_response send(std::string_view method, std::string_view path, const std::string& target,
                     std::string_view key, std::optional<std::string> body, headers_t headers,
                     std::string_view note) {
    http_request req;
    req.method = std::string{method};
    req.target = target;
    if (!key.empty())
      req.headers.emplace_back("Authorization", "Bearer " + std::string{key});
    req.headers.insert(req.headers.end(), headers.begin(), headers.end());
    if (body)
      req.body = std::move(*body);
    auto result = api_->raw().send(req);
    if (!result.response) {
      ADD_FAILURE() << method << ' ' << target << " (" << note << "): no answer: " << result.error;
      return {};
    }
    recorder::instance().answer(method, path, target, *result.response, note);
    return std::move(*result.response);
  }

  http_response get(std::string_view path, const std::string& target, std::string_view key,
                    std::string_view note) {
    return send("GET", path, target, key, std::nullopt, {}, note);
  }

  http_response post(std::string_view path, const std::string& target, std::string_view key,
                     const json::value& body, std::string_view note, headers_t headers = {}) {
    return send("POST", path, target, key, json::serialize(body), std::move(headers), note);
  }

  /// Expects `status`; the answer either way.
  http_response expect(http_response r, int status) {
    EXPECT_EQ(r.status, status) << describe(r);
    return r;
  }

  json::value device() { return {{"id", data_->id("dev-")}, {"type", "PHONE"}, {"name", "Phone"}}; }

  json::object tokenization(const std::string& pan, std::string_view recommendation) {
    remember_secret(pan, secret_value::match::anywhere, "PAN");
    return {{"pan", pan},         {"expiryMonth", 12},
            {"expiryYear", 2031}, {"walletProvider", "APPLE_PAY"},
            {"device", device()}, {"walletRecommendation", recommendation}};
  }

  /// A profile and a card of `key`'s partner → {card id, PAN}.
  std::pair<std::string, std::string> card_of(std::string_view key) {
    const auto phone = data_->phone();
    auto p =
        expect(post("/v1/profiles", "/v1/profiles", key, {{"phoneNumber", phone}}, "create"), 201);
    const auto profile = json_string(p.json(), "id");
    const auto pan = data_->pan();
    remember_secret(pan, secret_value::match::anywhere, "PAN");
    auto c = expect(post("/v1/cards", "/v1/cards", key,
                         {{"profileId", profile},
                          {"pan", pan},
                          {"expiryMonth", 12},
                          {"expiryYear", 2031},
                          {"cardProduct", card_product},
                          {"type", "VIRTUAL"}},
                         "register"),
                    201);
    return {json_string(c.json(), "id"), pan};
  }

  /// An MDES authorizeService body: `pan`'s card data encrypted to the
  /// development issuer key (dwt::networks' FLE, checked against
  /// python3-cryptography in tests/networks).
  json::object mdes_authorize(const std::string& pan, std::string_view recommendation) {
    auto to = dwt::networks::mdes::fle_recipient::from_pem_file(
        std::string{DWT_SOURCE_DIR} + "/config/dev/mdes-issuer-fle.pub.pem");
    EXPECT_TRUE(to) << "development FLE public key";
    if (!to)
      return {};
    dwt::engine::secure_random rng;
    json::object card{{"accountNumber", pan}, {"expiryMonth", "12"}, {"expiryYear", "2031"}};
    auto fle = dwt::networks::mdes::encrypt(json::serialize(card), *to,
                                            dwt::networks::mdes::key_wrap::oaep_sha256, rng);
    EXPECT_TRUE(fle) << "encrypt";
    json::object body{{"requestId", data_->id("req-")},
                      {"cardInfo", fle ? dwt::networks::mdes::to_json(*fle) : json::object{}},
                      {"correlationId", "c" + data_->id("").substr(0, 12)},
                      {"walletId", "103"},
                      {"paymentAppInstanceId", data_->id("pai-")}};
    if (!recommendation.empty())
      body["tokenRequestorDecisioningInfo"] = {{"recommendedDecision", recommendation}};
    return body;
  }

  rx::test_receiver rx_;
  dwt::test::mdes_receiver mdes_;
};

TEST_F(contract_recording, every_route_answers_success_and_errors) {
  const std::string long_id(200, 'a');
  const auto demo = demo_partner_key;

  // -- operations, unrouted, transport-level errors ------------------------------
  expect(get("/healthz", "/healthz", {}, "up"), 200);
  expect(get("/readyz", "/readyz", {}, "ready"), 200);
  expect(get("/metrics", "/metrics", {}, "metrics"), 200);
  {
    auto r = api_->raw().send({"GET", "/no/such/path", {}, {}});
    ASSERT_TRUE(r.response) << r.error;
    recorder::instance().answer("GET", "/no/such/path", "/no/such/path", *r.response,
                                "unknown path", "unknownPath");
    EXPECT_EQ(r.response->status, 404) << describe(*r.response);
    r = api_->raw().send(
        {"DELETE", "/v1/profiles", {}, {{"Authorization", "Bearer " + std::string{demo}}}});
    ASSERT_TRUE(r.response) << r.error;
    recorder::instance().answer("DELETE", "/v1/profiles", "/v1/profiles", *r.response,
                                "unknown method", "unknownMethod");
    EXPECT_EQ(r.response->status, 405) << describe(*r.response);
  }
  // HEAD on the probes: recorded as the documented operation when the
  // server has one, else (405) as a known path without that method.
  for (const std::string path : {"/healthz", "/readyz"}) {
    std::string error;
    auto r =
        raw_exchange(server_->port(),
                     "HEAD " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", error);
    ASSERT_TRUE(r) << error;
    recorder::instance().answer("HEAD", path, path, *r, "HEAD probe",
                                r->status == 405 ? "unknownMethod" : "");
  }
  expect(send("GET", "/healthz", "/healthz", {}, std::nullopt,
              {{"X-Padding", std::string(9000, 'p')}}, "headers over max_header_bytes"),
         431);
  {
    std::string error;
    auto r = raw_exchange(server_->port(),
                          "GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", error);
    ASSERT_TRUE(r) << error;
    recorder::instance().answer("GET", "/healthz", "/healthz", *r, "not valid HTTP/1.1");
    EXPECT_EQ(r->status, 400) << describe(*r);
  }

  // -- profiles ------------------------------------------------------------------
  const auto phone = data_->phone();
  auto created = expect(post("/v1/profiles", "/v1/profiles", demo, {{"phoneNumber", phone}},
                             "create", {{"Idempotency-Key", "contract-profile-1"}}),
                        201);
  const auto profile = json_string(created.json(), "id");
  ASSERT_FALSE(profile.empty());
  auto replay = expect(post("/v1/profiles", "/v1/profiles", demo, {{"phoneNumber", phone}},
                            "idempotent replay", {{"Idempotency-Key", "contract-profile-1"}}),
                       201);
  EXPECT_EQ(replay.header("idempotent-replayed"), "true");
  expect(post("/v1/profiles", "/v1/profiles", demo, {{"phoneNumber", data_->phone()}},
              "same key, other body", {{"Idempotency-Key", "contract-profile-1"}}),
         422);
  expect(post("/v1/profiles", "/v1/profiles", demo, {{"phoneNumber", data_->phone()}},
              "over-long key", {{"Idempotency-Key", std::string(256, 'k')}}),
         400);
  {
    // The same key twice at once: the second usually finds the first still
    // running (409 idempotency_in_progress). Best effort, bounded: a
    // machine fast enough to finish the first before the second arrives
    // records two 201s instead, which the contract allows as well.
    for (int round = 0; round < 20; ++round) {
      const auto key = data_->id("race-");
      const auto body = json::serialize(json::value{{"phoneNumber", data_->phone()}});
      const auto request =
          "POST /v1/profiles HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          "Authorization: Bearer " +
          std::string{demo} + "\r\nIdempotency-Key: " + key +
          "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n\r\n" + body;
      raw_socket a;
      raw_socket b;
      ASSERT_EQ(a.connect(server_->port()), "");
      ASSERT_EQ(b.connect(server_->port()), "");
      ASSERT_TRUE(a.send_all(request));
      ASSERT_TRUE(b.send_all(request));
      bool closed = false;
      auto ra = parse_raw_answer(a.read_until_close(10s, closed));
      auto rb = parse_raw_answer(b.read_until_close(10s, closed));
      ASSERT_TRUE(ra && rb) << "no answer to a concurrent request";
      bool raced = false;
      for (const auto* r : {&*ra, &*rb}) {
        recorder::instance().answer("POST", "/v1/profiles", "/v1/profiles", *r, "same key at once");
        EXPECT_TRUE(r->status == 201 || r->status == 409) << describe(*r);
        raced = raced || r->status == 409;
      }
      if (raced)
        break;
    }
  }
  expect(post("/v1/profiles", "/v1/profiles", demo, {{"phoneNumber", "0044"}}, "bad phone"), 400);
  expect(send("POST", "/v1/profiles", "/v1/profiles", demo, std::string{"{\"phoneNumber\":"}, {},
              "malformed JSON"),
         400);
  expect(send("POST", "/v1/profiles", "/v1/profiles", demo, std::string{"phoneNumber=1"},
              {{"Content-Type", "text/plain"}}, "not JSON media type"),
         415);
  expect(post("/v1/profiles", "/v1/profiles", {}, {{"phoneNumber", phone}}, "no key"), 401);
  expect(post("/v1/profiles", "/v1/profiles", network_key, {{"phoneNumber", phone}},
              "network key on /v1"),
         401);
  {
    // Over max_body_bytes (65536): 413, and the server closes the connection.
    expect(send("POST", "/v1/profiles", "/v1/profiles", demo,
                "{\"phoneNumber\":\"" + std::string(70000, '1') + "\"}", {},
                "body over max_body_bytes"),
           413);
    api_->raw().close();
  }
  expect(get("/v1/profiles/{id}", "/v1/profiles/" + profile, demo, "read"), 200);
  expect(get("/v1/profiles/{id}", "/v1/profiles/prof-unknown", demo, "unknown"), 404);
  expect(
      get("/v1/profiles/{id}", "/v1/profiles/" + profile, legacy_partner_key, "another partner's"),
      404);
  expect(send("PATCH", "/v1/profiles/{id}", "/v1/profiles/" + profile, demo,
              json::serialize(json::value{{"email", "holder@example.com"}}), {}, "update"),
         200);
  expect(send("PATCH", "/v1/profiles/{id}", "/v1/profiles/" + profile, demo,
              json::serialize(json::value{{"email", nullptr}}), {}, "clear email"),
         200);
  expect(send("PATCH", "/v1/profiles/{id}", "/v1/profiles/prof-unknown", demo,
              json::serialize(json::value{{"email", "x@example.com"}}), {}, "unknown"),
         404);

  // -- cards ---------------------------------------------------------------------
  const auto pan = data_->pan();
  remember_secret(pan, secret_value::match::anywhere, "PAN");
  json::object card_body{{"profileId", profile},        {"pan", pan},
                         {"expiryMonth", 12},           {"expiryYear", 2031},
                         {"cardProduct", card_product}, {"type", "PHYSICAL"}};
  auto card_r = expect(post("/v1/cards", "/v1/cards", demo, card_body, "register"), 201);
  const auto card = json_string(card_r.json(), "id");
  ASSERT_FALSE(card.empty());
  {
    auto bad = card_body;
    bad["pan"] = pan.substr(0, 15) + (pan.back() == '9' ? "0" : std::string(1, pan.back() + 1));
    expect(post("/v1/cards", "/v1/cards", demo, bad, "PAN fails Luhn"), 422);
    auto unknown = card_body;
    unknown["profileId"] = "prof-unknown";
    unknown["pan"] = data_->pan();
    remember_secret(json_string(unknown, "pan"), secret_value::match::anywhere, "PAN");
    expect(post("/v1/cards", "/v1/cards", demo, unknown, "unknown profile"), 404);
    auto missing = card_body;
    missing.erase("cardProduct");
    expect(post("/v1/cards", "/v1/cards", demo, missing, "missing field"), 400);
  }
  expect(get("/v1/cards/{cardId}", "/v1/cards/" + card, demo, "read"), 200);
  expect(get("/v1/cards/{cardId}", "/v1/cards/card-unknown", demo, "unknown"), 404);
  get("/v1/cards/{cardId}", "/v1/cards/" + long_id, demo, "over-long id");

  // -- tokenisation (network) ------------------------------------------------------
  auto approved =
      expect(post("/network/v1/tokenization-requests", "/network/v1/tokenization-requests",
                  network_key, tokenization(pan, "GREEN"), "GREEN: approved"),
             200);
  const auto tur = json_string(approved.json(), "tokenUniqueReference");
  ASSERT_FALSE(tur.empty());
  {
    // The first event's first delivery failed (500): PENDING, next attempt due.
    auto feed = expect(get("/v1/events", "/v1/events?limit=1", demo, "first page"), 200);
    const auto first = json_array(feed.json(), "data");
    ASSERT_FALSE(first.empty());
    const auto event = json_string(first.front(), "id");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (rx_.request_count() == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    std::this_thread::sleep_for(100ms);
    expect(get("/v1/events/{eventId}/deliveries", "/v1/events/" + event + "/deliveries", demo,
               "a failed attempt, retry pending"),
           200);
  }
  expect(post("/network/v1/tokenization-requests", "/network/v1/tokenization-requests", network_key,
              tokenization(data_->foreign_pan(), "GREEN"), "PAN of no card: declined"),
         200);
  expect(post("/network/v1/tokenization-requests", "/network/v1/tokenization-requests", network_key,
              tokenization(pan, "RED"), "RED: declined"),
         200);
  {
    auto body = tokenization(pan, "GREEN");
    body["tokenUniqueReference"] = long_id;
    post("/network/v1/tokenization-requests", "/network/v1/tokenization-requests", network_key,
         body, "over-long tokenUniqueReference");
    body = tokenization(pan, "GREEN");
    body.erase("walletRecommendation");
    expect(post("/network/v1/tokenization-requests", "/network/v1/tokenization-requests",
                network_key, body, "missing field"),
           400);
    expect(post("/network/v1/tokenization-requests", "/network/v1/tokenization-requests", demo,
                tokenization(pan, "GREEN"), "partner key on /network"),
           401);
  }
  expect(get("/network/v1/tokens/{tokenUniqueReference}", "/network/v1/tokens/" + tur, network_key,
             "read"),
         200);

  // -- Mastercard MDES (the network's own wire format) ------------------------------
  {
    constexpr std::string_view authorize = "/mdes/authorizeService";
    const auto mdes_pan = card_of(demo).second;
    const std::string target{authorize};
    expect(post(authorize, target, network_key, mdes_authorize(mdes_pan, "APPROVED"),
                "MDES: approved"),
           200);
    expect(post(authorize, target, network_key, mdes_authorize(card_of(demo).second, ""),
                "MDES: step-up with activation methods"),
           200);
    auto unknown_key = mdes_authorize(mdes_pan, "APPROVED");
    unknown_key["cardInfo"].as_object()["publicKeyFingerprint"] = std::string(64, 'a');
    expect(post(authorize, target, network_key, unknown_key, "MDES: unknown key fingerprint"), 400);
    auto tampered = mdes_authorize(mdes_pan, "APPROVED");
    auto& key_hex = tampered["cardInfo"].as_object()["encryptedKey"].as_string();
    key_hex[key_hex.size() - 3] = key_hex[key_hex.size() - 3] == '0' ? '1' : '0';
    expect(post(authorize, target, network_key, tampered, "MDES: tampered ciphertext"), 400);
    expect(post(authorize, target, demo, mdes_authorize(mdes_pan, "APPROVED"), "MDES: partner key"),
           401);
    // notifyTokenUpdated: a token the network created under its own reference.
    constexpr std::string_view notify = "/mdes/notifyTokenUpdated";
    const std::string notify_target{notify};
    const auto ntu_tur = "DWSPMC" + data_->id("");
    auto body = tokenization(card_of(demo).second, "GREEN");
    body["tokenUniqueReference"] = ntu_tur;
    expect(post("/network/v1/tokenization-requests", "/network/v1/tokenization-requests",
                network_key, body, "network-named token"),
           200);
    auto ntu = [&](const std::string& ref, std::string_view status) {
      return json::object{
          {"requestId", data_->id("ntu-")},
          {"tokens", json::array{json::object{{"tokenUniqueReference", ref},
                                              {"status", status},
                                              {"suspendedBy", json::array{"CARDHOLDER"}}}}},
          {"reasonCode", "STATUS_UPDATE"}};
    };
    expect(post(notify, notify_target, network_key, ntu(ntu_tur, "SUSPENDED"),
                "MDES: suspended by the cardholder"),
           200);
    expect(post(notify, notify_target, network_key, ntu("DWSPMC-unknown", "SUSPENDED"),
                "MDES: unknown token"),
           404);
    expect(post(notify, notify_target, network_key, ntu(ntu_tur, "DEACTIVATED"), "MDES: deleted"),
           200);
    expect(post(notify, notify_target, network_key, ntu(ntu_tur, "ACTIVE"), "MDES: a final token"),
           409);
    expect(post(notify, notify_target, network_key, json::object{{"requestId", "r1"}},
                "MDES: no tokens"),
           400);
    expect(post(notify, notify_target, demo, ntu(ntu_tur, "ACTIVE"), "MDES: partner key"), 401);

    // notifyServiceActivated: the step-up token of a correlationId.
    constexpr std::string_view activated = "/mdes/notifyServiceActivated";
    const std::string activated_target{activated};
    auto step_up = mdes_authorize(card_of(demo).second, "");
    const auto corr = json_string(step_up, "correlationId");
    expect(post(authorize, target, network_key, step_up, "MDES: step-up to activate"), 200);
    // MDES names the step-up token once (deliverActivationCode binds it,
    // notifyServiceActivated repeats it).
    const auto step_tur = "DWSPMC" + data_->id("");
    auto tur_of = [&](const std::string& correlation_id) {
      return correlation_id == corr ? step_tur : "DWSPMC" + data_->id("");
    };
    auto nsa = [&](const std::string& correlation_id) {
      return json::object{{"requestId", data_->id("nsa-")},
                          {"correlationId", correlation_id},
                          {"cardAndToken", {{"tokenUniqueReference", tur_of(correlation_id)}}}};
    };
    // requestActivationMethods: while the token waits, then after.
    constexpr std::string_view methods = "/mdes/requestActivationMethods";
    const std::string methods_target{methods};
    auto ram = [&](const std::string& correlation_id) {
      return json::object{{"requestId", data_->id("ram-")}, {"correlationId", correlation_id}};
    };
    expect(post(methods, methods_target, network_key, ram(corr), "MDES: methods offered"), 200);
    expect(post(methods, methods_target, network_key, ram("cunknown"), "MDES: unknown token"), 404);
    expect(post(methods, methods_target, network_key, json::object{{"requestId", "r3"}},
                "MDES: no token reference"),
           400);
    expect(post(methods, methods_target, demo, ram(corr), "MDES: partner key"), 401);
    // deliverActivationCode: the network's code for the step-up token.
    constexpr std::string_view deliver = "/mdes/deliverActivationCode";
    const std::string deliver_target{deliver};
    auto dac = [&](const std::string& correlation_id, std::string_view type) {
      return json::object{{"requestId", data_->id("dac-")},
                          {"tokenUniqueReference", tur_of(correlation_id)},
                          {"correlationId", correlation_id},
                          {"activationCode", "A1B2C3"},
                          {"activationMethod", {{"type", type}, {"value", "***-***-0000"}}}};
    };
    expect(post(deliver, deliver_target, network_key, dac(corr, "EMAIL_TO_CARDHOLDER_ADDRESS"),
                "MDES: unsupported activation method"),
           400);
    expect(post(deliver, deliver_target, network_key, dac(corr, "TEXT_TO_CARDHOLDER_NUMBER"),
                "MDES: code delivered"),
           200);
    // The SMS it sent is not an OTP of dwt's: skip it.
    sms_seen_ +=
        wait_for_sms(server_->layout().sms_file(), sms_seen_, std::chrono::seconds{10}).size();
    expect(post(deliver, deliver_target, network_key, dac("cunknown", "TEXT_TO_CARDHOLDER_NUMBER"),
                "MDES: unknown token"),
           404);
    expect(post(deliver, deliver_target, network_key, json::object{{"requestId", "r3"}},
                "MDES: no token reference"),
           400);
    expect(post(deliver, deliver_target, demo, dac(corr, "TEXT_TO_CARDHOLDER_NUMBER"),
                "MDES: partner key"),
           401);
    expect(post(activated, activated_target, network_key, nsa(corr), "MDES: activated"), 200);
    expect(post(methods, methods_target, network_key, ram(corr), "MDES: token active"), 409);
    expect(post(deliver, deliver_target, network_key, dac(corr, "TEXT_TO_CARDHOLDER_NUMBER"),
                "MDES: the token is no longer REQUESTED"),
           409);
    expect(post(activated, activated_target, network_key, nsa("cunknown"), "MDES: unknown token"),
           404);
    // networkSync: the partner suspends an MDES token; the Customer
    // Service API refuses for good (FAILED, tokens#network-sync-failed),
    // then accepts the partner's retry.
    {
      std::atomic<bool> refuse{true};
      mdes_.set_answer([&](const dwt::test::mdes_call&) -> std::optional<rx::reply> {
        if (refuse.load())
          return dwt::test::mdes_error(400, "INVALID_TOKEN_STATUS", false);
        return std::nullopt;
      });
      const auto [sync_card, sync_pan] = card_of(demo);
      auto sync_up = mdes_authorize(sync_pan, "");
      const auto sync_corr = json_string(sync_up, "correlationId");
      expect(post(authorize, target, network_key, sync_up, "MDES: step-up for networkSync"), 200);
      expect(post(activated, activated_target, network_key, nsa(sync_corr),
                  "MDES: activated for networkSync"),
             200);
      const auto sync_ref = "mdes-c-" + sync_corr;
      const auto sync_transitions = "/v1/cards/" + sync_card + "/digital-wallet-token-transitions";
      expect(post("/v1/cards/{cardId}/digital-wallet-token-transitions", sync_transitions, demo,
                  {{"state", "SUSPENDED"}, {"digitalWalletToken", sync_ref}, {"reason", "lost"}},
                  "suspend an MDES token"),
             201);
      auto sync_status = [&] {
        auto t = api_->get("/v1/digital-wallet-tokens/" + sync_ref, demo);
        const auto v = t.json();
        if (!v.is_object() || !v.as_object().contains("networkSync"))
          return std::string{};
        return json_string(v.as_object().at("networkSync"), "status");
      };
      EXPECT_TRUE(dwt::test::eventually([&] { return sync_status() == "FAILED"; }, 20s));
      const std::string retry =
          "/v1/digital-wallet-tokens/{tokenUniqueReference}/network-sync/retry";
      expect(get("/v1/digital-wallet-tokens/{tokenUniqueReference}",
                 "/v1/digital-wallet-tokens/" + sync_ref, demo, "networkSync FAILED"),
             200);
      expect(post(retry, "/v1/digital-wallet-tokens/" + sync_ref + "/network-sync/retry",
                  legacy_partner_key, json::object{}, "another partner's token"),
             404);
      refuse = false;
      expect(post(retry, "/v1/digital-wallet-tokens/" + sync_ref + "/network-sync/retry", demo,
                  json::object{}, "retry a failed command"),
             202);
      EXPECT_TRUE(dwt::test::eventually([&] { return sync_status() == "CONFIRMED"; }, 20s));
      expect(post(retry, "/v1/digital-wallet-tokens/" + sync_ref + "/network-sync/retry", demo,
                  json::object{}, "nothing failed"),
             409);
      expect(get("/v1/digital-wallet-tokens/{tokenUniqueReference}",
                 "/v1/digital-wallet-tokens/" + sync_ref, demo, "networkSync CONFIRMED"),
             200);
    }
    auto refused = mdes_authorize(card_of(demo).second, "DECLINED");
    expect(post(authorize, target, network_key, refused, "MDES: declined"), 200);
    expect(post(activated, activated_target, network_key,
                nsa(json_string(refused, "correlationId")), "MDES: a declined token"),
           409);
    expect(post(activated, activated_target, network_key, json::object{{"requestId", "r2"}},
                "MDES: no token reference"),
           400);
    expect(post(activated, activated_target, demo, nsa(corr), "MDES: partner key"), 401);
  }
  expect(get("/network/v1/tokens/{tokenUniqueReference}", "/network/v1/tokens/tur-unknown",
             network_key, "unknown"),
         404);
  get("/network/v1/tokens/{tokenUniqueReference}", "/network/v1/tokens/" + long_id, network_key,
      "over-long id");
  expect(post("/network/v1/tokens/{tokenUniqueReference}/verification",
              "/network/v1/tokens/" + tur + "/verification", network_key, {{"method", "SMS_OTP"}},
              "token already ACTIVE"),
         409);
  expect(post("/network/v1/tokens/{tokenUniqueReference}/events",
              "/network/v1/tokens/" + tur + "/events", network_key, {{"event", "DEVICE_LOST"}},
              "device lost: suspended"),
         200);
  expect(post("/network/v1/tokens/{tokenUniqueReference}/events",
              "/network/v1/tokens/" + tur + "/events", network_key, {{"event", "UNPLUGGED"}},
              "unknown event"),
         400);

  // -- SMS OTP verification ----------------------------------------------------------
  const auto [card2, pan2] = card_of(demo);
  auto yellow =
      expect(post("/network/v1/tokenization-requests", "/network/v1/tokenization-requests",
                  network_key, tokenization(pan2, "YELLOW"), "YELLOW: verification"),
             200);
  const auto tur2 = json_string(yellow.json(), "tokenUniqueReference");
  ASSERT_FALSE(tur2.empty());
  const auto verification = "/network/v1/tokens/" + tur2 + "/verification";
  expect(post("/network/v1/tokens/{tokenUniqueReference}/verification", verification, network_key,
              {{"method", "SMS_OTP"}}, "SMS_OTP"),
         202);
  auto [to, code] = next_otp();
  for (int i = 0; i < 3; ++i) {
    expect(send("POST", "/network/v1/tokens/{tokenUniqueReference}/verification/resend",
                verification + "/resend", network_key, std::nullopt, {}, "resend"),
           202);
    code = next_otp().second;
  }
  expect(send("POST", "/network/v1/tokens/{tokenUniqueReference}/verification/resend",
              verification + "/resend", network_key, std::nullopt, {}, "over the resend limit"),
         429);
  const std::string wrong = code == "000000" ? "111111" : "000000";
  expect(post("/network/v1/tokens/{tokenUniqueReference}/verification/otp", verification + "/otp",
              network_key, {{"code", wrong}}, "wrong code"),
         422);
  expect(post("/network/v1/tokens/{tokenUniqueReference}/verification/otp", verification + "/otp",
              network_key, {{"code", "12"}}, "not six digits"),
         400);
  expect(post("/network/v1/tokens/{tokenUniqueReference}/verification/otp", verification + "/otp",
              network_key, {{"code", code}}, "right code"),
         200);
  expect(post("/network/v1/tokens/{tokenUniqueReference}/verification/otp",
              "/network/v1/tokens/tur-unknown/verification/otp", network_key, {{"code", code}},
              "unknown token"),
         404);

  // -- in-app verification and activation ------------------------------------------
  const auto [card3, pan3] = card_of(demo);
  auto yellow3 =
      expect(post("/network/v1/tokenization-requests", "/network/v1/tokenization-requests",
                  network_key, tokenization(pan3, "YELLOW"), "YELLOW: in-app"),
             200);
  const auto tur3 = json_string(yellow3.json(), "tokenUniqueReference");
  expect(post("/network/v1/tokens/{tokenUniqueReference}/verification",
              "/network/v1/tokens/" + tur3 + "/verification", network_key, {{"method", "IN_APP"}},
              "IN_APP"),
         202);
  const auto activation = "/v1/cards/" + card3 + "/payment-tokens/" + tur3 + "/activation";
  expect(post("/v1/cards/{cardId}/payment-tokens/{tokenUniqueReference}/activation", activation,
              demo, {{"activation", "MAYBE"}}, "unknown activation"),
         400);
  expect(post("/v1/cards/{cardId}/payment-tokens/{tokenUniqueReference}/activation", activation,
              demo, {{"activation", "APPROVE"}}, "approve"),
         204);
  expect(post("/v1/cards/{cardId}/payment-tokens/{tokenUniqueReference}/activation",
              "/v1/cards/" + card3 + "/payment-tokens/tur-unknown/activation", demo,
              {{"activation", "APPROVE"}}, "unknown token"),
         404);

  // -- partner tokens ------------------------------------------------------------------
  const auto tokens = "/v1/cards/" + card + "/digital-wallet-tokens";
  auto pushed =
      expect(post("/v1/cards/{cardId}/digital-wallet-tokens", tokens, demo,
                  {{"walletProvider", "GOOGLE_PAY"}, {"device", device()}}, "push provisioning"),
             201);
  const auto pushed_tur = json_string(pushed.json(), "tokenUniqueReference");
  expect(post("/v1/cards/{cardId}/digital-wallet-tokens", tokens, demo,
              {{"walletProvider", "NOKIA_PAY"}, {"device", device()}}, "unknown wallet"),
         400);
  expect(post("/v1/cards/{cardId}/digital-wallet-tokens",
              "/v1/cards/card-unknown/digital-wallet-tokens", demo,
              {{"walletProvider", "GOOGLE_PAY"}, {"device", device()}}, "unknown card"),
         404);
  expect(get("/v1/cards/{cardId}/digital-wallet-tokens", tokens, demo, "list"), 200);
  expect(get("/v1/cards/{cardId}/digital-wallet-tokens",
             "/v1/cards/card-unknown/digital-wallet-tokens", demo, "unknown card"),
         404);
  const auto transitions = "/v1/cards/" + card + "/digital-wallet-token-transitions";
  expect(post("/v1/cards/{cardId}/digital-wallet-token-transitions", transitions, demo,
              {{"state", "SUSPENDED"}, {"digitalWalletToken", pushed_tur}, {"reason", "contract"}},
              "suspend"),
         201);
  expect(post("/v1/cards/{cardId}/digital-wallet-token-transitions", transitions, demo,
              {{"state", "REQUESTED"}, {"digitalWalletToken", pushed_tur}}, "back to REQUESTED"),
         409);
  expect(post("/v1/cards/{cardId}/digital-wallet-token-transitions", transitions, demo,
              {{"state", "ASLEEP"}, {"digitalWalletToken", pushed_tur}}, "unknown state"),
         400);
  expect(get("/v1/digital-wallet-tokens/{tokenUniqueReference}",
             "/v1/digital-wallet-tokens/" + pushed_tur, demo, "read"),
         200);
  expect(get("/v1/digital-wallet-tokens/{tokenUniqueReference}",
             "/v1/digital-wallet-tokens/tur-unknown", demo, "unknown"),
         404);
  get("/v1/digital-wallet-tokens/{tokenUniqueReference}", "/v1/digital-wallet-tokens/" + long_id,
      demo, "over-long id");
  expect(get("/v1/digital-wallet-tokens/{tokenUniqueReference}/transitions",
             "/v1/digital-wallet-tokens/" + tur2 + "/transitions", demo, "history"),
         200);
  expect(get("/v1/digital-wallet-tokens/{tokenUniqueReference}/transitions",
             "/v1/digital-wallet-tokens/tur-unknown/transitions", demo, "unknown"),
         404);

  // -- card state and its cascade ----------------------------------------------------
  const auto state = "/v1/cards/" + card + "/state";
  expect(post("/v1/cards/{cardId}/state", state, demo, {{"state", "SUSPENDED"}}, "suspend"), 200);
  expect(post("/v1/cards/{cardId}/state", state, demo, {{"state", "ACTIVE"}}, "resume"), 200);
  expect(post("/v1/cards/{cardId}/state", state, demo, {{"state", "GONE"}}, "unknown state"), 400);
  expect(post("/v1/cards/{cardId}/state", state, demo, {{"state", "TERMINATED"}}, "terminate"),
         200);
  expect(post("/v1/cards/{cardId}/state", state, demo, {{"state", "ACTIVE"}}, "card is final"),
         409);
  expect(post("/v1/cards/{cardId}/state", "/v1/cards/card-unknown/state", demo,
              {{"state", "SUSPENDED"}}, "unknown card"),
         404);

  // -- events and deliveries ---------------------------------------------------------
  auto page = expect(get("/v1/events", "/v1/events?limit=5", demo, "page"), 200);
  expect(
      get("/v1/events", "/v1/events?after=" + json_string(page.json(), "next"), demo, "next page"),
      200);
  expect(get("/v1/events", "/v1/events?limit=0", demo, "limit out of range"), 400);
  expect(get("/v1/events", "/v1/events?after=soon", demo, "bad cursor"), 400);
  expect(get("/v1/events", "/v1/events", {}, "no key"), 401);
  const auto events = all_events(demo);
  ASSERT_FALSE(events.empty());
  const auto first_event = json_string(events.front(), "id");
  {
    // Wait (bounded) until the first event is delivered on its retry.
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    for (;;) {
      auto r = get("/v1/events/{eventId}/deliveries", "/v1/events/" + first_event + "/deliveries",
                   demo, "delivered on retry");
      if (json_string(json_at(r.json(), "state"), "status") == "DELIVERED" ||
          std::chrono::steady_clock::now() >= deadline) {
        EXPECT_EQ(json_string(json_at(r.json(), "state"), "status"), "DELIVERED") << describe(r);
        break;
      }
      std::this_thread::sleep_for(200ms);
    }
  }
  expect(get("/v1/events/{eventId}/deliveries", "/v1/events/evt-unknown/deliveries", demo,
             "unknown event"),
         404);
  expect(post("/v1/events/{eventId}/redeliver", "/v1/events/" + first_event + "/redeliver", demo,
              json::object{}, "redeliver"),
         202);
  expect(post("/v1/events/{eventId}/redeliver", "/v1/events/evt-unknown/redeliver", demo,
              json::object{}, "unknown event"),
         404);
  {
    // The legacy partner has no webhook endpoint: nothing to redeliver to.
    const auto [legacy_card, legacy_pan] = card_of(legacy_partner_key);
    expect(post("/v1/cards/{cardId}/digital-wallet-tokens",
                "/v1/cards/" + legacy_card + "/digital-wallet-tokens", legacy_partner_key,
                {{"walletProvider", "SAMSUNG_PAY"}, {"device", device()}}, "push provisioning"),
           201);
    const auto legacy_events = all_events(legacy_partner_key);
    ASSERT_FALSE(legacy_events.empty());
    expect(post("/v1/events/{eventId}/redeliver",
                "/v1/events/" + json_string(legacy_events.front(), "id") + "/redeliver",
                legacy_partner_key, json::object{}, "no webhook endpoint"),
           409);
  }

  // -- the webhooks the receiver got -------------------------------------------------
  {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    std::size_t before = 0;
    // Until the deliveries settle (the redelivery included), bounded.
    while (std::chrono::steady_clock::now() < deadline) {
      const auto n = rx_.request_count();
      if (n == before && n > events.size())
        break;
      before = n;
      std::this_thread::sleep_for(500ms);
    }
    const auto got = rx_.requests();
    EXPECT_GT(got.size(), events.size()) << "every event once, plus the failed first attempt";
    for (const auto& req : got)
      recorder::instance().delivery(req);
  }
}

// -- the connection limit -----------------------------------------------------------

class contract_connection_limit : public configured_test {
protected:
  std::string edit_config_text(std::string text) override {
    return with_keys(std::move(text), "[http]", "max_connections = 1");
  }
};

TEST_F(contract_connection_limit, a_connection_over_the_limit_gets_503) {
  ASSERT_EQ(recorder::instance().error(), "");
  // The first connection is accepted and served (and stays open) ...
  raw_socket first;
  ASSERT_EQ(first.connect(server_->port()), "");
  ASSERT_TRUE(first.send_all("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  {
    bool closed = false;
    const auto text = first.read_until_close(500ms, closed);
    auto r = parse_raw_answer(text);
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(r->status, 200);
  }
  // ... so the next one is over the limit: 503 and closed.
  std::string error;
  auto r = raw_exchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", error);
  ASSERT_TRUE(r) << error;
  recorder::instance().answer("GET", "/healthz", "/healthz", *r, "over max_connections");
  EXPECT_EQ(r->status, 503) << describe(*r);
  EXPECT_EQ(json_string(r->json(), "code"), "too_many_connections");
}

// -- the store full, and requests over the in-flight limit -------------------------

class contract_store_full : public configured_test {
protected:
  std::string edit_config_text(std::string text) override {
    // A 1 MiB map that may not grow: a few thousand writes fill it.
    text = replace_once(std::move(text), "durability = \"sync\"", "durability = \"nosync\"");
    return replace_once(std::move(text), "map_size_bytes = 67108864",
                        "map_size_bytes = 1048576\nmax_map_size_bytes = 1048576");
  }
};

TEST_F(contract_store_full, a_write_into_a_full_store_gets_507_and_reads_still_work) {
  ASSERT_EQ(recorder::instance().error(), "");
  std::string some_profile;
  std::optional<http_response> full;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  for (int i = 0; i < 50000 && !full && std::chrono::steady_clock::now() < deadline; ++i) {
    auto r = api_->raw().send({"POST",
                               "/v1/profiles",
                               json::serialize(json::value{{"phoneNumber", data_->phone()}}),
                               {{"Authorization", "Bearer " + std::string{demo_partner_key}}}});
    ASSERT_TRUE(r.response) << r.error;
    if (r.response->status == 201 && some_profile.empty())
      some_profile = json_string(r.response->json(), "id");
    else if (r.response->status != 201)
      full = std::move(*r.response);
  }
  ASSERT_TRUE(full) << "the 1 MiB store never filled";
  recorder::instance().answer("POST", "/v1/profiles", "/v1/profiles", *full, "store full");
  EXPECT_EQ(full->status, 507) << describe(*full);
  EXPECT_EQ(json_string(full->json(), "code"), "map_full");
  ASSERT_FALSE(some_profile.empty());
  auto read = api_->raw().send({"GET",
                                "/v1/profiles/" + some_profile,
                                {},
                                {{"Authorization", "Bearer " + std::string{demo_partner_key}}}});
  ASSERT_TRUE(read.response) << read.error;
  recorder::instance().answer("GET", "/v1/profiles/{id}", "/v1/profiles/" + some_profile,
                              *read.response, "read from a full store");
  EXPECT_EQ(read.response->status, 200) << describe(*read.response);
}

class contract_in_flight_limit : public configured_test {
protected:
  std::string edit_config_text(std::string text) override {
    return with_keys(std::move(text), "[http]", "max_requests_in_flight = 1");
  }
};

TEST_F(contract_in_flight_limit, a_request_over_the_limit_gets_503_overloaded) {
  ASSERT_EQ(recorder::instance().error(), "");
  // Four clients writing at once with one request allowed in flight: the
  // durable writes overlap, so some are refused (bounded: 4 x 250).
  constexpr int clients = 4;
  constexpr int per_client = 250;
  std::mutex mutex;
  std::vector<http_response> refused;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  std::vector<std::string> phones;
  for (int i = 0; i < clients * per_client; ++i)
    phones.push_back(data_->phone());
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      http_client client{"127.0.0.1", server_->port()};
      for (int i = 0; i < per_client; ++i) {
        auto body = json::serialize(json::value{{"phoneNumber", phones[c * per_client + i]}});
        auto r = client.send({"POST",
                              "/v1/profiles",
                              body,
                              {{"Authorization", "Bearer " + std::string{demo_partner_key}}}});
        std::lock_guard lock{mutex};
        if (!r.response) {
          errors.push_back(r.error);
          return;
        }
        if (r.response->status != 201 && refused.size() < 5)
          refused.push_back(std::move(*r.response));
        if (refused.size() >= 5)
          return;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  ASSERT_FALSE(refused.empty()) << "no request was refused with one allowed in flight";
  for (const auto& r : refused) {
    recorder::instance().answer("POST", "/v1/profiles", "/v1/profiles", r,
                                "over the in-flight limit");
    EXPECT_EQ(r.status, 503) << describe(r);
    EXPECT_EQ(json_string(r.json(), "code"), "overloaded");
  }
}

} // namespace
} // namespace dwt::blackbox
