// The HTTPS listener (`server_options::tls`): a verifying TLS client is
// served (also keep-alive, also the limits), a plain-HTTP client on the TLS
// port is closed without an answer and the server keeps serving, TLS 1.1 is
// refused, the server ends a connection with a TLS close_notify (not a bare
// TCP close), and bad certificate files are `start()` errors. Uses the
// test-only certificates of tests/outbound/tls (CN/SAN 127.0.0.1,
// localhost; signed by the throw-away CA `ca.pem`).
#include <array>
#include <thread>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "../common/tls_test_client.hpp"
#include "support.hpp"

namespace dwt::http::test {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

std::string tls_dir() {
  return std::string{DWT_SOURCE_DIR} + "/tests/outbound/tls/";
}

config::tls_settings test_tls() {
  return {tls_dir() + "server.pem", tls_dir() + "server.key", {}};
}

std::unique_ptr<http_server> start_tls_server(handler app, config::tls_settings tls = test_tls(),
                                              std::error_code* error = nullptr) {
  return start_https_server(std::move(app), test_limits(), std::move(tls), error);
}

handler hello_handler() {
  return [](request_context ctx, responder res) {
    res.respond(json_response(200, {{"path", ctx.path}, {"size", ctx.body.size()}}));
  };
}

/// A verifying TLS client over one connection (bounded operations).
class tls_client : public dwt::test::tls_test_client {
public:
  explicit tls_client(std::uint16_t port, int max_version = 0)
      : tls_test_client(port, tls_dir() + "ca.pem", op_limit, {}, {}, max_version) {}

  /// The negotiated protocol version (e.g. TLS1_2_VERSION).
  [[nodiscard]] int version() { return SSL_version(stream_.native_handle()); }

