#include <atomic>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include "dwt/outbound/http_client.hpp"
#include "outbound/test_receiver.hpp"
#include "outbound/test_support.hpp"

using namespace std::chrono_literals;
using dwt::outbound::http_client;
using dwt::outbound::http_client_options;
using dwt::outbound::http_request;
using dwt::outbound::http_result;
using dwt::outbound::testing::drain;
using dwt::outbound::testing::receiver_options;
using dwt::outbound::testing::reply;
using dwt::outbound::testing::test_receiver;
using dwt::outbound::testing::tls_dir;

namespace {

class HttpClient : public ::testing::Test {
protected:
  std::shared_ptr<http_client> make(http_client_options opts = {}) {
    auto created = http_client::create(io_, std::move(opts));
    EXPECT_TRUE(created.error.empty()) << created.error;
    return created.client;
  }

  http_result post(http_client& c, http_request req) {
    std::optional<http_result> out;
    c.post(std::move(req), [&](http_result r) { out = std::move(r); });
    drain(io_);
    EXPECT_TRUE(out.has_value()) << "callback never ran";
    return out.value_or(http_result{});
  }

  static http_client_options short_timeout() {
    http_client_options o;
    o.timeout = 300ms;
    return o;
  }

  boost::asio::io_context io_;
};

} // namespace

TEST_F(HttpClient, PostsHeadersAndBody) {
  test_receiver rx;
  rx.set_default(reply{202, R"({"ok":true})", false});
  auto client = make();
  const auto r = post(*client, {rx.url("/hooks/a?x=1"), {{"x-test", "yes"}}, R"({"a":1})"});
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.status, 202u);
  EXPECT_EQ(r.body, R"({"ok":true})");
  EXPECT_FALSE(r.reused_connection);
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/hooks/a?x=1");
  EXPECT_EQ(reqs[0].header("x-test"), "yes");
  EXPECT_EQ(reqs[0].header("host"), "127.0.0.1:" + std::to_string(rx.port()));
  EXPECT_EQ(reqs[0].header("content-length"), "7");
  EXPECT_FALSE(reqs[0].header("user-agent").empty());
  EXPECT_EQ(reqs[0].body, R"({"a":1})");
}

TEST_F(HttpClient, ReusesKeepAliveConnections) {
  test_receiver rx;
  auto client = make();
  for (int i = 0; i < 3; ++i) {
    const auto r = post(*client, {rx.url(), {}, "{}"});
    EXPECT_EQ(r.status, 200u) << r.error;
    EXPECT_EQ(r.reused_connection, i > 0);
  }
  EXPECT_EQ(rx.request_count(), 3u);
  EXPECT_EQ(rx.connection_count(), 1u);
  EXPECT_EQ(client->idle_connections(), 1u);
  client->close_idle();
  EXPECT_EQ(client->idle_connections(), 0u);
}

TEST_F(HttpClient, PoolIsBoundedPerEndpoint) {
  test_receiver rx;
  http_client_options opts;
  opts.max_idle_per_endpoint = 2;
  auto client = make(opts);
  int done = 0;
  for (int i = 0; i < 5; ++i)
    client->post({rx.url(), {}, "{}"}, [&](http_result r) {
      EXPECT_EQ(r.status, 200u) << r.error;
      ++done;
    });
  drain(io_);
  EXPECT_EQ(done, 5);
  EXPECT_EQ(rx.request_count(), 5u);
  EXPECT_LE(client->idle_connections(), 2u);
}

