/// @file
/// Mastercard MDES against a real dwt-server: this test plays the network.
/// It encrypts cardInfo to the issuer's development key
/// (config/dev/mdes-issuer-fle.pub.pem) with dwt::networks' FLE (itself
/// checked against python3-cryptography in tests/networks) and calls
/// POST /mdes/authorizeService: approve, step-up with the masked phone,
/// declines (no card, RED, past dataValidUntilTimestamp), unknown key and
/// tampered ciphertext (a clear MDES error and nothing stored), a repeated
/// correlationId, authentication; notifyTokenUpdated suspend / resume /
/// delete on the network channel, an issuer-only suspension, unknown tokens;
/// notifyServiceActivated.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <boost/json/serialize.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "../common/mdes_receiver.hpp"
#include "../common/time_scale.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/networks/mdes/fle.hpp"
#include "dwt/networks/mdes/fle_json.hpp"
#include "support.hpp"

namespace dwt::blackbox {
namespace {

namespace json = boost::json;
namespace mdes = dwt::networks::mdes;

std::string dev_key(std::string_view name) {
  return std::string{DWT_SOURCE_DIR} + "/config/dev/" + std::string{name};
}

/// ISO 8601 UTC `offset` from now.
std::string iso_from_now(std::chrono::seconds offset) {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

class mdes_flows : public blackbox_test {
protected:
  config_options server_options() override {
    config_options o;
    o.extra_toml = "\n[networks.mdes]\nenabled = true\nissuer_fle_keys = [\"" +
                   dev_key("mdes-issuer-fle.key.pem") + "\"]\nnetwork_fle_public_key = \"" +
                   dev_key("mdes-network-fle.pub.pem") +
                   "\"\ndefault_wallet = \"GOOGLE_PAY\"\n[networks.mdes.wallet_ids]\n\"103\" = "
                   "\"APPLE_PAY\"\n";
    return o;
  }

  void SetUp() override {
    blackbox_test::SetUp();
    auto to = mdes::fle_recipient::from_pem_file(dev_key("mdes-issuer-fle.pub.pem"));
    ASSERT_TRUE(to) << "the development FLE public key";
    issuer_.emplace(std::move(*to));
  }

  /// The card data as MDES encrypts it.
  json::object card_data(const std::string& pan, const std::string& valid_until) {
    const auto cvc = data_->cvc();
    remember_secret(cvc, secret_value::match::labelled, "CVC");
    return {{"accountNumber", pan},
            {"expiryMonth", "12"},
            {"expiryYear", "31"},
            {"source", "CARD_ADDED_MANUALLY"},
            {"cardholderName", "A Holder"},
            {"securityCode", cvc},
            {"dataValidUntilTimestamp", valid_until}};
  }

  json::object encrypted(const json::object& card) {
    engine::secure_random rng;
    auto fle = mdes::encrypt(json::serialize(card), *issuer_, mdes::key_wrap::oaep_sha256, rng);
    EXPECT_TRUE(fle) << "encrypt";
    return fle ? mdes::to_json(*fle) : json::object{};
  }

  /// A whole authorizeService request.
  json::object request(const json::object& card_info, const std::string& correlation_id,
                       std::string_view recommendation) {
    json::object body{
        {"requestId", data_->id("req-")},
        {"services", json::array{"DIGITIZATION"}},
        {"cardInfo", card_info},
        {"correlationId", correlation_id},
        {"tokenRequestorId", "50110030273"},
        {"walletId", "103"},
        {"paymentAppInstanceId", data_->id("pai-")},
        {"deviceInfo", {{"deviceName", "Phone"}, {"formFactor", "PHONE"}, {"osName", "ANDROID"}}},
        {"tokenType", "CLOUD"},
        {"futureField", {{"ignored", true}}}};
    if (!recommendation.empty())
      body["tokenRequestorDecisioningInfo"] = {
          {"recommendedDecision", recommendation},
          {"recommendationStandardVersion", "2"},
          {"deviceScore", 4},
          {"accountScore", 5},
          {"recommendationReasons", json::array{"LONG_ACCOUNT_TENURE"}}};
    return body;
  }

  http_response authorize(const json::object& body, std::string_view key = network_key) {
    return api_->call("POST", "/mdes/authorizeService", key, json::value(body));
  }

  std::string correlation() { return "c" + data_->id("").substr(0, 12); }

  /// The card's tokens (as the partner lists them).
  std::size_t token_count(const std::string& card_id) {
    auto r = api_->get("/v1/cards/" + card_id + "/digital-wallet-tokens", demo_partner_key);
    EXPECT_EQ(r.status, 200) << describe(r);
    return json_array(r.json(), "data").size();
  }

  /// An ACTIVE token of a new demo card, created by the network under its
  /// own `tokenUniqueReference` (as MDES names tokens) → that reference.
  std::string network_token(std::string* card_id = nullptr) {
    std::string pan;
    auto card = new_card(demo_partner_key, &pan);
    if (card_id != nullptr)
      *card_id = json_string(card, "id");
    const auto tur = "DWSPMC" + data_->id("") + data_->id("");
    json::object body{{"pan", pan},
                      {"expiryMonth", 12},
                      {"expiryYear", 2031},
                      {"walletProvider", "GOOGLE_PAY"},
                      {"device", {{"id", data_->id("dev-")}, {"type", "PHONE"}}},
                      {"tokenUniqueReference", tur},
                      {"walletRecommendation", "GREEN"}};
    auto r = api_->post("/network/v1/tokenization-requests", network_key, body);
    EXPECT_EQ(r.status, 200) << describe(r);
    EXPECT_EQ(json_string(r.json(), "decision"), "APPROVED") << r.body;
    return tur;
  }

  /// POST /mdes/notifyTokenUpdated with one {tokenUniqueReference, status,
  /// suspendedBy} per entry.
  http_response notify(
      const std::vector<std::tuple<std::string, std::string_view, std::vector<std::string_view>>>&
          tokens,
      std::string* request_id = nullptr) {
    json::array list;
    for (const auto& [tur, status, by] : tokens) {
      json::array parties;
      for (auto p : by)
        parties.emplace_back(p);
      list.push_back(json::object{{"tokenUniqueReference", tur},
                                  {"status", status},
                                  {"suspendedBy", parties},
                                  {"tokenExpiry", "1231"}});
    }
    const auto id = data_->id("ntu-");
    if (request_id != nullptr)
      *request_id = id;
    json::object body{{"requestId", id}, {"tokens", list}, {"reasonCode", "STATUS_UPDATE"}};
    return api_->call("POST", "/mdes/notifyTokenUpdated", network_key, json::value(body));
  }

  std::optional<mdes::fle_recipient> issuer_;
};

TEST_F(mdes_flows, GreenIsApprovedAndTheTokenIsActiveUnderTheCorrelationId) {
  std::string pan;
  auto card = new_card(demo_partner_key, &pan);
  ASSERT_TRUE(card.is_object());
  const auto corr = correlation();
  auto body =
      request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))), corr, "APPROVED");
  auto r = authorize(body);
  ASSERT_EQ(r.status, 200) << describe(r);
  const auto answer = r.json();
  EXPECT_EQ(json_string(answer, "responseId"), json_string(body, "requestId"));
  EXPECT_EQ(json_string(answer, "decision"), "APPROVED");
  EXPECT_EQ(json_string(answer, "cvcResponse"), "NOT_PROCESSED");
  EXPECT_EQ(json_string(answer, "tokenRequestorId"), "50110030273");
  EXPECT_EQ(r.body.find(pan), std::string::npos);

  auto token = get_token(demo_partner_key, "mdes-c-" + corr);
  ASSERT_TRUE(token.is_object());
  EXPECT_EQ(json_string(token, "state"), "ACTIVE");
  EXPECT_EQ(json_string(token, "walletProvider"), "APPLE_PAY"); // walletId 103
  EXPECT_EQ(token_count(json_string(card, "id")), 1u);
}

