/// @file
/// Security properties of the real `dwt-server` process (issue #8):
/// - OTP brute force stops at the attempt limit;
/// - tenant isolation: every partner-facing route of docs/openapi.yaml,
///   called with partner B's key on partner A's ids, answers 404 exactly
///   like an unknown id and changes nothing (A's and B's objects and event
///   feeds read back identical);
/// - API keys and webhook secrets are never stored or logged in clear;
/// - the access log holds no Authorization value, body, query, PAN or OTP;
/// - the optional HTTPS listener serves a verifying TLS client and closes a
///   plain-HTTP one.
///
/// Sensitive data never reaches the disk or the logs: after a full run
/// (cards, tokenisations with CVCs, SMS OTPs right and wrong, restarts),
/// every byte of the data directory and of the server's captured stdout and
/// stderr is scanned for the PANs, CVCs and OTP codes used (the fixture's
/// TearDown does the scan; every other fixture test gets it too). The
/// scanner itself is tested first, so the check can fail.

#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/serialize.hpp>

#include "../outbound/test_receiver.hpp"
#include "fault_support.hpp"

#ifdef DWT_BLACKBOX_HAS_OPENAPI
#include "openapi_testkit.hpp"
#endif

namespace dwt::blackbox {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST(secret_scanner, finds_planted_values_and_ignores_lookalikes) {
  temp_dir dir;
  const std::string pan = "4111111111111111";
  ASSERT_EQ(write_file(dir.path() / "a" / "leak.bin", std::string{"\x01\x02"} + pan +
                                                          std::string{"\0\0", 2} +
                                                          "{\"code\":\"493027\"} cvc=7391;"),
            "");
  ASSERT_EQ(write_file(dir.path() / "quiet.log",
                       "id 1493027999 at 17:39:10.7391 last4 \"7391x\" 41111111111"),
            "");
  const std::vector<secret_value> secrets{
      {pan, secret_value::match::anywhere, "PAN"},
      {"493027", secret_value::match::isolated, "OTP"},
      {"7391", secret_value::match::labelled, "CVC"},
  };
  const auto hits = scan_for_secrets(dir.path(), secrets);
  ASSERT_EQ(hits.size(), 3U);
  for (const auto& h : hits)
    EXPECT_NE(h.where.find("leak.bin"), std::string::npos) << h.label << " in " << h.where;
  EXPECT_EQ(scan_text("q", "\"7391\"", secrets).size(), 1U) << "a quoted CVC is a hit";
  // The OTP-exempt file (the SMS sink) is still scanned for PANs.
  const auto exempt = scan_for_secrets(dir.path(), secrets, {dir.path() / "a" / "leak.bin"});
  ASSERT_EQ(exempt.size(), 2U);
}

using security = blackbox_test;

TEST_F(security, no_pan_cvc_or_otp_in_data_or_output_after_a_full_run) {
  std::vector<std::string> turs;
  std::vector<std::string> codes;
  for (auto key : {demo_partner_key, legacy_partner_key}) {
    const auto card_phone = data_->phone();
    std::string pan;
    const auto card = new_card(key, &pan, nullptr, card_phone);
    const auto card_id = json_string(card, "id");
    ASSERT_FALSE(card_id.empty());
    for (int i = 0; i < 2; ++i) {
      const auto res = tokenize(pan, "YELLOW", "APPLE_PAY", /*with_cvc=*/true);
      const auto tur = json_string(res, "tokenUniqueReference");
      ASSERT_FALSE(tur.empty());
      ASSERT_EQ(start_verification(tur, "SMS_OTP").status, 202);
      auto code = next_otp().second;
      ASSERT_EQ(code.size(), 6U);
      // A wrong code (also a secret: codes typed by the cardholder).
      std::ostringstream wrong;
      wrong << std::setw(6) << std::setfill('0')
            << (std::stoi(code) + 1 + static_cast<int>(data_->rng()() % 1000)) % 1000000;
      remember_secret(wrong.str(), secret_value::match::isolated, "wrong OTP");
      auto bad = api_->post("/network/v1/tokens/" + tur + "/verification/otp", network_key,
                            {{"code", wrong.str()}});
      EXPECT_EQ(bad.status, 422) << describe(bad);
      if (i == 1) {
        // A resend issues a new code; the old one must not be logged either.
        ASSERT_EQ(
            api_->call("POST", "/network/v1/tokens/" + tur + "/verification/resend", network_key)
                .status,
            202);
        code = next_otp().second;
      }
      auto ok = api_->post("/network/v1/tokens/" + tur + "/verification/otp", network_key,
                           {{"code", code}});
      EXPECT_EQ(ok.status, 200) << describe(ok);
      codes.push_back(code);
      turs.push_back(tur);
    }
    EXPECT_FALSE(push_token(key, card_id).is_null());
    EXPECT_EQ(json_string(tokenize(pan, "GREEN"), "decision"), "APPROVED");
    // Malformed and refused requests carrying a PAN are not logged either.
    const auto bad_pan = data_->pan();
    remember_secret(bad_pan, secret_value::match::anywhere, "PAN in a refused request");
    auto refused = api_->post("/v1/cards", key,
                              {{"profileId", "prof_unknown"},
                               {"pan", bad_pan},
                               {"expiryMonth", 13},
                               {"expiryYear", 2031},
                               {"cardProduct", card_product},
                               {"type", "VIRTUAL"}});
    EXPECT_GE(refused.status, 400) << describe(refused);
  }
  restart();
  for (const auto& tur : turs)
    EXPECT_EQ(json_string(api_->get("/network/v1/tokens/" + tur, network_key).json(), "state"),
              "ACTIVE");
  // Sanity: the scan sees real data (the store is not empty, and the SMS
  // sink, the OTP's legitimate channel, does hold the codes).
  std::uintmax_t data_bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(server_->layout().data_dir()))
    data_bytes += e.is_regular_file() ? e.file_size() : 0;
  EXPECT_GT(data_bytes, 0U);
  std::vector<secret_value> otps;
  for (const auto& c : codes)
    otps.push_back({c, secret_value::match::isolated, "OTP"});
  EXPECT_EQ(scan_text("sms", read_file(server_->layout().sms_file()), otps).size(), codes.size());
  // TearDown stops the server and scans data dir, stdout and stderr.
}

