/// OAuth 1.0a pieces on their own: RFC 5849 §3.6 encoding, the base string
/// URI and parameter rules (with the RFC's own example), header parsing,
/// and every way a verification must fail.

#include <string>

#include <gtest/gtest.h>

#include "dwt/engine/random.hpp"
#include "dwt/networks/keys.hpp"
#include "dwt/networks/oauth1.hpp"
#include "support.hpp"

namespace dwt::networks::oauth1 {
namespace {

using test::code;

TEST(OAuth1, PercentEncodingKeepsOnlyUnreserved) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b+c/d=e&f%"), "a%20b%2Bc%2Fd%3De%26f%25");
  EXPECT_EQ(percent_encode("\xc3\xa9\x01\x7f"), "%C3%A9%01%7F");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(OAuth1, BaseStringUriRules) {
  auto uri = [](std::string_view url) {
    auto r = base_string_uri(url);
    return r ? *r : "error:" + std::string{to_code(code(r))};
  };
  // RFC 5849 §3.4.1.2's examples.
  EXPECT_EQ(uri("HTTP://EXAMPLE.COM:80/r%20v/X?id=123"), "http://example.com/r%20v/X");
  EXPECT_EQ(uri("https://www.example.net:8080/?q=1"), "https://www.example.net:8080/");
  EXPECT_EQ(uri("https://example.com:443/a"), "https://example.com/a");
  EXPECT_EQ(uri("http://example.com:443/a"), "http://example.com:443/a");
  EXPECT_EQ(uri("https://example.com:80/a"), "https://example.com:80/a");
  EXPECT_EQ(uri("http://example.com"), "http://example.com/");
  EXPECT_EQ(uri("http://example.com?x=1#frag"), "http://example.com/");
  EXPECT_EQ(uri("http://[::1]:8082/mdes"), "http://[::1]:8082/mdes");
  EXPECT_EQ(uri("http://127.0.0.1:8082/mdes/csapi/v2/token/suspend?Format=JSON"),
            "http://127.0.0.1:8082/mdes/csapi/v2/token/suspend");
  for (const char* bad :
       {"/relative", "ftp://example.com/", "http://user@example.com/", "http://example.com:0/",
        "http://example.com:65536/", "http://example.com:/", "http://[::1]:/", "http://[::1]x/",
        "http:///path", "http://exa mple.com/", "http://example.com/a b", "http://example.com/%zz",
        "http://example.com/%4", "http://example.com/?a=\"", "http://[::1/"}) {
    EXPECT_EQ(uri(bad), "error:invalid_url") << bad;
  }
  EXPECT_EQ(uri(std::string(limits::max_url_bytes + 1, 'a')), "error:invalid_url");
}

TEST(OAuth1, QueryParametersAreFormDecoded) {
  auto q = query_parameters("http://h/p?b=2&a=x+y&c=%7E%2F&d&&e=");
  ASSERT_TRUE(static_cast<bool>(q));
  const std::vector<parameter> expected = {
      {"b", "2"}, {"a", "x y"}, {"c", "~/"}, {"d", ""}, {"e", ""}};
  EXPECT_EQ(*q, expected);
  EXPECT_EQ(code(query_parameters("http://h/p?oauth_signature=x")), errc::invalid_url);
  std::string many = "http://h/p?";
  for (std::size_t i = 0; i <= limits::max_parameters; ++i)
    many += "a=1&";
  EXPECT_EQ(code(query_parameters(many)), errc::invalid_url);
}

TEST(OAuth1, NormalisationSortsEncodedNamesThenValues) {
  // RFC 5849 §3.4.1.3.2's example.
  const std::vector<parameter> params = {{"b5", "=%3D"},
                                         {"a3", "a"},
                                         {"c@", ""},
                                         {"a2", "r b"},
                                         {"oauth_consumer_key", "9djdj82h48djs9d2"},
                                         {"oauth_token", "kkk9d7dh3k39sjv7"},
                                         {"oauth_signature_method", "HMAC-SHA1"},
                                         {"oauth_timestamp", "137131201"},
                                         {"oauth_nonce", "7d8f3e4a"},
                                         {"c2", ""},
                                         {"a3", "2 q"}};
  EXPECT_EQ(normalize_parameters(params),
            "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2"
            "&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201"
            "&oauth_token=kkk9d7dh3k39sjv7");
}

TEST(OAuth1, BaseStringOfTheRfcExampleRequest) {
  // RFC 5849 §3.4.1.1 (its body parameters c2 and a3=2 q moved to the
  // query, where this module reads them).
  auto base = signature_base_string(
      "post", "HTTP://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b&c2=&a3=2+q",
      {{"oauth_consumer_key", "9djdj82h48djs9d2"},
       {"oauth_token", "kkk9d7dh3k39sjv7"},
       {"oauth_signature_method", "HMAC-SHA1"},
       {"oauth_timestamp", "137131201"},
       {"oauth_nonce", "7d8f3e4a"},
       {"oauth_signature", "ignored"}});
  ASSERT_TRUE(static_cast<bool>(base));
  EXPECT_EQ(*base, "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q"
                   "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_"
                   "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m"
                   "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk"
                   "9d7dh3k39sjv7");
  EXPECT_EQ(code(signature_base_string("PO ST", "http://h/", {})), errc::invalid_field);
  EXPECT_EQ(code(signature_base_string("", "http://h/", {})), errc::invalid_field);
}

TEST(OAuth1, BodyHashIsBase64Sha256) {
  EXPECT_EQ(body_hash(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(body_hash("abc"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}

TEST(OAuth1, NonceIsFreshHexFromTheInjectedSource) {
  engine::seeded_random a{7};
  engine::seeded_random b{7};
  const auto n1 = make_nonce(a);
  EXPECT_EQ(n1.size(), 32U);
  EXPECT_EQ(n1, make_nonce(b)); // the same seed, the same nonce: no hidden randomness
  EXPECT_NE(n1, make_nonce(a));
}

TEST(OAuth1, ParseAuthorizationHeader) {
  auto a = parse_authorization(
      R"(OAuth realm="x", oauth_consumer_key="ck%21",oauth_nonce="n", )"
      R"(oauth_signature="c2ln%2B%2F%3D",oauth_signature_method="RSA-SHA256",)"
      R"(oauth_timestamp="123",oauth_version="1.0",oauth_body_hash="aA%3D%3D")");
  ASSERT_TRUE(static_cast<bool>(a)) << to_string(code(a));
  EXPECT_EQ(a->consumer_key, "ck!");
  EXPECT_EQ(a->signature, "c2ln+/=");
  EXPECT_EQ(a->timestamp, 123U);
  EXPECT_EQ(a->body_hash, "aA==");
  EXPECT_EQ(a->params.size(), 7U); // realm is not a signed parameter

  const std::string good_tail = R"(oauth_nonce="n",oauth_signature="s",)"
                                R"(oauth_signature_method="RSA-SHA256",oauth_timestamp="1",)"
                                R"(oauth_body_hash="h")";
  EXPECT_TRUE(
      static_cast<bool>(parse_authorization("oauth oauth_consumer_key=\"k\"," + good_tail)));
  for (const std::string& bad : std::vector<std::string>{
           std::string{"Bearer x"},
           std::string{"OAuth"},
           "OAuthoauth_consumer_key=\"k\"," + good_tail,
           "OAuth oauth_consumer_key=k," + good_tail,
           "OAuth oauth_consumer_key=\"k," + good_tail,
           "OAuth oauth_consumer_key=\"k\" " + good_tail,
           "OAuth oauth_consumer_key=\"%zz\"," + good_tail,
           "OAuth oauth_consumer_key=\"k\",oauth_consumer_key=\"k\"," + good_tail,
           "OAuth other=\"k\",oauth_consumer_key=\"k\"," + good_tail,
           "OAuth " + good_tail,
           "OAuth oauth_consumer_key=\"\"," + good_tail,
           "OAuth oauth_consumer_key=\"k\",oauth_version=\"2.0\"," + good_tail,
           R"(OAuth oauth_consumer_key="k",oauth_nonce="n",oauth_signature="s",)"
           R"(oauth_signature_method="RSA-SHA256",oauth_timestamp="1x",oauth_body_hash="h")",
           R"(OAuth oauth_consumer_key="k",oauth_nonce="n",oauth_signature="s",)"
           R"(oauth_signature_method="RSA-SHA256",oauth_timestamp="1")",
           "OAuth oauth_consumer_key=\"" + std::string(limits::max_header_bytes, 'k') + "\"," +
               good_tail,
       }) {
    EXPECT_EQ(code(parse_authorization(bad)), errc::invalid_authorization) << bad;
  }
}

class OAuth1Sign : public ::testing::Test {
protected:
  void SetUp() override {
    auto k = load_private_key(test::dev_key("mdes-oauth.key.pem"));
    auto p = load_public_key(test::dev_key("mdes-oauth.pub.pem"));
    auto other = load_public_key(test::dev_key("mdes-network-fle.pub.pem"));
    ASSERT_TRUE(k && p && other);
    key_ = std::move(*k);
    pub_ = std::move(*p);
    other_ = std::move(*other);
  }

  std::string sign(const request& r, std::string_view nonce = "nonce-1") {
    auto h = authorization_header(r, {"consumer", nonce, 1765130400}, *key_);
    EXPECT_TRUE(static_cast<bool>(h)) << to_string(code(h));
    return h ? *h : std::string{};
  }

  pkey_ptr key_;
  pkey_ptr pub_;
  pkey_ptr other_;
};

constexpr std::string_view suspend_url =
    "https://api.example/mdes/csapi/v2/token/suspend?Format=JSON";
constexpr std::string_view suspend_body =
    R"({"TokenSuspendRequest":{"TokenUniqueReference":"T1"}})";

TEST_F(OAuth1Sign, HeaderHasEveryProtocolParameterInNameOrder) {
  const auto h = sign({"POST", suspend_url, suspend_body});
  EXPECT_TRUE(h.starts_with("OAuth oauth_body_hash=\""));
  const auto pos = [&h](std::string_view s) { return h.find(s); };
  EXPECT_LT(pos("oauth_body_hash="), pos("oauth_consumer_key=\"consumer\""));
  EXPECT_LT(pos("oauth_consumer_key="), pos("oauth_nonce=\"nonce-1\""));
  EXPECT_LT(pos("oauth_nonce="), pos("oauth_signature=\""));
  EXPECT_LT(pos("oauth_signature="), pos("oauth_signature_method=\"RSA-SHA256\""));
  EXPECT_LT(pos("oauth_signature_method="), pos("oauth_timestamp=\"1765130400\""));
  EXPECT_LT(pos("oauth_timestamp="), pos("oauth_version=\"1.0\""));
  EXPECT_EQ(h.find(' ', 6), std::string::npos); // no white space between parameters
  auto ok = verify(h, {"POST", suspend_url, suspend_body}, *pub_);
  ASSERT_TRUE(static_cast<bool>(ok)) << to_string(code(ok));
  EXPECT_EQ(ok->consumer_key, "consumer");
  EXPECT_EQ(ok->timestamp, 1765130400U);
  EXPECT_EQ(ok->body_hash, body_hash(suspend_body));
}

TEST_F(OAuth1Sign, EquivalentUrlsVerify) {
  const auto h = sign({"POST", suspend_url, suspend_body});
  // Host case and the default port do not change the base string.
  EXPECT_TRUE(static_cast<bool>(verify(
      h, {"post", "https://API.EXAMPLE:443/mdes/csapi/v2/token/suspend?Format=JSON", suspend_body},
      *pub_)));
}

TEST_F(OAuth1Sign, EveryChangeFailsVerification) {
  const auto h = sign({"POST", suspend_url, suspend_body});
  auto fails = [&](const request& r) { return code(verify(h, r, *pub_)); };
  EXPECT_EQ(fails({"POST", suspend_url, std::string{suspend_body} + " "}),
            errc::body_hash_mismatch);
  EXPECT_EQ(fails({"PUT", suspend_url, suspend_body}), errc::signature_mismatch);
  EXPECT_EQ(
      fails({"POST", "https://api.example/mdes/csapi/v2/token/delete?Format=JSON", suspend_body}),
      errc::signature_mismatch);
  EXPECT_EQ(
      fails({"POST", "https://api.example/mdes/csapi/v2/token/suspend?Format=XML", suspend_body}),
      errc::signature_mismatch);
  EXPECT_EQ(fails({"POST", "https://api.example/mdes/csapi/v2/token/suspend", suspend_body}),
            errc::signature_mismatch);
  EXPECT_EQ(
      fails({"POST", "http://api.example/mdes/csapi/v2/token/suspend?Format=JSON", suspend_body}),
      errc::signature_mismatch);
  EXPECT_EQ(fails({"POST", "https://api.example:8443/mdes/csapi/v2/token/suspend?Format=JSON",
                   suspend_body}),
            errc::signature_mismatch);
  EXPECT_EQ(code(verify(h, {"POST", suspend_url, suspend_body}, *other_)),
            errc::signature_mismatch);

  // A changed protocol parameter in the header.
  auto changed = h;
  changed.replace(changed.find("nonce-1"), 7, "nonce-2");
  EXPECT_EQ(code(verify(changed, {"POST", suspend_url, suspend_body}, *pub_)),
            errc::signature_mismatch);
  changed = h;
  changed.replace(changed.find("1765130400"), 10, "1765130401");
  EXPECT_EQ(code(verify(changed, {"POST", suspend_url, suspend_body}, *pub_)),
            errc::signature_mismatch);
  // Another signature method.
  changed = h;
  changed.replace(changed.find("RSA-SHA256"), 10, "HMAC-SHA1");
  EXPECT_EQ(code(verify(changed, {"POST", suspend_url, suspend_body}, *pub_)),
            errc::unsupported_signature_method);
  // A signature that is not base64.
  changed = h;
  const auto sig = changed.find("oauth_signature=\"") + 17;
  changed.replace(sig, 3, "%21");
  EXPECT_EQ(code(verify(changed, {"POST", suspend_url, suspend_body}, *pub_)),
            errc::invalid_authorization);
}

TEST_F(OAuth1Sign, RefusesBadInputs) {
  auto err = [&](const request& r, const credentials& c) {
    return code(authorization_header(r, c, *key_));
  };
  EXPECT_EQ(err({"POST", "not a url", suspend_body}, {"ck", "n", 1}), errc::invalid_url);
  EXPECT_EQ(err({"POST", suspend_url, suspend_body}, {"", "n", 1}), errc::invalid_field);
  EXPECT_EQ(err({"POST", suspend_url, suspend_body}, {"ck", "", 1}), errc::invalid_field);
  EXPECT_EQ(err({"POST", suspend_url, suspend_body}, {"ck", "n\n", 1}), errc::invalid_field);
  EXPECT_EQ(
      err({"POST", suspend_url, suspend_body}, {"ck", std::string(limits::max_nonce + 1, 'n'), 1}),
      errc::invalid_field);
  const std::string big(limits::max_body_bytes + 1, 'x');
  EXPECT_EQ(err({"POST", suspend_url, big}, {"ck", "n", 1}), errc::invalid_field);
  // A public key cannot sign.
  EXPECT_EQ(code(authorization_header({"POST", suspend_url, suspend_body}, {"ck", "n", 1}, *pub_)),
            errc::sign_failed);
}

} // namespace
} // namespace dwt::networks::oauth1
