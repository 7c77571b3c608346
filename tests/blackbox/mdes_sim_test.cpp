/// @file
/// The MDES network simulator (bench/mdes-sim) against a real dwt-server:
/// its flows (approve; step-up by SMS with the network's code; step-up
/// approved in the issuer's app; notifyTokenUpdated by the token's
/// reference; the command as its README shows it; over mutual TLS with the
/// network's development client certificate, and refused without it) end
/// as MDES expects, each answer conforming to docs/openapi.yaml; and its
/// Customer Service API receiver, over a real
/// loopback socket, accepts a call signed with networks::oauth1 and the
/// development key, and refuses a tampered body, a wrong key, a replayed
/// nonce and a stale timestamp, answering in MDES's shapes (read back with
/// networks' own parsers).

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sys/wait.h>

#include "csapi_receiver.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/networks/keys.hpp"
#include "dwt/networks/mdes/customer_service.hpp"
#include "dwt/networks/oauth1.hpp"
#include "network.hpp"
#include "support.hpp"

namespace dwt::blackbox {
namespace {

namespace json = boost::json;
namespace sim = dwt::mdes_sim;
namespace oauth1 = dwt::networks::oauth1;

std::string repo_dev_key(std::string_view name) {
  return std::string{DWT_SOURCE_DIR} + "/config/dev/" + std::string{name};
}

class mdes_sim_flows : public blackbox_test {
protected:
  config_options server_options() override {
    config_options o;
    o.extra_toml = "\n[networks.mdes]\nenabled = true\nissuer_fle_keys = [\"" +
                   repo_dev_key("mdes-issuer-fle.key.pem") + "\"]\nnetwork_fle_public_key = \"" +
                   repo_dev_key("mdes-network-fle.pub.pem") +
                   "\"\ndefault_wallet = \"GOOGLE_PAY\"\n[networks.mdes.wallet_ids]\n\"216\" = "
                   "\"GOOGLE_PAY\"\n";
    return o;
  }

  void SetUp() override {
    blackbox_test::SetUp();
    sim::network_options o;
    o.port = server_->port();
    o.network_key = std::string{network_key};
    o.issuer_fle_public_key = repo_dev_key("mdes-issuer-fle.pub.pem");
    auto n = sim::network::make(o, rng_);
    ASSERT_TRUE(n) << "the development FLE public key";
    net_.emplace(std::move(*n));
  }

  /// Every answer of `steps` against docs/openapi.yaml.
  static void expect_contract(const std::vector<sim::exchange>& steps) {
    for (const auto& x : steps) {
      http_response r;
      r.status = x.answer.status;
      r.headers["content-type"] = "application/json";
      r.body = x.answer.body;
      for (const auto& p : contract_problems("POST", x.target, r))
        ADD_FAILURE() << x.service << ": " << p;
    }
  }

  static std::vector<std::string> services(const sim::provision_result& r) {
    std::vector<std::string> out;
    for (const auto& x : r.steps)
      out.push_back(x.service);
    return out;
  }

  std::string state_of(const std::string& ref) {
    return json_string(get_token(demo_partner_key, ref), "state");
  }

  engine::secure_random rng_;
  std::optional<sim::network> net_;
};

TEST_F(mdes_sim_flows, ApprovedProvisioningEndsActiveAndNotificationsFollowTheNetwork) {
  std::string pan;
  auto card = new_card(demo_partner_key, &pan);
  ASSERT_TRUE(card.is_object());
  sim::provision_options o;
  o.card.pan = pan;
  o.recommendation = "APPROVED";
  auto r = net_->provision(o);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.decision, "APPROVED");
  EXPECT_EQ(services(r), (std::vector<std::string>{"authorizeService", "notifyServiceActivated"}));
  EXPECT_TRUE(r.activation_code.empty());
  expect_contract(r.steps);
  // Card data went encrypted: the PAN is nowhere in the request.
  EXPECT_EQ(r.steps.front().request.find(pan), std::string::npos);
  // ... and named the issuer's key by its SPKI SHA-256 fingerprint.
  EXPECT_NE(r.steps.front().request.find("\"publicKeyFingerprint\":\"" +
                                         net_->issuer().fingerprint() + "\""),
            std::string::npos);
  const auto ref = sim::dwt_token_ref(r.correlation_id);
  EXPECT_EQ(state_of(ref), "ACTIVE");