// ---------------------------------------------------------------------------
// OTP brute force

/// The configured (default) number of wrong OTP attempts.
constexpr int otp_attempt_limit = 3;
/// Further guesses tried after the limit.
constexpr int guesses_after_limit = 20;

/// A six-digit code different from every code in `avoid`.
std::string other_code(std::mt19937_64& rng, const std::set<std::string>& avoid) {
  std::uniform_int_distribution<int> d{0, 999999};
  for (;;) {
    std::ostringstream s;
    s << std::setw(6) << std::setfill('0') << d(rng);
    if (!avoid.contains(s.str()))
      return s.str();
  }
}

TEST_F(security, otp_brute_force_stops_at_the_attempt_limit) {
  std::string pan;
  ASSERT_FALSE(new_card(demo_partner_key, &pan).is_null());
  const auto tur = json_string(tokenize(pan, "YELLOW"), "tokenUniqueReference");
  ASSERT_FALSE(tur.empty());
  ASSERT_EQ(start_verification(tur, "SMS_OTP").status, 202);
  const auto code = next_otp().second;
  ASSERT_EQ(code.size(), 6U);
  std::set<std::string> used{code};
  const std::string otp_target = "/network/v1/tokens/" + tur + "/verification/otp";
  for (int attempt = 1; attempt <= otp_attempt_limit; ++attempt) {
    const auto guess = other_code(data_->rng(), used);
    used.insert(guess);
    remember_secret(guess, secret_value::match::isolated, "wrong OTP");
    auto r = api_->post(otp_target, network_key, {{"code", guess}});
    EXPECT_EQ(r.status, 422) << describe(r);
    if (attempt < otp_attempt_limit) {
      EXPECT_EQ(json_string(r.json(), "code"), "otp_incorrect");
      EXPECT_EQ(json_int(r.json(), "attemptsLeft"), otp_attempt_limit - attempt);
    } else {
      EXPECT_EQ(json_string(r.json(), "code"), "otp_attempts_exhausted") << describe(r);
    }
  }
  auto state_of = [&] {
    return json_string(api_->get("/network/v1/tokens/" + tur, network_key).json(), "state");
  };
  EXPECT_EQ(state_of(), "REQUEST_DECLINED");
  // Further guesses, the right code, and a resend are all refused.
  int refused = 0;
  for (int i = 0; i < guesses_after_limit; ++i) {
    auto r = api_->post(otp_target, network_key, {{"code", other_code(data_->rng(), used)}});
    refused += (r.status >= 400 && r.status < 500) ? 1 : 0;
  }
  EXPECT_EQ(refused, guesses_after_limit);
  auto right = api_->post(otp_target, network_key, {{"code", code}});
  EXPECT_GE(right.status, 400) << "the right code worked after the limit: " << describe(right);
  EXPECT_LT(right.status, 500) << describe(right);
  EXPECT_NE(json_string(right.json(), "result"), "VERIFIED");
  auto resend =
      api_->call("POST", "/network/v1/tokens/" + tur + "/verification/resend", network_key);
  EXPECT_GE(resend.status, 400) << describe(resend);
  EXPECT_EQ(state_of(), "REQUEST_DECLINED");
  const auto token = get_token(demo_partner_key, tur);
  EXPECT_EQ(json_string(token, "fulfillmentStatus"), "REJECTED");
  const auto h = history(demo_partner_key, tur);
  ASSERT_EQ(h.size(), 2U) << "REQUESTED, then one REQUEST_DECLINED";
  EXPECT_EQ(json_string(h.back(), "state"), "REQUEST_DECLINED");
  std::cout << "[ figures  ] OTP brute force: " << otp_attempt_limit + guesses_after_limit + 1
            << " codes tried, " << otp_attempt_limit << " counted, the rest refused\n";
}

