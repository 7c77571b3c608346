/// @file
/// See gauge.hpp.
#include "gauge.hpp"

#include <charconv>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace dwt::load {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using steady = std::chrono::steady_clock;

/// Largest /metrics body read (dwt-server's is a few KB).
constexpr std::size_t max_metrics_body = 4 * 1024 * 1024;
/// Deadline of one poll's connect, write and read.
constexpr auto poll_deadline = std::chrono::seconds(2);

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

/// One GET /metrics; the body, or an error message in `error`.
std::optional<std::string> fetch_metrics(const std::string& host, unsigned port,
                                         std::string& error) {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::error_code ec;
  asio::ip::tcp::resolver resolver{ioc};
  const auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec) {
    error = "resolve " + host + ": " + ec.message();
    return std::nullopt;
  }
  stream.expires_after(poll_deadline);
  stream.connect(results, ec);
  if (ec) {
    error = "connect: " + ec.message();
    return std::nullopt;
  }
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, "/metrics", 11};
  req.set(bhttp::field::host, host);
  req.set(bhttp::field::connection, "close");
  bhttp::write(stream, req, ec);
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(max_metrics_body);
  if (!ec)
    bhttp::read(stream, buf, parser, ec);
  if (ec) {
    error = "GET /metrics: " + ec.message();
    return std::nullopt;
  }
  if (parser.get().result_int() != 200) {
    error = "GET /metrics answered " + std::to_string(parser.get().result_int());
    return std::nullopt;
  }
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return std::move(parser.get().body());
}

} // namespace

std::optional<double> gauge_value(std::string_view text, std::string_view name) {
  if (name.empty())
    return std::nullopt;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.size() <= name.size() || line.substr(0, name.size()) != name)
      continue;
    const char next = line[name.size()];
    if (next != ' ' && next != '\t')
      continue; // a longer name, or labels
    auto rest = trim(line.substr(name.size()));
    // An optional timestamp may follow the value.
    rest = rest.substr(0, rest.find_first_of(" \t"));
    double v = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
    if (ec != std::errc{} || end != rest.data() + rest.size())
      return std::nullopt;
    return v;
  }
  return std::nullopt;
}

settle_result await_zero(const std::string& host, unsigned port, std::string_view name,
                         std::chrono::milliseconds timeout, std::chrono::milliseconds interval) {
  settle_result r;
  const auto t0 = steady::now();
  const auto deadline = t0 + timeout;
  auto since = [&] { return std::chrono::duration<double>(steady::now() - t0).count(); };
  for (;;) {
    std::string error;
    if (auto body = fetch_metrics(host, port, error)) {
      r.error.clear();
      r.last = gauge_value(*body, name);
      if (!r.first)
        r.first = r.last;
      if (!r.last) {
        r.error = "no gauge '" + std::string{name} + "' in /metrics";
        r.seconds = since();
        return r;
      }
      if (*r.last == 0) {
        r.reached_zero = true;
        r.seconds = since();
        return r;
      }
    } else {
      r.error = error;
    }
    if (steady::now() + interval > deadline) {
      if (r.error.empty())
        r.error = "still " + std::to_string(static_cast<long long>(r.last.value_or(-1))) +
                  " after " + std::to_string(timeout.count() / 1000) + " s";
      r.seconds = since();
      return r;
    }
    std::this_thread::sleep_for(interval);
  }
}

} // namespace dwt::load
