/// Known-answer tests of OAuth 1.0a RSA-SHA256 signing against an
/// independent implementation (Debian's python3-oauthlib, through
/// vectors/oauth_vectors.py): the committed cases it signed (our base
/// string and signature must equal its own: RSASSA-PKCS1-v1_5 is
/// deterministic), its headers verified by us, and ours verified by it now.

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "dwt/engine/crypto.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/networks/keys.hpp"
#include "dwt/networks/mdes/customer_service.hpp"
#include "dwt/networks/oauth1.hpp"
#include "support.hpp"

namespace dwt::networks::oauth1 {
namespace {

using test::code;

boost::json::array cases() {
  auto v = boost::json::parse(test::read_file(test::vectors_dir() / "oauth_vectors.json"));
  return v.as_object().at("cases").as_array();
}

std::string str(const boost::json::object& o, std::string_view name) {
  return std::string{o.at(name).as_string()};
}

pkey_ptr signing_key() {
  auto key = load_private_key(test::dev_key("mdes-oauth.key.pem"));
  EXPECT_TRUE(static_cast<bool>(key));
  return key ? std::move(*key) : pkey_ptr{};
}

pkey_ptr verify_key() {
  auto key = load_public_key(test::dev_key("mdes-oauth.pub.pem"));
  EXPECT_TRUE(static_cast<bool>(key));
  return key ? std::move(*key) : pkey_ptr{};
}

/// Our parameters for a case, in the order our header lists them.
std::vector<parameter> our_params(const boost::json::object& c) {
  return {{"oauth_body_hash", body_hash(str(c, "body"))},
          {"oauth_consumer_key", str(c, "consumerKey")},
          {"oauth_nonce", str(c, "nonce")},
          {"oauth_signature_method", "RSA-SHA256"},
          {"oauth_timestamp", std::to_string(c.at("timestamp").to_number<std::uint64_t>())},
          {"oauth_version", "1.0"}};
}

TEST(OAuthKnownAnswer, CommittedCasesGiveOurBaseStringSignatureAndVerify) {
  const auto key = signing_key();
  const auto pub = verify_key();
  ASSERT_TRUE(key && pub);
  const auto list = cases();
  ASSERT_EQ(list.size(), 5U);
  for (const auto& v : list) {
    const auto& c = v.as_object();
    SCOPED_TRACE(str(c, "name"));
    const auto method = str(c, "method");
    const auto url = str(c, "url");
    const auto body = str(c, "body");
    auto base = signature_base_string(method, url, our_params(c));
    ASSERT_TRUE(static_cast<bool>(base)) << to_string(code(base));
    EXPECT_EQ(*base, str(c, "baseString"));

    auto header = authorization_header(
        {method, url, body},
        {str(c, "consumerKey"), str(c, "nonce"), c.at("timestamp").to_number<std::uint64_t>()},
        *key);
    ASSERT_TRUE(static_cast<bool>(header)) << to_string(code(header));
    auto ours = parse_authorization(*header);
    ASSERT_TRUE(static_cast<bool>(ours));
    EXPECT_EQ(ours->signature, str(c, "signature"));

    // Python's header (its own order and spacing) verifies with our verifier.
    auto theirs = verify(str(c, "authorization"), {method, url, body}, *pub);
    ASSERT_TRUE(static_cast<bool>(theirs)) << to_string(code(theirs));
    EXPECT_EQ(theirs->consumer_key, str(c, "consumerKey"));
    EXPECT_EQ(theirs->nonce, str(c, "nonce"));
    // ... and not for another body.
    EXPECT_EQ(code(verify(str(c, "authorization"), {method, url, body + " "}, *pub)),
              errc::body_hash_mismatch);
  }
}

TEST(OAuthKnownAnswer, PythonVerifiesOurHeadersNow) {
  const auto key = signing_key();
  ASSERT_TRUE(key);
  engine::seeded_random rng{21};
  struct input {
    const char* method;
    const char* url;
    const char* body;
  };
  for (
      const auto& in : {
          input{
              "POST", "http://127.0.0.1:8082/mdes/csapi/v2/token/suspend?Format=JSON",
              R"({"TokenSuspendRequest":{"TokenUniqueReference":"DWSPMC1","ReasonCode":"OTHER"}})"},
          input{"POST", "https://HOST.example:443/mdes/csapi/v2/token/update?Format=JSON&x=a+b%2Fc",
                "{}"},
          input{"DELETE", "https://host.example:9443/p%7Eath/%C3%A9?z=1&a=%E2%98%83", ""},
      }) {
    SCOPED_TRACE(in.url);
    const auto nonce = make_nonce(rng);
    auto header = authorization_header({in.method, in.url, in.body},
                                       {"consumer!key/with=chars", nonce, 1765130500}, *key);
    ASSERT_TRUE(static_cast<bool>(header)) << to_string(code(header));
    boost::json::object req{
        {"method", in.method}, {"url", in.url}, {"body", in.body}, {"authorization", *header}};
    auto r = test::run_oauth_script("verify --pub '" +
                                        test::dev_key("mdes-oauth.pub.pem").string() + "'",
                                    boost::json::serialize(req));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out, "ok\n");
    // The same header over a changed URL does not verify in Python either:
    // the check can fail.
    req["url"] =
        std::string{in.url} +
        (std::string_view{in.url}.find('?') == std::string_view::npos ? "?extra=1" : "&extra=1");
    r = test::run_oauth_script("verify --pub '" + test::dev_key("mdes-oauth.pub.pem").string() +
                                   "'",
                               boost::json::serialize(req));
    EXPECT_EQ(r.exit_code, 1) << r.out;
  }
}

TEST(OAuthKnownAnswer, WeVerifyWhatPythonSignsNow) {
  const auto pub = verify_key();
  ASSERT_TRUE(pub);
  boost::json::object c{{"method", "POST"},
                        {"url", "https://api.example/mdes/csapi/v2/token/delete?Format=JSON"},
                        {"body", R"({"TokenDeleteRequest":{"TokenUniqueReference":"T-9"}})"},
                        {"consumerKey", "fresh-key"},
                        {"nonce", "fresh-nonce-42"},
                        {"timestamp", 1765130999}};
  auto r =
      test::run_oauth_script("sign --key '" + test::dev_key("mdes-oauth.key.pem").string() + "'",
                             boost::json::serialize(c));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto out = boost::json::parse(r.out).as_object();
  auto base = signature_base_string(str(c, "method"), str(c, "url"), our_params(c));
  ASSERT_TRUE(static_cast<bool>(base));
  EXPECT_EQ(*base, str(out, "baseString"));
  auto ok =
      verify(str(out, "authorization"), {str(c, "method"), str(c, "url"), str(c, "body")}, *pub);
  ASSERT_TRUE(static_cast<bool>(ok)) << to_string(code(ok));
  EXPECT_EQ(ok->timestamp, 1765130999U);
  EXPECT_EQ(code(verify(str(out, "authorization"), {"PUT", str(c, "url"), str(c, "body")}, *pub)),
            errc::signature_mismatch);
}

TEST(OAuthKnownAnswer, ACustomerServiceCallAsTheDispatcherWillMakeItVerifiesInPython) {
  // Body, URL and signature together, for every operation.
  const auto key = signing_key();
  ASSERT_TRUE(key);
  engine::seeded_random rng{2121};
  mdes::token_lifecycle_request req;
  req.token_unique_reference = "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45";
  req.reason_code = "CUSTOMER_REQUEST";
  req.comment_text = "caf\u00e9 \"quoted\" & more";
  req.audit = {"partner-7", "Example Partner", "Example Bank", ""};
  for (auto op : {mdes::cs_operation::suspend, mdes::cs_operation::unsuspend,
                  mdes::cs_operation::delete_token, mdes::cs_operation::update}) {
    SCOPED_TRACE(std::string{mdes::path_of(op)});
    auto url = mdes::cs_url("http://127.0.0.1:8082/mdes/", op);
    ASSERT_TRUE(static_cast<bool>(url));
    std::string body;
    if (op == mdes::cs_operation::update) {
      mdes::token_update_request update;
      update.base = req;
      update.new_account_pan = secret_bytes::copy_of("5204740000001002");
      update.expiration_date = "0331";
      auto rendered = mdes::render_cs_update_request(update);
      ASSERT_TRUE(static_cast<bool>(rendered));
      body = std::string{rendered->view()};
    } else {
      auto rendered = mdes::render_cs_request(op, req);
      ASSERT_TRUE(static_cast<bool>(rendered));
      body = *rendered;
    }
    auto header =
        authorization_header({"POST", *url, body}, {"dwt-dev", make_nonce(rng), 1765130600}, *key);
    ASSERT_TRUE(static_cast<bool>(header));
    const boost::json::object call{
        {"method", "POST"}, {"url", *url}, {"body", body}, {"authorization", *header}};
    auto r = test::run_oauth_script("verify --pub '" +
                                        test::dev_key("mdes-oauth.pub.pem").string() + "'",
                                    boost::json::serialize(call));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out, "ok\n");
  }
}

} // namespace
} // namespace dwt::networks::oauth1
