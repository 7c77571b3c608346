// Request helpers without a server: JSON bodies, typed fields, idempotency
// keys and fingerprints, the metrics text format, access log lines.
#include <limits>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "dwt/http/access_log.hpp"
#include "dwt/http/auth.hpp"
#include "dwt/http/body.hpp"
#include "dwt/http/idempotency.hpp"
#include "dwt/http/metrics.hpp"

namespace dwt::http {
namespace {

enum class wallet { apple, google };

boost::json::object problem_body(const response& r) {
  return boost::json::parse(r.body).as_object();
}

TEST(HttpBody, MalformedJsonIs400) {
  for (std::string_view bad : {"", "{", "[1,2]", "\"pan\"", "{\"a\":1} x"}) {
    auto parsed = parse_json_object(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().status, 400u);
    EXPECT_EQ(problem_body(parsed.error()).at("code").as_string(), "malformed_json");
  }
  EXPECT_TRUE(parse_json_object(R"({"a":1})").ok());
}

TEST(HttpBody, TypedFieldsNameTheField) {
  auto obj = parse_json_object(
      R"({"pan":"4111","expiryMonth":12,"walletProvider":"APPLE_PAY","device":{"id":"d1","type":"TOASTER"}})");
  ASSERT_TRUE(obj.ok());
  field_reader f{*obj};
  EXPECT_EQ(f.required_string("pan"), std::optional<std::string>{"4111"});
  EXPECT_EQ(f.required_int("expiryMonth", 1, 12), std::optional<std::int64_t>{12});
  EXPECT_EQ(f.required_enum<wallet>("walletProvider",
                                    {{"APPLE_PAY", wallet::apple}, {"GOOGLE_PAY", wallet::google}}),
            std::optional<wallet>{wallet::apple});
  EXPECT_EQ(f.optional_string("cvc"), std::nullopt);
  EXPECT_TRUE(f.ok());
  auto device = f.required_object("device");
  ASSERT_TRUE(device.has_value());
  EXPECT_EQ(device->required_string("id"), std::optional<std::string>{"d1"});
  (void)device->required_enum<int>("type", {{"PHONE", 0}, {"WATCH", 1}});
  auto failure = f.failure();
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->status, 400u);
  auto body = problem_body(*failure);
  EXPECT_EQ(body.at("code").as_string(), "invalid_request");
  EXPECT_EQ(body.at("field").as_string(), "device.type");
  EXPECT_EQ(body.at("detail").as_string(), "device.type: expected one of PHONE, WATCH");
  EXPECT_EQ(body.at("detail").as_string().find("TOASTER"), boost::json::string::npos);
}

TEST(HttpBody, MissingAndWrongTypes) {
  auto obj = parse_json_object(R"({"expiryMonth":"12","n":13,"flag":1,"nul":null})");
  ASSERT_TRUE(obj.ok());
  {
    field_reader f{*obj};
    (void)f.required_string("pan");
    EXPECT_EQ(problem_body(*f.failure()).at("detail").as_string(),
              "pan: required field is missing");
  }
  {
    field_reader f{*obj};
    (void)f.required_int("expiryMonth", 1, 12);
    EXPECT_EQ(problem_body(*f.failure()).at("field").as_string(), "expiryMonth");
  }
  {
    field_reader f{*obj};
    (void)f.required_int("n", 1, 12);
    EXPECT_FALSE(f.ok());
  }
  {
    field_reader f{*obj};
    (void)f.optional_bool("flag");
    EXPECT_EQ(problem_body(*f.failure()).at("field").as_string(), "flag");
  }
  {
    field_reader f{*obj};
    EXPECT_EQ(f.optional_string("nul"), std::nullopt);
    (void)f.required_string("nul");
    EXPECT_FALSE(f.ok()) << "null counts as missing";
  }
}

TEST(HttpBody, UnknownMembersAreReportedAfterTheLastRead) {
  auto obj = parse_json_object(
      R"({"pan":"4111","device":{"id":"d1","nickname":"x"},"extra":1,"maybe":null})");
  ASSERT_TRUE(obj.ok());
  field_reader f{*obj};
  (void)f.required_string("pan");
  auto device = f.required_object("device");
  ASSERT_TRUE(device.has_value());
  (void)device->required_string("id");
  EXPECT_TRUE(f.is_null("maybe"));
  EXPECT_FALSE(f.is_null("pan"));
  EXPECT_TRUE(f.ok()) << "reads succeeded; unknown members are reported by failure()";
  auto failure = f.failure();
  ASSERT_TRUE(failure.has_value());
  auto body = problem_body(*failure);
  EXPECT_EQ(body.at("code").as_string(), "unknown_field");
  EXPECT_EQ(body.at("field").as_string(), "extra");
  (void)f.optional_int("extra", 0, 9);
  body = problem_body(*f.failure());
  EXPECT_EQ(body.at("field").as_string(), "device.nickname");
  (void)device->optional_string("nickname");
  EXPECT_FALSE(f.failure().has_value());
}

TEST(HttpBody, RepeatedKeysAreRefusedWithTheirPath) {
  for (const auto& [text, path] : std::vector<std::pair<std::string, std::string>>{
           {R"({"pan":"1","pan":"2"})", "pan"},
           {R"({"a":1,"device":{"id":"x","type":"PHONE","id":"y"}})", "device.id"},
           {R"({"d":{"e":{"k":1,"k":1}}})", "d.e.k"}}) {
    auto parsed = parse_json_object(text);
    ASSERT_FALSE(parsed.ok()) << text;
    auto body = problem_body(parsed.error());
    EXPECT_EQ(body.at("code").as_string(), "duplicate_field") << text;
    EXPECT_EQ(body.at("field").as_string(), path) << text;
  }
  // The same key in different objects is fine.
  EXPECT_TRUE(parse_json_object(R"({"id":"a","device":{"id":"b"},"x":[{"id":1},{"id":2}]})").ok());
  // Past 16 keys an object's keys move from a vector to a set: a repeat is
  // found on either side of the move, and 40 distinct keys pass.
  auto many_keys = [](int n, std::optional<int> repeat) {
    std::string text = "{";
    for (int i = 0; i < n; ++i)
      text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
    if (repeat)
      text += ",\"k" + std::to_string(*repeat) + "\":1";
    return text + "}";
  };
  EXPECT_TRUE(parse_json_object(many_keys(40, std::nullopt)).ok());
  for (int repeat : {3, 15, 16, 39}) {
    auto parsed = parse_json_object(many_keys(40, repeat));
    ASSERT_FALSE(parsed.ok()) << repeat;
    EXPECT_EQ(problem_body(parsed.error()).at("field").as_string(), "k" + std::to_string(repeat));
  }
}

TEST(HttpBody, EchoedMemberNamesNeverCarryAPanOrACode) {
  // A client may paste a PAN or a one-time code as a member name: the
  // unknown_field / duplicate_field answer names the member with every run
  // of six or more digits masked.
  auto unknown = parse_json_object(R"({"pan4111111111111111":"x"})");
  ASSERT_TRUE(unknown.ok());
  field_reader f{*unknown};
  (void)f.optional_string("pan");
  auto body = problem_body(*f.failure());
  EXPECT_EQ(body.at("code").as_string(), "unknown_field");
  EXPECT_EQ(body.at("field").as_string(), "pan****************");
  EXPECT_EQ(boost::json::serialize(body).find("4111111111111111"), std::string::npos);
  auto dup = parse_json_object(R"({"code123456":1,"code123456":2,"a12345":3})");
  ASSERT_FALSE(dup.ok());
  body = problem_body(dup.error());
  EXPECT_EQ(body.at("field").as_string(), "code******");
  EXPECT_EQ(boost::json::serialize(body).find("123456"), std::string::npos);
  // Shorter digit runs stay as sent.
  auto short_run = parse_json_object(R"({"a12345":3})");
  ASSERT_TRUE(short_run.ok());
  field_reader g{*short_run};
  EXPECT_EQ(problem_body(*g.failure()).at("field").as_string(), "a12345");
}

TEST(HttpBody, ControlCharactersAreRefused) {
  // JSON escapes, decoded by the parser: NUL, LF, ESC, DEL, NEL (C1), TAB.
  for (const std::string bad :
       {R"(a\u0000b)", R"(a\nb)", R"(\u001b)", R"(\u007f)", R"(\u0085)", R"(\t)"}) {
    auto obj = parse_json_object(R"({"name":")" + bad + "\"}");
    ASSERT_TRUE(obj.ok()) << bad;
    field_reader f{*obj};
    EXPECT_EQ(f.optional_string("name"), std::nullopt) << bad;
    auto failure = f.failure();
    ASSERT_TRUE(failure.has_value()) << bad;
    EXPECT_EQ(problem_body(*failure).at("field").as_string(), "name");
  }
  auto fine = parse_json_object(R"({"name":"Zoë's \u00a0Pixel \u20ac"})");
  ASSERT_TRUE(fine.ok());
  field_reader f{*fine};
  EXPECT_TRUE(f.optional_string("name").has_value());
  EXPECT_FALSE(f.failure().has_value());
}

TEST(HttpIdempotency, KeyValidation) {
  request_context ctx;
  auto none = idempotency_key(ctx);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  ctx.headers = {{"idempotency-key", "abc-123"}};
  auto good = idempotency_key(ctx);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(**good, "abc-123");

  ctx.headers = {{"idempotency-key", std::string(255, 'k')}};
  EXPECT_TRUE(idempotency_key(ctx).ok());
  for (std::string bad : {std::string(256, 'k'), std::string{}, std::string{"has space"},
                          std::string{"caf\xc3\xa9"}}) {
    ctx.headers = {{"idempotency-key", bad}};
    auto r = idempotency_key(ctx);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().status, 400u);
    EXPECT_EQ(problem_body(r.error()).at("code").as_string(), "invalid_idempotency_key");
  }
}

