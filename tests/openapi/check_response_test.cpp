// check_response accepts answers shaped as docs/API.md says and rejects missing
// required fields, wrong enum values, wrong types, undocumented statuses
// and content types.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "openapi_testkit.hpp"

namespace {

namespace oa = dwt::openapi_testkit;

constexpr const char* json = "application/json";
constexpr const char* problem_json = "application/problem+json";

const char* const token_body = R"({
  "tokenUniqueReference": "DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c",
  "cardId": "card_123",
  "walletProvider": "APPLE_PAY",
  "device": {"id": "dev-1", "type": "PHONE", "name": "Ana's iPhone"},
  "state": "ACTIVE",
  "fulfillmentStatus": "PROVISIONED",
  "last4": "1234",
  "tokenLast4": "9876",
  "createdAt": "2026-11-22T20:50:03.123Z",
  "updatedAt": "2026-11-22T20:50:03.123Z"
})";

const char* const transition_body = R"({
  "id": "tr_1", "tokenUniqueReference": "T1", "cardId": "card_123",
  "fromState": null, "state": "REQUESTED", "fulfillmentStatus": "PENDING",
  "reason": null, "channel": "NETWORK", "createdAt": "2026-11-22T20:50:03Z"
})";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "test bug: '" << from << "' not in body";
  if (pos != std::string::npos) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

