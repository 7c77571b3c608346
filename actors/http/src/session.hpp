#pragma once
/// @file
/// Internal: one HTTP/1.1 connection. Reads one request at a time (the next
/// read starts only after the response is written), enforces the size and
/// time limits, hands requests to the application, writes responses.
///
/// Threading: every member function runs on the connection's strand, except
/// the constructor and `executor()`.

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "dwt/http/request_context.hpp"
#include "state.hpp"

namespace dwt::http::detail {

/// A connection's strand. A concrete type, not `any_io_executor` (Beast's
/// default): every asynchronous operation copies, moves and `prefer`s its
/// I/O object's executor, and the type-erased one paid for that through
/// function pointers each time.
using strand_executor = boost::asio::strand<boost::asio::io_context::executor_type>;
/// What the acceptor hands over when it accepts onto a new strand.
using strand_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, strand_executor>;
using tcp_stream = boost::beast::basic_stream<boost::asio::ip::tcp, strand_executor>;

class session : public std::enable_shared_from_this<session> {
public:
  /// `reject`: answer 503 at once and close (max_connections reached).
  /// With `tls` the connection starts with a TLS handshake (bounded by the
  /// read timeout); a client that does not speak TLS, or presents a client
  /// certificate that does not verify (mutual TLS), is closed.
  session(strand_socket&& socket, std::shared_ptr<shared_state> state, bool reject,
          boost::asio::ssl::context* tls);
  session(const session&) = delete;
  session& operator=(const session&) = delete;
  ~session();

  /// Starts the connection (posts onto its strand).
  void start();

  /// The connection's strand.
  [[nodiscard]] strand_executor executor() { return lowest().get_executor(); }

  /// Writes the application's response (on the strand).
  void deliver(response r, const std::string& request_id);

  /// The server is stopping: close if idle, else close after the response.
  void on_server_stop();

private:
  enum class phase { idle, reading, handling, writing, closing, closed };

  using plain_stream = tcp_stream;
  using tls_stream = boost::beast::ssl_stream<tcp_stream>;

  /// The TCP layer (timeouts, socket) of either stream.
  [[nodiscard]] tcp_stream& lowest();
  /// Runs `fn(stream)` on the plain or the TLS stream.
  template <class Fn>
  void with_stream(Fn&& fn) {
    std::visit(std::forward<Fn>(fn), stream_);
  }
  /// Half-closes the TCP connection (ignores errors).
  void shutdown_send();
  void begin();
  void do_read();
  void read_request();
  /// The header is read: checks its framing, then reads the body.
  void on_header(boost::beast::error_code ec);
  void on_read(boost::beast::error_code ec);
  /// What is known of a request that was not fully read (for the log and
  /// the metrics): its id, and method and path once the header was parsed.
  [[nodiscard]] request_meta meta_of_partial();
  void dispatch();
  void answer_locally(response r, request_meta meta, bool close_after);
  void write(response r, const std::string& request_id, bool close_after);
  void on_write(boost::beast::error_code ec, bool keep, bool linger);
  /// Ends the connection: over TLS first a bounded `async_shutdown`
  /// (close_notify), then `close_transport(linger)`.
  void close_gracefully(bool linger);
  /// Closes TCP: lingering (`linger_close`) or at once after a half-close.
  void close_transport(bool linger);
  /// Half-closes, drains what the client still sends (bounded), closes.
  void linger_close();
  void drain();
  void finish();
  /// After on_server_stop cancelled an idle TLS session's read (`ec` is
  /// operation_aborted): starts the close_notify shutdown; true if it did.
  bool close_notify_on_stop(boost::beast::error_code ec);

  std::shared_ptr<shared_state> state_;
  std::variant<plain_stream, tls_stream> stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  /// The answer being written (response_wire.hpp), kept until the write
  /// completes.
  std::string out_;
  std::array<char, 4096> drain_buf_{};
  std::size_t drained_ = 0;
  phase phase_ = phase::idle;
  /// Server stop cancelled this idle TLS session's read so that it can
  /// send close_notify (on_server_stop).
  bool stopping_ = false;
  bool reject_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  /// The request being answered is a HEAD: its answer is sent without body.
  bool head_ = false;
  bool counted_;
  /// The client's verified certificate (mutual TLS), set once after the
  /// handshake and shared by every request of the connection; null over
  /// plain HTTP.
  std::shared_ptr<const peer_certificate> peer_;
};

} // namespace dwt::http::detail