  // The network suspends (the cardholder), resumes and deletes the token.
  for (auto [verb, state] : {std::pair{"suspend", "SUSPENDED"}, std::pair{"resume", "ACTIVE"},
                             std::pair{"delete", "TERMINATED"}}) {
    auto x = net_->notify_token_updated({*sim::status_for(verb, ref)});
    ASSERT_TRUE(x.ok()) << verb << ": " << x.answer.status << " " << x.answer.body;
    expect_contract({x});
    EXPECT_EQ(state_of(ref), state) << verb;
  }
}

TEST_F(mdes_sim_flows, DeclinedRecommendationEndsAtTheDecision) {
  std::string pan;
  ASSERT_TRUE(new_card(demo_partner_key, &pan).is_object());
  sim::provision_options o;
  o.card.pan = pan;
  o.recommendation = "DECLINED";
  auto r = net_->provision(o);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.decision, "DECLINED");
  EXPECT_EQ(services(r), std::vector<std::string>{"authorizeService"});
  EXPECT_EQ(state_of(sim::dwt_token_ref(r.correlation_id)), "REQUEST_DECLINED");
}

TEST_F(mdes_sim_flows, StepUpBySmsDeliversTheNetworksCodeThenActivates) {
  std::string pan;
  std::string phone;
  ASSERT_TRUE(new_card(demo_partner_key, &pan, &phone).is_object());
  sim::provision_options o;
  o.card.pan = pan;
  o.recommendation = "REQUIRE_ADDITIONAL_AUTHENTICATION";
  o.how = sim::step_up::sms;
  auto r = net_->provision(o);
  // Until every MDES service is served (issue #21 adds them one by one), a
  // service this server has no route for is a skip naming it, not a pass.
  if (!r.completed && !r.steps.empty() && r.steps.back().answer.status == 404 &&
      r.steps.back().answer.body.find("\"code\":\"not_found\"") != std::string::npos)
    GTEST_SKIP() << "this server does not serve " << r.steps.back().service << " yet";
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.decision, "REQUIRE_ADDITIONAL_AUTHENTICATION");
  EXPECT_EQ(services(r),
            (std::vector<std::string>{"authorizeService", "requestActivationMethods",
                                      "deliverActivationCode", "notifyServiceActivated"}));
  expect_contract(r.steps);
  // dwt sent the network's code, and only it, to the cardholder's phone.
  ASSERT_EQ(r.activation_code.size(), 6u);
  remember_secret(r.activation_code, secret_value::match::isolated, "MDES activation code");
  auto [to, code] = next_otp();
  EXPECT_EQ(to, phone);
  EXPECT_EQ(code, r.activation_code);
  EXPECT_EQ(state_of(sim::dwt_token_ref(r.correlation_id)), "ACTIVE");
}

TEST_F(mdes_sim_flows, StepUpApprovedInTheIssuersAppThenActivates) {
  std::string pan;
  auto card = new_card(demo_partner_key, &pan);
  ASSERT_TRUE(card.is_object());
  const auto card_id = json_string(card, "id");
  sim::provision_options o;
  o.card.pan = pan;
  o.recommendation = "REQUIRE_ADDITIONAL_AUTHENTICATION";
  o.how = sim::step_up::in_app;
  std::string state_before;
  o.in_app_approval = [&](const std::string& ref) -> std::string {
    state_before = state_of(ref);
    // The cardholder picks the issuer's app; the partner's app approves.
    auto v = start_verification(ref, "IN_APP");
    if (v.status != 202)
      return "verification: " + describe(v);
    auto a = api_->post("/v1/cards/" + card_id + "/payment-tokens/" + ref + "/activation",
                        demo_partner_key, json::object{{"activation", "APPROVE"}});
    return a.status == 204 ? "" : "activation: " + describe(a);
  };
  auto r = net_->provision(o);
  ASSERT_TRUE(r.completed) << r.error;
  EXPECT_EQ(state_before, "REQUESTED");
  EXPECT_EQ(services(r), (std::vector<std::string>{"authorizeService", "notifyServiceActivated"}));
  expect_contract(r.steps);
  EXPECT_EQ(state_of(sim::dwt_token_ref(r.correlation_id)), "ACTIVE");
}