TEST_F(mdes_flows, YellowOrNoRecommendationAsksForActivationWithTheMaskedPhone) {
  for (std::string_view rec : {"REQUIRE_ADDITIONAL_AUTHENTICATION", ""}) {
    std::string pan;
    std::string phone;
    auto card = new_card(demo_partner_key, &pan, &phone);
    ASSERT_TRUE(card.is_object());
    const auto corr = correlation();
    auto r = authorize(
        request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))), corr, rec));
    ASSERT_EQ(r.status, 200) << describe(r);
    const auto answer = r.json();
    EXPECT_EQ(json_string(answer, "decision"), "REQUIRE_ADDITIONAL_AUTHENTICATION") << rec;
    std::string sms_value;
    bool in_app = false;
    for (const auto& m : json_array(answer, "activationMethods")) {
      if (json_string(m, "type") == "TEXT_TO_CARDHOLDER_NUMBER")
        sms_value = json_string(m, "value");
      in_app = in_app || json_string(m, "type") == "CARDHOLDER_TO_USE_MOBILE_APP";
    }
    ASSERT_GE(sms_value.size(), 4u) << r.body;
    EXPECT_TRUE(sms_value.ends_with(phone.substr(phone.size() - 4))) << sms_value;
    EXPECT_EQ(sms_value.find(phone.substr(1, phone.size() - 5)), std::string::npos) << sms_value;
    EXPECT_TRUE(in_app) << r.body;
    auto token = get_token(demo_partner_key, "mdes-c-" + corr);
    EXPECT_EQ(json_string(token, "state"), "REQUESTED");
  }
}

TEST_F(mdes_flows, RequestActivationMethodsOffersWhatTheCardOffersWhileTheTokenWaits) {
  std::string pan;
  std::string phone;
  auto card = new_card(demo_partner_key, &pan, &phone);
  ASSERT_TRUE(card.is_object());
  const auto corr = correlation();
  auto r = authorize(request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))),
                             corr, "REQUIRE_ADDITIONAL_AUTHENTICATION"));
  ASSERT_EQ(r.status, 200) << describe(r);
  ASSERT_EQ(json_string(r.json(), "decision"), "REQUIRE_ADDITIONAL_AUTHENTICATION");

  auto ask = [&](json::object extra) {
    json::object body{{"requestId", data_->id("ram-")}, {"tokenRequestorId", "50110030273"}};
    for (auto& [k, v] : extra)
      body[k] = v;
    return api_->call("POST", "/mdes/requestActivationMethods", network_key, json::value(body));
  };
  auto methods = ask({{"correlationId", corr}, {"futureField", 1}});
  ASSERT_EQ(methods.status, 200) << describe(methods);
  std::string sms_value;
  bool in_app = false;
  for (const auto& m : json_array(methods.json(), "activationMethods")) {
    if (json_string(m, "type") == "TEXT_TO_CARDHOLDER_NUMBER")
      sms_value = json_string(m, "value");
    in_app = in_app || json_string(m, "type") == "CARDHOLDER_TO_USE_MOBILE_APP";
  }
  ASSERT_GE(sms_value.size(), 4u) << methods.body;
  EXPECT_TRUE(sms_value.ends_with(phone.substr(phone.size() - 4))) << sms_value;
  EXPECT_EQ(methods.body.find(phone), std::string::npos) << "the phone number is masked";
  EXPECT_EQ(methods.body.find(phone.substr(1)), std::string::npos);
  EXPECT_TRUE(in_app) << methods.body;
  // Asking changes nothing: the token still waits, nothing was sent.
  auto token = get_token(demo_partner_key, "mdes-c-" + corr);
  EXPECT_EQ(json_string(token, "state"), "REQUESTED");

  // Unknown token: MDES's 404; missing both ids: 400 MISSING_FIELD.
  auto unknown = ask({{"correlationId", "nosuchcorr"}});
  EXPECT_EQ(unknown.status, 404) << describe(unknown);
  EXPECT_EQ(json_string(unknown.json(), "errorCode"), "TOKEN_NOT_FOUND");
  auto missing = ask({});
  EXPECT_EQ(missing.status, 400) << describe(missing);
  EXPECT_EQ(json_string(missing.json(), "errorCode"), "MISSING_FIELD");

  // An active token is past its activation: 409 INVALID_TOKEN_STATUS.
  std::string pan2;
  new_card(demo_partner_key, &pan2);
  const auto corr2 = correlation();
  auto approved = authorize(request(
      encrypted(card_data(pan2, iso_from_now(std::chrono::minutes{10}))), corr2, "APPROVED"));
  ASSERT_EQ(json_string(approved.json(), "decision"), "APPROVED") << approved.body;
  auto done = ask({{"correlationId", corr2}});
  EXPECT_EQ(done.status, 409) << describe(done);
  EXPECT_EQ(json_string(done.json(), "errorCode"), "INVALID_TOKEN_STATUS");
}

TEST_F(mdes_flows, DeclinesForEveryRule) {
  // No card for the PAN (outside every product): DECLINED, nothing stored.
  {
    const auto foreign = data_->foreign_pan();
    remember_secret(foreign, secret_value::match::anywhere, "foreign PAN");
    auto r = authorize(request(encrypted(card_data(foreign, iso_from_now(std::chrono::minutes{5}))),
                               correlation(), "APPROVED"));
    ASSERT_EQ(r.status, 200) << describe(r);
    EXPECT_EQ(json_string(r.json(), "decision"), "DECLINED");
  }
  // The network recommends DECLINED: the engine is never more permissive.
  {
    std::string pan;
    auto card = new_card(demo_partner_key, &pan);
    const auto corr = correlation();
    auto r = authorize(request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{5}))),
                               corr, "DECLINED"));
    ASSERT_EQ(r.status, 200) << describe(r);
    EXPECT_EQ(json_string(r.json(), "decision"), "DECLINED");
    EXPECT_EQ(json_string(get_token(demo_partner_key, "mdes-c-" + corr), "state"),
              "REQUEST_DECLINED");
  }
  // The card data is past dataValidUntilTimestamp: declined before the
  // engine, nothing stored.
  {
    std::string pan;
    auto card = new_card(demo_partner_key, &pan);
    auto r = authorize(request(encrypted(card_data(pan, iso_from_now(-std::chrono::minutes{1}))),
                               correlation(), "APPROVED"));
    ASSERT_EQ(r.status, 200) << describe(r);
    EXPECT_EQ(json_string(r.json(), "decision"), "DECLINED");
    EXPECT_EQ(token_count(json_string(card, "id")), 0u);
  }
}