TEST(HttpIdempotency, FingerprintCoversMethodPathBody) {
  const auto base = request_fingerprint("POST", "/v1/cards", R"({"a":1})");
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, request_fingerprint("POST", "/v1/cards", R"({"a":1})"));
  EXPECT_NE(base, request_fingerprint("PUT", "/v1/cards", R"({"a":1})"));
  EXPECT_NE(base, request_fingerprint("POST", "/v1/card", R"({"a":1})"));
  EXPECT_NE(base, request_fingerprint("POST", "/v1/cards", R"({"a":2})"));
  // Length prefixes: moving bytes between parts changes the fingerprint.
  EXPECT_NE(request_fingerprint("POST", "/ab", "c"), request_fingerprint("POST", "/a", "bc"));
}

TEST(HttpAuth, DigestAndHex) {
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  api_key_authenticator auth;
  auth.add("p", sha256("k"));
  EXPECT_EQ(auth.authenticate_header("Bearer k"), std::optional<std::string>{"p"});
  EXPECT_EQ(auth.authenticate_header("Bearer  k "), std::optional<std::string>{"p"});
  EXPECT_EQ(auth.authenticate_header("Bearer"), std::nullopt);
  EXPECT_EQ(auth.authenticate_header("Bearer "), std::nullopt);
  EXPECT_EQ(auth.authenticate_header("k"), std::nullopt);
  EXPECT_EQ(auth.authenticate_header(std::nullopt), std::nullopt);
  auto r = unauthorized();
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer");
}

