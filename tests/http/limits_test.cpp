// Every configured bound of the server: body, header, requests in flight,
// connections, idle and read timeouts, graceful stop. No speed assertions:
// short timeouts only make the tests finish sooner.
#include <future>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "support.hpp"

namespace dwt::http::test {
namespace {

handler echo_handler() {
  return [](request_context ctx, responder res) {
    res.respond(json_response(200, {{"size", ctx.body.size()}}));
  };
}

TEST(HttpLimits, OversizeBodyIs413AndCloses) {
  auto server = start_server(echo_handler());
  client c{server->port()};
  auto ok = c.request(bhttp::verb::post, "/echo", std::string(64 * 1024, 'a'));
  EXPECT_EQ(ok.result_int(), 200u) << "exactly the limit is accepted";

  beast_request req{bhttp::verb::post, "/echo", 11};
  req.body() = std::string(64 * 1024 + 1, 'a');
  ASSERT_FALSE(c.send(std::move(req)));
  auto res = c.receive();
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_EQ(res[bhttp::field::content_type], "application/problem+json");
  EXPECT_EQ(json_body(res).at("code").as_string(), "payload_too_large");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(HttpLimits, OversizeHeaderIs431) {
  auto server = start_server(echo_handler());
  client c{server->port()};
  beast_request req{bhttp::verb::get, "/echo", 11};
  req.set("X-Padding", std::string(9 * 1024, 'p'));
  ASSERT_FALSE(c.send(std::move(req)));
  auto res = c.receive();
  EXPECT_EQ(res.result_int(), 431u);
  EXPECT_EQ(json_body(res).at("code").as_string(), "header_fields_too_large");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(HttpLimits, MalformedRequestIs400) {
  auto server = start_server(echo_handler());
  client c{server->port()};
  ASSERT_FALSE(c.send_raw("GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: zz\r\n\r\n"));
  auto res = c.receive();
  EXPECT_EQ(res.result_int(), 400u);
}

TEST(HttpLimits, InFlightLimitAnswers503WithRetryAfter) {
  parking lot;
  auto limits = test_limits();
  limits.max_requests_in_flight = 2;
  auto server =
      start_server([&](request_context, responder res) { lot.park(std::move(res)); }, limits);
  client a{server->port()};
  client b{server->port()};
  client c{server->port()};
  ASSERT_FALSE(a.send(beast_request{bhttp::verb::get, "/slow", 11}));
  ASSERT_FALSE(b.send(beast_request{bhttp::verb::get, "/slow", 11}));
  ASSERT_TRUE(lot.wait_for(2));
  EXPECT_EQ(server->requests_in_flight(), 2u);

  auto over = c.request(bhttp::verb::get, "/slow");
  EXPECT_EQ(over.result_int(), 503u);
  EXPECT_EQ(over[bhttp::field::retry_after], "1");
  EXPECT_EQ(json_body(over).at("code").as_string(), "overloaded");
  EXPECT_TRUE(over.keep_alive()) << "overload does not cost the connection";

  // Released from the test thread: the parked clients get their answers.
  // (Which of a and b parked first is up to the scheduler.)
  lot.take().respond(json_response(200, {{"n", 1}}));
  lot.take().respond(empty_response(204));
  const std::multiset<unsigned> statuses{a.receive().result_int(), b.receive().result_int()};
  EXPECT_EQ(statuses, (std::multiset<unsigned>{200u, 204u}));

  // Capacity is back.
  auto fut = std::async(std::launch::async, [&] { return c.request(bhttp::verb::get, "/slow"); });
  ASSERT_TRUE(lot.wait_for(1));
  lot.take().respond(empty_response(204));
  EXPECT_EQ(fut.get().result_int(), 204u);
}

TEST(HttpLimits, IdleConnectionIsClosed) {
  auto limits = test_limits();
  limits.idle_timeout = 200ms;
  auto server = start_server(echo_handler(), limits);
  client c{server->port()};
  EXPECT_EQ(c.request(bhttp::verb::get, "/echo").result_int(), 200u);
  // Say nothing: the server must hang up (our own limit is much longer).
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(HttpLimits, SlowRequestIsDropped) {
  auto limits = test_limits();
  limits.read_timeout = 200ms;
  auto server = start_server(echo_handler(), limits);
  client c{server->port()};
  ASSERT_FALSE(c.send_raw("GET /echo HTTP/1.1\r\nHost: a\r\n")); // never finishes
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(HttpLimits, ConnectionsBeyondTheLimitGet503) {
  auto limits = test_limits();
  limits.max_connections = 1;
  auto server = start_server(echo_handler(), limits);
  client first{server->port()};
  EXPECT_EQ(first.request(bhttp::verb::get, "/echo").result_int(), 200u);

  client second{server->port()};
  (void)second.send(beast_request{bhttp::verb::get, "/echo", 11});
  beast::error_code ec;
  auto res = second.receive(ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(res.result_int(), 503u);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(second.closed_by_peer());
  // The first connection is unaffected.
  EXPECT_EQ(first.request(bhttp::verb::get, "/echo").result_int(), 200u);
}

TEST(HttpLimits, GracefulStopFinishesRequestsInFlight) {
  parking lot;
  auto server = start_server([&](request_context, responder res) { lot.park(std::move(res)); });
  client busy{server->port()};
  client idle{server->port()};
  ASSERT_FALSE(busy.send(beast_request{bhttp::verb::get, "/slow", 11}));
  ASSERT_TRUE(lot.wait_for(1));

  auto stopped = std::async(std::launch::async, [&] { server->stop(); });
  EXPECT_TRUE(idle.closed_by_peer()) << "idle connections close at once";
  lot.take().respond(json_response(200, {{"done", true}}));
  auto res = busy.receive();
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_FALSE(res.keep_alive()) << "the last response announces the close";
  stopped.get();
  EXPECT_TRUE(busy.closed_by_peer());
}

TEST(HttpLimits, StopGivesUpOnLostRequestsAfterGrace) {
  parking lot;
  auto limits = test_limits();
  limits.shutdown_grace = 100ms;
  auto server =
      start_server([&](request_context, responder res) { lot.park(std::move(res)); }, limits);
  client c{server->port()};
  ASSERT_FALSE(c.send(beast_request{bhttp::verb::get, "/never", 11}));
  ASSERT_TRUE(lot.wait_for(1));
  server->stop();
  EXPECT_TRUE(c.closed_by_peer());
  // A late answer after the stop is dropped safely.
  lot.take().respond(empty_response(204));
  server.reset();
}

} // namespace
} // namespace dwt::http::test
