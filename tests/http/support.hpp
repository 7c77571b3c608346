#pragma once
// A real Beast client and a server fixture for the HTTP ingress tests.
// Client operations are asynchronous with a generous expiry, so a broken
// server fails a test instead of hanging it; no test asserts speed.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "dwt/http/router.hpp"
#include "dwt/http/server.hpp"

namespace dwt::http::test {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

using beast_request = bhttp::request<bhttp::string_body>;
using beast_response = bhttp::response<bhttp::string_body>;

/// Safety net for every client operation (a hang fails, it is not timed).
inline constexpr auto op_limit = 20s;

class client {
public:
  explicit client(std::uint16_t port) : stream_(ioc_) {
    boost::asio::ip::tcp::endpoint ep{boost::asio::ip::make_address("127.0.0.1"), port};
    beast::error_code ec;
    stream_.expires_after(op_limit);
    stream_.async_connect(ep, [&](beast::error_code e) { ec = e; });
    run();
    EXPECT_FALSE(ec) << ec.message();
  }

  beast::error_code send(beast_request req) {
    if (req.find(bhttp::field::host) == req.end())
      req.set(bhttp::field::host, "127.0.0.1"); // required by HTTP/1.1
    req.prepare_payload();
    beast::error_code ec;
    stream_.expires_after(op_limit);
    bhttp::async_write(stream_, req, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    return ec;
  }

  beast::error_code send_raw(const std::string& bytes) {
    beast::error_code ec;
    stream_.expires_after(op_limit);
    boost::asio::async_write(stream_, boost::asio::buffer(bytes),
                             [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    return ec;
  }

  /// Reads one response; `ec` reports a close or error.
  beast_response receive(beast::error_code& ec) {
    beast_response res;
    stream_.expires_after(op_limit);
    bhttp::async_read(stream_, buffer_, res, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    return res;
  }

  beast_response receive() {
    beast::error_code ec;
    auto res = receive(ec);
    EXPECT_FALSE(ec) << ec.message();
    return res;
  }

  beast_response request(bhttp::verb method, const std::string& target, std::string body = {},
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    beast_request req{method, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (auto& [k, v] : headers)
      req.set(k, v);
    req.body() = std::move(body);
    EXPECT_FALSE(send(std::move(req)));
    return receive();
  }

  /// Bytes read past the last response (e.g. a second answer).
  [[nodiscard]] std::size_t buffered() const { return buffer_.size(); }

  /// True when the server closed the connection (EOF or reset), false when
  /// data arrived or our own safety limit expired.
  bool closed_by_peer() {
    char byte = 0;
    beast::error_code ec;
    stream_.expires_after(op_limit);
    stream_.async_read_some(boost::asio::buffer(&byte, 1),
                            [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

private:
  void run() {
    ioc_.run();
    ioc_.restart();
  }

  boost::asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

/// Responders parked by a handler until the test releases them.
class parking {
public:
  void park(responder r) {
    std::lock_guard lock{mutex_};
    parked_.push_back(std::move(r));
    cv_.notify_all();
  }
  /// Waits (bounded by `op_limit`) until `n` responders are parked.
  bool wait_for(std::size_t n) {
    std::unique_lock lock{mutex_};
    return cv_.wait_for(lock, op_limit, [&] { return parked_.size() >= n; });
  }
  responder take() {
    std::lock_guard lock{mutex_};
    responder r = std::move(parked_.front());
    parked_.erase(parked_.begin());
    return r;
  }

private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<responder> parked_;
};

/// Collects access log lines.
struct log_capture {
  std::mutex mutex;
  std::vector<std::string> lines;
  log_sink sink() {
    return [this](std::string_view line) {
      std::lock_guard lock{mutex};
      lines.emplace_back(line);
    };
  }
  std::string all() {
    std::lock_guard lock{mutex};
    std::string out;
    for (auto& l : lines)
      out += l + "\n";
    return out;
  }
};

/// Small limits for tests.
inline config::http_settings test_limits() {
  config::http_settings l;
  l.max_header_bytes = 8 * 1024;
  l.max_body_bytes = 64 * 1024;
  l.io_threads = 2;
  l.shutdown_grace = 5s;
  return l;
}

/// Starts a server on an ephemeral loopback port.
inline std::unique_ptr<http_server> start_server(handler app,
                                                 config::http_settings limits = test_limits(),
                                                 log_sink log = null_log_sink()) {
  server_options o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.limits = limits;
  o.access_log = std::move(log);
  auto s = std::make_unique<http_server>(std::move(o), std::move(app));
  const auto ec = s->start();
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_NE(s->port(), 0);
  return s;
}

/// Starts an HTTPS server with `tls` on an ephemeral loopback port; the
/// start error goes to `*error` when given, else is expected to be none.
inline std::unique_ptr<http_server> start_https_server(handler app, config::http_settings limits,
                                                       config::tls_settings tls,
                                                       std::error_code* error = nullptr) {
  server_options o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.limits = limits;
  o.access_log = null_log_sink();
  o.tls = std::move(tls);
  auto s = std::make_unique<http_server>(std::move(o), std::move(app));
  const auto ec = s->start();
  if (error != nullptr)
    *error = ec;
  else
    EXPECT_FALSE(ec) << ec.message();
  return s;
}

inline boost::json::object json_body(const beast_response& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body(), ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << r.body();
    return {};
  }
  return v.as_object();
}

} // namespace dwt::http::test
