#pragma once
/// @file
/// Internal: one outbound connection (plain TCP or TLS over TCP) and the
/// bounded pool of idle keep-alive connections.
///
/// Threading: a connection is used by one request at a time, on its
/// stream's strand. The pool is guarded by a mutex.

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace dwt::outbound::detail {

/// The strand a request and its connection run on. A concrete type, not
/// `any_io_executor` (Beast's default): every asynchronous operation
/// copies, moves and `prefer`s its I/O object's executor, and the
/// type-erased one paid for that through function pointers on each.
using strand_executor = boost::asio::strand<boost::asio::io_context::executor_type>;
using tcp_stream = boost::beast::basic_stream<boost::asio::ip::tcp, strand_executor>;

struct connection {
  using plain_stream = tcp_stream;
  using tls_stream = boost::beast::ssl_stream<tcp_stream>;

  explicit connection(const strand_executor& ex) : stream(std::in_place_type<plain_stream>, ex) {}
  connection(const strand_executor& ex, boost::asio::ssl::context& tls)
      : stream(std::in_place_type<tls_stream>, ex, tls) {}

  [[nodiscard]] tcp_stream& lowest() noexcept {
    return std::visit([](auto& s) -> tcp_stream& { return boost::beast::get_lowest_layer(s); },
                      stream);
  }

  std::variant<plain_stream, tls_stream> stream;
  boost::beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since{};
};

/// Idle connections per endpoint, bounded per endpoint and in endpoints.
class connection_pool {
public:
  connection_pool(std::size_t max_per_endpoint, std::size_t max_endpoints,
                  std::chrono::milliseconds idle_timeout)
      : max_per_endpoint_(max_per_endpoint), max_endpoints_(max_endpoints),
        idle_timeout_(idle_timeout) {}

  /// The most recently pooled live connection for `key`, or null.
  [[nodiscard]] std::unique_ptr<connection> take(const std::string& key);
  /// Pools `conn` (or drops it when a bound is reached).
  void give(const std::string& key, std::unique_ptr<connection> conn);
  [[nodiscard]] std::size_t idle() const;
  void clear();

private:
  const std::size_t max_per_endpoint_;
  const std::size_t max_endpoints_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<std::unique_ptr<connection>>> idle_;
};

} // namespace dwt::outbound::detail
