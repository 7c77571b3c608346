// Bad input through the real HTTP server: each request is answered with
// its documented code AND changes nothing (verified by reading back the
// card, its tokens, the token's history and the partner's event feed).
// Every answer is also checked against docs/openapi.yaml by the client.

#include "dwt/server/routes.hpp"
#include "support.hpp"

namespace dwt_server_test {
namespace {

class BadInput : public server_fixture {
protected:
  void SetUp() override {
    server_fixture::SetUp();
    if (HasFatalFailure())
      return;
    pan_ = make_pan("412345", 77);
    card_ = card(pan_);
    token_ = push(card_);
    before_ = snapshot();
  }

  /// Everything a bad request might have changed, as text.
  std::string snapshot() {
    return get("/v1/cards/" + card_, p1_key).body + "\n" +
           get("/v1/cards/" + card_ + "/digital-wallet-tokens", p1_key).body + "\n" +
           get("/v1/digital-wallet-tokens/" + token_ + "/transitions", p1_key).body + "\n" +
           get("/v1/events?limit=1000", p1_key).body + "\n" +
           get("/v1/events?limit=1000", p2_key).body;
  }

  void expect_problem(const answer& a, unsigned status, const std::string& code,
                      const std::string& field = {}) {
    EXPECT_EQ(a.status, status) << a.body;
    EXPECT_EQ(a.code(), code) << a.body;
    EXPECT_NE(a.content_type.find("application/problem+json"), std::string::npos);
    if (!field.empty()) {
      EXPECT_EQ(a.str("field"), field) << a.body;
    }
  }

  void expect_unchanged() { EXPECT_EQ(snapshot(), before_); }