TEST_F(mdes_flows, UnknownKeyAndTamperedCiphertextAreClearErrorsAndStoreNothing) {
  std::string pan;
  auto card = new_card(demo_partner_key, &pan);
  const auto card_id = json_string(card, "id");
  const auto valid = iso_from_now(std::chrono::minutes{10});

  auto unknown = encrypted(card_data(pan, valid));
  unknown["publicKeyFingerprint"] = std::string(64, 'a');
  auto body = request(unknown, correlation(), "APPROVED");
  auto r = authorize(body);
  EXPECT_EQ(r.status, 400) << describe(r);
  EXPECT_EQ(json_string(r.json(), "errorCode"), "UNKNOWN_KEY_FINGERPRINT");
  EXPECT_EQ(json_string(r.json(), "responseId"), json_string(body, "requestId"));

  // A changed wrapped key and a changed last data block (bad padding) get
  // one and the same answer: no padding oracle.
  auto flip = [](json::object& o, std::string_view field, std::size_t from_end) {
    std::string hex{o[field].as_string()};
    char& c = hex[hex.size() - from_end];
    c = c == '0' ? '1' : '0';
    o[field] = hex;
  };
  auto bad_key = encrypted(card_data(pan, valid));
  flip(bad_key, "encryptedKey", 3);
  auto bad_data = encrypted(card_data(pan, valid));
  flip(bad_data, "encryptedData", 2);
  std::string first_description;
  for (auto* fle : {&bad_key, &bad_data}) {
    auto t = authorize(request(*fle, correlation(), "APPROVED"));
    EXPECT_EQ(t.status, 400) << describe(t);
    EXPECT_EQ(json_string(t.json(), "errorCode"), "DECRYPTION_FAILED") << t.body;
    if (first_description.empty())
      first_description = json_string(t.json(), "errorDescription");
    EXPECT_EQ(json_string(t.json(), "errorDescription"), first_description);
  }
  EXPECT_EQ(token_count(card_id), 0u);
}

TEST_F(mdes_flows, ARepeatedCorrelationIdAnswersTheSameDecisionWithOneToken) {
  std::string pan;
  auto card = new_card(demo_partner_key, &pan);
  const auto corr = correlation();
  for (int i = 0; i < 2; ++i) {
    auto r = authorize(request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))),
                               corr, "APPROVED"));
    ASSERT_EQ(r.status, 200) << describe(r);
    EXPECT_EQ(json_string(r.json(), "decision"), "APPROVED") << "call " << i;
  }
  EXPECT_EQ(token_count(json_string(card, "id")), 1u);
}

TEST_F(mdes_flows, RefusesUnauthenticatedAndMalformedRequestsInTheMdesShape) {
  std::string pan;
  auto card = new_card(demo_partner_key, &pan);
  auto body = request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))),
                      correlation(), "APPROVED");
  for (std::string_view key : {std::string_view{}, demo_partner_key}) {
    auto r = authorize(body, key);
    EXPECT_EQ(r.status, 401) << describe(r);
    EXPECT_EQ(json_string(r.json(), "errorCode"), "UNAUTHORIZED");
  }
  json::object no_card = body;
  no_card.erase("cardInfo");
  auto r = authorize(no_card);
  EXPECT_EQ(r.status, 400) << describe(r);
  EXPECT_EQ(json_string(r.json(), "errorCode"), "MISSING_FIELD");
  EXPECT_EQ(json_string(r.json(), "responseId"), json_string(body, "requestId"));

  http_request raw{"POST", "/mdes/authorizeService", "{not json", {}};
  raw.headers.emplace_back("Authorization", "Bearer " + std::string{network_key});
  auto sent = api_->raw().send(raw);
  ASSERT_TRUE(sent.response) << sent.error;
  EXPECT_EQ(sent.response->status, 400);
  EXPECT_EQ(json_string(sent.response->json(), "errorCode"), "INVALID_JSON");
  EXPECT_EQ(token_count(json_string(card, "id")), 0u);
}

TEST_F(mdes_flows, NotifyTokenUpdatedSuspendsResumesAndDeletesOnTheNetworkChannel) {
  const auto tur = network_token();
  auto state_of = [&] { return json_string(get_token(demo_partner_key, tur), "state"); };

  std::string request_id;
  auto r = notify({{tur, "SUSPENDED", {"CARDHOLDER"}}}, &request_id);
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(json_string(r.json(), "responseId"), request_id);
  EXPECT_EQ(state_of(), "SUSPENDED");
  EXPECT_EQ(json_string(history(demo_partner_key, tur).back(), "channel"), "NETWORK");

  // Repeated: already SUSPENDED, nothing more is recorded.
  const auto before = history(demo_partner_key, tur).size();
  r = notify({{tur, "SUSPENDED", {"CARDHOLDER"}}});
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(history(demo_partner_key, tur).size(), before);

  r = notify({{tur, "ACTIVE", {}}});
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(state_of(), "ACTIVE");
  EXPECT_EQ(json_string(history(demo_partner_key, tur).back(), "channel"), "NETWORK");

  r = notify({{tur, "DEACTIVATED", {}}});
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(state_of(), "TERMINATED");
  const auto last = history(demo_partner_key, tur).back();
  EXPECT_EQ(json_string(last, "channel"), "NETWORK");

  // Each change reached the partner as a transition event, channel NETWORK.
  std::vector<std::string> states;
  for (const auto& e : all_events(demo_partner_key)) {
    const auto& data = json_at(e, "data");
    if (json_string(e, "type") == "DigitalWalletTokenTransition" &&
        json_string(data, "tokenUniqueReference") == tur &&
        json_string(data, "channel") == "NETWORK")
      states.push_back(json_string(data, "state"));
  }
  const std::vector<std::string> tail{"SUSPENDED", "ACTIVE", "TERMINATED"};
  ASSERT_GE(states.size(), tail.size());
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), states.end() - 3));

  // A final token cannot change: TOKEN_UPDATE_FAILED names it.
  r = notify({{tur, "ACTIVE", {}}});
  EXPECT_EQ(r.status, 409) << describe(r);
  EXPECT_EQ(json_string(r.json(), "errorCode"), "TOKEN_UPDATE_FAILED");
  EXPECT_NE(json_string(r.json(), "errorDescription").find(tur), std::string::npos);
}

TEST_F(mdes_flows, AnIssuerOnlySuspensionStaysThePartners) {
  std::string card_id;
  const auto tur = network_token(&card_id);
  auto r = notify({{tur, "SUSPENDED", {"ISSUER"}}});
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(json_string(get_token(demo_partner_key, tur), "state"), "SUSPENDED");
  EXPECT_EQ(json_string(history(demo_partner_key, tur).back(), "channel"), "PARTNER_API");
  // The partner owns that suspension and may resume it.
  auto resumed = transition(demo_partner_key, card_id, tur, "ACTIVE");
  EXPECT_EQ(resumed.status, 201) << describe(resumed);
  EXPECT_EQ(json_string(get_token(demo_partner_key, tur), "state"), "ACTIVE");
}

TEST_F(mdes_flows, NotifyTokenUpdatedNamesUnknownTokensAndAppliesTheOthers) {
  const auto tur = network_token();
  const std::string unknown = "DWSPMC" + data_->id("unknown");
  auto r = notify({{unknown, "SUSPENDED", {"CARDHOLDER"}}, {tur, "SUSPENDED", {"CARDHOLDER"}}});
  EXPECT_EQ(r.status, 404) << describe(r);
  EXPECT_EQ(json_string(r.json(), "errorCode"), "TOKEN_NOT_FOUND");
  EXPECT_NE(json_string(r.json(), "errorDescription").find(unknown), std::string::npos);
  EXPECT_EQ(json_string(get_token(demo_partner_key, tur), "state"), "SUSPENDED");

  // An unknown status changes nothing and is acknowledged.
  r = notify({{tur, "SOMETHING_NEW", {}}});
  EXPECT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(json_string(get_token(demo_partner_key, tur), "state"), "SUSPENDED");

  // Malformed: no tokens.
  auto bad = api_->call("POST", "/mdes/notifyTokenUpdated", network_key,
                        json::value(json::object{{"requestId", "r1"}}));
  EXPECT_EQ(bad.status, 400) << describe(bad);
  EXPECT_EQ(json_string(bad.json(), "errorCode"), "MISSING_FIELD");
  EXPECT_EQ(json_string(bad.json(), "responseId"), "r1");
}