bool mentions(const std::vector<std::string>& problems, const std::string& needle) {
  for (const auto& p : problems) {
    if (p.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

class CheckResponse : public ::testing::Test {
protected:
  static void SetUpTestSuite() { loaded_ = new oa::load_result(oa::load(DWT_OPENAPI_PATH)); }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(loaded_->doc.has_value()) << loaded_->error; }
  static const oa::document& doc() { return *loaded_->doc; }

  static oa::load_result* loaded_;
};

oa::load_result* CheckResponse::loaded_ = nullptr;

TEST_F(CheckResponse, AcceptsAValidToken) {
  const auto p = doc().check_response("GET", "/v1/digital-wallet-tokens/T1", 200,
                                      "application/json; charset=utf-8", token_body);
  EXPECT_TRUE(p.empty()) << oa::join(p);
}

TEST_F(CheckResponse, AcceptsAValidTokenList) {
  const std::string body = std::string(R"({"data": [)") + token_body + "," + token_body + "]}";
  const auto p =
      doc().check_response("GET", "/v1/cards/card_123/digital-wallet-tokens", 200, json, body);
  EXPECT_TRUE(p.empty()) << oa::join(p);
}

TEST_F(CheckResponse, RejectsAMissingRequiredField) {
  const std::string body = replace(token_body, R"("tokenLast4": "9876",)", "");
  const auto p = doc().check_response("GET", "/v1/digital-wallet-tokens/T1", 200, json, body);
  EXPECT_TRUE(mentions(p, "missing required field 'tokenLast4'")) << oa::join(p);
}

TEST_F(CheckResponse, RejectsAMissingFieldInsideAnArrayItem) {
  const std::string bad = replace(token_body, R"("name": "Ana's iPhone")", R"("nom": "x")");
  const std::string body = std::string(R"({"data": [)") + token_body + "," + bad + "]}";
  const auto p =
      doc().check_response("GET", "/v1/cards/card_123/digital-wallet-tokens", 200, json, body);
  EXPECT_TRUE(mentions(p, "$.data[1].device: missing required field 'name'")) << oa::join(p);
}

TEST_F(CheckResponse, RejectsAWrongEnumValue) {
  const std::string body =
      replace(token_body, R"("walletProvider": "APPLE_PAY")", R"("walletProvider": "apple_pay")");
  const auto p = doc().check_response("GET", "/v1/digital-wallet-tokens/T1", 200, json, body);
  EXPECT_TRUE(mentions(p, "$.walletProvider: value 'apple_pay' not in enum")) << oa::join(p);
}

TEST_F(CheckResponse, RejectsAWrongBasicType) {
  const std::string body = replace(token_body, R"("last4": "1234")", R"("last4": 1234)");
  const auto p = doc().check_response("GET", "/v1/digital-wallet-tokens/T1", 200, json, body);
  EXPECT_TRUE(mentions(p, "$.last4: expected string, got integer")) << oa::join(p);
}

TEST_F(CheckResponse, RejectsAnUndocumentedStatus) {
  const auto p = doc().check_response("GET", "/v1/digital-wallet-tokens/T1", 201, json, token_body);
  EXPECT_TRUE(mentions(p, "status 201 is not documented")) << oa::join(p);
  // 500 and 504 are documented on every engine route; 502 never is.
  const auto q = doc().check_response("GET", "/v1/cards/c1", 502, problem_json,
                                      R"({"type":"about:blank","title":"x","status":502,
                                          "detail":"x","code":"bad_gateway"})");
  EXPECT_TRUE(mentions(q, "status 502 is not documented")) << oa::join(q);
}

TEST_F(CheckResponse, RejectsAnUndocumentedContentType) {
  const auto p =
      doc().check_response("GET", "/v1/digital-wallet-tokens/T1", 200, "text/html", token_body);
  EXPECT_TRUE(mentions(p, "content type 'text/html' not documented")) << oa::join(p);
}

TEST_F(CheckResponse, RejectsInvalidJson) {
  const auto p = doc().check_response("GET", "/v1/cards/c1", 200, json, "{\"id\": ");
  EXPECT_TRUE(mentions(p, "not valid JSON")) << oa::join(p);
}

TEST_F(CheckResponse, NullableFieldsAcceptNullOnly) {
  const auto ok = doc().check_response("GET", "/v1/digital-wallet-tokens/T1/transitions", 200, json,
                                       std::string(R"({"data":[)") + transition_body + "]}");
  EXPECT_TRUE(ok.empty()) << oa::join(ok);
  // fromState may be null, but when present it is a token state.
  const std::string bad_state =
      replace(transition_body, R"("fromState": null)", R"("fromState": "ACTIVATED")");
  const auto p = doc().check_response("GET", "/v1/digital-wallet-tokens/T1/transitions", 200, json,
                                      std::string(R"({"data":[)") + bad_state + "]}");
  EXPECT_TRUE(mentions(p, "$.data[0].fromState: value 'ACTIVATED' not in enum")) << oa::join(p);
  // channel is not nullable.
  const std::string null_channel =
      replace(transition_body, R"("channel": "NETWORK")", R"("channel": null)");
  const auto q = doc().check_response("GET", "/v1/digital-wallet-tokens/T1/transitions", 200, json,
                                      std::string(R"({"data":[)") + null_channel + "]}");
  EXPECT_TRUE(mentions(q, "$.data[0].channel: null")) << oa::join(q);
}

TEST_F(CheckResponse, ProblemResponses) {
  const auto ok = doc().check_response(
      "POST", "/v1/cards/c1/digital-wallet-token-transitions", 409, problem_json,
      R"({"type":"https://dwt.dev/problems/illegal_transition","title":"Illegal transition",
        "status":409,"detail":"REQUESTED -> SUSPENDED is not allowed","code":"illegal_transition"})");
  EXPECT_TRUE(ok.empty()) << oa::join(ok);

  const auto otp = doc().check_response(
      "POST", "/network/v1/tokens/T1/verification/otp", 422, problem_json,
      R"({"type":"about:blank","title":"Wrong code","status":422,"detail":"try again",
        "code":"otp_incorrect","attemptsLeft":2})");
  EXPECT_TRUE(otp.empty()) << oa::join(otp);

  // Missing `code`.
  const auto missing = doc().check_response(
      "GET", "/v1/cards/c1", 404, problem_json,
      R"({"type":"about:blank","title":"Not found","status":404,"detail":"no such card"})");
  EXPECT_TRUE(mentions(missing, "missing required field 'code'")) << oa::join(missing);

  // A code that does not belong to the status.
  const auto wrong_code = doc().check_response(
      "GET", "/v1/cards/c1", 404, problem_json,
      R"({"type":"about:blank","title":"x","status":404,"detail":"x","code":"illegal_transition"})");
  EXPECT_TRUE(mentions(wrong_code, "$.code: value 'illegal_transition' not in enum"))
      << oa::join(wrong_code);

  // `status` in the body must repeat the HTTP status.
  const auto wrong_status = doc().check_response(
      "GET", "/v1/cards/c1", 404, problem_json,
      R"({"type":"about:blank","title":"x","status":400,"detail":"x","code":"card_not_found"})");
  EXPECT_TRUE(mentions(wrong_status, "$.status: value '400' not in enum"))
      << oa::join(wrong_status);

  // Errors are problem+json, not plain JSON.
  const auto plain = doc().check_response(
      "GET", "/v1/cards/c1", 404, json,
      R"({"type":"about:blank","title":"x","status":404,"detail":"x","code":"card_not_found"})");
  EXPECT_TRUE(mentions(plain, "not documented")) << oa::join(plain);
}

