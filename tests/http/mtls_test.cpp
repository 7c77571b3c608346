// Mutual TLS on the listener (`tls_settings::client_ca_file`): the server
// asks every client for a certificate and verifies it against the client
// CA; a verified one reaches the handler as `client_certificate` (subject,
// SHA-256), a client without one is still served (routes decide), one from
// another CA fails the connection. A client that connects and stays silent
// is dropped by the handshake's bound. Uses the development material of
// config/dev/ (tls-*.pem) and the foreign CA of tests/http/mtls/.
#include <array>
#include <atomic>
#include <fstream>
#include <sstream>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "../common/tls_test_client.hpp"
#include "support.hpp"

namespace dwt::http::test {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

std::string dev_dir() {
  return std::string{DWT_SOURCE_DIR} + "/config/dev/";
}
std::string other_dir() {
  return std::string{DWT_SOURCE_DIR} + "/tests/http/mtls/";
}

config::tls_settings mutual_tls() {
  return {dev_dir() + "tls-server.pem", dev_dir() + "tls-server.key.pem", dev_dir() + "tls-ca.pem"};
}

std::unique_ptr<http_server> start_mtls_server(handler app, config::http_settings limits,
                                               config::tls_settings tls = mutual_tls(),
                                               std::error_code* error = nullptr) {
  return start_https_server(std::move(app), limits, std::move(tls), error);
}

/// Answers with what the server learnt of the client's certificate.
handler peer_echo() {
  return [](request_context ctx, responder res) {
    boost::json::object o;
    if (ctx.client_certificate) {
      o["subject"] = ctx.client_certificate->subject;
      o["sha256"] = ctx.client_certificate->sha256;
    }
    res.respond(json_response(200, std::move(o)));
  };
}

/// Lower-case hex SHA-256 of the DER of the PEM certificate at `path`,
/// computed here with the EVP digest API (not the server's X509_digest).
std::string der_sha256(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  EXPECT_NE(f, nullptr) << path;
  if (f == nullptr)
    return {};
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned md_len = 0;
  EVP_Digest(der, static_cast<std::size_t>(len), md.data(), &md_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  X509_free(cert);
  std::ostringstream hex;
  for (unsigned i = 0; i < md_len; ++i)
    hex << "0123456789abcdef"[md[i] >> 4] << "0123456789abcdef"[md[i] & 0xF];
  return hex.str();
}

/// A TLS client verifying the development server certificate, presenting
/// `cert` / `key` when given (bounded operations).
class mtls_client : public dwt::test::tls_test_client {
public:
  mtls_client(std::uint16_t port, const std::string& cert = {}, const std::string& key = {})
      : tls_test_client(port, dev_dir() + "tls-ca.pem", op_limit, cert, key) {}

  /// One GET; the error of the write or the read (none when answered).
  beast::error_code get(const std::string& target, beast_response& res) {
    beast_request req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "localhost");
    req.prepare_payload();
    beast::error_code ec;
    beast::get_lowest_layer(stream_).expires_after(op_limit);
    bhttp::async_write(stream_, req, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec)
      return ec;
    bhttp::async_read(stream_, buffer_, res, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    return ec;
  }
};

TEST(HttpMutualTls, VerifiedClientCertificateReachesTheHandler) {
  auto server = start_mtls_server(peer_echo(), test_limits());
  mtls_client c{server->port(), dev_dir() + "tls-network-client.pem",
                dev_dir() + "tls-network-client.key.pem"};
  ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
  for (int i = 0; i < 2; ++i) { // keep-alive: the same identity on every request
    beast_response res;
    ASSERT_FALSE(c.get("/who", res));
    EXPECT_EQ(res.result_int(), 200u);
    const auto body = json_body(res);
    ASSERT_TRUE(body.contains("sha256")) << res.body();
    EXPECT_EQ(body.at("subject").as_string(), "CN=dwt development network client");
    EXPECT_EQ(body.at("sha256").as_string(), der_sha256(dev_dir() + "tls-network-client.pem"));
  }
}

TEST(HttpMutualTls, ClientWithoutCertificateIsServedWithoutIdentity) {
  auto server = start_mtls_server(peer_echo(), test_limits());
  mtls_client c{server->port()};
  ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
  beast_response res;
  ASSERT_FALSE(c.get("/who", res));
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_FALSE(json_body(res).contains("sha256")) << res.body();
}

TEST(HttpMutualTls, CertificateOfAnotherCaIsRefusedAndOthersAreStillServed) {
  std::atomic<int> handled{0};
  auto server = start_mtls_server(
      [&](request_context ctx, responder res) {
        ++handled;
        peer_echo()(std::move(ctx), std::move(res));
      },
      test_limits());
  {
    // Same subject as the network's certificate, signed by another CA.
    mtls_client c{server->port(), other_dir() + "other-client.pem",
                  other_dir() + "other-client.key.pem"};
    // TLS 1.3: the client finishes its side before the server checked its
    // certificate, so the refusal may surface on the first request.
    if (!c.handshake_error()) {
      beast_response res;
      EXPECT_TRUE(c.get("/who", res)) << "answered " << res.result_int() << " " << res.body();
    }
  }
  EXPECT_EQ(handled.load(), 0) << "a request over an unverified certificate reached the handler";
  mtls_client good{server->port(), dev_dir() + "tls-network-client.pem",
                   dev_dir() + "tls-network-client.key.pem"};
  ASSERT_FALSE(good.handshake_error()) << good.handshake_error().message();
  beast_response res;
  ASSERT_FALSE(good.get("/who", res));
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(handled.load(), 1);
}

TEST(HttpMutualTls, SilentClientIsDroppedDuringTheHandshake) {
  auto limits = test_limits();
  limits.read_timeout = std::chrono::milliseconds{200}; // bounds the handshake
  auto server = start_mtls_server(peer_echo(), limits);
  client silent{server->port()};
  // Sends nothing: the server must close the connection (the read ends
  // with an error from the server's side, not with our own time limit).
  beast::error_code ec;
  auto res = silent.receive(ec);
  EXPECT_TRUE(ec) << "got an answer: " << res.result_int();
  EXPECT_NE(ec, beast::error::timeout) << "the server held a silent connection";
}

TEST(HttpMutualTls, NoIdentityOverPlainHttpOrTlsWithoutClientCa) {
  {
    auto server = start_server(peer_echo());
    client c{server->port()};
    auto res = c.request(bhttp::verb::get, "/who");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_FALSE(json_body(res).contains("sha256"));
  }
  // TLS without client_ca_file: no certificate is asked for, so even a
  // client holding one presents nothing.
  auto tls = mutual_tls();
  tls.client_ca_file.clear();
  EXPECT_FALSE(tls.mutual());
  auto server = start_mtls_server(peer_echo(), test_limits(), tls);
  mtls_client c{server->port(), dev_dir() + "tls-network-client.pem",
                dev_dir() + "tls-network-client.key.pem"};
  ASSERT_FALSE(c.handshake_error()) << c.handshake_error().message();
  beast_response res;
  ASSERT_FALSE(c.get("/who", res));
  EXPECT_FALSE(json_body(res).contains("sha256")) << res.body();
}

TEST(HttpMutualTls, BadClientCaFileIsAStartError) {
  std::error_code ec;
  auto tls = mutual_tls();
  tls.client_ca_file = other_dir() + "missing-ca.pem";
  auto server = start_mtls_server(peer_echo(), test_limits(), tls, &ec);
  EXPECT_TRUE(ec) << "a missing client CA file started";
  EXPECT_EQ(server->port(), 0);
}

} // namespace
} // namespace dwt::http::test