TEST_F(mdes_flows, NotifyServiceActivatedActivatesTheTokenOfTheCorrelationId) {
  std::string pan;
  auto card = new_card(demo_partner_key, &pan);
  const auto corr = correlation();
  auto r = authorize(request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))),
                             corr, "REQUIRE_ADDITIONAL_AUTHENTICATION"));
  ASSERT_EQ(r.status, 200) << describe(r);
  const auto ref = "mdes-c-" + corr;
  ASSERT_EQ(json_string(get_token(demo_partner_key, ref), "state"), "REQUESTED");

  // MDES names the token once; a repeated notification repeats it.
  const auto tur = "DWSPMC" + data_->id("");
  auto nsa = [&](const std::string& correlation_id, const std::string& reference = {}) {
    json::object body{{"requestId", data_->id("nsa-")},
                      {"correlationId", correlation_id},
                      {"cardAndToken",
                       {{"tokenUniqueReference", reference.empty() ? tur : reference},
                        {"accountPanSuffix", pan.substr(pan.size() - 4)}}},
                      {"decision", "APPROVED"},
                      {"tokenActivatedDateTime", iso_from_now(std::chrono::seconds{0})}};
    return std::make_pair(
        body, api_->call("POST", "/mdes/notifyServiceActivated", network_key, json::value(body)));
  };
  auto [body, answer] = nsa(corr);
  ASSERT_EQ(answer.status, 200) << describe(answer);
  EXPECT_EQ(json_string(answer.json(), "responseId"), json_string(body, "requestId"));
  auto token = get_token(demo_partner_key, ref);
  EXPECT_EQ(json_string(token, "state"), "ACTIVE");
  EXPECT_EQ(json_string(token, "fulfillmentStatus"), "PROVISIONED");
  const auto hist = history(demo_partner_key, ref);
  EXPECT_EQ(json_string(hist.back(), "channel"), "NETWORK");

  // Repeated: acknowledged, nothing more recorded.
  auto again = nsa(corr).second;
  EXPECT_EQ(again.status, 200) << describe(again);
  EXPECT_EQ(history(demo_partner_key, ref).size(), hist.size());

  // No token for that correlationId (nor for the reference).
  auto unknown = nsa(correlation(), "DWSPMC" + data_->id("")).second;
  EXPECT_EQ(unknown.status, 404) << describe(unknown);
  EXPECT_EQ(json_string(unknown.json(), "errorCode"), "TOKEN_NOT_FOUND");

  // A declined token is not activated.
  std::string pan2;
  new_card(demo_partner_key, &pan2);
  const auto declined = correlation();
  ASSERT_EQ(authorize(request(encrypted(card_data(pan2, iso_from_now(std::chrono::minutes{10}))),
                              declined, "DECLINED"))
                .status,
            200);
  auto refused = nsa(declined, "DWSPMC" + data_->id("")).second;
  EXPECT_EQ(refused.status, 409) << describe(refused);
  EXPECT_EQ(json_string(refused.json(), "errorCode"), "TOKEN_UPDATE_FAILED");
  EXPECT_EQ(json_string(get_token(demo_partner_key, "mdes-c-" + declined), "state"),
            "REQUEST_DECLINED");
}

TEST_F(mdes_flows, NotifyServiceActivatedBindsTheNetworksReferenceForLaterNotifications) {
  std::string pan;
  new_card(demo_partner_key, &pan);
  const auto corr = correlation();
  auto r = authorize(request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))),
                             corr, "REQUIRE_ADDITIONAL_AUTHENTICATION"));
  ASSERT_EQ(r.status, 200) << describe(r);
  const auto ref = "mdes-c-" + corr;
  const auto tur = "DWSPMC" + data_->id("") + data_->id("");

  // Before the network named the token, its reference finds nothing.
  auto unknown = notify({{tur, "SUSPENDED", {"CARDHOLDER"}}});
  EXPECT_EQ(unknown.status, 404) << describe(unknown);
  EXPECT_EQ(json_string(get_token(demo_partner_key, ref), "state"), "REQUESTED");

  json::object body{{"requestId", data_->id("nsa-")},
                    {"correlationId", corr},
                    {"cardAndToken",
                     {{"tokenUniqueReference", tur},
                      {"tokenPanSuffix", "4321"},
                      {"tokenExpiry", "0930"},
                      {"accountPanSuffix", pan.substr(pan.size() - 4)}}},
                    {"decision", "APPROVED"}};
  auto answer = api_->call("POST", "/mdes/notifyServiceActivated", network_key, json::value(body));
  ASSERT_EQ(answer.status, 200) << describe(answer);
  auto token = get_token(demo_partner_key, ref);
  EXPECT_EQ(json_string(token, "state"), "ACTIVE");
  EXPECT_EQ(json_string(token, "tokenLast4"), "4321");

  // Another reference for the same correlationId is refused; the token
  // keeps the first.
  json::object other = body;
  other["requestId"] = data_->id("nsa-");
  other["cardAndToken"].as_object()["tokenUniqueReference"] = "DWSPMC" + data_->id("other");
  auto refused =
      api_->call("POST", "/mdes/notifyServiceActivated", network_key, json::value(other));
  EXPECT_EQ(refused.status, 409) << describe(refused);
  EXPECT_EQ(json_string(refused.json(), "errorCode"), "TOKEN_EXISTS");

  // MDES names the token by its own reference from now on: found through
  // the index, dwt's token changes.
  r = notify({{tur, "SUSPENDED", {"CARDHOLDER"}}});
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(json_string(get_token(demo_partner_key, ref), "state"), "SUSPENDED");
  r = notify({{tur, "DEACTIVATED", {}}});
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(json_string(get_token(demo_partner_key, ref), "state"), "TERMINATED");
  // ... and it survives a restart (the index is in LMDB).
  restart();
  r = notify({{tur, "DEACTIVATED", {}}});
  EXPECT_EQ(r.status, 200) << describe(r);
}

TEST_F(mdes_flows, TheNetworksRiskDataIsUsedNotOnlyItsColour) {
  // APPROVED by the network, but its own data says otherwise: the engine
  // follows the strictest signal (networks/mdes/risk.hpp).
  struct risk_case {
    std::string_view what;
    std::function<void(json::object&)> edit;
    std::string_view decision;
    std::string_view state;
  };
  const std::vector<risk_case> cases{
      {"a risk reason",
       [](json::object& d) {
         d["recommendationReasons"] = json::array{"GOOD_ACTIVITY_HISTORY", "DEVICE_RECENTLY_LOST"};
       },
       "REQUIRE_ADDITIONAL_AUTHENTICATION", "REQUESTED"},
      {"a device score of 2", [](json::object& d) { d["deviceScore"] = 2; },
       "REQUIRE_ADDITIONAL_AUTHENTICATION", "REQUESTED"},
      {"a phone number score of 1", [](json::object& d) { d["phoneNumberScore"] = 1; }, "DECLINED",
       "REQUEST_DECLINED"},
      {"nothing that raises it", [](json::object&) {}, "APPROVED", "ACTIVE"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string{c.what});
    std::string pan;
    new_card(demo_partner_key, &pan);
    const auto corr = correlation();
    auto body = request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))), corr,
                        "APPROVED");
    c.edit(body["tokenRequestorDecisioningInfo"].as_object());
    auto r = authorize(body);
    ASSERT_EQ(r.status, 200) << describe(r);
    EXPECT_EQ(json_string(r.json(), "decision"), c.decision);
    const auto token = get_token(demo_partner_key, "mdes-c-" + corr);
    EXPECT_EQ(json_string(token, "state"), c.state);
    // Whatever the decision, the token keeps what MDES sent.
    const auto& n = json_at(token, "network");
    EXPECT_EQ(json_string(n, "network"), "MDES");
    EXPECT_EQ(json_string(json_at(n, "risk"), "recommendedDecision"), "APPROVED");
  }
  // The network's own count of the PAN's active tokens.
  std::string pan;
  new_card(demo_partner_key, &pan);
  const auto corr = correlation();
  auto body =
      request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))), corr, "APPROVED");
  body["activeTokenCount"] = 12;
  auto r = authorize(body);
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(json_string(r.json(), "decision"), "REQUIRE_ADDITIONAL_AUTHENTICATION");
}

