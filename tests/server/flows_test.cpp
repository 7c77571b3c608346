// Integration tests of the flows through the real HTTP server and engine:
// manual provisioning with SMS OTP, in-app APPROVE / DECLINE, push
// provisioning, partner and network lifecycle changes, card cascade, token
// cap, final states, history and the events feed, the SMS destination
// rule. Every answer is checked against docs/openapi.yaml by the client.

#include "support.hpp"

namespace dwt_server_test {
namespace {

using Flows = server_fixture;

std::vector<std::string> states_of(const answer& history) {
  std::vector<std::string> out;
  for (const auto& t : history.obj().at("data").as_array())
    out.emplace_back(t.as_object().at("state").as_string());
  return out;
}

TEST_F(Flows, OperationsEndpoints) {
  auto h = get("/healthz", nullptr);
  EXPECT_EQ(h.status, 200u);
  EXPECT_EQ(h.str("status"), "ok");
  auto r = get("/readyz", nullptr);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.str("status"), "ready");
  auto m = get("/metrics", nullptr);
  EXPECT_EQ(m.status, 200u);
  EXPECT_NE(m.content_type.find("text/plain"), std::string::npos);
  for (const char* name :
       {"dwt_http_requests_total", "dwt_live_actors", "dwt_actor_activations_total",
        "dwt_actor_passivations_total", "dwt_outbox_pending", "dwt_network_commands_pending 0",
        "dwt_checkpointer_batch_size_bucket", "dwt_checkpointer_commit_latency_seconds_bucket",
        "dwt_engine_ready 1"})
    EXPECT_NE(m.body.find(name), std::string::npos) << name;
}

TEST_F(Flows, ProfileCreateReadPatch) {
  auto created =
      post("/v1/profiles",
           s(json::object{{"phoneNumber", "+447700900123"}, {"email", "a@example.com"}}), p1_key);
  ASSERT_EQ(created.status, 201u);
  auto id = created.str("id");
  auto read = get("/v1/profiles/" + id, p1_key);
  EXPECT_EQ(read.status, 200u);
  EXPECT_EQ(read.str("email"), "a@example.com");
  auto patched = http().request("PATCH", "/v1/profiles/" + id,
                                s(json::object{{"phoneNumber", "+447700900999"}}), p1_key);
  EXPECT_EQ(patched.status, 200u);
  EXPECT_EQ(patched.str("phoneNumber"), "+447700900999");
  EXPECT_EQ(patched.str("email"), "a@example.com");
  auto cleared = http().request("PATCH", "/v1/profiles/" + id, R"({"email":null})", p1_key);
  EXPECT_EQ(cleared.status, 200u);
  EXPECT_TRUE(cleared.obj().at("email").is_null());
  EXPECT_TRUE(get("/v1/profiles/" + id, p1_key).obj().at("email").is_null());
}

TEST_F(Flows, CardRegisteredAndReadWithoutPan) {
  const auto pan = make_pan("411111", 1);
  auto profile_id = profile();
  auto a = post("/v1/cards",
                s(json::object{{"profileId", profile_id},
                               {"pan", pan},
                               {"expiryMonth", 12},
                               {"expiryYear", 2030},
                               {"cardProduct", "demo-debit"},
                               {"type", "PHYSICAL"}}),
                p1_key);
  ASSERT_EQ(a.status, 201u);
  EXPECT_EQ(a.body.find(pan), std::string::npos);
  EXPECT_EQ(a.str("last4"), pan.substr(12));
  EXPECT_EQ(a.str("type"), "PHYSICAL");
  EXPECT_EQ(a.str("state"), "ACTIVE");
  auto read = get("/v1/cards/" + a.str("id"), p1_key);
  EXPECT_EQ(read.status, 200u);
  EXPECT_EQ(read.body, a.body);
}

TEST_F(Flows, ManualProvisioningWithSmsOtp) {
  const auto pan = make_pan("422222", 2);
  auto card_id = card(pan);
  auto t = tokenize(pan, "YELLOW");
  ASSERT_EQ(t.status, 200u);
  EXPECT_EQ(t.str("decision"), "REQUIRE_VERIFICATION");
  EXPECT_EQ(t.str("state"), "REQUESTED");
  auto tur = t.str("tokenUniqueReference");
  ASSERT_FALSE(tur.empty());
  const auto& methods = t.obj().at("verificationMethods").as_array();
  ASSERT_FALSE(methods.empty());
  EXPECT_EQ(methods[0].as_object().at("type").as_string(), "SMS_OTP");
  EXPECT_EQ(methods[0].as_object().at("destination").as_string(), "+********0123");

  auto chosen =
      post("/network/v1/tokens/" + tur + "/verification", R"({"method":"SMS_OTP"})", network_key);
  ASSERT_EQ(chosen.status, 202u);
  EXPECT_EQ(chosen.str("method"), "SMS_OTP");
  auto code = last_otp();
  ASSERT_EQ(code.size(), 6u);
  EXPECT_EQ(std::string{sms().back().at("to").as_string()}, "+447700900123");

  const std::string wrong = code == "000000" ? "111111" : "000000";
  auto bad = post("/network/v1/tokens/" + tur + "/verification/otp",
                  s(json::object{{"code", wrong}}), network_key);
  EXPECT_EQ(bad.status, 422u);
  EXPECT_EQ(bad.code(), "otp_incorrect");
  EXPECT_EQ(bad.obj().at("attemptsLeft").as_int64(), 2);
  EXPECT_EQ(token_state(tur), "REQUESTED");

  auto good = post("/network/v1/tokens/" + tur + "/verification/otp",
                   s(json::object{{"code", code}}), network_key);
  ASSERT_EQ(good.status, 200u) << good.body;
  EXPECT_EQ(good.str("result"), "VERIFIED");
  EXPECT_EQ(good.str("state"), "ACTIVE");

  auto net = get("/network/v1/tokens/" + tur, network_key);
  EXPECT_EQ(net.status, 200u);
  EXPECT_EQ(net.str("state"), "ACTIVE");
  EXPECT_EQ(net.str("fulfillmentStatus"), "PROVISIONED");
  EXPECT_EQ(net.str("cardId"), card_id);

  auto history = get("/v1/digital-wallet-tokens/" + tur + "/transitions", p1_key);
  EXPECT_EQ(history.status, 200u);
  EXPECT_EQ(states_of(history), (std::vector<std::string>{"REQUESTED", "ACTIVE"}));

  auto feed = get("/v1/events", p1_key);
  ASSERT_EQ(feed.status, 200u);
  std::vector<std::string> types;
  for (const auto& e : feed.obj().at("data").as_array())
    if (e.as_object().at("tokenUniqueReference").as_string() == tur)
      types.emplace_back(e.as_object().at("type").as_string());
  EXPECT_EQ(types, (std::vector<std::string>{"DigitalWalletTokenTransition",
                                             "cards#manual-provisioning-verification",
                                             "DigitalWalletTokenTransition"}));
}

TEST_F(Flows, OtpResendSendsANewCode) {
  const auto pan = make_pan("422223", 3);
  card(pan);
  auto tur = tokenize(pan, "YELLOW").str("tokenUniqueReference");
  ASSERT_EQ(
      post("/network/v1/tokens/" + tur + "/verification", R"({"method":"SMS_OTP"})", network_key)
          .status,
      202u);
  // The SMS is handed to the verification pool one-way, so it may land
  // after the 202: wait (bounded) for each line instead of counting at once.
  ASSERT_EQ(sms_at_least(1).size(), 1u);
  auto resent = post("/network/v1/tokens/" + tur + "/verification/resend", {}, network_key);
  EXPECT_EQ(resent.status, 202u) << resent.body;
  EXPECT_EQ(sms_at_least(2).size(), 2u);
  auto ok = post("/network/v1/tokens/" + tur + "/verification/otp",
                 s(json::object{{"code", last_otp()}}), network_key);
  EXPECT_EQ(ok.status, 200u) << ok.body;
}

TEST_F(Flows, InAppApproveAndDecline) {
  const auto pan = make_pan("433333", 4);
  auto card_id = card(pan);
  auto t1 = tokenize(pan, "YELLOW", "dev-a").str("tokenUniqueReference");
  auto t2 = tokenize(pan, "YELLOW", "dev-b").str("tokenUniqueReference");
  auto chosen =
      post("/network/v1/tokens/" + t1 + "/verification", R"({"method":"IN_APP"})", network_key);
  EXPECT_EQ(chosen.status, 202u);
  EXPECT_EQ(chosen.str("method"), "IN_APP");

  auto approve = post("/v1/cards/" + card_id + "/payment-tokens/" + t1 + "/activation",
                      R"({"activation":"APPROVE"})", p1_key);
  EXPECT_EQ(approve.status, 204u);
  EXPECT_TRUE(approve.body.empty());
  EXPECT_EQ(token_state(t1), "ACTIVE");

  auto decline = post("/v1/cards/" + card_id + "/payment-tokens/" + t2 + "/activation",
                      R"({"activation":"DECLINE"})", p1_key);
  EXPECT_EQ(decline.status, 204u);
  auto declined = get("/v1/digital-wallet-tokens/" + t2, p1_key);
  EXPECT_EQ(declined.str("state"), "REQUEST_DECLINED");
  EXPECT_EQ(declined.str("fulfillmentStatus"), "REJECTED");
}

TEST_F(Flows, GreenApprovedAndRedDeclined) {
  const auto pan = make_pan("433334", 5);
  card(pan);
  auto green = tokenize(pan, "GREEN", "dev-g");
  EXPECT_EQ(green.str("decision"), "APPROVED");
  EXPECT_EQ(green.str("state"), "ACTIVE");
  auto red = tokenize(pan, "RED", "dev-r");
  EXPECT_EQ(red.str("decision"), "DECLINED");
  EXPECT_EQ(red.str("state"), "REQUEST_DECLINED");
  EXPECT_EQ(red.str("reason"), "wallet_risk_red");
  auto unknown = tokenize(make_pan("499999", 6), "GREEN");
  EXPECT_EQ(unknown.status, 200u);
  EXPECT_EQ(unknown.str("decision"), "DECLINED");
  EXPECT_EQ(unknown.str("reason"), "card_not_found");
  EXPECT_FALSE(unknown.str("tokenUniqueReference").empty());
  auto outside = tokenize(make_pan("399999", 6), "GREEN");
  EXPECT_EQ(outside.status, 200u);
  EXPECT_EQ(outside.str("decision"), "DECLINED");
  EXPECT_EQ(outside.str("reason"), "bin_not_enabled");
}

TEST_F(Flows, PushProvisioningAndList) {
  const auto pan = make_pan("444444", 7);
  auto card_id = card(pan);
  auto a = post(
      "/v1/cards/" + card_id + "/digital-wallet-tokens",
      s(json::object{{"walletProvider", "SAMSUNG_PAY"},
                     {"device", json::object{{"id", "tab"}, {"type", "TABLET"}, {"name", "Tab"}}}}),
      p1_key);
  ASSERT_EQ(a.status, 201u);
  EXPECT_EQ(a.str("state"), "ACTIVE");
  EXPECT_EQ(a.str("fulfillmentStatus"), "PROVISIONED");
  EXPECT_EQ(a.str("walletProvider"), "SAMSUNG_PAY");
  auto list = get("/v1/cards/" + card_id + "/digital-wallet-tokens", p1_key);
  ASSERT_EQ(list.status, 200u);
  ASSERT_EQ(list.obj().at("data").as_array().size(), 1u);
  EXPECT_EQ(list.obj().at("data").as_array()[0].as_object().at("tokenUniqueReference").as_string(),
            a.str("tokenUniqueReference"));
}

TEST_F(Flows, SuspendResumeTerminateAndFinalStatesRefused) {
  const auto pan = make_pan("455555", 8);
  auto card_id = card(pan);
  auto tur = push(card_id);
  auto suspended = transition(card_id, tur, "SUSPENDED");
  ASSERT_EQ(suspended.status, 201u);
  EXPECT_EQ(suspended.str("state"), "SUSPENDED");
  EXPECT_EQ(suspended.str("digitalWalletToken"), tur);
  EXPECT_EQ(transition(card_id, tur, "ACTIVE").str("state"), "ACTIVE");
  auto terminated = transition(card_id, tur, "TERMINATED");
  EXPECT_EQ(terminated.status, 201u);
  EXPECT_EQ(terminated.str("state"), "TERMINATED");

  for (const char* target : {"ACTIVE", "SUSPENDED", "TERMINATED"}) {
    auto refused = transition(card_id, tur, target);
    EXPECT_EQ(refused.status, 409u) << target;
    EXPECT_EQ(refused.code(), "token_final") << target;
  }
  auto net =
      post("/network/v1/tokens/" + tur + "/events", R"({"event":"DEVICE_FOUND"})", network_key);
  EXPECT_EQ(net.status, 409u);
  EXPECT_EQ(net.code(), "token_final");
  EXPECT_EQ(token_state(tur), "TERMINATED");
  auto history = get("/v1/digital-wallet-tokens/" + tur + "/transitions", p1_key);
  EXPECT_EQ(states_of(history),
            (std::vector<std::string>{"REQUESTED", "ACTIVE", "SUSPENDED", "ACTIVE", "TERMINATED"}));
}

TEST_F(Flows, NetworkLifecycleEvents) {
  const auto pan = make_pan("455556", 9);
  auto card_id = card(pan);
  auto tur = push(card_id);
  auto lost =
      post("/network/v1/tokens/" + tur + "/events", R"({"event":"DEVICE_LOST"})", network_key);
  ASSERT_EQ(lost.status, 200u);
  EXPECT_EQ(lost.str("state"), "SUSPENDED");
  auto found =
      post("/network/v1/tokens/" + tur + "/events", R"({"event":"DEVICE_FOUND"})", network_key);
  EXPECT_EQ(found.str("state"), "ACTIVE");
  auto deleted = post("/network/v1/tokens/" + tur + "/events", R"({"event":"DELETED_FROM_WALLET"})",
                      network_key);
  EXPECT_EQ(deleted.str("state"), "TERMINATED");
}

TEST_F(Flows, CardStateCascadesToTokens) {
  const auto pan = make_pan("466666", 10);
  auto card_id = card(pan);
  auto t1 = push(card_id, p1_key, "w1");
  auto t2 = push(card_id, p1_key, "w2");
  auto suspended = post("/v1/cards/" + card_id + "/state", R"({"state":"SUSPENDED"})", p1_key);
  ASSERT_EQ(suspended.status, 200u);
  EXPECT_EQ(suspended.str("state"), "SUSPENDED");
  EXPECT_EQ(token_state(t1), "SUSPENDED");
  EXPECT_EQ(token_state(t2), "SUSPENDED");
  // A suspended card declines new tokenisations.
  auto refused = tokenize(pan, "GREEN", "w3");
  EXPECT_EQ(refused.str("decision"), "DECLINED");
  EXPECT_EQ(refused.str("reason"), "card_not_active");

  EXPECT_EQ(post("/v1/cards/" + card_id + "/state", R"({"state":"ACTIVE"})", p1_key).status, 200u);
  EXPECT_EQ(token_state(t1), "ACTIVE");
  EXPECT_EQ(token_state(t2), "ACTIVE");
  auto terminated = post("/v1/cards/" + card_id + "/state", R"({"state":"TERMINATED"})", p1_key);
  EXPECT_EQ(terminated.str("state"), "TERMINATED");
  EXPECT_EQ(token_state(t1), "TERMINATED");
  EXPECT_EQ(token_state(t2), "TERMINATED");
  auto again = post("/v1/cards/" + card_id + "/state", R"({"state":"ACTIVE"})", p1_key);
  EXPECT_EQ(again.status, 409u);
  EXPECT_EQ(again.code(), "card_final");
  auto history = get("/v1/digital-wallet-tokens/" + t1 + "/transitions", p1_key);
  bool cascade = false;
  for (const auto& t : history.obj().at("data").as_array())
    cascade |= t.as_object().at("channel").as_string() == "CARD_CASCADE";
  EXPECT_TRUE(cascade);
}

TEST_F(Flows, TokenCapPerPartner) {
  const auto pan = make_pan("477777", 11);
  auto card_id = card(pan);
  push(card_id, p1_key, "c1");
  push(card_id, p1_key, "c2");
  auto third = post("/v1/cards/" + card_id + "/digital-wallet-tokens",
                    s(json::object{{"walletProvider", "APPLE_PAY"},
                                   {"device", json::object{{"id", "c3"}, {"type", "PHONE"}}}}),
                    p1_key);
  EXPECT_EQ(third.status, 422u);
  EXPECT_EQ(third.code(), "token_cap_reached");
  auto network = tokenize(pan, "GREEN", "c4");
  EXPECT_EQ(network.str("decision"), "DECLINED");
  EXPECT_EQ(network.str("reason"), "token_cap_reached");
  // The declined request is recorded (REQUEST_DECLINED); two count.
  auto list = get("/v1/cards/" + card_id + "/digital-wallet-tokens", p1_key);
  std::size_t counted = 0;
  for (const auto& t : list.obj().at("data").as_array())
    counted += t.as_object().at("state").as_string() == "ACTIVE" ? 1 : 0;
  EXPECT_EQ(counted, 2u);
}

TEST_F(Flows, SmsDestinationFollowsOnboardingDate) {
  // p1 (onboarded 2025-06-01): the profile's phone.
  const auto pan1 = make_pan("488888", 12);
  card(pan1, p1_key, "+447700900222", profile(p1_key, "+447700900111"));
  auto t1 = tokenize(pan1, "YELLOW").str("tokenUniqueReference");
  ASSERT_EQ(
      post("/network/v1/tokens/" + t1 + "/verification", R"({"method":"SMS_OTP"})", network_key)
          .status,
      202u);
  EXPECT_EQ(sms_to(1), "+447700900111");

  // p2 (onboarded 2024-11-15, not migrated): the card's phone.
  const auto pan2 = make_pan("488889", 13);
  card(pan2, p2_key, "+447700900444", profile(p2_key, "+447700900333"));
  auto t2 = tokenize(pan2, "YELLOW");
  auto methods = t2.obj().at("verificationMethods").as_array();
  EXPECT_EQ(methods[0].as_object().at("destination").as_string(), "+********0444");
  ASSERT_EQ(post("/network/v1/tokens/" + t2.str("tokenUniqueReference") + "/verification",
                 R"({"method":"SMS_OTP"})", network_key)
                .status,
            202u);
  EXPECT_EQ(sms_to(2), "+447700900444");
}

TEST_F(Flows, EventsFeedPagesInOrder) {
  const auto pan = make_pan("499990", 14);
  auto card_id = card(pan);
  auto tur = push(card_id);
  transition(card_id, tur, "SUSPENDED");
  transition(card_id, tur, "ACTIVE");
  // REQUESTED, ACTIVE, SUSPENDED, ACTIVE: four events, two per page.
  std::vector<std::int64_t> seqs;
  std::string after;
  for (int page = 0; page < 5; ++page) {
    auto a =
        get("/v1/events?limit=2" + (after.empty() ? std::string{} : "&after=" + after), p1_key);
    ASSERT_EQ(a.status, 200u);
    const auto& data = a.obj().at("data").as_array();
    EXPECT_LE(data.size(), 2u);
    for (const auto& e : data)
      seqs.push_back(e.as_object().at("seq").as_int64());
    after = a.str("next");
    if (data.empty())
      break;
  }
  ASSERT_EQ(seqs.size(), 4u);
  for (std::size_t i = 1; i < seqs.size(); ++i)
    EXPECT_LT(seqs[i - 1], seqs[i]);
  // The other partner sees none of them.
  auto other = get("/v1/events", p2_key);
  EXPECT_TRUE(other.obj().at("data").as_array().empty());
  EXPECT_TRUE(other.obj().at("next").is_null());
}

// -- issue #20 ----------------------------------------------------------------

TEST_F(Flows, CardOutsideItsProductsBinRangesIsRefused) {
  auto profile_id = profile();
  json::object b{{"profileId", profile_id}, {"pan", "5555555555554444"},   {"expiryMonth", 12},
                 {"expiryYear", 2030},      {"cardProduct", "demo-debit"}, {"type", "VIRTUAL"}};
  auto a = post("/v1/cards", s(b), p1_key);
  EXPECT_EQ(a.status, 422u) << a.body;
  EXPECT_EQ(a.code(), "bin_not_enabled");
}

TEST_F(Flows, PanUniquenessIsPerPartner) {
  const auto pan = make_pan("411112", 21);
  auto mine = card(pan, p1_key);
  auto theirs = card(pan, p2_key); // 201, a separate card: nothing about p1 is revealed
  EXPECT_FALSE(theirs.empty());
  EXPECT_NE(theirs, mine);
  json::object b{
      {"profileId", profile(p1_key)}, {"pan", pan},       {"expiryMonth", 12}, {"expiryYear", 2030},
      {"cardProduct", "demo-debit"},  {"type", "VIRTUAL"}};
  auto dup = post("/v1/cards", s(b), p1_key);
  EXPECT_EQ(dup.status, 409u) << dup.body;
  EXPECT_EQ(dup.code(), "pan_already_registered");
  EXPECT_EQ(dup.body.find("card_"), std::string::npos) << dup.body;
}

TEST_F(Flows, PushTwiceForOneWalletAndDeviceIsAConflict) {
  auto card_id = card(make_pan("411113", 22));
  auto first = push(card_id, p1_key, "same");
  auto again = post("/v1/cards/" + card_id + "/digital-wallet-tokens",
                    s(json::object{{"walletProvider", "APPLE_PAY"},
                                   {"device", json::object{{"id", "same"}, {"type", "WATCH"}}}}),
                    p1_key);
  EXPECT_EQ(again.status, 409u) << again.body;
  EXPECT_EQ(again.code(), "token_exists");
  EXPECT_NE(again.body.find(first), std::string::npos) << again.body;
}

TEST_F(Flows, ApproveBeforeVerificationIsAConflict) {
  const auto pan = make_pan("411114", 23);
  auto card_id = card(pan);
  auto tur = tokenize(pan, "YELLOW").str("tokenUniqueReference");
  auto early = post("/v1/cards/" + card_id + "/payment-tokens/" + tur + "/activation",
                    R"({"activation":"APPROVE"})", p1_key);
  EXPECT_EQ(early.status, 409u) << early.body;
  EXPECT_EQ(early.code(), "verification_not_started");
  EXPECT_EQ(token_state(tur), "REQUESTED");
  ASSERT_EQ(
      post("/network/v1/tokens/" + tur + "/verification", R"({"method":"IN_APP"})", network_key)
          .status,
      202u);
  auto approved = post("/v1/cards/" + card_id + "/payment-tokens/" + tur + "/activation",
                       R"({"activation":"APPROVE"})", p1_key);
  EXPECT_EQ(approved.status, 204u) << approved.body;
  EXPECT_EQ(token_state(tur), "ACTIVE");
}

TEST_F(Flows, ResumeOnASuspendedCardIsAConflict) {
  auto card_id = card(make_pan("411115", 24));
  auto tur = push(card_id);
  transition(card_id, tur, "SUSPENDED");
  ASSERT_EQ(post("/v1/cards/" + card_id + "/state", R"({"state":"SUSPENDED"})", p1_key).status,
            200u);
  auto resumed = transition(card_id, tur, "ACTIVE");
  EXPECT_EQ(resumed.status, 409u) << resumed.body;
  EXPECT_EQ(resumed.code(), "card_not_active");
  EXPECT_EQ(token_state(tur), "SUSPENDED");
}

} // namespace
} // namespace dwt_server_test