// ---------------------------------------------------------------------------
// Tenant isolation matrix

/// `id` with its last character changed within its class (digit, upper,
/// lower): same shape, unknown to the server.
std::string unknown_like(std::string id) {
  if (id.empty())
    return "x";
  char& c = id.back();
  if (c >= '0' && c <= '9')
    c = c == '9' ? '0' : static_cast<char>(c + 1);
  else if (c >= 'A' && c <= 'Z')
    c = c == 'Z' ? 'A' : static_cast<char>(c + 1);
  else
    c = c == 'z' ? 'a' : static_cast<char>(c + 1);
  return id;
}

/// `templ` with each `{name}` replaced from `params`; "" when a name is missing.
std::string fill(std::string templ, const std::map<std::string, std::string>& params,
                 std::string* missing) {
  for (;;) {
    const auto open = templ.find('{');
    if (open == std::string::npos)
      return templ;
    const auto close = templ.find('}', open);
    const auto name = templ.substr(open + 1, close - open - 1);
    auto it = params.find(name);
    if (it == params.end()) {
      *missing = name;
      return {};
    }
    templ.replace(open, close - open + 1, it->second);
  }
}

TEST_F(security, tenant_isolation_matrix_over_every_partner_route) {
#ifndef DWT_BLACKBOX_HAS_OPENAPI
  FAIL() << "the OpenAPI testkit is not built: the route list is unavailable";
#else
  const auto loaded = openapi_testkit::load(DWT_OPENAPI_PATH);
  ASSERT_TRUE(loaded.doc) << loaded.error;
  const auto a_key = demo_partner_key;
  const auto b_key = legacy_partner_key;

  // Partner A's objects: a profile, a card, an ACTIVE and a REQUESTED token,
  // events. Partner B's own card (for mixed requests).
  std::string a_pan;
  const auto a_card = new_card(a_key, &a_pan);
  const auto a_card_id = json_string(a_card, "id");
  const auto a_profile = json_string(a_card, "profileId");
  const auto a_active = json_string(push_token(a_key, a_card_id), "tokenUniqueReference");
  const auto a_requested = json_string(tokenize(a_pan, "YELLOW"), "tokenUniqueReference");
  ASSERT_FALSE(a_active.empty());
  ASSERT_FALSE(a_requested.empty());
  const auto a_events = all_events(a_key);
  ASSERT_FALSE(a_events.empty());
  const auto a_event = json_string(a_events.front(), "id");
  ASSERT_FALSE(a_event.empty()) << json::serialize(a_events.front());
  const auto b_card_id = json_string(new_card(b_key), "id");
  ASSERT_FALSE(b_card_id.empty());

  const std::vector<std::string> a_turs{a_active, a_requested};
  auto snapshot = [&] {
    std::string out;
    auto add = [&](const std::string& target, std::string_view key) {
      auto r = api_->get(target, key);
      out += target + " " + std::to_string(r.status) + " " + r.body + "\n";
    };
    add("/v1/profiles/" + a_profile, a_key);
    add("/v1/cards/" + a_card_id, a_key);
    add("/v1/cards/" + a_card_id + "/digital-wallet-tokens", a_key);
    for (const auto& tur : a_turs) {
      add("/v1/digital-wallet-tokens/" + tur, a_key);
      add("/v1/digital-wallet-tokens/" + tur + "/transitions", a_key);
      add("/network/v1/tokens/" + tur, network_key);
    }
    add("/v1/cards/" + b_card_id + "/digital-wallet-tokens", b_key);
    for (const auto& e : all_events(a_key))
      out += "A event " + json::serialize(e) + "\n";
    for (const auto& e : all_events(b_key))
      out += "B event " + json::serialize(e) + "\n";
    return out;
  };
  const auto before = snapshot();

  auto body_for = [&](const std::string& method, const std::string& path,
                      const std::string& tur) -> std::optional<json::value> {
    const std::string op = method + " " + path;
    if (op == "PATCH /v1/profiles/{id}")
      return json::object{{"email", "tenant-b@example.com"}};
    if (op == "POST /v1/cards/{cardId}/state")
      return json::object{{"state", "SUSPENDED"}};
    if (op == "POST /v1/cards/{cardId}/digital-wallet-tokens")
      return json::object{{"walletProvider", "GOOGLE_PAY"},
                          {"device", {{"id", "dev-tenant-b"}, {"type", "PHONE"}, {"name", "B"}}}};
    if (op == "POST /v1/cards/{cardId}/digital-wallet-token-transitions")
      return json::object{{"state", "SUSPENDED"}, {"digitalWalletToken", tur}, {"reason", "b"}};
    if (op == "POST /v1/cards/{cardId}/payment-tokens/{tokenUniqueReference}/activation")
      return json::object{{"activation", "APPROVE"}};
    return std::nullopt;
  };

  int cases = 0;
  std::set<std::string> covered;
  // One case: B calls `target` (built from A's ids) and gets 404, the same
  // status and code as the same route with unknown ids.
  auto expect_404_like_unknown =
      [&](const std::string& method, const std::string& target, const std::string& unknown_target,
          const std::optional<json::value>& body, const std::optional<json::value>& unknown_body) {
        ++cases;
        auto r = api_->call(method, target, b_key, body);
        EXPECT_EQ(r.status, 404) << "partner B: " << method << " " << target << ": " << describe(r);
        auto u = api_->call(method, unknown_target, b_key, unknown_body);
        EXPECT_EQ(u.status, r.status) << method << " " << unknown_target << ": " << describe(u);
        EXPECT_EQ(json_string(u.json(), "code"), json_string(r.json(), "code"))
            << method << " " << target << ": another partner's id must read as an unknown one";
      };

  for (const auto& op : loaded.doc->operations()) {
    if (!op.path.starts_with("/v1/"))
      continue; // network and operations routes are not partner-facing
    const std::string name = op.method + " " + op.path;
    if (op.path.find('{') == std::string::npos) {
      if (name == "POST /v1/profiles") {
        covered.insert(name + " (creates the caller's own; names no object of A)");
      } else if (name == "POST /v1/cards") {
        const auto pan = data_->pan();
        remember_secret(pan, secret_value::match::anywhere, "PAN (isolation)");
        auto body = [&](const std::string& profile) {
          return json::value{{"profileId", profile},        {"pan", pan},
                             {"expiryMonth", 12},           {"expiryYear", 2031},
                             {"cardProduct", card_product}, {"type", "VIRTUAL"}};
        };
        expect_404_like_unknown("POST", "/v1/cards", "/v1/cards", body(a_profile),
                                body(unknown_like(a_profile)));
        covered.insert(name);
      } else if (name == "GET /v1/events") {
        ++cases;
        auto r = api_->get("/v1/events?limit=1000", b_key);
        EXPECT_EQ(r.status, 200) << describe(r);
        for (const auto& id : {a_card_id, a_profile, a_active, a_requested, a_event})
          EXPECT_EQ(r.body.find(id), std::string::npos) << "B's feed shows A's " << id;
        covered.insert(name);
      } else {
        ADD_FAILURE() << name << ": a partner route without path parameters; add it to the "
                      << "tenant isolation matrix";
      }
      continue;
    }
    for (const auto& tur : a_turs) {
      const std::map<std::string, std::string> a_ids{{"id", a_profile},
                                                     {"cardId", a_card_id},
                                                     {"tokenUniqueReference", tur},
                                                     {"eventId", a_event}};
      std::map<std::string, std::string> unknown_ids;
      for (const auto& [k, v] : a_ids)
        unknown_ids[k] = unknown_like(v);
      std::string missing;
      const auto target = fill(op.path, a_ids, &missing);
      ASSERT_TRUE(missing.empty()) << name << ": unknown path parameter {" << missing
                                   << "}; add it to the tenant isolation matrix";
      const auto unknown_target = fill(op.path, unknown_ids, &missing);
      auto body = body_for(op.method, op.path, tur);
      // Routes that define no body.
      if (!body && op.method != "GET" && op.method != "DELETE" &&
          name != "POST /v1/events/{eventId}/redeliver" &&
          name != "POST /v1/digital-wallet-tokens/{tokenUniqueReference}/network-sync/retry") {
        ADD_FAILURE() << name << ": no request body known; add it to the tenant isolation matrix";
        continue;
      }
      auto unknown_body = body;
      if (unknown_body && unknown_body->as_object().contains("digitalWalletToken"))
        unknown_body->as_object()["digitalWalletToken"] = unknown_like(tur);
      expect_404_like_unknown(op.method, target, unknown_target, body, unknown_body);
      // Mixed: B's own card, A's token.
      if (op.path.starts_with("/v1/cards/{cardId}/") &&
          (op.path.find("{tokenUniqueReference}") != std::string::npos ||
           (body && body->as_object().contains("digitalWalletToken")))) {
        std::map<std::string, std::string> mixed = a_ids;
        mixed["cardId"] = b_card_id;
        auto mixed_unknown = unknown_ids;
        mixed_unknown["cardId"] = b_card_id;
        expect_404_like_unknown(op.method, fill(op.path, mixed, &missing),
                                fill(op.path, mixed_unknown, &missing), body, unknown_body);
      }
      if (op.path.find("{tokenUniqueReference}") == std::string::npos &&
          !(body && body->as_object().contains("digitalWalletToken")))
        break; // the token does not matter for this route
    }
    covered.insert(name);
  }
  EXPECT_EQ(snapshot(), before) << "partner B changed something of A's (or its own feed)";
  EXPECT_GE(covered.size(), 10U) << "the route list looks truncated";
  std::string list;
  for (const auto& c : covered)
    list += "  " + c + "\n";
  std::cout << "[ figures  ] tenant isolation: " << cases << " cross-tenant calls over "
            << covered.size() << " partner routes:\n"
            << list;
#endif
}