TEST_F(CheckResponse, MapFullOnWritesOnly) {
  // The body dwt-server sends when LMDB's map is full (actors/http problem()).
  const char* const body = R"({"type":"urn:dwt:problem:map_full","title":"Insufficient Storage",
    "status":507,"detail":"the database map is full and may not grow further","code":"map_full"})";
  const auto ok = doc().check_response("POST", "/v1/profiles", 507, problem_json, body);
  EXPECT_TRUE(ok.empty()) << oa::join(ok);
  const auto network =
      doc().check_response("POST", "/network/v1/tokenization-requests", 507, problem_json, body);
  EXPECT_TRUE(network.empty()) << oa::join(network);
  // Reads never write, so 507 is not theirs.
  const auto read = doc().check_response("GET", "/v1/cards/c1", 507, problem_json, body);
  EXPECT_FALSE(read.empty());
  // Only map_full, and the shape of every problem.
  const auto other = doc().check_response(
      "POST", "/v1/profiles", 507, problem_json,
      R"({"type":"x","title":"x","status":507,"detail":"x","code":"overloaded"})");
  EXPECT_TRUE(mentions(other, "$.code: value 'overloaded' not in enum")) << oa::join(other);
  const auto no_detail =
      doc().check_response("POST", "/v1/profiles", 507, problem_json,
                           R"({"type":"x","title":"x","status":507,"code":"map_full"})");
  EXPECT_TRUE(mentions(no_detail, "missing required field 'detail'")) << oa::join(no_detail);
}

TEST_F(CheckResponse, NoContentMeansNoBody) {
  const auto ok =
      doc().check_response("POST", "/v1/cards/c1/payment-tokens/T1/activation", 204, "", "");
  EXPECT_TRUE(ok.empty()) << oa::join(ok);
  const auto bad =
      doc().check_response("POST", "/v1/cards/c1/payment-tokens/T1/activation", 204, json, "{}");
  EXPECT_TRUE(mentions(bad, "documented without a body")) << oa::join(bad);
}

TEST_F(CheckResponse, TokenizationDecisions) {
  const auto approved = doc().check_response(
      "POST", "/network/v1/tokenization-requests", 200, json,
      R"({"decision":"REQUIRE_VERIFICATION","tokenUniqueReference":"T1","state":"REQUESTED",
        "verificationMethods":[{"type":"SMS_OTP","destination":"+44*******123"},
                               {"type":"IN_APP"}]})");
  EXPECT_TRUE(approved.empty()) << oa::join(approved);
  const auto bad = doc().check_response(
      "POST", "/network/v1/tokenization-requests", 200, json,
      R"({"decision":"REQUIRE_VERIFICATION","tokenUniqueReference":"T1","state":"REQUESTED",
        "verificationMethods":[{"type":"EMAIL_OTP"}]})");
  EXPECT_TRUE(mentions(bad, "$.verificationMethods[0].type: value 'EMAIL_OTP'")) << oa::join(bad);
}

