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

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace dwt::outbound::detail {

struct connection {
  using plain_stream = boost::beast::tcp_stream;
  using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  explicit connection(const boost::asio::any_io_executor& ex)
      : stream(std::in_place_type<plain_stream>, ex) {}
  connection(const boost::asio::any_io_executor& ex, boost::asio::ssl::context& tls)
      : stream(std::in_place_type<tls_stream>, ex, tls) {}

  [[nodiscard]] boost::beast::tcp_stream& lowest() noexcept {
    return std::visit(
        [](auto& s) -> boost::beast::tcp_stream& { return boost::beast::get_lowest_layer(s); },
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