TEST_F(mdes_flows, TheTokenShowsWhatMdesSentAndNeverThePanOrCvc) {
  std::string pan;
  auto card = new_card(demo_partner_key, &pan);
  const auto card_id = json_string(card, "id");
  const auto corr = correlation();
  const auto valid_until = iso_from_now(std::chrono::minutes{10});
  auto body = request(encrypted(card_data(pan, valid_until)), corr, "APPROVED");
  const auto pur = "FWSPMC" + data_->id("pur");
  body["cardInfo"].as_object()["panUniqueReference"] = pur;
  body["activeTokenCount"] = 3;
  body["deviceInfo"] = {{"deviceName", "My Phone"},  {"serialNumber", "SN-1"},
                        {"formFactor", "PHONE"},     {"isoDeviceType", "M"},
                        {"osName", "ANDROID"},       {"osVersion", "14"},
                        {"imei", "356938035643809"}, {"msisdn", "447700900123"}};
  auto r = authorize(body);
  ASSERT_EQ(r.status, 200) << describe(r);
  ASSERT_EQ(json_string(r.json(), "decision"), "APPROVED");
  const auto ref = "mdes-c-" + corr;

  auto check = [&](const json::value& token) {
    ASSERT_TRUE(token.is_object());
    const auto& n = json_at(token, "network");
    EXPECT_EQ(json_string(n, "network"), "MDES");
    EXPECT_EQ(json_string(n, "correlationId"), corr);
    EXPECT_EQ(json_string(n, "panUniqueReference"), pur);
    EXPECT_EQ(json_string(n, "tokenRequestorId"), "50110030273");
    EXPECT_EQ(json_string(n, "walletId"), "103");
    EXPECT_EQ(json_string(n, "paymentAppInstanceId"), json_string(body, "paymentAppInstanceId"));
    EXPECT_EQ(json_string(n, "tokenType"), "CLOUD");
    const auto& d = json_at(n, "device");
    EXPECT_EQ(json_string(d, "name"), "My Phone");
    EXPECT_EQ(json_string(d, "serialNumber"), "SN-1");
    EXPECT_EQ(json_string(d, "isoDeviceType"), "M");
    EXPECT_EQ(json_string(d, "osVersion"), "14");
    const auto& k = json_at(n, "risk");
    EXPECT_EQ(json_string(k, "recommendedDecision"), "APPROVED");
    EXPECT_EQ(json_string(k, "recommendationStandardVersion"), "2");
    EXPECT_EQ(json_int(k, "deviceScore"), 4);
    EXPECT_EQ(json_int(k, "accountScore"), 5);
    EXPECT_EQ(json_int(k, "activeTokenCount"), 3);
    EXPECT_EQ(json_string(k, "cvcResponse"), "NOT_PROCESSED");
    EXPECT_EQ(json_string(k, "cardSource"), "CARD_ADDED_MANUALLY");
    EXPECT_FALSE(json_string(k, "dataValidUntil").empty());
    ASSERT_EQ(json_array(k, "recommendationReasons").size(), 1u);
    EXPECT_EQ(json_array(k, "recommendationReasons")[0].as_string(), "LONG_ACCOUNT_TENURE");
    const auto text = json::serialize(token);
    EXPECT_EQ(text.find(pan), std::string::npos);
    EXPECT_EQ(text.find("356938035643809"), std::string::npos) << "the IMEI is not kept";
    EXPECT_EQ(text.find("447700900123"), std::string::npos) << "the MSISDN is not kept";
  };
  check(get_token(demo_partner_key, ref));
  // The list and the network's own read show the same.
  auto list = api_->get("/v1/cards/" + card_id + "/digital-wallet-tokens", demo_partner_key);
  ASSERT_EQ(list.status, 200) << describe(list);
  ASSERT_EQ(json_array(list.json(), "data").size(), 1u);
  check(json_array(list.json(), "data")[0]);
  auto net = api_->get("/network/v1/tokens/" + ref, network_key);
  ASSERT_EQ(net.status, 200) << describe(net);
  check(net.json());

  // The transition webhooks name the network (and, once bound, its
  // reference).
  const auto tur = "DWSPMC" + data_->id("") + data_->id("");
  json::object nts{
      {"requestId", data_->id("ntu-")},
      {"tokens", json::array{json::object{{"tokenUniqueReference", tur},
                                          {"status", "SUSPENDED"},
                                          {"suspendedBy", json::array{"CARDHOLDER"}}}}}};
  json::object nsa{{"requestId", data_->id("nsa-")},
                   {"correlationId", corr},
                   {"cardAndToken", {{"tokenUniqueReference", tur}, {"tokenExpiry", "0931"}}}};
  ASSERT_EQ(
      api_->call("POST", "/mdes/notifyServiceActivated", network_key, json::value(nsa)).status,
      200);
  EXPECT_EQ(
      json_string(json_at(get_token(demo_partner_key, ref), "network"), "tokenUniqueReference"),
      tur);
  EXPECT_EQ(json_string(json_at(get_token(demo_partner_key, ref), "network"), "tokenExpiry"),
            "0931");
  ASSERT_EQ(api_->call("POST", "/mdes/notifyTokenUpdated", network_key, json::value(nts)).status,
            200);
  std::vector<json::value> transitions;
  for (const auto& e : all_events(demo_partner_key))
    if (json_string(e, "type") == "DigitalWalletTokenTransition" &&
        json_string(json_at(e, "data"), "tokenUniqueReference") == ref)
      transitions.push_back(json_at(e, "data"));
  ASSERT_EQ(transitions.size(), 3u); // created, ACTIVE, SUSPENDED
  for (const auto& t : transitions)
    EXPECT_EQ(json_string(json_at(t, "network"), "network"), "MDES");
  EXPECT_EQ(json_string(json_at(transitions.back(), "network"), "tokenUniqueReference"), tur);
  EXPECT_EQ(json_string(transitions.back(), "state"), "SUSPENDED");

  // The store holds no PAN in clear (the teardown scan also looks for the
  // CVC, labelled, in every file).
  std::ifstream in{server_->layout().data_dir() / "data.mdb", std::ios::binary};
  const std::string bytes{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  EXPECT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(pan), std::string::npos);
  EXPECT_NE(bytes.find(corr), std::string::npos) << "the identity is in the token record";
}

/// A six-digit code as MDES generates them (unique in this test).
std::string network_code(test_data& data) {
  for (;;) {
    auto c = data.id("");
    std::string digits;
    for (char ch : c)
      digits += static_cast<char>('0' + (static_cast<unsigned char>(ch) % 10));
    while (digits.size() < 6)
      digits += '7';
    digits.resize(6);
    if (digits.front() != '0')
      return digits;
  }
}