// ---------------------------------------------------------------------------
// Keys and secrets never stored or logged in clear; the access log

/// The webhook secret of the test configuration (development value).
constexpr std::string_view webhook_secret_b64 = "q1Rj5cB7a0nW3xZp9LmKd2VfT8yHs6GuE4oJiNtQbRc=";

class secrets_at_rest : public configured_test {
protected:
  std::string edit_config_text(std::string text) override {
    return replace_once(std::move(text), "max_tokens_per_card = 2\n",
                        "max_tokens_per_card = 2\n\n[partners.webhook]\nurl = \"" +
                            receiver_.url() + "\"\nsecret = \"whsec_" +
                            std::string{webhook_secret_b64} + "\"\n");
  }
  outbound::testing::test_receiver receiver_;
};

/// The base64 alphabet's decoding of `b64` (no validation: test input).
std::string base64_decode(std::string_view b64) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : b64) {
    const auto v = alphabet.find(c);
    if (v == std::string_view::npos)
      break;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

TEST_F(secrets_at_rest, api_keys_and_webhook_secrets_are_never_stored_or_logged_in_clear) {
  // Use every key, and make the capped partner emit webhooks.
  for (auto key : {demo_partner_key, legacy_partner_key, capped_partner_key}) {
    std::string pan;
    const auto card = new_card(key, &pan);
    ASSERT_FALSE(card.is_null());
    EXPECT_FALSE(push_token(key, json_string(card, "id")).is_null());
    EXPECT_EQ(json_string(tokenize(pan, "GREEN"), "decision"), "APPROVED");
  }
  // A refused key is not logged either.
  const std::string wrong_key = "bb-wrong-key-never-stored-5f1d";
  EXPECT_EQ(api_->get("/v1/events", wrong_key).status, 401);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (receiver_.request_count() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  ASSERT_GT(receiver_.request_count(), 0U) << "no webhook arrived: the secret was not exercised";
  for (const auto& r : receiver_.requests())
    EXPECT_TRUE(r.header("webhook-signature").starts_with("v1,"));
  ASSERT_EQ(server_->stop_graceful(), "");

  const std::string raw_secret = base64_decode(webhook_secret_b64);
  ASSERT_EQ(raw_secret.size(), 32U);
  std::vector<secret_value> secrets;
  for (auto key : {network_key, demo_partner_key, legacy_partner_key, capped_partner_key})
    secrets.push_back({std::string{key}, secret_value::match::anywhere, "API key"});
  secrets.push_back({wrong_key, secret_value::match::anywhere, "refused API key"});
  secrets.push_back(
      {std::string{webhook_secret_b64}, secret_value::match::anywhere, "webhook secret (base64)"});
  secrets.push_back({raw_secret, secret_value::match::anywhere, "webhook secret (bytes)"});
  // The data directory and the captured output; the configuration file
  // itself (which holds them by design) is not scanned.
  std::vector<secret_hit> hits;
  for (const auto& dir : {server_->layout().data_dir(), server_->layout().log_dir()}) {
    auto h = scan_for_secrets(dir, secrets);
    hits.insert(hits.end(), h.begin(), h.end());
  }
  for (const auto& h : hits)
    ADD_FAILURE() << h.label << " found in " << h.where << " at " << h.offset << ": ..."
                  << h.context << "...";
  // Sanity: the scan reads real bytes (the digest of a key is there or the
  // store at least is not empty).
  std::uintmax_t bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(server_->layout().data_dir()))
    bytes += e.is_regular_file() ? e.file_size() : 0;
  EXPECT_GT(bytes, 0U);
}

TEST_F(security, access_log_holds_no_credentials_bodies_queries_pans_or_otps) {
  const std::string body_marker = "bodymarker7e3a";
  const std::string query_marker = "querymarker51c0";
  const std::string header_marker = "headermarker9d24";
  const std::string wrong_key = "wrong-key-marker-0b6e";
  std::string pan;
  const auto card = new_card(demo_partner_key, &pan);
  ASSERT_FALSE(card.is_null());
  const auto profile = json_string(card, "profileId");
  auto patched = api_->call("PATCH", "/v1/profiles/" + profile, demo_partner_key,
                            json::value{{"email", body_marker + "@example.com"}},
                            {{"X-Custom", header_marker}});
  EXPECT_EQ(patched.status, 200) << describe(patched);
  EXPECT_EQ(api_->get("/v1/events?after=" + query_marker, demo_partner_key).status, 400);
  EXPECT_EQ(api_->get("/v1/events", wrong_key).status, 401);
  const auto tur = json_string(tokenize(pan, "YELLOW"), "tokenUniqueReference");
  ASSERT_EQ(start_verification(tur, "SMS_OTP").status, 202);
  const auto code = next_otp().second;
  auto ok =
      api_->post("/network/v1/tokens/" + tur + "/verification/otp", network_key, {{"code", code}});
  EXPECT_EQ(ok.status, 200) << describe(ok);
  ASSERT_EQ(server_->stop_graceful(), "");

  std::string log;
  for (const auto& e : std::filesystem::directory_iterator(server_->layout().log_dir()))
    if (e.path().filename().string().starts_with("stderr"))
      log += read_file(e.path());
  std::size_t lines = 0;
  std::size_t redacted = 0;
  for (std::size_t pos = 0; (pos = log.find("\"requestId\"", pos)) != std::string::npos; ++pos)
    ++lines;
  for (std::size_t pos = 0;
       (pos = log.find("\"auth\":\"Bearer [redacted]\"", pos)) != std::string::npos; ++pos)
    ++redacted;
  EXPECT_GE(lines, 8U) << "the access log is missing:\n" << log;
  EXPECT_GE(redacted, 8U) << log;
  for (const std::string& marker : {body_marker, query_marker, header_marker, wrong_key,
                                    std::string{demo_partner_key}, std::string{network_key}, pan})
    EXPECT_EQ(log.find(marker), std::string::npos) << "'" << marker << "' in the access log";
  EXPECT_TRUE(scan_text("access log", log, {{code, secret_value::match::isolated, "OTP"}}).empty())
      << "the OTP is in the access log";
}

// ---------------------------------------------------------------------------
// The HTTPS listener

class tls_listener : public configured_test {
protected:
  std::string edit_config_text(std::string text) override {
    const std::string dir = std::string{DWT_SOURCE_DIR} + "/tests/outbound/tls/";
    return replace_once(std::move(text), "[store]\n",
                        "[listen.tls]\ncert_file = \"" + dir + "server.pem\"\nkey_file = \"" + dir +
                            "server.key\"\n\n[store]\n");
  }
};

/// One HTTPS GET with certificate and host name verification against the
/// test CA. The status, or -1 with `error` set.
int https_get(std::uint16_t port, const std::string& target, std::string& error) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace ssl = asio::ssl;
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_client};
  ctx.load_verify_file(std::string{DWT_SOURCE_DIR} + "/tests/outbound/tls/ca.pem");
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream{ioc, ctx};
  stream.set_verify_callback(ssl::host_name_verification("localhost"));
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(20s);
  beast::get_lowest_layer(stream).async_connect({asio::ip::make_address("127.0.0.1"), port},
                                                [&](beast::error_code e) { ec = e; });
  ioc.run();
  ioc.restart();
  if (!ec) {
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    ioc.run();
    ioc.restart();
  }
  beast::http::response<beast::http::string_body> res;
  if (!ec) {
    beast::http::request<beast::http::empty_body> req{beast::http::verb::get, target, 11};
    req.set(beast::http::field::host, "localhost");
    beast::flat_buffer buf;
    beast::http::async_write(stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
    ioc.run();
    ioc.restart();
    if (!ec)
      beast::http::async_read(stream, buf, res, [&](beast::error_code e, std::size_t) { ec = e; });
    ioc.run();
  }
  if (ec) {
    error = ec.message();
    return -1;
  }
  return static_cast<int>(res.result_int());
}

