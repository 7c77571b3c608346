// Request framing and header ambiguities (issue #20): a body whose end is
// ambiguous (Transfer-Encoding other than one final chunked, both
// Transfer-Encoding and Content-Length, differing Content-Length values)
// answers 400 `invalid_framing` and closes the connection, so that nothing
// after it is ever run as a request (request smuggling); a missing Host,
// repeated single-valued headers and content-coded bodies answer 400 / 415
// on a connection that stays usable. Raw bytes on a real socket.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

namespace dwt::http::test {
namespace {

/// Counts the requests the application saw.
struct counting_app {
  std::shared_ptr<std::atomic<int>> calls = std::make_shared<std::atomic<int>>(0);
  handler get() const {
    return [calls = calls](request_context ctx, responder res) {
      calls->fetch_add(1);
      res.respond(json_response(200, {{"size", ctx.body.size()}, {"path", ctx.path}}));
    };
  }
};

std::string code_of(const beast_response& r) {
  auto body = json_body(r);
  const auto* c = body.if_contains("code");
  return (c != nullptr && c->is_string()) ? std::string{c->get_string()} : std::string{};
}

std::string field_of(const beast_response& r) {
  auto body = json_body(r);
  const auto* c = body.if_contains("field");
  return (c != nullptr && c->is_string()) ? std::string{c->get_string()} : std::string{};
}

/// A smuggled second request: if the first one's body were taken as empty,
/// these bytes would be answered as a request of their own.
const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

struct framing_case {
  const char* name;
  std::string head; // header fields after Host, each ending in CRLF
  std::string body;
};

class AmbiguousFraming : public ::testing::TestWithParam<framing_case> {};

TEST_P(AmbiguousFraming, Is400AndClosesWithoutAnsweringTheRest) {
  counting_app app;
  auto server = start_server(app.get());
  client c{server->port()};
  const auto& p = GetParam();
  ASSERT_FALSE(c.send_raw("POST /echo HTTP/1.1\r\nHost: a\r\n" + p.head + "\r\n" + p.body));
  auto res = c.receive();
  EXPECT_EQ(res.result_int(), 400u) << res.body();
  EXPECT_EQ(code_of(res), "invalid_framing") << res.body();
  EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(c.buffered(), 0u) << "a second answer arrived";
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(app.calls->load(), 0) << "the application saw part of an ambiguous request";
}

INSTANTIATE_TEST_SUITE_P(
    Http, AmbiguousFraming,
    ::testing::Values(
        framing_case{"gzip", "Transfer-Encoding: gzip\r\n", smuggled},
        framing_case{"identity", "Transfer-Encoding: identity\r\n", smuggled},
        framing_case{"xchunked", "Transfer-Encoding: xchunked\r\n", smuggled},
        framing_case{"chunked_not_last", "Transfer-Encoding: chunked, gzip\r\n",
                     "0\r\n\r\n" + smuggled},
        framing_case{"gzip_then_chunked", "Transfer-Encoding: gzip, chunked\r\n",
                     "0\r\n\r\n" + smuggled},
        framing_case{"two_fields", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
                     "0\r\n\r\n" + smuggled},
        framing_case{"gzip_and_length", "Transfer-Encoding: gzip\r\nContent-Length: 2\r\n",
                     "{}" + smuggled},
        framing_case{"length_and_chunked", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                     "0\r\n\r\n" + smuggled},
        framing_case{"chunked_and_length", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                     "0\r\n\r\n" + smuggled},
        framing_case{"lengths_differ", "Content-Length: 2\r\nContent-Length: 3\r\n",
                     "{}" + smuggled},
        framing_case{"length_list_differs", "Content-Length: 2, 3\r\n", "{}" + smuggled}),
    [](const auto& test) { return std::string{test.param.name}; });

TEST(HttpFraming, TransferEncodingInHttp10Is400AndCloses) {
  counting_app app;
  auto server = start_server(app.get());
  client c{server->port()};
  ASSERT_FALSE(
      c.send_raw("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled));
  auto res = c.receive();
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(code_of(res), "invalid_framing");
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(app.calls->load(), 0);
}

TEST(HttpFraming, ChunkedAndSameLengthTwiceStillWork) {
  counting_app app;
  auto server = start_server(app.get());
  client c{server->port()};
  ASSERT_FALSE(c.send_raw("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
                          "2\r\n{}\r\n0\r\n\r\n"));
  auto chunked = c.receive();
  EXPECT_EQ(chunked.result_int(), 200u) << chunked.body();
  EXPECT_EQ(json_body(chunked).at("size").as_int64(), 2);
  ASSERT_FALSE(c.send_raw(
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"));
  auto twice = c.receive();
  EXPECT_EQ(twice.result_int(), 200u) << twice.body();
  EXPECT_EQ(app.calls->load(), 2);
}

struct header_case {
  const char* name;
  std::string head; // every header field, each ending in CRLF
  unsigned status;
  const char* code;
  const char* field;
};

class HeaderAmbiguity : public ::testing::TestWithParam<header_case> {};

TEST_P(HeaderAmbiguity, IsRefusedAndTheConnectionStaysUsable) {
  counting_app app;
  auto server = start_server(app.get());
  client c{server->port()};
  const auto& p = GetParam();
  ASSERT_FALSE(c.send_raw("POST /echo HTTP/1.1\r\n" + p.head + "Content-Length: 2\r\n\r\n{}"));
  auto res = c.receive();
  EXPECT_EQ(res.result_int(), p.status) << res.body();
  EXPECT_EQ(code_of(res), p.code) << res.body();
  EXPECT_EQ(field_of(res), p.field) << res.body();
  EXPECT_EQ(app.calls->load(), 0);
  if (p.status == 415) {
    EXPECT_EQ(res["Accept-Encoding"], "identity");
  }
  // The framing was sound: the next request on the connection is served.
  auto next = c.request(bhttp::verb::get, "/echo");
  EXPECT_EQ(next.result_int(), 200u);
  EXPECT_EQ(app.calls->load(), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Http, HeaderAmbiguity,
    ::testing::Values(
        header_case{"no_host", "", 400, "missing_host", "Host"},
        header_case{"two_hosts", "Host: a\r\nHost: b\r\n", 400, "duplicate_header", "Host"},
        header_case{"two_authorizations",
                    "Host: a\r\nAuthorization: Bearer k1\r\nAuthorization: Bearer k2\r\n", 400,
                    "duplicate_header", "Authorization"},
        header_case{"two_idempotency_keys",
                    "Host: a\r\nIdempotency-Key: one\r\nidempotency-key: two\r\n", 400,
                    "duplicate_header", "Idempotency-Key"},
        header_case{"two_content_types",
                    "Host: a\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\n",
                    400, "duplicate_header", "Content-Type"},
        header_case{"gzip_body", "Host: a\r\nContent-Encoding: gzip\r\n", 415,
                    "unsupported_content_encoding", "Content-Encoding"},
        header_case{"identity_then_br", "Host: a\r\nContent-Encoding: identity, br\r\n", 415,
                    "unsupported_content_encoding", "Content-Encoding"}),
    [](const auto& test) { return std::string{test.param.name}; });

TEST(HttpFraming, IdentityOrBodilessContentEncodingAndHttp10WithoutHostAreServed) {
  counting_app app;
  auto server = start_server(app.get());
  client c{server->port()};
  ASSERT_FALSE(c.send_raw("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Encoding: identity\r\n"
                          "Content-Length: 2\r\n\r\n{}"));
  EXPECT_EQ(c.receive().result_int(), 200u);
  // A coding named on a request without a body: nothing to misread.
  ASSERT_FALSE(c.send_raw("GET /echo HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\n\r\n"));
  EXPECT_EQ(c.receive().result_int(), 200u);
  ASSERT_FALSE(c.send_raw("GET /echo HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(c.receive().result_int(), 200u);
  EXPECT_EQ(app.calls->load(), 3);
}

/// A server whose router names its routes for the answers it gives itself.
std::unique_ptr<http_server> start_routed(const router& r, config::http_settings limits) {
  server_options o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.limits = limits;
  o.access_log = null_log_sink();
  o.route_of = [&r](std::string_view method, std::string_view path) {
    return r.route_of(method, path);
  };
  auto s = std::make_unique<http_server>(std::move(o), r.as_handler());
  EXPECT_FALSE(s->start());
  return s;
}

TEST(HttpFraming, LocalAnswersAreCountedUnderTheirRoute) {
  router r;
  r.add("POST", "/items/{id}",
        [](request_context, responder res) { res.respond(empty_response(204)); });
  auto limits = test_limits();
  auto server = start_routed(r, limits);
  {
    client c{server->port()};
    beast_request big{bhttp::verb::post, "/items/abc?x=1", 11};
    big.body() = std::string(limits.max_body_bytes + 1, 'a');
    ASSERT_FALSE(c.send(std::move(big)));
    EXPECT_EQ(c.receive().result_int(), 413u);
  }
  {
    client c{server->port()};
    beast_request big{bhttp::verb::post, "/items/abc", 11};
    big.set("X-Padding", std::string(limits.max_header_bytes + 1, 'p'));
    ASSERT_FALSE(c.send(std::move(big)));
    EXPECT_EQ(c.receive().result_int(), 431u);
  }
  {
    client c{server->port()};
    ASSERT_FALSE(
        c.send_raw("POST /items/abc HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"));
    EXPECT_EQ(c.receive().result_int(), 400u);
  }
  {
    // An unknown path's request line is not taken as a label.
    client c{server->port()};
    beast_request big{bhttp::verb::post, "/made-up-label", 11};
    big.set("X-Padding", std::string(limits.max_header_bytes + 1, 'p'));
    ASSERT_FALSE(c.send(std::move(big)));
    EXPECT_EQ(c.receive().result_int(), 431u);
  }
  server->stop(); // every record is in
  const std::string text = server->metrics().render();
  EXPECT_NE(
      text.find(R"(dwt_http_requests_total{route="/items/{id}",method="POST",status="413"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(dwt_http_requests_total{route="/items/{id}",method="POST",status="431"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(dwt_http_requests_total{route="/items/{id}",method="POST",status="400"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(dwt_http_requests_total{route="unmatched",method="unknown",status="431"} 1)"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.find("made-up-label"), std::string::npos) << text;
}

TEST(HttpRouter, RouteOfNamesThePatternOrNothing) {
  router r;
  r.add("GET", "/a/{id}", [](request_context, responder res) { res.respond(empty_response(204)); });
  EXPECT_EQ(r.route_of("GET", "/a/x"), "/a/{id}");
  EXPECT_EQ(r.route_of("GET", "/a/x?y=1"), "/a/{id}");
  EXPECT_EQ(r.route_of("POST", "/a/x"), "");
  EXPECT_EQ(r.route_of("GET", "/b/x"), "");
  EXPECT_EQ(r.route_of("GET", "not a path"), "");
}

} // namespace
} // namespace dwt::http::test