TEST(HttpMetrics, TextExposition) {
  metrics_registry reg;
  auto& requests = reg.counter("t_requests_total", "Requests.", {"route", "status"});
  requests.with({"/a", "200"}).inc();
  requests.with({"/a", "200"}).inc(2);
  requests.with({"/b\"x", "500"}).inc();
  reg.gauge("t_open", "Open.").with({}).set(3);
  auto& h = reg.histogram("t_seconds", "Latency.", {"route"}, {0.1, 1.0});
  h.with({"/a"}).observe(0.05);
  h.with({"/a"}).observe(0.5);
  h.with({"/a"}).observe(5);
  EXPECT_EQ(&reg.counter("t_requests_total", "again", {"route", "status"}), &requests);

  const std::string text = reg.render();
  EXPECT_NE(text.find("# HELP t_requests_total Requests.\n# TYPE t_requests_total counter\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("t_requests_total{route=\"/a\",status=\"200\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("t_requests_total{route=\"/b\\\"x\",status=\"500\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE t_open gauge\nt_open 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{route=\"/a\",le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{route=\"/a\",le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_sum{route=\"/a\"} 5.55\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_count{route=\"/a\"} 3\n"), std::string::npos);
}

TEST(HttpMetrics, BucketBoundsArePlainDecimals) {
  EXPECT_EQ(format_bucket_bound(0.0005), "0.0005");
  EXPECT_EQ(format_bucket_bound(0.000016), "0.000016");
  EXPECT_EQ(format_bucket_bound(0.001), "0.001");
  EXPECT_EQ(format_bucket_bound(2.5), "2.5");
  EXPECT_EQ(format_bucket_bound(10), "10");
  EXPECT_EQ(format_bucket_bound(1e-7), "0.0000001");
  EXPECT_EQ(format_bucket_bound(1e20), "100000000000000000000");
  EXPECT_EQ(format_bucket_bound(std::numeric_limits<double>::infinity()), "+Inf");
  // The registry's histograms use it: the default buckets start at 0.5 ms.
  metrics_registry reg;
  reg.histogram("t_latency_seconds", "Latency.").with({}).observe(0.0001);
  const auto text = reg.render();
  EXPECT_NE(text.find("t_latency_seconds_bucket{le=\"0.0005\"} 1\n"), std::string::npos) << text;
  // No bound in exponent form (sample values may use one; `le` may not).
  for (auto at = text.find("le=\""); at != std::string::npos; at = text.find("le=\"", at + 1)) {
    const auto bound = text.substr(at + 4, text.find('"', at + 4) - (at + 4));
    EXPECT_EQ(bound.find_first_of("eE"), std::string::npos) << bound;
  }
}

TEST(HttpAccessLog, OneJsonLineWithoutSecrets) {
  access_entry e;
  e.time = std::chrono::system_clock::time_point{std::chrono::milliseconds{1748779200123}};
  e.request_id = "req_1";
  e.method = "POST";
  e.route = "/v1/cards";
  e.path = "/v1/cards";
  e.status = 201;
  e.latency = std::chrono::microseconds{1500};
  e.auth_scheme = "Bearer";
  const std::string line = format_access_entry(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("time").as_string(), "2025-06-01T12:00:00.123Z");
  EXPECT_EQ(v.at("requestId").as_string(), "req_1");
  EXPECT_EQ(v.at("route").as_string(), "/v1/cards");
  EXPECT_EQ(v.at("status").as_int64(), 201);
  EXPECT_DOUBLE_EQ(v.at("latencyMs").to_number<double>(), 1.5);
  EXPECT_NE(line.find("\"latencyMs\":1.500,"), std::string::npos) << line;
  EXPECT_EQ(v.at("auth").as_string(), "Bearer [redacted]");
}

TEST(HttpAccessLog, LatencyIsMillisecondsWithThreeDecimals) {
  auto latency_of = [](std::chrono::nanoseconds d) {
    access_entry e;
    e.request_id = "req_1";
    e.method = "GET";
    e.route = "-";
    e.path = "/";
    e.status = 200;
    e.latency = d;
    const auto line = format_access_entry(e);
    const auto at = line.find("\"latencyMs\":");
    EXPECT_NE(at, std::string::npos) << line;
    const auto from = at + 12;
    return line.substr(from, line.find_first_of(",}", from) - from);
  };
  using std::chrono::nanoseconds;
  EXPECT_EQ(latency_of(nanoseconds{0}), "0.000");
  EXPECT_EQ(latency_of(nanoseconds{499}), "0.000");
  EXPECT_EQ(latency_of(nanoseconds{500}), "0.001");
  EXPECT_EQ(latency_of(nanoseconds{42'000}), "0.042");
  EXPECT_EQ(latency_of(nanoseconds{999'500}), "1.000");
  EXPECT_EQ(latency_of(nanoseconds{10'070'000}), "10.070");
  EXPECT_EQ(latency_of(nanoseconds{12'345'678'901}), "12345.679");
  EXPECT_EQ(latency_of(nanoseconds{-5}), "0.000"); // never negative
}

TEST(HttpAccessLog, EscapesEveryControlCharacterLikeBoostJson) {
  // Every ASCII byte, control characters, quote and backslash among them:
  // a request path is the client's, and must not break or forge a line.
  std::string path;
  for (int c = 1; c < 0x80; ++c)
    path += static_cast<char>(c);
  access_entry e;
  e.request_id = "req_2";
  e.method = "GET";
  e.route = "-";
  e.path = path;
  const std::string line = format_access_entry(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("path").as_string(), path);
  EXPECT_NE(line.find(boost::json::serialize(boost::json::string_view{path.data(), path.size()})),
            std::string::npos)
      << line;
}

} // namespace
} // namespace dwt::http
