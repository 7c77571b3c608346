#include "http_client.hpp"

#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace dwt::mdes_sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct http_client::impl {
  std::string host;
  std::uint16_t port;
  std::chrono::milliseconds timeout;
  asio::io_context ioc{1};
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  /// Runs the queued operation to completion (its own timeout bounds it).
  void run() {
    ioc.restart();
    ioc.run();
  }

  void drop() {
    if (stream) {
      beast::error_code ec;
      stream->socket().shutdown(tcp::socket::shutdown_both, ec);
      stream->close();
    }
    stream.reset();
    buffer.clear();
  }

  std::string connect() {
    tcp::resolver resolver{ioc};
    beast::error_code ec;
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec)
      return "cannot resolve " + host + ": " + ec.message();
    stream.emplace(ioc);
    stream->expires_after(timeout);
    stream->async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    run();
    if (ec) {
      drop();
      return "cannot connect to " + host + ":" + std::to_string(port) + ": " + ec.message();
    }
    stream->socket().set_option(tcp::no_delay(true), ec);
    return {};
  }
};

http_client::http_client(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
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
  http_result out;
  if (!s.stream) {
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
  beast::error_code ec;
  s.stream->expires_after(s.timeout);
  bhttp::async_write(*s.stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
  s.run();
  if (ec) {
    s.drop();
    out.error = "write: " + ec.message();
    return out;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_response_bytes);
  s.stream->expires_after(s.timeout);
  bhttp::async_read(*s.stream, s.buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
  s.run();
  if (ec) {
    s.drop();
    out.error = "read: " + ec.message();
    return out;
  }
  auto res = parser.release();
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  if (!res.keep_alive())
    s.drop();
  return out;
}

} // namespace dwt::mdes_sim
