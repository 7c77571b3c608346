#include "http_client.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

namespace dwt::blackbox {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const boost::json::value& null_value() {
  static const boost::json::value v;
  return v;
}

} // namespace

std::string http_response::header(std::string_view name) const {
  const auto it = headers.find(lower(name));
  return it == headers.end() ? std::string{} : it->second;
}

boost::json::value http_response::json() const {
  auto v = parse_json(body);
  return v ? std::move(*v) : boost::json::value{};
}

std::optional<boost::json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec)
    return std::nullopt;
  return v;
}

const boost::json::value& json_at(const boost::json::value& v, std::string_view key) {
  if (const auto* o = v.if_object()) {
    if (const auto* found = o->if_contains(key))
      return *found;
  }
  return null_value();
}

std::string json_string(const boost::json::value& v, std::string_view key) {
  const auto& f = json_at(v, key);
  if (const auto* s = f.if_string())
    return std::string{s->data(), s->size()};
  return {};
}

std::optional<std::int64_t> json_int(const boost::json::value& v, std::string_view key) {
  const auto& f = json_at(v, key);
  if (const auto* i = f.if_int64())
    return *i;
  if (const auto* u = f.if_uint64())
    return static_cast<std::int64_t>(*u);
  return std::nullopt;
}

std::vector<boost::json::value> json_array(const boost::json::value& v, std::string_view key) {
  const auto& f = json_at(v, key);
  if (const auto* a = f.if_array())
    return {a->begin(), a->end()};
  return {};
}

bool json_is_null(const boost::json::value& v, std::string_view key) {
  if (const auto* o = v.if_object()) {
    if (const auto* found = o->if_contains(key))
      return found->is_null();
  }
  return false;
}

/// The connection state behind `http_client`.
struct http_client::impl {
  std::string host;
  std::uint16_t port;
  std::chrono::milliseconds timeout;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  /// Runs the queued asynchronous operation to completion.
  void run() {
    ioc.restart();
    ioc.run();
  }

  void close() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      stream->socket().close(ignored);
      stream.reset();
    }
    buffer.clear();
  }

  beast::error_code connect() {
    stream.emplace(ioc);
    asio::ip::tcp::endpoint ep{asio::ip::make_address(host), port};
    beast::error_code ec;
    stream->expires_after(timeout);
    stream->async_connect(ep, [&](beast::error_code e) { ec = e; });
    run();
    if (ec)
      close();
    return ec;
  }
};

http_client::http_client(std::string host, std::uint16_t port, std::chrono::milliseconds op_timeout)
    : impl_{std::make_unique<impl>()} {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = op_timeout;
}

http_client::~http_client() {
  if (impl_)
    impl_->close();
}

http_client::http_client(http_client&&) noexcept = default;
http_client& http_client::operator=(http_client&&) noexcept = default;

void http_client::close() {
  impl_->close();
}

send_result http_client::send(const http_request& request) {
  send_result out;
  auto& s = *impl_;
  if (!s.stream) {
    if (auto ec = s.connect()) {
      out.error = "connect: " + ec.message();
      return out;
    }
  }

  bhttp::request<bhttp::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  req.set(bhttp::field::host, s.host + ":" + std::to_string(s.port));
  req.keep_alive(true);
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    req.set(name, value);
    if (lower(name) == "content-type")
      has_content_type = true;
  }
  if (!request.body.empty() && !has_content_type)
    req.set(bhttp::field::content_type, "application/json");
  req.body() = request.body;
  req.prepare_payload();

  beast::error_code ec;
  s.stream->expires_after(s.timeout);
  bhttp::async_write(*s.stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
  s.run();
  if (ec) {
    out.error = "write: " + ec.message();
    s.close();
    return out;
  }
  out.request_written = true;

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::uint64_t{64} * 1024 * 1024);
  const std::size_t buffered_before = s.buffer.size();
  s.stream->expires_after(s.timeout);
  bhttp::async_read(*s.stream, s.buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
  s.run();
  if (ec) {
    out.partial_response = parser.got_some() || s.buffer.size() > buffered_before;
    out.error = "read: " + ec.message();
    s.close();
    return out;
  }

  auto res = parser.release();
  http_response r;
  r.status = static_cast<int>(res.result_int());
  for (const auto& field : res)
    r.headers[lower(field.name_string())] = std::string{field.value()};
  r.body = std::move(res.body());
  if (!res.keep_alive())
    s.close();
  out.response = std::move(r);
  return out;
}

} // namespace dwt::blackbox