TEST_F(CheckResponse, EventPageWithBothEventTypes) {
  const std::string transition_event =
      replace(transition_body, R"("channel": "NETWORK")",
              R"("channel": "NETWORK", "walletProvider": "GOOGLE_PAY")");
  const std::string body =
      std::string(R"({"data":[{"id":"evt_1","seq":1,"type":"DigitalWalletTokenTransition",
                   "timestamp":"2026-11-22T20:50:03.123Z","tokenUniqueReference":"T1","data":)") +
      transition_event + R"(},
      {"id":"evt_2","seq":2,"type":"cards#manual-provisioning-verification",
       "timestamp":"2026-11-22T20:50:04.000Z",
       "data":{"cardId":"card_123","last4":"1234",
               "provisioningRequestedAt":"2026-11-22T20:50:03.123Z",
               "walletProvider":"GOOGLE_PAY","tokenUniqueReference":"T1",
               "verificationMethod":"SMS_OTP"}}],
      "next":"2"})";
  const auto ok = doc().check_response("GET", "/v1/events?after=0&limit=10", 200, json, body);
  EXPECT_TRUE(ok.empty()) << oa::join(ok);

  // Event data matching neither event shape.
  const std::string broken = replace(body, R"("verificationMethod":"SMS_OTP")", R"("x":1)");
  const auto p = doc().check_response("GET", "/v1/events", 200, json, broken);
  EXPECT_TRUE(mentions(p, "$.data[1].data: matches none of the oneOf alternatives")) << oa::join(p);

  const auto no_next = doc().check_response("GET", "/v1/events", 200, json, R"({"data":[]})");
  EXPECT_TRUE(mentions(no_next, "missing required field 'next'")) << oa::join(no_next);
}

TEST_F(CheckResponse, WebhookBodiesViaCheckSchema) {
  const auto ok = doc().check_schema(
      "ManualVerificationWebhook",
      R"({"type":"cards#manual-provisioning-verification","timestamp":"2026-11-22T20:50:03Z",
        "data":{"cardId":"c","last4":"1234","provisioningRequestedAt":"2026-11-22T20:50:03Z",
                "walletProvider":"SAMSUNG_PAY","tokenUniqueReference":"T1",
                "verificationMethod":"IN_APP"}})");
  EXPECT_TRUE(ok.empty()) << oa::join(ok);
  const auto bad = doc().check_schema(
      "TransitionWebhook",
      std::string(R"({"type":"DigitalWalletTokenTransition","timestamp":"yesterday","data":)") +
          transition_body + "}");
  EXPECT_TRUE(mentions(bad, "is not an RFC 3339 date-time")) << oa::join(bad);
  EXPECT_TRUE(mentions(bad, "missing required field 'walletProvider'")) << oa::join(bad);
  EXPECT_FALSE(doc().check_schema("NoSuchSchema", "{}").empty());
}

TEST_F(CheckResponse, UnroutedRequests) {
  const char* not_found =
      R"({"type":"about:blank","title":"Not found","status":404,"detail":"x","code":"not_found"})";
  const auto unknown_path =
      doc().check_response("GET", "/v2/whatever", 404, problem_json, not_found);
  EXPECT_TRUE(unknown_path.empty()) << oa::join(unknown_path);

  const char* not_allowed = R"({"type":"about:blank","title":"Method not allowed","status":405,
                                "detail":"x","code":"method_not_allowed"})";
  const auto wrong_method =
      doc().check_response("DELETE", "/v1/cards/c1", 405, problem_json, not_allowed);
  EXPECT_TRUE(wrong_method.empty()) << oa::join(wrong_method);

  // A known path with an unsupported method must not answer 404 ...
  const auto p = doc().check_response("DELETE", "/v1/cards/c1", 404, problem_json, not_found);
  EXPECT_TRUE(mentions(p, "status 404 is not documented")) << oa::join(p);
  // ... nor an unknown path 200.
  const auto q = doc().check_response("GET", "/v2/whatever", 200, json, "{}");
  EXPECT_FALSE(q.empty());
}

TEST_F(CheckResponse, OperationsEndpoints) {
  const auto metrics =
      doc().check_response("GET", "/metrics", 200, "text/plain; version=0.0.4; charset=utf-8",
                           "# TYPE dwt_up gauge\ndwt_up 1\n");
  EXPECT_TRUE(metrics.empty()) << oa::join(metrics);
  const auto health = doc().check_response("GET", "/healthz", 200, json, R"({"status":"ok"})");
  EXPECT_TRUE(health.empty()) << oa::join(health);
}

} // namespace
