#pragma once
// The client side of one TLS connection to a test server on loopback,
// shared by the HTTPS and mutual-TLS tests: trusts one CA file, checks the
// server name `localhost`, presents a client certificate when given, and
// connects and shakes hands in the constructor, every step bounded by
// `op_limit`. Test clients derive from it and add their requests.

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

namespace dwt::test {

class tls_test_client {
public:
  /// `cert`/`key` (PEM files): a client certificate, none when empty;
  /// `max_version` (e.g. TLS1_1_VERSION) caps the protocol and lets this
  /// client offer old versions, so a refusal is the server's; 0 leaves the
  /// defaults.
  tls_test_client(std::uint16_t port, const std::string& ca_file,
                  std::chrono::steady_clock::duration op_limit, const std::string& cert = {},
                  const std::string& key = {}, int max_version = 0)
      : op_limit_(op_limit), ctx_(boost::asio::ssl::context::tls_client), stream_(ioc_, ctx_) {
    namespace ssl = boost::asio::ssl;
    // The stream's SSL object exists already: per-connection settings go
    // to it, the trust store is the context's (shared).
    ctx_.load_verify_file(ca_file);
    stream_.set_verify_mode(ssl::verify_peer);
    if (max_version != 0) {
      SSL_set_max_proto_version(stream_.native_handle(), max_version);
      // OpenSSL 3 refuses TLS < 1.2 from security level 1.
      SSL_set_security_level(stream_.native_handle(), 0);
    }
    stream_.set_verify_callback(ssl::host_name_verification("localhost"));
    if (!cert.empty()) {
      EXPECT_EQ(SSL_use_certificate_file(stream_.native_handle(), cert.c_str(), SSL_FILETYPE_PEM),
                1);
      EXPECT_EQ(SSL_use_PrivateKey_file(stream_.native_handle(), key.c_str(), SSL_FILETYPE_PEM), 1);
    }
    boost::asio::ip::tcp::endpoint ep{boost::asio::ip::make_address("127.0.0.1"), port};
    boost::beast::get_lowest_layer(stream_).expires_after(op_limit_);
    boost::beast::get_lowest_layer(stream_).async_connect(
        ep, [&](boost::beast::error_code e) { ec_ = e; });
    run();
    if (ec_)
      return;
    boost::beast::get_lowest_layer(stream_).expires_after(op_limit_);
    stream_.async_handshake(ssl::stream_base::client, [&](boost::beast::error_code e) { ec_ = e; });
    run();
  }

  /// The connect or handshake error (none once connected).
  [[nodiscard]] boost::beast::error_code handshake_error() const { return ec_; }

protected:
  void run() {
    ioc_.run();
    ioc_.restart();
  }

  std::chrono::steady_clock::duration op_limit_;
  boost::asio::io_context ioc_;
  boost::asio::ssl::context ctx_;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  boost::beast::error_code ec_;
};

} // namespace dwt::test
