#include "http_client.hpp"

#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

namespace dwt::mdes_sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

struct http_client::impl {
  std::string host;
  std::uint16_t port;
  std::chrono::milliseconds timeout;
  std::optional<tls_options> tls;
  asio::io_context ioc{1};
  /// The TLS context, made on the first connection.
  std::optional<ssl::context> ctx;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  /// Runs the queued operation to completion (its own timeout bounds it).
  void run() {
    ioc.restart();
    ioc.run();
  }

  [[nodiscard]] bool connected() const noexcept { return plain || secure; }

  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*secure); }

  void drop() {
    if (connected()) {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
      lowest().close();
    }
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  /// "" or why the TLS context cannot be made (the file and the reason).
  std::string make_context() {
    if (ctx)
      return {};
    ssl::context c{ssl::context::tls_client};
    beast::error_code ec;
    c.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                  ec);
    c.set_verify_mode(ssl::verify_peer, ec);
    if (!tls->ca_file.empty())
      c.load_verify_file(tls->ca_file.string(), ec);
    else
      c.set_default_verify_paths(ec);
    if (ec)
      return "TLS CA " + tls->ca_file.string() + ": " + ec.message();
    if (!tls->cert_file.empty()) {
      c.use_certificate_chain_file(tls->cert_file.string(), ec);
      if (ec)
        return "client certificate " + tls->cert_file.string() + ": " + ec.message();
      c.use_private_key_file(tls->key_file.string(), ssl::context::pem, ec);
      if (ec)
        return "client key " + tls->key_file.string() + ": " + ec.message();
    }
    ctx.emplace(std::move(c));
    return {};
  }

  std::string connect() {
    if (tls)
      if (auto err = make_context(); !err.empty())
        return err;
    tcp::resolver resolver{ioc};
    beast::error_code ec;
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec)
      return "cannot resolve " + host + ": " + ec.message();
    if (tls)
      secure.emplace(ioc, *ctx);
    else
      plain.emplace(ioc);
    lowest().expires_after(timeout);
    lowest().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec) {
      drop();
      return "cannot connect to " + host + ":" + std::to_string(port) + ": " + ec.message();
    }
    lowest().socket().set_option(tcp::no_delay(true), ec);
    if (!tls)
      return {};
    // SNI and the server's name checked against its certificate.
    // SSL_set_tlsext_host_name, without the macro's C cast.
    if (SSL_ctrl(secure->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host.c_str())) != 1) {
      drop();
      return "cannot set the TLS server name " + host;
    }
    secure->set_verify_callback(ssl::host_name_verification(host));
    lowest().expires_after(timeout);
    secure->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    run();
    if (ec) {
      drop();
      return "TLS handshake with " + host + ":" + std::to_string(port) + ": " + ec.message();
    }
    return {};
  }

  template <class Stream>
  http_result exchange(Stream& stream, bhttp::request<bhttp::string_body>& req) {
    http_result out;
    beast::error_code ec;
    lowest().expires_after(timeout);
    bhttp::async_write(stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) {
      drop();
      out.error = "write: " + ec.message();
      return out;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_response_bytes);
    lowest().expires_after(timeout);
    bhttp::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    if (ec) {
      drop();
      out.error = "read: " + ec.message();
      return out;
    }
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    if (!res.keep_alive())
      drop();
    return out;
  }
};

http_client::http_client(std::string host, std::uint16_t port, std::chrono::milliseconds timeout,
                         std::optional<tls_options> tls)
    : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
  impl_->tls = std::move(tls);
}

http_client::~http_client() {
  if (impl_)
    impl_->drop();
}

http_client::http_client(http_client&&) noexcept = default;
http_client& http_client::operator=(http_client&&) noexcept = default;

const std::string& http_client::host() const noexcept {
  return impl_->host;
}

std::uint16_t http_client::port() const noexcept {
  return impl_->port;
}

http_result http_client::send(std::string_view method, const std::string& target,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  auto& s = *impl_;
  if (!s.connected()) {
    http_result out;
    out.error = s.connect();
    if (!out.error.empty())
      return out;
  }
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, s.host + ":" + std::to_string(s.port));
  req.set(bhttp::field::user_agent, "dwt-mdes-sim");
  for (const auto& [name, value] : headers)
    req.set(name, value);
  if (!body.empty()) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
  }
  req.keep_alive(true);
  req.prepare_payload();
  return s.plain ? s.exchange(*s.plain, req) : s.exchange(*s.secure, req);
}

} // namespace dwt::mdes_sim