/// Runs `command` through the shell; its exit status and combined output.
std::pair<int, std::string> run_command(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return {-1, "popen failed"};
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
    out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST_F(mdes_sim_flows, TheCommandProvisionsANewCardAndNotifiesAsItsReadmeShows) {
  const std::string options = " --target 127.0.0.1:" + std::to_string(server_->port()) +
                              " --network-key " + std::string{network_key} + " --partner-key " +
                              std::string{demo_partner_key} + " --issuer-key " +
                              repo_dev_key("mdes-issuer-fle.pub.pem") + " ";
  // The subcommand, then the options.
  auto with = [&](std::string_view sub, const std::string& more) {
    return std::string{DWT_MDES_SIM_BIN} + " " + std::string{sub} + options + more;
  };
  auto [code, out] = run_command(with("provision", "--new-card"));
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("-> POST /mdes/authorizeService"), std::string::npos) << out;
  EXPECT_NE(out.find("-> POST /mdes/notifyServiceActivated"), std::string::npos) << out;
  EXPECT_NE(out.find("done: token active"), std::string::npos) << out;
  const auto at = out.find("dwt token ");
  ASSERT_NE(at, std::string::npos) << out;
  const auto ref = out.substr(at + 10, out.find('\n', at) - at - 10);
  EXPECT_EQ(state_of(ref), "ACTIVE");

  std::tie(code, out) = run_command(with("notify", "--tur " + ref + " --status suspend"));
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(state_of(ref), "SUSPENDED");

  // A step that is not answered as MDES expects: exit 1, the answer shown.
  std::tie(code, out) = run_command(with("notify", "--tur mdes-c-nosuchtoken --status delete"));
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("TOKEN_NOT_FOUND"), std::string::npos) << out;
  std::tie(code, out) = run_command(with("provision", ""));
  EXPECT_EQ(code, 2) << out;
}

TEST(mdes_sim_mtls, TheNetworkPresentsItsClientCertificateToAMutualTlsListener) {
  config_options o;
  o.extra_toml = "\n[networks.mdes]\nenabled = true\nissuer_fle_keys = [\"" +
                 repo_dev_key("mdes-issuer-fle.key.pem") + "\"]\n[listen.tls]\ncert_file = \"" +
                 repo_dev_key("tls-server.pem") + "\"\nkey_file = \"" +
                 repo_dev_key("tls-server.key.pem") + "\"\nclient_ca_file = \"" +
                 repo_dev_key("tls-ca.pem") + "\"\n";
  server_instance server{o};
  ASSERT_EQ(server.start(), "");
  const sim::tls_options tls{repo_dev_key("tls-ca.pem"), repo_dev_key("tls-network-client.pem"),
                             repo_dev_key("tls-network-client.key.pem")};

  // A card, through the partner API over HTTPS.
  test_data data{run_seed()};
  const auto pan = data.pan();
  sim::http_client partner{"localhost", server.port(), std::chrono::seconds{10}, tls};
  auto bearer = std::vector<std::pair<std::string, std::string>>{
      {"Authorization", "Bearer " + std::string{demo_partner_key}}};
  auto profile = partner.send("POST", "/v1/profiles",
                              json::serialize(json::object{{"phoneNumber", data.phone()}}), bearer);
  ASSERT_EQ(profile.status, 201) << profile.error << profile.body;
  auto card = partner.send(
      "POST", "/v1/cards",
      json::serialize(json::object{{"profileId", json_string(json::parse(profile.body), "id")},
                                   {"pan", pan},
                                   {"expiryMonth", 12},
                                   {"expiryYear", 2031},
                                   {"cardProduct", std::string{card_product}},
                                   {"type", "VIRTUAL"}}),
      bearer);
  ASSERT_EQ(card.status, 201) << card.error << card.body;

  engine::secure_random rng;
  sim::network_options n;
  n.host = "localhost";
  n.port = server.port();
  n.network_key = std::string{network_key};
  n.issuer_fle_public_key = repo_dev_key("mdes-issuer-fle.pub.pem");
  n.tls = tls;
  auto net = sim::network::make(n, rng);
  ASSERT_TRUE(net);
  sim::provision_options p;
  p.card.pan = pan;
  auto r = net->provision(p);
  EXPECT_TRUE(r.completed) << r.error;
  EXPECT_EQ(r.decision, "APPROVED");

  // Without the client certificate the network routes refuse, in MDES's shape.
  n.tls->cert_file.clear();
  auto anonymous = sim::network::make(n, rng);
  ASSERT_TRUE(anonymous);
  auto x = anonymous->authorize(p.card, sim::authorize_params{});
  EXPECT_EQ(x.answer.status, 403) << x.answer.error << x.answer.body;
  EXPECT_EQ(x.field("errorCode"), "CLIENT_CERTIFICATE_REQUIRED") << x.answer.body;
  EXPECT_EQ(server.stop_graceful(), "");
}