  std::string pan_;
  std::string card_;
  std::string token_;
  std::string before_;
};

TEST_F(BadInput, MalformedJson) {
  expect_problem(post("/v1/cards/" + card_ + "/state", R"({"state": "SUSPENDED")", p1_key), 400,
                 "malformed_json");
  expect_problem(post("/v1/cards/" + card_ + "/state", R"(["SUSPENDED"])", p1_key), 400,
                 "malformed_json");
  expect_problem(post("/network/v1/tokenization-requests", "not json", network_key), 400,
                 "malformed_json");
  expect_unchanged();
}

TEST_F(BadInput, WrongContentType) {
  auto a = http().request("POST", "/v1/cards/" + card_ + "/state", R"({"state":"SUSPENDED"})",
                          p1_key, {{"Content-Type", "text/plain"}}, false);
  expect_problem(a, 415, "unsupported_media_type");
  auto none = http().request("POST", "/v1/cards/" + card_ + "/state", R"({"state":"SUSPENDED"})",
                             p1_key, {}, false);
  expect_problem(none, 415, "unsupported_media_type");
  expect_unchanged();
}

TEST_F(BadInput, WrongTypesAndMissingFields) {
  expect_problem(post("/v1/cards/" + card_ + "/state", R"({"state":1})", p1_key), 400,
                 "invalid_request", "state");
  expect_problem(post("/v1/cards/" + card_ + "/state", R"({"state":"FROZEN"})", p1_key), 400,
                 "invalid_request", "state");
  expect_problem(post("/v1/cards/" + card_ + "/state", R"({})", p1_key), 400, "invalid_request",
                 "state");
  auto body = json::parse(tokenization_body(pan_, "GREEN", "dev-x")).as_object();
  body["expiryMonth"] = "12";
  expect_problem(post("/network/v1/tokenization-requests", s(body), network_key), 400,
                 "invalid_request", "expiryMonth");
  body["expiryMonth"] = 13;
  expect_problem(post("/network/v1/tokenization-requests", s(body), network_key), 400,
                 "invalid_request", "expiryMonth");
  body["expiryMonth"] = 12;
  body["device"].as_object().erase("type");
  expect_problem(post("/network/v1/tokenization-requests", s(body), network_key), 400,
                 "invalid_request", "device.type");
  body["device"].as_object()["type"] = "PHONE";
  body["walletProvider"] = "PAYPAL";
  expect_problem(post("/network/v1/tokenization-requests", s(body), network_key), 400,
                 "invalid_request", "walletProvider");
  body["walletProvider"] = "APPLE_PAY";
  body["cvc"] = "12a";
  expect_problem(post("/network/v1/tokenization-requests", s(body), network_key), 400,
                 "invalid_request", "cvc");
  body.erase("cvc");
  body.erase("walletRecommendation");
  expect_problem(post("/network/v1/tokenization-requests", s(body), network_key), 400,
                 "invalid_request", "walletRecommendation");
  expect_problem(post("/v1/cards/" + card_ + "/digital-wallet-tokens",
                      R"({"walletProvider":"APPLE_PAY","device":"watch"})", p1_key),
                 400, "invalid_request", "device");
  expect_problem(post("/v1/cards/" + card_ + "/digital-wallet-token-transitions",
                      s(json::object{{"state", "SUSPENDED"}}), p1_key),
                 400, "invalid_request", "digitalWalletToken");
  expect_problem(post("/v1/cards/" + card_ + "/payment-tokens/" + token_ + "/activation",
                      R"({"activation":"MAYBE"})", p1_key),
                 400, "invalid_request", "activation");
  expect_problem(
      post("/network/v1/tokens/" + token_ + "/events", R"({"event":"STOLEN"})", network_key), 400,
      "invalid_request", "event");
  expect_unchanged();
}

TEST_F(BadInput, ProfileValidation) {
  expect_problem(post("/v1/profiles", R"({"phoneNumber":"07700900123"})", p1_key), 400,
                 "invalid_request", "phoneNumber");
  expect_problem(post("/v1/profiles", R"({"phoneNumber":"+447700900123","email":"nope"})", p1_key),
                 400, "invalid_request", "email");
  auto id = profile();
  auto read = get("/v1/profiles/" + id, p1_key).body;
  expect_problem(http().request("PATCH", "/v1/profiles/" + id, "{}", p1_key), 400,
                 "invalid_request");
  expect_problem(http().request("PATCH", "/v1/profiles/" + id, R"({"phoneNumber":"+0"})", p1_key),
                 400, "invalid_request", "phoneNumber");
  EXPECT_EQ(get("/v1/profiles/" + id, p1_key).body, read);
  expect_unchanged();
}

TEST_F(BadInput, OversizeBody) {
  std::string big = R"({"state":"SUSPENDED","pad":")" + std::string(8192, 'x') + "\"}";
  auto a = post("/v1/cards/" + card_ + "/state", big, p1_key);
  expect_problem(a, 413, "payload_too_large");
  expect_unchanged(); // the client reconnects
}

TEST_F(BadInput, InvalidPanAndExpiry) {
  auto profile_id = profile();
  std::string bad_luhn = pan_;
  bad_luhn.back() = bad_luhn.back() == '9' ? '0' : static_cast<char>(bad_luhn.back() + 1);
  for (const std::string& pan : {bad_luhn, std::string{"4111"}, std::string{"41111111111x1111"}}) {
    expect_problem(post("/v1/cards",
                        s(json::object{{"profileId", profile_id},
                                       {"pan", pan},
                                       {"expiryMonth", 12},
                                       {"expiryYear", 2030},
                                       {"cardProduct", "demo-debit"},
                                       {"type", "VIRTUAL"}}),
                        p1_key),
                   422, "invalid_pan", "pan");
    auto a =
        post("/network/v1/tokenization-requests", tokenization_body(pan, "GREEN"), network_key);
    expect_problem(a, 422, "invalid_pan");
    EXPECT_EQ(a.body.find(pan), std::string::npos) << "the PAN must never be echoed";
  }
  auto expired = post("/v1/cards",
                      s(json::object{{"profileId", profile_id},
                                     {"pan", make_pan("412345", 78)},
                                     {"expiryMonth", 1},
                                     {"expiryYear", 2001},
                                     {"cardProduct", "demo-debit"},
                                     {"type", "VIRTUAL"}}),
                      p1_key);
  expect_problem(expired, 422, "invalid_expiry");
  expect_unchanged();
}

TEST_F(BadInput, UnknownIdsAndOtherPartnersIds) {
  expect_problem(get("/v1/cards/card_nope", p1_key), 404, "card_not_found");
  expect_problem(post("/v1/cards/card_nope/state", R"({"state":"SUSPENDED"})", p1_key), 404,
                 "card_not_found");
  expect_problem(get("/v1/digital-wallet-tokens/NOPE", p1_key), 404, "token_not_found");
  expect_problem(get("/network/v1/tokens/NOPE", network_key), 404, "token_not_found");
  expect_problem(post("/v1/cards",
                      s(json::object{{"profileId", "prof_nope"},
                                     {"pan", make_pan("412345", 79)},
                                     {"expiryMonth", 12},
                                     {"expiryYear", 2030},
                                     {"cardProduct", "demo-debit"},
                                     {"type", "VIRTUAL"}}),
                      p1_key),
                 404, "profile_not_found");
  // p2 sees none of p1's objects: the same 404 as an unknown id.
  auto p1_profile = profile();
  expect_problem(get("/v1/profiles/" + p1_profile, p2_key), 404, "profile_not_found");
  expect_problem(get("/v1/cards/" + card_, p2_key), 404, "card_not_found");
  expect_problem(get("/v1/cards/" + card_ + "/digital-wallet-tokens", p2_key), 404,
                 "card_not_found");
  expect_problem(get("/v1/digital-wallet-tokens/" + token_, p2_key), 404, "token_not_found");
  expect_problem(get("/v1/digital-wallet-tokens/" + token_ + "/transitions", p2_key), 404,
                 "token_not_found");
  auto moved = transition(card_, token_, "SUSPENDED", p2_key);
  EXPECT_EQ(moved.status, 404u);
  expect_problem(post("/v1/cards/" + card_ + "/state", R"({"state":"TERMINATED"})", p2_key), 404,
                 "card_not_found");
  expect_problem(post("/v1/cards/" + card_ + "/digital-wallet-tokens",
                      R"({"walletProvider":"APPLE_PAY","device":{"id":"x","type":"PHONE"}})",
                      p2_key),
                 404, "card_not_found");
  expect_unchanged();
}

TEST_F(BadInput, IllegalTransitionsAndVerification) {
  expect_problem(transition(card_, token_, "REQUESTED"), 409, "illegal_transition");
  expect_problem(transition(card_, token_, "ACTIVE"), 409, "illegal_transition");
  // The token is ACTIVE: there is nothing to verify.
  expect_problem(
      post("/network/v1/tokens/" + token_ + "/verification", R"({"method":"EMAIL"})", network_key),
      400, "invalid_request", "method");
  auto none = post("/network/v1/tokens/" + token_ + "/verification", R"({"method":"SMS_OTP"})",
                   network_key);
  EXPECT_EQ(none.status, 409u) << none.body;
  expect_problem(
      post("/network/v1/tokens/" + token_ + "/verification/otp", R"({"code":"12ab"})", network_key),
      400, "invalid_request", "code");
  expect_unchanged();
}

TEST_F(BadInput, OtpMalformedCodeCostsNoAttempt) {
  const auto pan = make_pan("412346", 80);
  card(pan);
  auto tur = tokenize(pan, "YELLOW", "dev-otp").str("tokenUniqueReference");
  ASSERT_EQ(
      post("/network/v1/tokens/" + tur + "/verification", R"({"method":"SMS_OTP"})", network_key)
          .status,
      202u);
  auto code = last_otp();
  expect_problem(
      post("/network/v1/tokens/" + tur + "/verification/otp", R"({"code":"1234567"})", network_key),
      400, "invalid_request", "code");
  const std::string wrong = code == "000000" ? "111111" : "000000";
  auto bad = post("/network/v1/tokens/" + tur + "/verification/otp",
                  s(json::object{{"code", wrong}}), network_key);
  expect_problem(bad, 422, "otp_incorrect");
  EXPECT_EQ(bad.obj().at("attemptsLeft").as_int64(), 2);
}

TEST_F(BadInput, IdempotencyReplayAndReuse) {
  const std::vector<std::pair<std::string, std::string>> key{{"Idempotency-Key", "suspend-1"}};
  auto first = transition(card_, token_, "SUSPENDED", p1_key, key);
  ASSERT_EQ(first.status, 201u);
  EXPECT_TRUE(first.header("Idempotent-Replayed").empty());
  auto after_first = snapshot();

  auto replay = transition(card_, token_, "SUSPENDED", p1_key, key);
  EXPECT_EQ(replay.status, 201u);
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(replay.header("Idempotent-Replayed"), "true");

  auto reused = transition(card_, token_, "TERMINATED", p1_key, key);
  expect_problem(reused, 422, "idempotency_key_reused");
  EXPECT_EQ(snapshot(), after_first);

  // The same key in another partner's scope is a different key.
  auto other = transition(card_, token_, "SUSPENDED", p2_key, key);
  EXPECT_EQ(other.status, 404u);
  EXPECT_TRUE(other.header("Idempotent-Replayed").empty());

  expect_problem(
      transition(card_, token_, "ACTIVE", p1_key, {{"Idempotency-Key", std::string(300, 'k')}}),
      400, "invalid_idempotency_key");
  EXPECT_EQ(snapshot(), after_first);
}

TEST_F(BadInput, NetworkIdempotencyReplaysOtpAnswers) {
  const auto pan = make_pan("412347", 81);
  card(pan);
  const std::vector<std::pair<std::string, std::string>> key{{"Idempotency-Key", "tok-1"}};
  auto body = tokenization_body(pan, "YELLOW", "dev-idem");
  auto first = post("/network/v1/tokenization-requests", body, network_key, key);
  ASSERT_EQ(first.status, 200u);
  auto replay = post("/network/v1/tokenization-requests", body, network_key, key);
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(replay.header("Idempotent-Replayed"), "true");
  auto tur = first.str("tokenUniqueReference");
  ASSERT_EQ(
      post("/network/v1/tokens/" + tur + "/verification", R"({"method":"SMS_OTP"})", network_key)
          .status,
      202u);
  const std::string wrong = last_otp() == "000000" ? "111111" : "000000";
  const std::vector<std::pair<std::string, std::string>> otp_key{{"Idempotency-Key", "otp-1"}};
  auto w1 = post("/network/v1/tokens/" + tur + "/verification/otp",
                 s(json::object{{"code", wrong}}), network_key, otp_key);
  auto w2 = post("/network/v1/tokens/" + tur + "/verification/otp",
                 s(json::object{{"code", wrong}}), network_key, otp_key);
  expect_problem(w2, 422, "otp_incorrect");
  EXPECT_EQ(w2.body, w1.body);
  EXPECT_EQ(w2.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(w2.obj().at("attemptsLeft").as_int64(), 2); // the replay cost no attempt
}

TEST_F(BadInput, MissingOrWrongKeys) {
  expect_problem(get("/v1/cards/" + card_, nullptr), 401, "unauthorized");
  expect_problem(get("/v1/cards/" + card_, "wrong-key"), 401, "unauthorized");
  expect_problem(get("/v1/cards/" + card_, network_key), 401, "unauthorized");
  expect_problem(get("/network/v1/tokens/" + token_, p1_key), 401, "unauthorized");
  expect_problem(
      post("/network/v1/tokens/" + token_ + "/events", R"({"event":"DEVICE_LOST"})", p1_key), 401,
      "unauthorized");
  expect_problem(transition(card_, token_, "SUSPENDED", nullptr), 401, "unauthorized");
  auto a = get("/v1/events", nullptr);
  EXPECT_FALSE(a.header("WWW-Authenticate").empty());
  expect_unchanged();
}

TEST_F(BadInput, UnroutedAndBadQueries) {
  expect_problem(get("/v1/nothing-here", p1_key), 404, "not_found");
  expect_problem(http().request("DELETE", "/v1/cards/" + card_, {}, p1_key), 405,
                 "method_not_allowed");
  expect_problem(get("/v1/events?limit=0", p1_key), 400, "invalid_request", "limit");
  expect_problem(get("/v1/events?limit=1001", p1_key), 400, "invalid_request", "limit");
  expect_problem(get("/v1/events?after=-1", p1_key), 400, "invalid_request", "after");
  expect_unchanged();
}

/// Every route that reads a JSON body, with a body it accepts.
struct body_route {
  std::string method;
  std::string target;
  json::object body;
  const char* key;
};

class BodyRules : public BadInput {
protected:
  std::vector<body_route> body_routes() {
    const std::string tokens = "/v1/cards/" + card_;
    const std::string net = "/network/v1/tokens/" + token_;
    json::object device{{"id", "dev-9"}, {"type", "PHONE"}};
    return {
        {"POST", "/v1/profiles", {{"phoneNumber", "+15551112222"}}, p1_key},
        {"PATCH", "/v1/profiles/" + profile_, {{"email", "a@example.com"}}, p1_key},
        {"POST",
         "/v1/cards",
         {{"profileId", profile_},
          {"pan", make_pan("412345", 91)},
          {"expiryMonth", 12},
          {"expiryYear", 2030},
          {"cardProduct", "demo-debit"},
          {"type", "VIRTUAL"}},
         p1_key},
        {"POST", tokens + "/state", {{"state", "ACTIVE"}}, p1_key},
        {"POST",
         tokens + "/digital-wallet-tokens",
         {{"walletProvider", "APPLE_PAY"}, {"device", device}},
         p1_key},
        {"POST",
         tokens + "/digital-wallet-token-transitions",
         {{"state", "SUSPENDED"}, {"digitalWalletToken", token_}},
         p1_key},
        {"POST",
         tokens + "/payment-tokens/" + token_ + "/activation",
         {{"activation", "APPROVE"}},
         p1_key},
        {"POST", "/network/v1/tokenization-requests",
         json::parse(tokenization_body(make_pan("412345", 92), "GREEN")).as_object(), network_key},
        {"POST", net + "/verification", {{"method", "SMS_OTP"}}, network_key},
        {"POST", net + "/verification/otp", {{"code", "123456"}}, network_key},
        {"POST", net + "/events", {{"event", "DEVICE_LOST"}}, network_key},
    };
  }
  answer send(const body_route& r, const json::object& body) {
    return http().request(r.method, r.target, s(body), r.key);
  }
  answer send_text(const body_route& r, const std::string& body) {
    return http().request(r.method, r.target, body, r.key);
  }
  void SetUp() override {
    BadInput::SetUp();
    if (HasFatalFailure())
      return;
    profile_ = profile();
  }
  std::string profile_;
};

TEST_F(BodyRules, UnknownMembersAreRefusedOnEveryBodyRoute) {
  for (const auto& r : body_routes()) {
    auto body = r.body;
    body["nickname"] = "x"; // e.g. a misspelt optional member
    expect_problem(send(r, body), 400, "unknown_field", "nickname");
    if (auto* dev = body.if_contains("device")) {
      body.erase("nickname");
      dev->as_object()["colour"] = "red";
      expect_problem(send(r, body), 400, "unknown_field", "device.colour");
    }
  }
  // A known member's null is not an unknown member.
  expect_problem(http().request("PATCH", "/v1/profiles/" + profile_,
                                R"({"email":null,"emial":"a@example.com"})", p1_key),
                 400, "unknown_field", "emial");
  expect_unchanged();
}

TEST_F(BodyRules, RepeatedMembersAreRefusedOnEveryBodyRoute) {
  for (const auto& r : body_routes()) {
    // The first member again, in front: the parser would keep the last.
    const std::string text = s(r.body);
    const auto& first = *r.body.begin();
    const std::string dup =
        "{" + s(json::string{first.key()}) + ":" + s(first.value()) + "," + text.substr(1);
    expect_problem(send_text(r, dup), 400, "duplicate_field", std::string{first.key()});
    if (const auto* dev = r.body.if_contains("device")) {
      auto body = r.body;
      std::string inner = s(*dev);
      inner = R"({"id":"other",)" + inner.substr(1);
      std::string outer = s(body);
      const auto at = outer.find(s(*dev));
      ASSERT_NE(at, std::string::npos);
      outer.replace(at, s(*dev).size(), inner);
      expect_problem(send_text(r, outer), 400, "duplicate_field", "device.id");
    }
  }
  expect_unchanged();
}

TEST_F(BodyRules, ControlCharactersAreRefusedInEveryTextField) {
  const std::string tokens = "/v1/cards/" + card_ + "/digital-wallet-tokens";
  for (const std::string& bad :
       {std::string{"dev\0ice", 7}, std::string{"a\nb"}, std::string{"\x1b[31m"},
        std::string{"x\x7f"}, std::string{"x\xc2\x85y"}}) {
    json::object dev{{"id", bad}, {"type", "PHONE"}};
    expect_problem(
        post(tokens, s(json::object{{"walletProvider", "APPLE_PAY"}, {"device", dev}}), p1_key),
        400, "invalid_request", "device.id");
    dev = {{"id", "dev-ok"}, {"type", "PHONE"}, {"name", bad}};
    expect_problem(
        post(tokens, s(json::object{{"walletProvider", "APPLE_PAY"}, {"device", dev}}), p1_key),
        400, "invalid_request", "device.name");
    auto tok = json::parse(tokenization_body(make_pan("412345", 93), "GREEN")).as_object();
    tok["device"].as_object()["id"] = bad;
    expect_problem(post("/network/v1/tokenization-requests", s(tok), network_key), 400,
                   "invalid_request", "device.id");
    expect_problem(
        post("/v1/cards/" + card_ + "/digital-wallet-token-transitions",
             s(json::object{
                 {"state", "SUSPENDED"}, {"digitalWalletToken", token_}, {"reason", bad}}),
             p1_key),
        400, "invalid_request", "reason");
    expect_problem(post("/v1/cards",
                        s(json::object{{"profileId", profile_},
                                       {"pan", make_pan("412345", 94)},
                                       {"expiryMonth", 12},
                                       {"expiryYear", 2030},
                                       {"cardProduct", "demo-debit" + bad},
                                       {"type", "VIRTUAL"}}),
                        p1_key),
                   400, "invalid_request", "cardProduct");
  }
  expect_unchanged();
}

TEST_F(BodyRules, ContentCodedBodyIs415) {
  auto a = post("/v1/cards/" + card_ + "/state", R"({"state":"SUSPENDED"})", p1_key,
                {{"Content-Encoding", "gzip"}});
  expect_problem(a, 415, "unsupported_content_encoding", "Content-Encoding");
  EXPECT_EQ(a.header("Accept-Encoding"), "identity");
  expect_unchanged();
}

TEST_F(BodyRules, PatchingPhoneNumberToNullSaysWhy) {
  const auto before = get("/v1/profiles/" + profile_, p1_key).body;
  for (const std::string body :
       {R"({"phoneNumber":null})", R"({"phoneNumber":null,"email":"a@example.com"})"}) {
    auto a = http().request("PATCH", "/v1/profiles/" + profile_, body, p1_key);
    expect_problem(a, 400, "invalid_request", "phoneNumber");
    EXPECT_NE(a.str("detail").find("cannot be removed"), std::string::npos) << a.body;
  }
  EXPECT_EQ(get("/v1/profiles/" + profile_, p1_key).body, before);
  // email: null still removes the e-mail.
  auto removed = http().request("PATCH", "/v1/profiles/" + profile_, R"({"email":null})", p1_key);
  EXPECT_EQ(removed.status, 200u) << removed.body;
}

/// The code an unknown id of the path parameter's kind answers.
std::string not_found_code(const std::string& param) {
  if (param == "cardId")
    return "card_not_found";
  if (param == "tokenUniqueReference")
    return "token_not_found";
  if (param == "id")
    return "profile_not_found";
  if (param == "eventId")
    return "event_not_found";
  ADD_FAILURE() << "unexpected path parameter " << param;
  return {};
}

/// `pattern` with `long_param` set to `long_value` and every other
/// parameter to a short value.
std::string fill(const std::string& pattern, const std::string& long_param,
                 const std::string& long_value, std::vector<std::string>* params) {
  std::string out;
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    const auto open = pattern.find('{', pos);
    if (open == std::string::npos) {
      out += pattern.substr(pos);
      break;
    }
    const auto close = pattern.find('}', open);
    out += pattern.substr(pos, open - pos);
    const std::string name = pattern.substr(open + 1, close - open - 1);
    if (params != nullptr)
      params->push_back(name);
    out += name == long_param ? long_value : std::string{"short-id"};
    pos = close + 1;
  }
  return out;
}

TEST_F(BodyRules, OverLongPathIdsAnswer404OnEveryRoute) {
  std::size_t checked = 0;
  for (const auto& r : dwt::server::served_routes()) {
    std::vector<std::string> params;
    (void)fill(r.pattern, "", "", &params);
    const char* key = r.pattern.starts_with("/network/") ? network_key : p1_key;
    for (const auto& param : params) {
      for (const std::size_t n : {std::size_t{129}, std::size_t{4000}}) {
        const auto target = fill(r.pattern, param, std::string(n, 'x'), nullptr);
        const bool has_body = r.method == "POST" || r.method == "PATCH";
        auto a = http().request(r.method, target, has_body ? "{}" : "", key);
        expect_problem(a, 404, not_found_code(param));
        ++checked;
      }
      if (r.method == "GET") {
        // At the store's limit the id is merely unknown: the same answer.
        auto a =
            http().request("GET", fill(r.pattern, param, std::string(128, 'x'), nullptr), {}, key);
        expect_problem(a, 404, not_found_code(param));
      }
    }
  }
  EXPECT_GE(checked, 2U * 14U);
  expect_unchanged();
}

} // namespace
} // namespace dwt_server_test