TEST_F(mdes_flows, DeliverActivationCodeSendsTheNetworksCodeBySmsAndKeepsNoCopy) {
  // The partner's SMS rule picks the destination, as for dwt's own OTP:
  // the demo partner (onboarded 2025) the profile's phone, the legacy
  // partner (2024, not migrated) the card's.
  for (auto key : {demo_partner_key, legacy_partner_key}) {
    SCOPED_TRACE(std::string{key});
    const auto profile_phone = data_->phone();
    const auto card_phone = data_->phone();
    const auto expected = key == demo_partner_key ? profile_phone : card_phone;
    const auto profile = create_profile(key, profile_phone);
    const auto pan = data_->pan();
    ASSERT_FALSE(create_card(key, profile, pan, card_phone).is_null());
    const auto corr = correlation();
    auto r = authorize(request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))),
                               corr, "REQUIRE_ADDITIONAL_AUTHENTICATION"));
    ASSERT_EQ(r.status, 200) << describe(r);
    const auto ref = "mdes-c-" + corr;
    const auto tur = "DWSPMC" + data_->id("") + data_->id("");
    const auto code = network_code(*data_);

    json::object body{
        {"requestId", data_->id("dac-")},
        {"tokenUniqueReference", tur},
        {"correlationId", corr},
        {"activationCode", code},
        {"expirationDateTime", iso_from_now(std::chrono::minutes{30})},
        {"activationMethod", {{"type", "TEXT_TO_CARDHOLDER_NUMBER"}, {"value", "***-***-1234"}}}};
    auto answer = api_->call("POST", "/mdes/deliverActivationCode", network_key, json::value(body));
    ASSERT_EQ(answer.status, 200) << describe(answer);
    EXPECT_EQ(json_string(answer.json(), "responseId"), json_string(body, "requestId"));
    EXPECT_EQ(answer.body.find(code), std::string::npos);

    // The network's code, by SMS, to the partner's destination.
    const auto [to, sent] = next_otp();
    EXPECT_EQ(to, expected);
    EXPECT_EQ(sent, code);

    // The verification step is reached: the partner's webhook, SMS_OTP.
    const auto feed = all_events(key);
    std::size_t manual = 0;
    for (const auto& e : feed) {
      if (json_string(e, "type") != "cards#manual-provisioning-verification")
        continue;
      const auto& data = json_at(e, "data");
      if (json_string(data, "tokenUniqueReference") != ref)
        continue;
      ++manual;
      EXPECT_EQ(json_string(data, "verificationMethod"), "SMS_OTP");
    }
    EXPECT_EQ(manual, 1u);
    EXPECT_EQ(json_string(get_token(key, ref), "state"), "REQUESTED");

    // dwt holds nothing to check the code with: its own OTP API refuses.
    auto own = api_->post("/network/v1/tokens/" + ref + "/verification/otp", network_key,
                          {{"code", code}});
    EXPECT_EQ(own.status, 409) << describe(own);
    EXPECT_EQ(json_string(get_token(key, ref), "state"), "REQUESTED");

    // The network checks the code and says so: the token is ACTIVE, and
    // MDES's reference (bound by the delivery) finds it.
    json::object nsa{{"requestId", data_->id("nsa-")},
                     {"cardAndToken", {{"tokenUniqueReference", tur}}}};
    auto activated =
        api_->call("POST", "/mdes/notifyServiceActivated", network_key, json::value(nsa));
    ASSERT_EQ(activated.status, 200) << describe(activated);
    EXPECT_EQ(json_string(get_token(key, ref), "state"), "ACTIVE");

    // No clear copy in the store: the data file's bytes.
    std::ifstream in{server_->layout().data_dir() / "data.mdb", std::ios::binary};
    ASSERT_TRUE(in.good());
    const std::string bytes{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    EXPECT_EQ(bytes.find(code), std::string::npos) << "the activation code is in data.mdb";
    EXPECT_EQ(bytes.find(pan), std::string::npos) << "the PAN is in data.mdb";
  }
}

TEST_F(mdes_flows, DeliverActivationCodeRefusesBadRequestsAndChangesNothing) {
  std::string pan;
  new_card(demo_partner_key, &pan);
  const auto corr = correlation();
  ASSERT_EQ(authorize(request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))),
                              corr, "REQUIRE_ADDITIONAL_AUTHENTICATION"))
                .status,
            200);
  const auto ref = "mdes-c-" + corr;
  const auto events_before = all_events(demo_partner_key).size();
  const auto history_before = history(demo_partner_key, ref).size();
  const std::string code = "Q7X2K9PZ"; // never delivered: must appear nowhere
  remember_secret(code, secret_value::match::anywhere, "undelivered activation code");

  auto deliver = [&](json::object body) {
    body["activationCode"] = code;
    if (!body.contains("requestId"))
      body["requestId"] = data_->id("dac-");
    return api_->call("POST", "/mdes/deliverActivationCode", network_key, json::value(body));
  };
  // Another method than SMS (dwt delivers by SMS only), and one unknown.
  for (std::string_view type : {"EMAIL_TO_CARDHOLDER_ADDRESS", "CARRIER_PIGEON"}) {
    auto r = deliver({{"tokenUniqueReference", "DWSPMC1"},
                      {"correlationId", corr},
                      {"activationMethod", {{"type", type}, {"value", "a***@example.com"}}}});
    EXPECT_EQ(r.status, 400) << describe(r);
    EXPECT_EQ(json_string(r.json(), "errorCode"), "UNSUPPORTED_ACTIVATION_METHOD");
    EXPECT_EQ(r.body.find(code), std::string::npos);
  }
  // No such token.
  auto unknown = deliver(
      {{"tokenUniqueReference", "DWSPMC" + data_->id("")}, {"correlationId", correlation()}});
  EXPECT_EQ(unknown.status, 404) << describe(unknown);
  EXPECT_EQ(json_string(unknown.json(), "errorCode"), "TOKEN_NOT_FOUND");
  // Malformed: no tokenUniqueReference.
  auto missing = deliver({{"requestId", "r-missing"}, {"correlationId", corr}});
  EXPECT_EQ(missing.status, 400) << describe(missing);
  EXPECT_EQ(json_string(missing.json(), "errorCode"), "MISSING_FIELD");
  EXPECT_EQ(json_string(missing.json(), "responseId"), "r-missing");
  EXPECT_EQ(missing.body.find(code), std::string::npos);
  // An ACTIVE token is not awaiting activation.
  std::string pan2;
  new_card(demo_partner_key, &pan2);
  const auto active = correlation();
  ASSERT_EQ(authorize(request(encrypted(card_data(pan2, iso_from_now(std::chrono::minutes{10}))),
                              active, "APPROVED"))
                .status,
            200);
  auto refused =
      deliver({{"tokenUniqueReference", "DWSPMC" + data_->id("")}, {"correlationId", active}});
  EXPECT_EQ(refused.status, 409) << describe(refused);
  EXPECT_EQ(json_string(refused.json(), "errorCode"), "INVALID_TOKEN_STATUS");

  // Nothing changed: no SMS, no event, no transition, still REQUESTED.
  EXPECT_TRUE(
      wait_for_sms(server_->layout().sms_file(), sms_seen_, std::chrono::seconds{1}).empty());
  const auto events_after = all_events(demo_partner_key);
  // The APPROVED token's own creation events are the only new ones.
  for (std::size_t i = events_before; i < events_after.size(); ++i)
    EXPECT_NE(json_string(events_after[i], "type"), "cards#manual-provisioning-verification");
  EXPECT_EQ(history(demo_partner_key, ref).size(), history_before);
  EXPECT_EQ(json_string(get_token(demo_partner_key, ref), "state"), "REQUESTED");
}