// --- the Customer Service API receiver ------------------------------------------------

class csapi_receiver_test : public ::testing::Test {
protected:
  void SetUp() override {
    sim::csapi_options o;
    o.port = 0;
    o.consumer_key = "dwt-issuer";
    auto r = sim::csapi_receiver::from_key_file(o, repo_dev_key("mdes-oauth.pub.pem"), [this] {
      return std::chrono::system_clock::time_point{std::chrono::seconds{now_s_.load()}};
    });
    ASSERT_TRUE(r);
    receiver_ = std::move(*r);
    ASSERT_EQ(receiver_->start(), "");
    auto key = networks::load_private_key(repo_dev_key("mdes-oauth.key.pem"));
    ASSERT_TRUE(key);
    key_ = std::move(*key);
    client_.emplace("127.0.0.1", receiver_->port());
  }

  std::string url(std::string_view op) const {
    return "http://127.0.0.1:" + std::to_string(receiver_->port()) + "/mdes/csapi/v2/token/" +
           std::string{op} + "?Format=JSON";
  }

  /// The OAuth header for `body` at `url`, signed with `key`.
  std::string sign(const std::string& at, const std::string& body, const EVP_PKEY& key,
                   const std::string& nonce = {}) {
    const auto n = nonce.empty() ? oauth1::make_nonce(rng_) : nonce;
    auto h = oauth1::authorization_header(
        {"POST", at, body}, {"dwt-issuer", n, static_cast<std::uint64_t>(now_s_.load())}, key);
    EXPECT_TRUE(h);
    return h ? *h : std::string{};
  }

  sim::http_result post(const std::string& at, const std::string& body, const std::string& auth) {
    const auto path = at.substr(at.find("/mdes"));
    return client_->send("POST", path, body, {{"Authorization", auth}});
  }

  static std::string suspend_body(const std::string& tur) {
    networks::mdes::token_lifecycle_request r;
    r.token_unique_reference = tur;
    r.reason_code = "SUSPECTED_FRAUD";
    r.audit = {"u1", "Ops", "dwt", ""};
    auto b = networks::mdes::render_cs_request(networks::mdes::cs_operation::suspend, r);
    EXPECT_TRUE(b);
    return b ? *b : std::string{};
  }

  /// The receiver's clock (read on its I/O thread), seconds since the epoch.
  std::atomic<std::int64_t> now_s_{std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()};
  engine::seeded_random rng_{21};
  std::unique_ptr<sim::csapi_receiver> receiver_;
  networks::pkey_ptr key_;
  std::optional<sim::http_client> client_;
};

TEST_F(csapi_receiver_test, ACorrectlySignedSuspendIsAnsweredInMdesShapeAndRecorded) {
  const auto body = suspend_body("DWSPMC0001");
  auto r = post(url("suspend"), body, sign(url("suspend"), body, *key_));
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  auto parsed = networks::mdes::parse_cs_response(networks::mdes::cs_operation::suspend, r.body);
  ASSERT_TRUE(parsed) << r.body;
  ASSERT_EQ(parsed->tokens.size(), 1u);
  EXPECT_EQ(parsed->tokens[0].token_unique_reference, "DWSPMC0001");
  EXPECT_FALSE(parsed->tokens[0].comment_id.empty());

  auto calls = receiver_->calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].signature_ok) << calls[0].auth_error;
  EXPECT_EQ(calls[0].operation, "suspend");
  EXPECT_EQ(calls[0].token_unique_reference, "DWSPMC0001");
  EXPECT_EQ(calls[0].reason_code, "SUSPECTED_FRAUD");
  EXPECT_EQ(calls[0].consumer_key, "dwt-issuer");
  EXPECT_EQ(calls[0].status, 200);
}

