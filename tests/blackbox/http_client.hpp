#pragma once
/// @file
/// A small blocking HTTP/1.1 keep-alive client for the black-box tests
/// (Boost.Beast over one private io_context), plus JSON helpers.
///
/// Every operation has a deadline, so a hung server fails a test instead of
/// hanging it; no test asserts speed. Transport failures are values
/// (`send_result::error`), never exceptions. Threading: one client per
/// thread; distinct clients are independent.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace dwt::blackbox {

/// One HTTP request as the tests describe it.
struct http_request {
  std::string method; ///< "GET", "POST", "PATCH", ...
  std::string target; ///< path and query, e.g. "/v1/events?limit=2"
  std::string body;   ///< sent with `Content-Type: application/json` when non-empty
  std::vector<std::pair<std::string, std::string>> headers; ///< extra headers
};

/// One complete HTTP response.
struct http_response {
  int status = 0;
  /// Header fields, names in lower case (the last value wins).
  std::map<std::string, std::string> headers;
  std::string body;

  /// The value of a header (name in any case), "" when absent.
  [[nodiscard]] std::string header(std::string_view name) const;
  /// The Content-Type header, "" when absent.
  [[nodiscard]] std::string content_type() const { return header("content-type"); }
  /// The body parsed as JSON; null when empty or not JSON.
  [[nodiscard]] boost::json::value json() const;
};

/// The outcome of one `http_client::send`.
struct send_result {
  /// The answer, when one was received completely.
  std::optional<http_response> response;
  /// What went wrong ("" when `response` is set).
  std::string error;
  /// True once every byte of the request was written.
  bool request_written = false;
  /// True when some but not all bytes of an answer arrived (a truncated
  /// answer, never acceptable from a graceful server).
  bool partial_response = false;
};

/// A blocking keep-alive HTTP/1.1 client bound to one host and port. It
/// connects lazily and reconnects on the next `send` after any error or a
/// `Connection: close` answer; a request is never re-sent automatically.
class http_client {
public:
  http_client(std::string host, std::uint16_t port,
              std::chrono::milliseconds op_timeout = std::chrono::seconds{15});
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;
  http_client(http_client&&) noexcept;
  http_client& operator=(http_client&&) noexcept;

  /// Sends one request and reads its answer.
  [[nodiscard]] send_result send(const http_request& request);
  /// Closes the connection (the next `send` reconnects).
  void close();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Parses JSON text; nullopt when it is not JSON. Never throws.
[[nodiscard]] std::optional<boost::json::value> parse_json(std::string_view text);

/// `v[key]` as a string when `v` is an object holding a string there, else "".
[[nodiscard]] std::string json_string(const boost::json::value& v, std::string_view key);
/// `v[key]` as an integer when present and integral, else nullopt.
[[nodiscard]] std::optional<std::int64_t> json_int(const boost::json::value& v,
                                                   std::string_view key);
/// `v[key]` when `v` is an object holding `key`, else a null value.
[[nodiscard]] const boost::json::value& json_at(const boost::json::value& v, std::string_view key);
/// `v[key]` as an array (empty when absent or not an array).
[[nodiscard]] std::vector<boost::json::value> json_array(const boost::json::value& v,
                                                         std::string_view key);
/// True when `v` is an object holding `key` with a null value.
[[nodiscard]] bool json_is_null(const boost::json::value& v, std::string_view key);

} // namespace dwt::blackbox