  beast_response request(bhttp::verb method, const std::string& target, std::string body = {},
                         bool close = false) {
    beast_request req{method, target, 11};
    req.set(bhttp::field::host, "localhost");
    if (close)
      req.set(bhttp::field::connection, "close");
    req.body() = std::move(body);
    req.prepare_payload();
    beast::error_code ec;
    beast::get_lowest_layer(stream_).expires_after(op_limit);
    bhttp::async_write(stream_, req, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    EXPECT_FALSE(ec) << ec.message();
    beast_response res;
    bhttp::async_read(stream_, buffer_, res, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  /// Reads once more on the TLS stream (bounded): after the server closed,
  /// a clean TLS shutdown reads as `asio::error::eof` (SSL_ERROR_ZERO_RETURN,
  /// the server's close_notify), a bare TCP close as
  /// `ssl::error::stream_truncated`.
  beast::error_code read_after_close() {
    beast::error_code ec;
    std::array<char, 256> buf{};
    beast::get_lowest_layer(stream_).expires_after(op_limit);
    stream_.async_read_some(asio::buffer(buf), [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    return ec;
  }

  /// Reads the TCP layer (bounded): how the server ends the connection
  /// when this client never answers its close_notify.
  beast::error_code read_tcp() {
    beast::error_code ec;
    std::array<char, 256> buf{};
    beast::get_lowest_layer(stream_).expires_after(op_limit);
    beast::get_lowest_layer(stream_).async_read_some(
        asio::buffer(buf), [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    return ec;
  }
};

/// The server ended `c`'s connection with close_notify, then (not waiting
/// for ours beyond its limit) closed TCP.
void expect_close_notify_then_tcp_close(tls_client& c) {
  const auto ec = c.read_after_close();
  EXPECT_EQ(ec, asio::error::eof) << "got " << ec.message() << " (" << ec.category().name()
                                  << "), not the server's close_notify";
  const auto tcp = c.read_tcp();
  EXPECT_TRUE(tcp);
  EXPECT_NE(tcp, beast::error::timeout) << "the server held the connection";
}

TEST(HttpTls, VerifiedClientIsServedWithKeepAlive) {
  auto server = start_tls_server(hello_handler());
  tls_client c{server->port()};
  ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
  for (int i = 0; i < 3; ++i) {
    auto res = c.request(bhttp::verb::post, "/hello", std::string(1000, 'x'));
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_TRUE(res.keep_alive());
    EXPECT_EQ(json_body(res).at("path").as_string(), "/hello");
    EXPECT_EQ(json_body(res).at("size").as_int64(), 1000);
  }
}

TEST(HttpTls, LimitsStillApplyOverTls) {
  auto server = start_tls_server(hello_handler());
  tls_client c{server->port()};
  ASSERT_FALSE(c.handshake_error());
  auto res = c.request(bhttp::verb::post, "/big", std::string(64 * 1024 + 1, 'a'));
  EXPECT_EQ(res.result_int(), 413u);
  EXPECT_EQ(json_body(res).at("code").as_string(), "payload_too_large");
}

TEST(HttpTls, PlainHttpOnTheTlsPortIsClosedAndOthersAreStillServed) {
  auto server = start_tls_server(hello_handler());
  {
    client plain{server->port()};
    ASSERT_FALSE(plain.send_raw("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    beast::error_code ec;
    auto res = plain.receive(ec);
    EXPECT_TRUE(ec) << "a plain-HTTP request on the TLS port got an HTTP answer: "
                    << res.result_int();
  }
  tls_client c{server->port()};
  ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
  EXPECT_EQ(c.request(bhttp::verb::get, "/after").result_int(), 200u);
}

TEST(HttpTls, TlsBelow12IsRefused) {
  auto server = start_tls_server(hello_handler());
  tls_client old{server->port(), TLS1_1_VERSION};
  EXPECT_TRUE(old.handshake_error())
      << "a TLS 1.1 handshake succeeded, version 0x" << std::hex << old.version();
  tls_client current{server->port(), TLS1_2_VERSION};
  EXPECT_FALSE(current.handshake_error()) << current.handshake_error().message();
}

TEST(HttpTls, IdleConnectionGetsCloseNotifyWhenTheServerStops) {
  auto server = start_tls_server(hello_handler());
  tls_client c{server->port()};
  ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
  EXPECT_EQ(c.request(bhttp::verb::get, "/first").result_int(), 200u);
  // The connection is idle (keep-alive, waiting for the next request).
  // stop() waits for the session, which waits (bounded) for our answer
  // to its close_notify: run it beside the client.
  std::thread stopper{[&] { server->stop(); }};
  expect_close_notify_then_tcp_close(c);
  stopper.join();
}

TEST(HttpTls, ServerCloseIsACleanTlsShutdown) {
  auto server = start_tls_server(hello_handler());
  // After `Connection: close`.
  {
    tls_client c{server->port()};
    ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
    auto res = c.request(bhttp::verb::get, "/bye", {}, /*close=*/true);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_FALSE(res.keep_alive());
    expect_close_notify_then_tcp_close(c);
  }
  // After an error answer that closes the connection (413, lingering).
  {
    tls_client c{server->port()};
    ASSERT_FALSE(c.handshake_error());
    auto res = c.request(bhttp::verb::post, "/big", std::string(64 * 1024 + 1, 'a'));
    EXPECT_EQ(res.result_int(), 413u);
    const auto ec = c.read_after_close();
    EXPECT_EQ(ec, asio::error::eof)
        << "got " << ec.message() << " (" << ec.category().name() << ")";
  }
  // The server still serves others.
  tls_client c{server->port()};
  ASSERT_FALSE(c.handshake_error());
  EXPECT_EQ(c.request(bhttp::verb::get, "/after").result_int(), 200u);
}

TEST(HttpTls, BadFilesAreStartErrors) {
  std::error_code ec;
  auto missing = start_tls_server(hello_handler(),
                                  {tls_dir() + "nope.pem", tls_dir() + "server.key", {}}, &ec);
  EXPECT_TRUE(ec) << "a missing certificate file started";
  EXPECT_EQ(missing->port(), 0);
  // A key that is not the certificate's: the CA certificate with the server key.
  auto mismatched =
      start_tls_server(hello_handler(), {tls_dir() + "ca.pem", tls_dir() + "server.key", {}}, &ec);
  EXPECT_TRUE(ec) << "a mismatched key started";
  EXPECT_EQ(mismatched->port(), 0);
}

TEST(HttpTls, PlainHttpStaysTheDefault) {
  EXPECT_FALSE(server_options{}.tls.enabled());
  auto server = start_server(hello_handler());
  client c{server->port()};
  EXPECT_EQ(c.request(bhttp::verb::get, "/plain").result_int(), 200u);
}

} // namespace
} // namespace dwt::http::test
