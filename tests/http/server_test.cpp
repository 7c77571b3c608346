// The server with a real Beast client: keep-alive, routing, problem+json,
// responders completed elsewhere or dropped, auth, metrics, access log.
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "dwt/http/auth.hpp"
#include "support.hpp"

namespace dwt::http::test {
namespace {

router demo_router() {
  router r;
  r.add("GET", "/hello", [](request_context, responder res) {
    res.respond(json_response(200, {{"hello", "world"}}));
  });
  r.add("GET", "/v1/cards/{cardId}/digital-wallet-tokens", [](request_context ctx, responder res) {
    boost::json::object o;
    o["cardId"] = ctx.param("cardId");
    o["route"] = ctx.route;
    o["limit"] = ctx.query_param("limit").value_or("none");
    res.respond(json_response(200, o));
  });
  r.add("POST", "/v1/cards/{cardId}/digital-wallet-tokens", [](request_context ctx, responder res) {
    res.respond(json_response(201, {{"body", ctx.body}}));
  });
  r.add("GET", "/v1/cards/special/digital-wallet-tokens", [](request_context, responder res) {
    res.respond(json_response(200, {{"special", true}}));
  });
  return r;
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  const router r = demo_router();
  auto server = start_server(r.as_handler());
  client c{server->port()};
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto res = c.request(bhttp::verb::get, "/hello");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_TRUE(res.keep_alive());
    EXPECT_EQ(res[bhttp::field::content_type], "application/json");
    EXPECT_EQ(json_body(res).at("hello").as_string(), "world");
    ids.insert(std::string{res["X-Request-Id"]});
  }
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(server->connections_open(), 1u);
}

TEST(HttpServer, RoutesCaptureParamsAndQuery) {
  const router r = demo_router();
  auto server = start_server(r.as_handler());
  client c{server->port()};
  auto res = c.request(bhttp::verb::get, "/v1/cards/card%201/digital-wallet-tokens?limit=5");
  ASSERT_EQ(res.result_int(), 200u);
  auto body = json_body(res);
  EXPECT_EQ(body.at("cardId").as_string(), "card 1");
  EXPECT_EQ(body.at("route").as_string(), "/v1/cards/{cardId}/digital-wallet-tokens");
  EXPECT_EQ(body.at("limit").as_string(), "5");

  auto special = c.request(bhttp::verb::get, "/v1/cards/special/digital-wallet-tokens");
  EXPECT_TRUE(json_body(special).contains("special")) << "literal route must win";

  auto post = c.request(bhttp::verb::post, "/v1/cards/x/digital-wallet-tokens", "{}");
  EXPECT_EQ(post.result_int(), 201u);
}

TEST(HttpServer, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  const router r = demo_router();
  auto server = start_server(r.as_handler());
  client c{server->port()};
  auto missing = c.request(bhttp::verb::get, "/nowhere");
  EXPECT_EQ(missing.result_int(), 404u);
  EXPECT_EQ(json_body(missing).at("code").as_string(), "not_found");

  auto wrong = c.request(bhttp::verb::delete_, "/v1/cards/x/digital-wallet-tokens");
  EXPECT_EQ(wrong.result_int(), 405u);
  EXPECT_EQ(json_body(wrong).at("code").as_string(), "method_not_allowed");
  EXPECT_EQ(wrong[bhttp::field::allow], "GET, POST");
  // The connection survives error answers.
  EXPECT_EQ(c.request(bhttp::verb::get, "/hello").result_int(), 200u);
}

TEST(HttpServer, ProblemJsonShape) {
  auto server = start_server([](request_context, responder res) {
    boost::json::object extra;
    extra["attemptsLeft"] = 2;
    res.respond(problem(422, "otp_incorrect", "The code is wrong.", std::move(extra)));
  });
  client c{server->port()};
  auto res = c.request(bhttp::verb::post, "/x", "{}");
  EXPECT_EQ(res.result_int(), 422u);
  EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
  auto body = json_body(res);
  EXPECT_EQ(body.at("type").as_string(), "urn:dwt:problem:otp_incorrect");
  EXPECT_EQ(body.at("title").as_string(), "Unprocessable Entity");
  EXPECT_EQ(body.at("status").as_int64(), 422);
  EXPECT_EQ(body.at("detail").as_string(), "The code is wrong.");
  EXPECT_EQ(body.at("code").as_string(), "otp_incorrect");
  EXPECT_EQ(body.at("attemptsLeft").as_int64(), 2);
}

TEST(HttpServer, ResponderCompletedFromAnotherThread) {
  std::mutex mutex;
  std::vector<std::thread> workers;
  auto server = start_server([&](request_context ctx, responder res) {
    std::lock_guard lock{mutex};
    workers.emplace_back([ctx = std::move(ctx), res = std::move(res)]() mutable {
      std::this_thread::sleep_for(10ms);
      res.respond(json_response(200, {{"path", ctx.path}}));
    });
  });
  {
    client c{server->port()};
    for (int i = 0; i < 3; ++i) {
      auto res = c.request(bhttp::verb::get, "/async/" + std::to_string(i));
      EXPECT_EQ(res.result_int(), 200u);
      EXPECT_EQ(json_body(res).at("path").as_string(), "/async/" + std::to_string(i));
    }
  }
  std::lock_guard lock{mutex};
  for (auto& t : workers)
    t.join();
}

TEST(HttpServer, DroppedResponderAnswers500) {
  auto server = start_server([](request_context, responder) { /* forgets to answer */ });
  client c{server->port()};
  auto res = c.request(bhttp::verb::get, "/lost");
  EXPECT_EQ(res.result_int(), 500u);
  EXPECT_EQ(json_body(res).at("code").as_string(), "internal_error");
  EXPECT_EQ(c.request(bhttp::verb::get, "/lost").result_int(), 500u) << "connection reusable";
}

TEST(HttpServer, ThrowingHandlerAnswers500) {
  auto server = start_server([](request_context, responder) { throw std::runtime_error("boom"); });
  client c{server->port()};
  EXPECT_EQ(c.request(bhttp::verb::get, "/throw").result_int(), 500u);
}

TEST(HttpServer, BearerAuthentication) {
  api_key_authenticator auth;
  auth.add("demo-partner", sha256("demo-partner-key"));
  auth.add("network", sha256("demo-network-key"));
  auto server = start_server([&auth](request_context ctx, responder res) {
    auto who = auth.authenticate(ctx);
    if (!who) {
      res.respond(unauthorized());
      return;
    }
    res.respond(json_response(200, {{"principal", *who}}));
  });
  client c{server->port()};
  auto ok = c.request(bhttp::verb::get, "/me", {}, {{"Authorization", "Bearer demo-partner-key"}});
  EXPECT_EQ(ok.result_int(), 200u);
  EXPECT_EQ(json_body(ok).at("principal").as_string(), "demo-partner");
  auto net = c.request(bhttp::verb::get, "/me", {}, {{"Authorization", "bearer demo-network-key"}});
  EXPECT_EQ(json_body(net).at("principal").as_string(), "network");

  auto missing = c.request(bhttp::verb::get, "/me");
  EXPECT_EQ(missing.result_int(), 401u);
  EXPECT_EQ(missing[bhttp::field::www_authenticate], "Bearer");
  EXPECT_EQ(json_body(missing).at("code").as_string(), "unauthorized");

  auto wrong = c.request(bhttp::verb::get, "/me", {}, {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.result_int(), 401u);
  auto basic =
      c.request(bhttp::verb::get, "/me", {}, {{"Authorization", "Basic ZGVtby1wYXJ0bmVyLWtleQ=="}});
  EXPECT_EQ(basic.result_int(), 401u);
}

TEST(HttpServer, MetricsAndAccessLog) {
  router r = demo_router();
  http_server* srv = nullptr;
  r.add("GET", "/metrics", [&srv](request_context, responder res) {
    response out;
    out.content_type = std::string{prometheus_content_type};
    out.body = srv->metrics().render();
    res.respond(std::move(out));
  });
  log_capture log;
  auto server = start_server(r.as_handler(), test_limits(), log.sink());
  srv = server.get();
  client c{server->port()};
  (void)c.request(bhttp::verb::get, "/hello", {}, {{"Authorization", "Bearer top-secret-key"}});
  (void)c.request(bhttp::verb::get, "/hello");
  (void)c.request(bhttp::verb::post, "/v1/cards/c1/digital-wallet-tokens",
                  R"({"pan":"4111111111111111"})");
  (void)c.request(bhttp::verb::get, "/nowhere");
  auto res = c.request(bhttp::verb::get, "/metrics");
  ASSERT_EQ(res.result_int(), 200u);
  const std::string& text = res.body();
  EXPECT_NE(text.find("# TYPE dwt_http_requests_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(dwt_http_requests_total{route="/hello",method="GET",status="200"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          R"(dwt_http_requests_total{route="/v1/cards/{cardId}/digital-wallet-tokens",method="POST",status="201"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(dwt_http_requests_total{route="unmatched",method="GET",status="404"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(dwt_http_request_duration_seconds_bucket{route="/hello",le="+Inf"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("dwt_http_connections_open 1"), std::string::npos) << text;
  EXPECT_NE(text.find("dwt_http_requests_in_flight 1"), std::string::npos) << text;

  server->stop(); // flushes every record
  const std::string lines = log.all();
  EXPECT_NE(lines.find(R"("route":"/v1/cards/{cardId}/digital-wallet-tokens")"), std::string::npos)
      << lines;
  EXPECT_NE(lines.find(R"("path":"/v1/cards/c1/digital-wallet-tokens")"), std::string::npos);
  EXPECT_NE(lines.find(R"("status":404)"), std::string::npos);
  EXPECT_NE(lines.find(R"("auth":"Bearer [redacted]")"), std::string::npos) << lines;
  EXPECT_EQ(lines.find("top-secret-key"), std::string::npos) << "Authorization value logged";
  EXPECT_EQ(lines.find("4111111111111111"), std::string::npos) << "body logged";
}

TEST(HttpServer, StartFailsOnBusyPort) {
  auto first = start_server([](request_context, responder res) { res(empty_response(204)); });
  server_options o;
  o.host = "127.0.0.1";
  o.port = first->port();
  o.access_log = null_log_sink();
  http_server second{o, [](request_context, responder res) { res(empty_response(204)); }};
  const std::error_code ec = second.start();
  EXPECT_TRUE(static_cast<bool>(ec)) << "second bind on port " << first->port() << " succeeded";
  EXPECT_EQ(second.port(), 0);
}

} // namespace
} // namespace dwt::http::test