TEST_F(csapi_receiver_test, ATamperedBodyAWrongKeyAReplayAndAStaleTimestampAreRefused) {
  const auto body = suspend_body("DWSPMC0002");
  // Signed over one body, another sent.
  auto tampered =
      post(url("suspend"), suspend_body("DWSPMC9999"), sign(url("suspend"), body, *key_));
  EXPECT_EQ(tampered.status, 401) << tampered.body;
  auto errors = networks::mdes::parse_cs_errors(tampered.body);
  ASSERT_TRUE(errors) << tampered.body;
  EXPECT_FALSE(errors->recoverable());

  // Signed by a key that is not the issuer's.
  auto other = networks::load_private_key(repo_dev_key("mdes-issuer-fle.key.pem"));
  ASSERT_TRUE(other);
  EXPECT_EQ(post(url("suspend"), body, sign(url("suspend"), body, **other)).status, 401);

  // Signed for another operation's URL.
  EXPECT_EQ(post(url("delete"), body, sign(url("suspend"), body, *key_)).status, 401);

  // The same header twice: the second is a replay.
  const auto header = sign(url("suspend"), body, *key_);
  EXPECT_EQ(post(url("suspend"), body, header).status, 200);
  EXPECT_EQ(post(url("suspend"), body, header).status, 401);

  // Ten minutes old.
  const auto old = sign(url("suspend"), body, *key_);
  now_s_ += 600;
  EXPECT_EQ(post(url("suspend"), body, old).status, 401);

  std::vector<std::string> why;
  for (const auto& c : receiver_->calls())
    why.push_back(c.signature_ok ? "ok" : c.auth_error);
  EXPECT_EQ(why, (std::vector<std::string>{"body_hash_mismatch", "signature_mismatch",
                                           "signature_mismatch", "ok", "replayed_nonce",
                                           "stale_timestamp"}));
}

TEST_F(csapi_receiver_test, AHostHeaderWithoutThePortStillVerifiesTheUrlThatWasSigned) {
  const auto body = suspend_body("DWSPMC0004");
  sim::csapi_request req{"POST", "/mdes/csapi/v2/token/suspend?Format=JSON", "127.0.0.1",
                         sign(url("suspend"), body, *key_), body};
  auto res = receiver_->handle(req);
  EXPECT_EQ(res.status, 200) << res.body;
  // Another host is another URL.
  req.host = "localhost";
  req.authorization = sign(url("suspend"), body, *key_);
  EXPECT_EQ(receiver_->handle(req).status, 401);
}

TEST_F(csapi_receiver_test, ModesPlayANetworkThatRefusesFailsOrIsDown) {
  const auto body = suspend_body("DWSPMC0003");
  auto mode = [&](std::string_view m) {
    auto r = client_->send("POST", "/mdes/_sim/mode", json::serialize(json::object{{"mode", m}}));
    ASSERT_EQ(r.status, 200) << r.body;
  };
  mode("error");
  auto refused = post(url("suspend"), body, sign(url("suspend"), body, *key_));
  EXPECT_EQ(refused.status, 400);
  auto e = networks::mdes::parse_cs_errors(refused.body);
  ASSERT_TRUE(e) << refused.body;
  EXPECT_FALSE(e->recoverable());

  mode("recoverable");
  auto failed = post(url("suspend"), body, sign(url("suspend"), body, *key_));
  EXPECT_EQ(failed.status, 500);
  e = networks::mdes::parse_cs_errors(failed.body);
  ASSERT_TRUE(e) << failed.body;
  EXPECT_TRUE(e->recoverable());

  mode("down");
  EXPECT_EQ(post(url("suspend"), body, sign(url("suspend"), body, *key_)).status, 503);

  mode("ok");
  EXPECT_EQ(post(url("suspend"), body, sign(url("suspend"), body, *key_)).status, 200);
  auto calls = client_->send("GET", "/mdes/_sim/calls", "");
  ASSERT_EQ(calls.status, 200);
  EXPECT_EQ(boost::json::parse(calls.body).at("calls").as_array().size(), 4u);
}

} // namespace
} // namespace dwt::blackbox