TEST_F(tls_listener, a_tls_client_is_served_and_plain_http_fails_cleanly) {
  EXPECT_NE(server_->process().stdout_text().find("listening on https://127.0.0.1:"),
            std::string::npos)
      << server_->process().stdout_text();
  std::string error;
  EXPECT_EQ(https_get(server_->port(), "/healthz", error), 200) << error;
  // Plain HTTP on the TLS port: no HTTP answer, the connection is closed.
  http_client plain{"127.0.0.1", server_->port(), 10s};
  auto r = plain.send({"GET", "/healthz", {}, {}});
  EXPECT_FALSE(r.response.has_value()) << "plain HTTP was answered: " << describe(*r.response);
  EXPECT_FALSE(r.partial_response);
  // The server keeps serving TLS clients.
  EXPECT_EQ(https_get(server_->port(), "/readyz", error), 200) << error;
  EXPECT_TRUE(server_->process().running());
}

/// Request smuggling (issue #20): a body whose end is ambiguous answers 400
/// `invalid_framing` and the connection is closed; the request hidden in
/// the body is never answered (behind a gateway it would be a request the
/// gateway never saw). Raw bytes on the real process.
TEST_F(security, ambiguous_framing_is_400_and_closes_before_a_smuggled_request) {
  const std::string key{demo_partner_key};
  const std::string smuggled = "POST /v1/profiles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                               key +
                               "\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n"
                               "{\"phoneNumber\":\"+15551112222\"}";
  const std::vector<std::string> heads = {
      "Transfer-Encoding: gzip\r\n",
      "Transfer-Encoding: identity\r\n",
      "Transfer-Encoding: xchunked\r\n",
      "Transfer-Encoding: chunked, gzip\r\n",
      "Transfer-Encoding: gzip\r\nContent-Length: 0\r\n",
      "Content-Length: 0\r\nContent-Length: 1\r\n",
  };
  for (const auto& head : heads) {
    raw_socket s;
    ASSERT_EQ(s.connect(server_->port()), "");
    ASSERT_TRUE(s.send_all("POST /v1/profiles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                           "\r\nContent-Type: application/json\r\n" + head + "\r\n" + smuggled));
    bool closed = false;
    const auto answer = s.read_until_close(10s, closed);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << head << answer;
    EXPECT_NE(answer.find("invalid_framing"), std::string::npos) << head << answer;
    EXPECT_EQ(answer.find("HTTP/1.1", 1), std::string::npos)
        << "the smuggled request was answered: " << head << answer;
    EXPECT_TRUE(closed) << head;
  }
  EXPECT_TRUE(server_->process().running());
}

/// Header ambiguities on the real process: two Authorization headers (the
/// second a valid key) are refused, not decided by order; no Host is
/// refused; a gzip-coded body is 415. The connection stays usable.
TEST_F(security, duplicate_authorization_missing_host_and_content_coding_are_refused) {
  const std::string key{demo_partner_key};
  const std::string body = "{\"phoneNumber\":\"+15551112222\"}";
  struct probe {
    std::string head;
    std::string status;
    std::string code;
  };
  const std::vector<probe> probes = {
      {"Host: x\r\nAuthorization: Bearer " + key + "\r\nAuthorization: Bearer wrong\r\n",
       "HTTP/1.1 400", "duplicate_header"},
      {"Host: x\r\nAuthorization: Bearer wrong\r\nAuthorization: Bearer " + key + "\r\n",
       "HTTP/1.1 400", "duplicate_header"},
      {"Authorization: Bearer " + key + "\r\n", "HTTP/1.1 400", "missing_host"},
      {"Host: x\r\nHost: y\r\nAuthorization: Bearer " + key + "\r\n", "HTTP/1.1 400",
       "duplicate_header"},
      {"Host: x\r\nAuthorization: Bearer " + key +
           "\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\n",
       "HTTP/1.1 400", "duplicate_header"},
      {"Host: x\r\nAuthorization: Bearer " + key + "\r\nContent-Encoding: gzip\r\n", "HTTP/1.1 415",
       "unsupported_content_encoding"},
  };
  for (const auto& p : probes) {
    raw_socket s;
    ASSERT_EQ(s.connect(server_->port()), "");
    ASSERT_TRUE(s.send_all(
        "POST /v1/profiles HTTP/1.1\r\n" + p.head +
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    bool closed = false;
    const auto answer = s.read_until_close(10s, closed);
    EXPECT_TRUE(answer.starts_with(p.status)) << p.head << answer;
    EXPECT_NE(answer.find(p.code), std::string::npos) << p.head << answer;
    // The framing was sound: the next request is answered.
    EXPECT_NE(answer.find("HTTP/1.1 200", 1), std::string::npos) << p.head << answer;
  }
}

/// HEAD /healthz and /readyz: GET's status and headers, no body.
TEST_F(security, head_on_health_probes_has_gets_headers_and_no_body) {
  for (const std::string path : {"/healthz", "/readyz"}) {
    raw_socket s;
    ASSERT_EQ(s.connect(server_->port()), "");
    ASSERT_TRUE(s.send_all("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\nGET " + path +
                           " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    bool closed = false;
    const auto answer = s.read_until_close(10s, closed);
    const auto end_of_head = answer.find("\r\n\r\n");
    ASSERT_NE(end_of_head, std::string::npos) << answer;
    const auto head = answer.substr(0, end_of_head + 4);
    const auto rest = answer.substr(end_of_head + 4);
    EXPECT_TRUE(head.starts_with("HTTP/1.1 200")) << answer;
    EXPECT_NE(head.find("Content-Type: application/json"), std::string::npos) << head;
    EXPECT_NE(head.find("Content-Length: "), std::string::npos) << head;
    // No body: the GET's answer follows the HEAD's header at once.
    EXPECT_TRUE(rest.starts_with("HTTP/1.1 200")) << answer;
    const auto get_body = rest.substr(rest.find("\r\n\r\n") + 4);
    EXPECT_NE(head.find("Content-Length: " + std::to_string(get_body.size()) + "\r\n"),
              std::string::npos)
        << answer;
  }
}

} // namespace
} // namespace dwt::blackbox