TEST_F(HttpClient, ManyConcurrentRequestsOnSeveralIoThreads) {
  test_receiver rx;
  auto client = make();
  constexpr int total = 60;
  std::atomic<int> ok{0};
  std::atomic<int> done{0};
  auto guard = boost::asio::make_work_guard(io_);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([this] { io_.run_for(dwt::outbound::testing::io_safety_limit); });
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&] {
      for (int i = 0; i < total / 3; ++i)
        client->post({rx.url(), {}, "{}"}, [&](http_result r) {
          ok += r.status == 200 ? 1 : 0;
          ++done;
        });
    });
  for (auto& c : callers)
    c.join();
  const auto give_up = std::chrono::steady_clock::now() + dwt::outbound::testing::io_safety_limit;
  while (done.load() < total && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(1ms);
  guard.reset();
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(done.load(), total);
  EXPECT_EQ(ok.load(), total);
  EXPECT_EQ(rx.request_count(), static_cast<std::size_t>(total));
  EXPECT_LE(client->idle_connections(), dwt::outbound::default_max_idle_per_endpoint);
}

TEST_F(HttpClient, TimesOutOnAHangingReceiver) {
  test_receiver rx;
  rx.script_hang();
  auto client = make(short_timeout());
  const auto r = post(*client, {rx.url(), {}, "{}"});
  EXPECT_EQ(r.status, 0u);
  EXPECT_EQ(r.error, "timeout");
  EXPECT_EQ(rx.request_count(), 1u);
  // The hung connection is not pooled; the next request works.
  EXPECT_EQ(client->idle_connections(), 0u);
  EXPECT_EQ(post(*client, {rx.url(), {}, "{}"}).status, 200u);
}

TEST_F(HttpClient, ReportsConnectionRefused) {
  std::uint16_t port = 0;
  {
    test_receiver rx;
    port = rx.port();
  } // closed: nothing listens there now
  auto client = make(short_timeout());
  const auto r = post(*client, {"http://127.0.0.1:" + std::to_string(port) + "/", {}, "{}"});
  EXPECT_EQ(r.status, 0u);
  EXPECT_NE(r.error.find("connect"), std::string::npos) << r.error;
  EXPECT_NE(r.error, "timeout");
}

TEST_F(HttpClient, SurvivesAReceiverThatGoesDownAndComesBack) {
  test_receiver rx;
  auto client = make(short_timeout());
  EXPECT_EQ(post(*client, {rx.url(), {}, "{}"}).status, 200u);
  rx.stop();
  const auto down = post(*client, {rx.url(), {}, "{}"});
  EXPECT_EQ(down.status, 0u);
  EXPECT_FALSE(down.ok());
  rx.start();
  const auto back = post(*client, {rx.url(), {}, "{}"});
  EXPECT_EQ(back.status, 200u) << back.error;
}

TEST_F(HttpClient, RetriesOnceWhenAPooledConnectionWasClosed) {
  test_receiver rx;
  auto client = make(short_timeout());
  EXPECT_EQ(post(*client, {rx.url(), {}, "{}"}).status, 200u);
  ASSERT_EQ(client->idle_connections(), 1u);
  rx.stop(); // closes the pooled connection from the server side
  rx.start();
  const auto r = post(*client, {rx.url(), {}, "{}"});
  EXPECT_EQ(r.status, 200u) << r.error;
  EXPECT_FALSE(r.reused_connection);
  EXPECT_EQ(rx.request_count(), 2u);
}