TEST(mdes_startup, a_bad_fle_key_file_stops_the_start_naming_the_key) {
  // A public key where a private one belongs, and a missing file.
  for (const std::string& file : {dev_key("mdes-issuer-fle.pub.pem"), dev_key("no-such-key.pem")}) {
    SCOPED_TRACE(file);
    temp_dir dir;
    server_layout layout{dir.path()};
    config_options o;
    o.extra_toml = "\n[networks.mdes]\nenabled = true\nissuer_fle_keys = [\"" + file + "\"]\n";
    ASSERT_EQ(write_file(layout.config_file(), make_config_text(layout, o)), "");
    server_process p;
    ASSERT_EQ(p.spawn(server_binary(), {"--config", layout.config_file().string()}, dir.path(),
                      layout.log_dir() / "stderr.log"),
              "");
    ASSERT_NO_FATAL_FAILURE(expect_start_refused(p, "networks.mdes.issuer_fle_keys[0]"));
  }
}

TEST(mdes_startup, production_refuses_the_development_keys) {
  // The committed key under another file name is still recognised.
  temp_dir dir;
  const auto copy = dir.path() / "issuer.key.pem";
  std::filesystem::copy_file(dev_key("mdes-issuer-fle.key.pem"), copy);
  for (const bool production : {true, false}) {
    SCOPED_TRACE(production ? "DWT_ENV=production" : "no DWT_ENV");
    temp_dir run;
    server_layout layout{run.path()};
    config_options o;
    o.extra_toml =
        "\n[networks.mdes]\nenabled = true\nissuer_fle_keys = [\"" + copy.string() + "\"]\n";
    ASSERT_EQ(write_file(layout.config_file(), make_config_text(layout, o)), "");
    server_process p;
    std::vector<std::string> env;
    if (production)
      env.emplace_back("DWT_ENV=production");
    ASSERT_EQ(p.spawn(server_binary(), {"--config", layout.config_file().string()}, run.path(),
                      layout.log_dir() / "stderr.log", env),
              "");
    if (!production) {
      EXPECT_EQ(p.wait_ready(std::chrono::seconds{20}), "");
      EXPECT_TRUE(p.terminate(std::chrono::seconds{15}).has_value());
      continue;
    }
    ASSERT_NO_FATAL_FAILURE(expect_start_refused(p, "networks.mdes.issuer_fle_keys[0]"));
    EXPECT_NE(p.stderr_text().find("DWT_ENV=production"), std::string::npos) << p.stderr_text();
  }
}

/// Writes a fresh RSA-2048 private key (PEM) to `path`: a key that is not
/// one of config/dev's.
bool write_fresh_rsa_key(const std::filesystem::path& path) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr)
    return false;
  BIO* out = BIO_new_file(path.c_str(), "w");
  const bool ok = out != nullptr &&
                  PEM_write_bio_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  BIO_free(out);
  EVP_PKEY_free(key);
  return ok;
}

TEST(mdes_startup, production_refuses_the_development_oauth_signing_key) {
  temp_dir keys;
  const auto fle = keys.path() / "issuer-fle.key.pem";
  const auto oauth = keys.path() / "oauth.key.pem";
  ASSERT_TRUE(write_fresh_rsa_key(fle));
  ASSERT_TRUE(write_fresh_rsa_key(oauth));
  for (const bool dev_oauth : {true, false}) {
    SCOPED_TRACE(dev_oauth ? "the development OAuth key" : "a fresh OAuth key");
    temp_dir run;
    server_layout layout{run.path()};
    config_options o;
    o.extra_toml = "\n[networks.mdes]\nenabled = true\nissuer_fle_keys = [\"" + fle.string() +
                   "\"]\ncustomer_service_url = \"http://127.0.0.1:9/mdes\"\n"
                   "oauth_consumer_key = \"ck\"\noauth_signing_key = \"" +
                   (dev_oauth ? dev_key("mdes-oauth.key.pem") : oauth.string()) +
                   "\"\naudit_user_id = \"u\"\naudit_user_name = \"U\"\n"
                   "audit_organization = \"O\"\n" +
                   // Production demands mutual TLS of the network routes:
                   // test material that is not config/dev's.
                   "[listen.tls]\ncert_file = \"" + std::string{DWT_SOURCE_DIR} +
                   "/tests/outbound/tls/server.pem\"\nkey_file = \"" + std::string{DWT_SOURCE_DIR} +
                   "/tests/outbound/tls/server.key\"\n" + "client_ca_file = \"" +
                   std::string{DWT_SOURCE_DIR} + "/tests/http/mtls/other-ca.pem\"\n";
    ASSERT_EQ(write_file(layout.config_file(), make_config_text(layout, o)), "");
    server_process p;
    ASSERT_EQ(p.spawn(server_binary(), {"--config", layout.config_file().string()}, run.path(),
                      layout.log_dir() / "stderr.log", {"DWT_ENV=production"}),
              "");
    if (!dev_oauth) {
      EXPECT_EQ(p.wait_ready(std::chrono::seconds{20}), "") << p.stderr_text();
      EXPECT_TRUE(p.terminate(std::chrono::seconds{15}).has_value());
      continue;
    }
    ASSERT_NO_FATAL_FAILURE(expect_start_refused(p, "networks.mdes.oauth_signing_key"));
    EXPECT_NE(p.stderr_text().find("DWT_ENV=production"), std::string::npos) << p.stderr_text();
    EXPECT_EQ(p.stderr_text().find("PRIVATE KEY"), std::string::npos) << "no key material";
  }
}

// -- issuer → MDES: the Customer Service API (issue #21) ----------------------

/// The same server, with the Customer Service API pointed at a loopback
/// receiver playing MDES (it verifies every call's OAuth 1.0a signature
/// with config/dev/mdes-oauth.pub.pem) and the demo partner's webhooks at
/// another receiver.
class mdes_customer_service : public mdes_flows {
protected:
  config_options server_options() override {
    auto o = mdes_flows::server_options();
    const std::string cs =
        "\ncustomer_service_url = \"" + mdes_.base_url() +
        "\"\noauth_consumer_key = \"blackbox-consumer\"\noauth_signing_key = \"" +
        dev_key("mdes-oauth.key.pem") +
        "\"\naudit_user_id = \"ops-1\"\naudit_user_name = \"Ops One\"\naudit_organization = "
        "\"Demo Bank\"\ncustomer_service_timeout_ms = 1000\nretry_initial_backoff_ms = 100\n"
        "retry_max_backoff_ms = 200\nretry_max_attempts = 60";
    const auto at = o.extra_toml.find("\ndefault_wallet");
    o.extra_toml.insert(at, cs);
    o.demo_partner_toml = "[partners.webhook]\nurl = \"" + hooks_.url() +
                          "\"\nsecret = \"whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=\"\n";
    return o;
  }

  /// An ACTIVE token that came through MDES (authorizeService, then
  /// notifyServiceActivated naming it `tur`) → its dwt reference.
  std::string mdes_token(std::string* card_id, std::string* tur) {
    std::string pan;
    *card_id = json_string(new_card(demo_partner_key, &pan), "id");
    const auto corr = correlation();
    auto r = authorize(request(encrypted(card_data(pan, iso_from_now(std::chrono::minutes{10}))),
                               corr, "REQUIRE_ADDITIONAL_AUTHENTICATION"));
    EXPECT_EQ(r.status, 200) << describe(r);
    *tur = "DWSPMC" + data_->id("") + data_->id("");
    json::object body{{"requestId", data_->id("nsa-")},
                      {"correlationId", corr},
                      {"cardAndToken",
                       {{"tokenUniqueReference", *tur},
                        {"tokenPanSuffix", "4321"},
                        {"tokenExpiry", "0930"},
                        {"accountPanSuffix", pan.substr(pan.size() - 4)}}},
                      {"decision", "APPROVED"}};
    auto a = api_->call("POST", "/mdes/notifyServiceActivated", network_key, json::value(body));
    EXPECT_EQ(a.status, 200) << describe(a);
    return "mdes-c-" + corr;
  }

