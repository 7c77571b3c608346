// The OpenAPI document parses and describes every route of docs/API.md with the
// right security, the idempotency headers and both webhooks.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "openapi_testkit.hpp"

namespace {

namespace oa = dwt::openapi_testkit;

/// The contract: every route of docs/API.md with the scheme that guards it.
struct route {
  const char* method;
  const char* path;
  const char* security; // "" = unauthenticated
  int success;          // the documented success status
};

const std::vector<route>& api_md_routes() {
  static const std::vector<route> routes = {
      // Network-facing.
      {"POST", "/network/v1/tokenization-requests", "networkKey", 200},
      {"POST", "/network/v1/tokens/{tokenUniqueReference}/verification", "networkKey", 202},
      {"POST", "/network/v1/tokens/{tokenUniqueReference}/verification/otp", "networkKey", 200},
      {"POST", "/network/v1/tokens/{tokenUniqueReference}/verification/resend", "networkKey", 202},
      {"POST", "/network/v1/tokens/{tokenUniqueReference}/events", "networkKey", 200},
      {"GET", "/network/v1/tokens/{tokenUniqueReference}", "networkKey", 200},
      // Partner-facing.
      {"POST", "/v1/profiles", "partnerKey", 201},
      {"PATCH", "/v1/profiles/{id}", "partnerKey", 200},
      {"GET", "/v1/profiles/{id}", "partnerKey", 200},
      {"POST", "/v1/cards", "partnerKey", 201},
      {"GET", "/v1/cards/{cardId}", "partnerKey", 200},
      {"POST", "/v1/cards/{cardId}/state", "partnerKey", 200},
      {"GET", "/v1/cards/{cardId}/digital-wallet-tokens", "partnerKey", 200},
      {"POST", "/v1/cards/{cardId}/digital-wallet-tokens", "partnerKey", 201},
      {"POST", "/v1/cards/{cardId}/digital-wallet-token-transitions", "partnerKey", 201},
      {"POST", "/v1/cards/{cardId}/payment-tokens/{tokenUniqueReference}/activation", "partnerKey",
       204},
      {"GET", "/v1/digital-wallet-tokens/{tokenUniqueReference}", "partnerKey", 200},
      {"GET", "/v1/digital-wallet-tokens/{tokenUniqueReference}/transitions", "partnerKey", 200},
      {"GET", "/v1/events", "partnerKey", 200},
      // Operations.
      {"GET", "/healthz", "", 200},
      {"GET", "/readyz", "", 200},
      {"GET", "/metrics", "", 200},
  };
  return routes;
}

class OpenApiDocument : public ::testing::Test {
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

oa::load_result* OpenApiDocument::loaded_ = nullptr;

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool contains(const std::vector<int>& v, int s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(OpenApiLoad, MissingFileIsAnErrorValue) {
  const auto r = oa::load("/nonexistent/openapi.yaml");
  EXPECT_FALSE(r.doc.has_value());
  EXPECT_FALSE(r.error.empty());
}

TEST(OpenApiLoad, BrokenDocumentsAreErrorValues) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("dwt_openapi_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  const struct {
    const char* name;
    const char* text;
  } cases[] = {
      {"syntax.yaml", "openapi: 3.0.3\npaths: {/v1/x: [\n"},
      {"not_openapi.yaml", "swagger: '2.0'\npaths: {}\n"},
      {"no_paths.yaml", "openapi: 3.0.3\ninfo: {title: x}\n"},
      {"no_responses.yaml", "openapi: 3.0.3\npaths:\n  /x:\n    get: {operationId: x}\n"},
      {"dangling_ref.yaml",
       "openapi: 3.0.3\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n"
       "          $ref: '#/components/responses/Nope'\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto file = dir / c.name;
    std::ofstream(file) << c.text;
    const auto r = oa::load(file);
    EXPECT_FALSE(r.doc.has_value());
    EXPECT_FALSE(r.error.empty());
  }
  std::filesystem::remove_all(dir);
}

TEST_F(OpenApiDocument, Parses) {
  EXPECT_GE(doc().operations().size(), api_md_routes().size());
}

TEST_F(OpenApiDocument, EveryApiMdRouteIsDocumentedWithItsSecurity) {
  for (const auto& r : api_md_routes()) {
    SCOPED_TRACE(std::string(r.method) + " " + r.path);
    const oa::operation* op = doc().find(r.method, r.path);
    ASSERT_NE(op, nullptr) << "route missing from docs/openapi.yaml";
    EXPECT_EQ(op->security, r.security);
    EXPECT_TRUE(contains(op->statuses, r.success));
    EXPECT_FALSE(op->operation_id.empty());
  }
}

/// The Mastercard MDES issuer services (default context root `/mdes`): a
/// network's own protocol, authenticated with the network key, answering in
/// MDES's error shape, made idempotent by MDES's own ids (`requestId`,
/// `correlationId`) rather than an `Idempotency-Key`.
bool is_mdes_service(const oa::operation& op) {
  return op.path.rfind("/mdes/", 0) == 0;
}

TEST_F(OpenApiDocument, NoUndocumentedExtraRoutesUnderTheContractPrefixes) {
  // Every documented operation is either in docs/API.md or a later addition that
  // is still authenticated by the right scheme for its prefix.
  for (const auto& op : doc().operations()) {
    SCOPED_TRACE(op.method + " " + op.path);
    if (op.path.rfind("/network/v1/", 0) == 0 || is_mdes_service(op)) {
      EXPECT_EQ(op.security, "networkKey");
    } else if (op.path.rfind("/v1/", 0) == 0) {
      EXPECT_EQ(op.security, "partnerKey");
    } else {
      EXPECT_EQ(op.security, "");
    }
  }
}

TEST_F(OpenApiDocument, AuthenticatedRoutesDocumentTheCommonErrors) {
  for (const auto& op : doc().operations()) {
    if (op.security.empty()) {
      continue;
    }
    SCOPED_TRACE(op.method + " " + op.path);
    for (int s : {401, 431, 503}) {
      EXPECT_TRUE(contains(op.statuses, s)) << "status " << s;
    }
    if (is_mdes_service(op)) {
      // No 429 (a rule such as velocity is a DECLINED decision) and no
      // Idempotency-Key answers (409/422): MDES's ids make retries safe.
      EXPECT_TRUE(contains(op.statuses, 400));
      EXPECT_TRUE(contains(op.statuses, 413));
      continue;
    }
    EXPECT_TRUE(contains(op.statuses, 429)) << "status 429";
    if (op.method == "POST" || op.method == "PATCH") {
      EXPECT_TRUE(contains(op.statuses, 400));
      EXPECT_TRUE(contains(op.statuses, 413));
    }
    if (op.method == "POST") {
      // Idempotency: invalid key, key in progress, key reused.
      EXPECT_TRUE(contains(op.statuses, 409));
      EXPECT_TRUE(contains(op.statuses, 422));
    }
    if (op.path.find('{') != std::string::npos) {
      EXPECT_TRUE(contains(op.statuses, 404));
    }
  }
}

TEST_F(OpenApiDocument, EveryPostDocumentsIdempotencyHeaders) {
  int posts = 0;
  for (const auto& op : doc().operations()) {
    if (op.method != "POST" || is_mdes_service(op)) {
      continue;
    }
    ++posts;
    SCOPED_TRACE(op.path);
    EXPECT_TRUE(contains(op.request_headers, "Idempotency-Key"));
    bool replay_header_on_success = false;
    for (const auto& [status, headers] : op.response_headers) {
      if (status >= 200 && status < 300) {
        replay_header_on_success = contains(headers, "Idempotent-Replayed");
      }
    }
    EXPECT_TRUE(replay_header_on_success);
  }
  EXPECT_GE(posts, 11); // the 11 POST routes of docs/API.md, plus any added later
}

TEST_F(OpenApiDocument, RetryAfterOnOverload) {
  const oa::operation* op = doc().find("GET", "/v1/cards/{cardId}");
  ASSERT_NE(op, nullptr);
  for (const auto& [status, headers] : op->response_headers) {
    if (status == 429 || status == 503) {
      EXPECT_TRUE(contains(headers, "Retry-After")) << status;
    }
  }
}

TEST_F(OpenApiDocument, EveryWebhookWithStandardWebhooksHeaders) {
  const std::set<std::string> expected = {"DigitalWalletTokenTransition",
                                          "cards#manual-provisioning-verification",
                                          "tokens#network-sync-failed"};
  std::set<std::string> seen;
  for (const auto& w : doc().webhooks()) {
    seen.insert(w.type);
    SCOPED_TRACE(w.type);
    for (const char* h : {"webhook-id", "webhook-timestamp", "webhook-signature"}) {
      EXPECT_TRUE(contains(w.required_headers, h)) << h;
    }
    EXPECT_FALSE(w.body_schema.empty());
  }
  EXPECT_EQ(seen, expected);
}

TEST_F(OpenApiDocument, MatchResolvesConcretePaths) {
  struct probe {
    const char* method;
    const char* concrete;
    const char* templ;
  };
  const probe probes[] = {
      {"GET", "/v1/cards/card_123/digital-wallet-tokens",
       "/v1/cards/{cardId}/digital-wallet-tokens"},
      {"post", "/v1/cards/card_123/digital-wallet-tokens",
       "/v1/cards/{cardId}/digital-wallet-tokens"},
      {"GET", "/v1/cards/card_123", "/v1/cards/{cardId}"},
      {"POST", "/v1/cards", "/v1/cards"},
      {"POST", "/v1/cards/c1/payment-tokens/DWSPMC000123/activation",
       "/v1/cards/{cardId}/payment-tokens/{tokenUniqueReference}/activation"},
      {"GET", "/v1/events?after=abc&limit=5", "/v1/events"},
      {"PATCH", "/v1/profiles/prof_1", "/v1/profiles/{id}"},
      {"POST", "/network/v1/tokens/T1/verification/otp",
       "/network/v1/tokens/{tokenUniqueReference}/verification/otp"},
  };
  for (const auto& p : probes) {
    SCOPED_TRACE(std::string(p.method) + " " + p.concrete);
    const oa::operation* op = doc().match(p.method, p.concrete);
    ASSERT_NE(op, nullptr);
    EXPECT_EQ(op->path, p.templ);
  }
  EXPECT_EQ(doc().match("DELETE", "/v1/cards/card_123"), nullptr);
  EXPECT_EQ(doc().match("GET", "/v1/cards/card_123/nope"), nullptr);
  EXPECT_EQ(doc().match("GET", "/v1/cards//digital-wallet-tokens"), nullptr);
  EXPECT_EQ(doc().match("GET", "/v1/nowhere"), nullptr);
}

} // namespace