TEST_F(HttpClient, BoundsTheResponseBody) {
  test_receiver rx;
  rx.set_default(reply{200, std::string(10'000, 'x'), false});
  http_client_options opts;
  opts.max_response_body = 1000;
  auto client = make(opts);
  const auto r = post(*client, {rx.url(), {}, "{}"});
  EXPECT_EQ(r.status, 200u);
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.body_truncated);
  EXPECT_LE(r.body.size(), 1000u);
  EXPECT_EQ(client->idle_connections(), 0u);
}

TEST_F(HttpClient, RefusesInvalidRequestsWithoutThrowing) {
  auto client = make();
  EXPECT_EQ(post(*client, {"ftp://127.0.0.1/", {}, ""}).error, "invalid request: url");
  EXPECT_EQ(post(*client, {"not a url", {}, ""}).error, "invalid request: url");
  EXPECT_EQ(post(*client, {"http://user:pw@127.0.0.1/", {}, ""}).error, "invalid request: url");
  EXPECT_EQ(post(*client, {"http://127.0.0.1:1/", {{"x", "a\r\nb"}}, ""}).error,
            "invalid request: header field");
  EXPECT_EQ(post(*client, {"http://127.0.0.1:1/", {}, std::string(2 * 1024 * 1024, 'x')}).error,
            "invalid request: body too large");
}

TEST_F(HttpClient, UnreadableCaFileIsAConfigurationError) {
  http_client_options opts;
  opts.ca_file = "/nonexistent/ca.pem";
  auto created = http_client::create(io_, opts);
  EXPECT_EQ(created.client, nullptr);
  EXPECT_FALSE(created.error.empty());
}

TEST_F(HttpClient, UserAgentWithCrOrLfIsAConfigurationError) {
  for (const char* bad : {"dwt\r\nX-Injected: 1", "dwt\n", "\rdwt"}) {
    http_client_options opts;
    opts.user_agent = bad;
    auto created = http_client::create(io_, opts);
    EXPECT_EQ(created.client, nullptr);
    EXPECT_EQ(created.error, "http client: user_agent must not contain CR or LF");
  }
}

class HttpsClient : public HttpClient {
protected:
  receiver_options tls_receiver(std::string address = "127.0.0.1") {
    return {std::move(address), tls_dir() + "/server.pem", tls_dir() + "/server.key"};
  }
};

TEST_F(HttpsClient, VerifiesTheReceiverWithTheConfiguredCa) {
  test_receiver rx{tls_receiver()};
  http_client_options opts;
  opts.ca_file = tls_dir() + "/ca.pem";
  auto client = make(opts);
  const auto r = post(*client, {rx.url(), {}, R"({"secure":true})"});
  EXPECT_EQ(r.status, 200u) << r.error;
  ASSERT_EQ(rx.request_count(), 1u);
  EXPECT_EQ(rx.requests()[0].body, R"({"secure":true})");
  // By name too (the certificate names localhost; SNI is sent).
  const auto by_name =
      post(*client, {"https://localhost:" + std::to_string(rx.port()) + "/webhooks", {}, "{}"});
  EXPECT_EQ(by_name.status, 200u) << by_name.error;
  // And over the pooled TLS connection.
  const auto again = post(*client, {rx.url(), {}, "{}"});
  EXPECT_EQ(again.status, 200u) << again.error;
  EXPECT_TRUE(again.reused_connection);
}

TEST_F(HttpsClient, FailsWithoutTheCa) {
  test_receiver rx{tls_receiver()};
  auto client = make(short_timeout()); // system trust store only
  const auto r = post(*client, {rx.url(), {}, "{}"});
  EXPECT_EQ(r.status, 0u);
  EXPECT_NE(r.error.find("tls handshake"), std::string::npos) << r.error;
  EXPECT_EQ(rx.request_count(), 0u);
}

TEST_F(HttpsClient, FailsWhenTheCertificateIsForAnotherHost) {
  // The certificate names 127.0.0.1 and localhost, not 127.0.0.2.
  test_receiver rx{tls_receiver("127.0.0.2")};
  http_client_options opts = short_timeout();
  opts.ca_file = tls_dir() + "/ca.pem";
  auto client = make(opts);
  const auto r = post(*client, {rx.url(), {}, "{}"});
  EXPECT_EQ(r.status, 0u);
  EXPECT_NE(r.error.find("tls handshake"), std::string::npos) << r.error;
  EXPECT_EQ(rx.request_count(), 0u);
}

TEST_F(HttpsClient, PlainHttpToATlsReceiverFailsCleanly) {
  test_receiver rx{tls_receiver()};
  auto client = make(short_timeout());
  const auto r =
      post(*client, {"http://127.0.0.1:" + std::to_string(rx.port()) + "/webhooks", {}, "{}"});
  EXPECT_EQ(r.status, 0u);
  EXPECT_FALSE(r.ok());
}