  /// The token's networkSync (null when absent).
  json::value sync_of(const std::string& ref) {
    auto t = get_token(demo_partner_key, ref);
    if (!t.is_object() || !t.as_object().contains("networkSync"))
      return nullptr;
    return t.as_object().at("networkSync");
  }
  bool wait_sync(const std::string& ref, std::string_view status, std::string_view operation) {
    return dwt::test::eventually(
        [&] {
          auto s = sync_of(ref);
          return s.is_object() && json_string(s, "status") == status &&
                 json_string(s, "operation") == operation;
        },
        std::chrono::seconds{20}, std::chrono::milliseconds{20});
  }

  dwt::test::mdes_receiver mdes_;
  outbound::testing::test_receiver hooks_;
};

TEST_F(mdes_customer_service, PartnerAndCardChangesReachMdesSignedButMdesOwnNeverEcho) {
  std::string card, tur;
  const auto ref = mdes_token(&card, &tur);
  ASSERT_EQ(json_string(get_token(demo_partner_key, ref), "state"), "ACTIVE");
  EXPECT_TRUE(sync_of(ref).is_null()) << "no command before any change";

  ASSERT_EQ(transition(demo_partner_key, card, ref, "SUSPENDED").status, 201);
  ASSERT_TRUE(wait_sync(ref, "CONFIRMED", "SUSPEND")) << json::serialize(sync_of(ref));
  ASSERT_EQ(transition(demo_partner_key, card, ref, "ACTIVE").status, 201);
  ASSERT_TRUE(wait_sync(ref, "CONFIRMED", "UNSUSPEND")) << json::serialize(sync_of(ref));
  auto s = sync_of(ref);
  EXPECT_EQ(json_int(s, "attempts"), 1);
  EXPECT_TRUE(json_at(s, "error").is_null());

  // MDES's own news (an issuer-only suspension at MDES) changes the token
  // without a call back.
  auto r = notify({{tur, "SUSPENDED", {"ISSUER"}}});
  ASSERT_EQ(r.status, 200) << describe(r);
  EXPECT_EQ(json_string(get_token(demo_partner_key, ref), "state"), "SUSPENDED");
  std::this_thread::sleep_for(std::chrono::milliseconds{300});
  EXPECT_EQ(mdes_.count(), 2u);

  // The card's cascade reaches MDES too.
  auto c = api_->post("/v1/cards/" + card + "/state", demo_partner_key,
                      json::value{{"state", "TERMINATED"}});
  ASSERT_EQ(c.status, 200) << describe(c);
  ASSERT_TRUE(wait_sync(ref, "CONFIRMED", "DELETE")) << json::serialize(sync_of(ref));

  const auto calls = mdes_.calls();
  ASSERT_EQ(calls.size(), 3u);
  const std::vector<std::string> paths{calls[0].path, calls[1].path, calls[2].path};
  EXPECT_EQ(paths, (std::vector<std::string>{"/mdes/csapi/v2/token/suspend",
                                             "/mdes/csapi/v2/token/unsuspend",
                                             "/mdes/csapi/v2/token/delete"}));
  for (const auto& call : calls) {
    EXPECT_TRUE(call.signature_ok) << call.path;
    EXPECT_EQ(call.tur, tur);
    EXPECT_EQ(json_string(json::value(call.request.at("AuditInfo")), "Organization"), "Demo Bank");
  }
}

TEST_F(mdes_customer_service, ACommandInFlightAtASigkillIsMadeAfterTheRestart) {
  std::string card, tur;
  const auto ref = mdes_token(&card, &tur);
  // MDES takes the call but never answers: the call is in flight.
  std::atomic<bool> hang{true};
  mdes_.set_answer([&](const dwt::test::mdes_call&) -> std::optional<outbound::testing::reply> {
    if (hang.load())
      return outbound::testing::reply{0, {}, true};
    return std::nullopt;
  });
  ASSERT_EQ(transition(demo_partner_key, card, ref, "SUSPENDED").status, 201);
  ASSERT_TRUE(dwt::test::eventually([&] { return mdes_.count() >= 1; }, std::chrono::seconds{10}));
  const auto status = server_->process().kill();
  EXPECT_FALSE(status.exited) << status.describe();

  hang = false;
  api_.reset();
  ASSERT_EQ(server_->start(), "") << "restart after SIGKILL";
  api_ = std::make_unique<api>(server_->port());
  ASSERT_TRUE(wait_sync(ref, "CONFIRMED", "SUSPEND")) << json::serialize(sync_of(ref));
  bool answered = false;
  for (const auto& call : mdes_.calls()) {
    EXPECT_EQ(call.path, "/mdes/csapi/v2/token/suspend");
    EXPECT_TRUE(call.signature_ok);
    answered = true;
  }
  EXPECT_TRUE(answered);
  EXPECT_GE(mdes_.count(), 2u) << "the call in flight at the kill is made again";
}

TEST_F(mdes_customer_service, ARefusalFailsTellsThePartnerAndTheRetryConfirms) {
  std::string card, tur;
  const auto ref = mdes_token(&card, &tur);
  std::atomic<bool> refuse{true};
  mdes_.set_answer([&](const dwt::test::mdes_call&) -> std::optional<outbound::testing::reply> {
    if (refuse.load())
      return dwt::test::mdes_error(400, "INVALID_TOKEN_STATUS", false);
    return std::nullopt;
  });
  ASSERT_EQ(transition(demo_partner_key, card, ref, "SUSPENDED").status, 201);
  ASSERT_TRUE(wait_sync(ref, "FAILED", "SUSPEND")) << json::serialize(sync_of(ref));
  const auto s = sync_of(ref);
  const auto& err = json_at(s, "error");
  EXPECT_EQ(json_string(err, "source"), "TOKEN");
  EXPECT_EQ(json_string(err, "reasonCode"), "INVALID_TOKEN_STATUS");
  EXPECT_EQ(json_int(err, "httpStatus"), 400);
  ASSERT_TRUE(dwt::test::eventually(
      [&] {
        for (const auto& r : hooks_.requests())
          if (r.body.find("tokens#network-sync-failed") != std::string::npos)
            return true;
        return false;
      },
      std::chrono::seconds{20}));
  bool in_feed = false;
  for (const auto& e : all_events(demo_partner_key))
    in_feed = in_feed || json_string(e, "type") == "tokens#network-sync-failed";
  EXPECT_TRUE(in_feed);

  // Another partner's token: not found. Then the retry.
  auto other = api_->call("POST", "/v1/digital-wallet-tokens/" + ref + "/network-sync/retry",
                          legacy_partner_key);
  EXPECT_EQ(other.status, 404) << describe(other);
  refuse = false;
  auto retried = api_->call("POST", "/v1/digital-wallet-tokens/" + ref + "/network-sync/retry",
                            demo_partner_key);
  ASSERT_EQ(retried.status, 202) << describe(retried);
  EXPECT_EQ(json_string(retried.json(), "status"), "PENDING");
  ASSERT_TRUE(wait_sync(ref, "CONFIRMED", "SUSPEND")) << json::serialize(sync_of(ref));
  EXPECT_EQ(json_int(sync_of(ref), "attempts"), 2);
  auto again = api_->call("POST", "/v1/digital-wallet-tokens/" + ref + "/network-sync/retry",
                          demo_partner_key);
  EXPECT_EQ(again.status, 409) << describe(again);
  EXPECT_EQ(json_string(again.json(), "code"), "network_command_not_failed");
}

} // namespace
} // namespace dwt::blackbox
