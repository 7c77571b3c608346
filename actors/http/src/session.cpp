#include "session.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <optional>
#include <string_view>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/url/parse.hpp>

#include "check.hpp"
#include "dwt/engine/text.hpp"
#include "dwt/http/response.hpp"
#include "header_checks.hpp"
#include "peer_certificate.hpp"
#include "response_wire.hpp"

namespace dwt::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

/// Most bytes read and discarded while lingering before a close.
constexpr std::size_t max_drain_bytes = 1 << 20;
/// Longest linger before a close.
constexpr std::chrono::milliseconds max_linger{1000};
/// Longest TLS shutdown: our close_notify is sent at once, then the peer's
/// is awaited at most this long (Beast's advanced server bounds it the same
/// way), so a peer that never answers cannot hold the session.
constexpr std::chrono::milliseconds max_tls_shutdown{1000};

bool is_http_error(const beast::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_target).category();
}

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// The Authorization scheme for the log, never the credentials.
std::string auth_scheme_of(std::string_view value) {
  const auto sp = value.find(' ');
  if (sp == std::string_view::npos)
    return "other";
  const std::string scheme = lower(value.substr(0, sp));
  if (scheme == "bearer")
    return "Bearer";
  if (scheme == "basic")
    return "Basic";
  return "other";
}

} // namespace

namespace {
std::variant<tcp_stream, beast::ssl_stream<tcp_stream>> make_stream(strand_socket&& socket,
                                                                    asio::ssl::context* tls) {
  if (tls == nullptr)
    return tcp_stream{std::move(socket)};
  return beast::ssl_stream<tcp_stream>{tcp_stream{std::move(socket)}, *tls};
}
} // namespace

session::session(strand_socket&& socket, std::shared_ptr<shared_state> state, bool reject,
                 asio::ssl::context* tls)
    : state_(std::move(state)), stream_(make_stream(std::move(socket), tls)), reject_(reject),
      counted_(!reject) {}

tcp_stream& session::lowest() {
  return std::visit([](auto& s) -> tcp_stream& { return beast::get_lowest_layer(s); }, stream_);
}

void session::shutdown_send() {
  beast::error_code ignored;
  lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
}

session::~session() {
  if (counted_) {
    state_->connections.fetch_sub(1, std::memory_order_relaxed);
    state_->connections_open.dec();
  }
}

void session::start() {
  asio::post(executor(), [self = shared_from_this()] { self->begin(); });
}

void session::begin() {
  auto* tls = std::get_if<tls_stream>(&stream_);
  if (tls == nullptr) {
    if (reject_) {
      keep_alive_ = false;
      write(problem(503, "too_many_connections",
                    "The server has reached its connection limit; retry later.")
                .with_header("Retry-After", "1"),
            state_->next_request_id(), true);
      return;
    }
    do_read();
    return;
  }
  // TLS: the handshake counts as reading (a silent client is dropped by the
  // read timeout); a client speaking plain HTTP, or presenting a client
  // certificate the client CAs do not verify, fails it and is closed.
  phase_ = phase::reading;
  lowest().expires_after(state_->limits.read_timeout);
  tls->async_handshake(
      asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
        if (ec) {
          self->finish();
          return;
        }
        self->lowest().expires_never();
        self->phase_ = phase::idle;
        // Once per connection, so a request pays nothing
        // for it (plain HTTP never gets here).
        self->peer_ = verified_peer(std::get<tls_stream>(self->stream_).native_handle());
        if (self->reject_) {
          self->keep_alive_ = false;
          self->write(problem(503, "too_many_connections",
                              "The server has reached its connection limit; "
                              "retry later.")
                          .with_header("Retry-After", "1"),
                      self->state_->next_request_id(), true);
          return;
        }
        self->do_read();
      });
}

void session::do_read() {
  if (state_->stopping.load()) {
    close_gracefully(false);
    return;
  }
  head_ = false;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(state_->limits.max_header_bytes));
  parser_->body_limit(state_->limits.max_body_bytes);
  if (buffer_.size() > 0) {
    read_request();
    return;
  }
  // Wait for the first byte of the next request under the idle timeout.
  phase_ = phase::idle;
  lowest().expires_after(state_->limits.idle_timeout);
  with_stream([this](auto& stream) {
    stream.async_read_some(buffer_.prepare(4096),
                           [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                             if (ec) {
                               if (self->close_notify_on_stop(ec))
                                 return;
                               self->finish();
                               return;
                             }
                             self->buffer_.commit(n);
                             self->read_request();
                           });
  });
}

void session::read_request() {
  phase_ = phase::reading;
  lowest().expires_after(state_->limits.read_timeout);
  // The header first: its framing is checked before any body byte is read.
  with_stream([this](auto& stream) {
    bhttp::async_read_header(
        stream, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  });
}

void session::on_header(beast::error_code ec) {
  if (ec) {
    on_read(ec);
    return;
  }
  if (auto bad = framing_problem(parser_->get())) {
    // Where this body ends is ambiguous: answer and close without reading
    // on, so no part of it is ever taken for the next request.
    keep_alive_ = false;
    answer_locally(std::move(*bad), meta_of_partial(), true);
    return;
  }
  if (parser_->is_done()) {
    on_read({});
    return;
  }
  with_stream([this](auto& stream) {
    bhttp::async_read(
        stream, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_read(e); });
  });
}

request_meta session::meta_of_partial() {
  request_meta meta;
  meta.request_id = state_->next_request_id();
  meta.received_at = std::chrono::system_clock::now();
  meta.received_steady = std::chrono::steady_clock::now();
  if (!parser_)
    return meta;
  // Beast parses the request line before the fields: a request refused in
  // its fields (431) or at its body (413) still has a method and target.
  const auto& h = parser_->get();
  const auto target = h.target();
  if (target.empty())
    return meta;
  head_ = h.method() == bhttp::verb::head; // its error answer has no body either
  std::string method{h.method_string()};
  std::string path{target.substr(0, target.find('?'))};
  if (state_->route_of)
    meta.route = state_->route_of(method, path);
  // Before the header is complete the method is taken only when it names a
  // served route, so a client cannot invent metric labels.
  if (parser_->is_header_done() || !meta.route.empty()) {
    meta.method = std::move(method);
    meta.path = std::move(path);
  }
  return meta;
}

void session::on_read(beast::error_code ec) {
  if (!ec) {
    dispatch();
    return;
  }
  if (phase_ == phase::closed || close_notify_on_stop(ec))
    return;
  request_meta meta = meta_of_partial();
  if (ec == bhttp::error::header_limit) {
    keep_alive_ = false;
    answer_locally(problem(431, "header_fields_too_large",
                           "The request line and headers exceed " +
                               std::to_string(state_->limits.max_header_bytes) + " bytes."),
                   std::move(meta), true);
    return;
  }
  if (ec == bhttp::error::body_limit) {
    keep_alive_ = false;
    answer_locally(problem(413, "payload_too_large",
                           "The request body exceeds " +
                               std::to_string(state_->limits.max_body_bytes) + " bytes."),
                   std::move(meta), true);
    return;
  }
  if (ec == bhttp::error::bad_transfer_encoding || ec == bhttp::error::bad_content_length ||
      ec == bhttp::error::multiple_content_length) {
    keep_alive_ = false;
    answer_locally(invalid_framing("The request's Content-Length or Transfer-Encoding is "
                                   "invalid, repeated with different values, or both are sent."),
                   std::move(meta), true);
    return;
  }
  if (is_http_error(ec) && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    keep_alive_ = false;
    answer_locally(problem(400, "bad_request", "The request is not valid HTTP/1.1."),
                   std::move(meta), true);
    return;
  }
  // The peer closed cleanly (over TLS: its close_notify): answer in kind.
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof) {
    close_gracefully(false);
    return;
  }
  // Timeout (slow or silent client; the stream is closed already), reset,
  // truncation, cancellation.
  shutdown_send();
  finish();
}

void session::dispatch() {
  auto msg = parser_->release();
  parser_.reset();
  lowest().expires_never();
  keep_alive_ = msg.keep_alive() && !state_->stopping.load();
  version_ = msg.version();
  head_ = msg.method() == bhttp::verb::head;

  request_context ctx;
  ctx.method = std::string{msg.method_string()};
  ctx.target = std::string{msg.target()};
  ctx.request_id = state_->next_request_id();
  ctx.received_at = std::chrono::system_clock::now();
  ctx.received_steady = std::chrono::steady_clock::now();

  request_meta meta;
  meta.request_id = ctx.request_id;
  meta.method = ctx.method;
  meta.received_at = ctx.received_at;
  meta.received_steady = ctx.received_steady;
  meta.path = ctx.target.substr(0, ctx.target.find('?'));

  if (auto bad = header_problem(msg, !msg.body().empty())) {
    if (state_->route_of)
      meta.route = state_->route_of(meta.method, meta.path);
    answer_locally(std::move(*bad), std::move(meta), false);
    return;
  }
  auto url = boost::urls::parse_uri_reference(ctx.target);
  if (!url || !url->path().starts_with('/')) {
    answer_locally(problem(400, "bad_request", "The request target is not a valid path."),
                   std::move(meta), false);
    return;
  }
  ctx.path = url->path();
  for (auto seg : url->segments())
    ctx.segments.push_back(seg);
  for (auto param : url->params())
    ctx.query.emplace_back(param.key, param.value);
  for (const auto& field : msg) {
    ctx.headers.emplace_back(lower(field.name_string()), std::string{field.value()});
    if (field.name() == bhttp::field::authorization)
      meta.auth_scheme = auth_scheme_of(field.value());
  }
  ctx.body = std::move(msg.body());
  if (peer_)
    ctx.client_certificate = peer_;

  const std::size_t before = state_->in_flight.fetch_add(1, std::memory_order_relaxed);
  if (before >= state_->limits.max_requests_in_flight) {
    state_->in_flight.fetch_sub(1, std::memory_order_relaxed);
    answer_locally(
        problem(503, "overloaded", "Too many requests in flight; retry after the indicated delay.")
            .with_header("Retry-After", "1"),
        std::move(meta), false);
    return;
  }
  state_->requests_in_flight.inc();
  phase_ = phase::handling;
  auto ex = std::make_shared<exchange>(exchange{state_, weak_from_this(), std::move(meta)});
  try {
    state_->app(std::move(ctx), responder{std::move(ex)});
  } catch (const std::exception& e) {
    // The responder was destroyed during unwinding: the client gets 500.
    std::fprintf(stderr, "dwt::http: handler threw: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "dwt::http: handler threw a non-exception\n");
  }
}

void session::answer_locally(response r, request_meta meta, bool close_after) {
  const auto latency = std::chrono::steady_clock::now() - meta.received_steady;
  state_->record(meta, r.status, latency);
  write(std::move(r), meta.request_id, close_after);
}

void session::deliver(response r, const std::string& request_id) {
  if (phase_ == phase::closed)
    return;
  DWT_HTTP_CHECK(phase_ == phase::handling, "response delivered to a session not handling");
  write(std::move(r), request_id, false);
}

void session::write(response r, const std::string& request_id, bool close_after) {
  phase_ = phase::writing;
  for (const auto& [name, value] : r.headers)
    DWT_HTTP_CHECK(engine::text::is_safe_header_field(name, value), "response header with CR/LF");
  DWT_HTTP_CHECK(!engine::text::has_cr_or_lf(r.content_type), "content type with CR/LF");
  const bool keep = keep_alive_ && !close_after && !state_->stopping.load();
  out_ = detail::serialize_response(version_, r, request_id, keep);
  // HEAD: the header a GET would get (its Content-Length included), no
  // body (RFC 9110 §9.3.2).
  if (head_ && out_.size() >= r.body.size() &&
      std::string_view{out_}.substr(out_.size() - r.body.size()) == r.body)
    out_.resize(out_.size() - r.body.size());
  lowest().expires_after(state_->limits.write_timeout);
  with_stream([this, keep, close_after](auto& stream) {
    asio::async_write(
        stream, asio::buffer(out_),
        [self = shared_from_this(), keep, close_after](beast::error_code ec, std::size_t) {
          self->on_write(ec, keep, close_after);
        });
  });
}

void session::on_write(beast::error_code ec, bool keep, bool linger) {
  out_.clear();
  if (ec) {
    finish();
    return;
  }
  if (linger || !keep) {
    close_gracefully(linger);
    return;
  }
  do_read();
}

void session::close_gracefully(bool linger) {
  auto* tls = std::get_if<tls_stream>(&stream_);
  if (tls == nullptr) {
    close_transport(linger);
    return;
  }
  // Without close_notify the client cannot tell our close from a
  // truncation attack (it sees ssl::error::stream_truncated).
  phase_ = phase::closing;
  lowest().expires_after(
      std::min<std::chrono::milliseconds>(state_->limits.write_timeout, max_tls_shutdown));
  tls->async_shutdown([self = shared_from_this(), linger](beast::error_code) {
    // Whatever ended it (the peer's close_notify, its TCP close, data it
    // still sends, the limit), the TLS session is over: close TCP as for
    // plain HTTP.
    if (self->phase_ == phase::closed)
      return;
    self->close_transport(linger);
  });
}

void session::close_transport(bool linger) {
  if (linger) {
    linger_close();
    return;
  }
  shutdown_send();
  finish();
}

void session::linger_close() {
  phase_ = phase::closing;
  shutdown_send();
  lowest().expires_after(
      std::min<std::chrono::milliseconds>(state_->limits.read_timeout, max_linger));
  drain();
}

void session::drain() {
  // Reads the TCP layer directly: after a half-close only the client's
  // leftover bytes (or its TLS close_notify) arrive, and they are discarded.
  lowest().async_read_some(asio::buffer(drain_buf_),
                           [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                             self->drained_ += n;
                             if (ec || self->drained_ > max_drain_bytes) {
                               self->finish();
                               return;
                             }
                             self->drain();
                           });
}

void session::on_server_stop() {
  if (phase_ == phase::idle || phase_ == phase::reading) {
    if (std::holds_alternative<tls_stream>(stream_)) {
      // A TLS shutdown cannot start beside the pending read: cancel the
      // read, and its handler sends close_notify (close_notify_on_stop).
      stopping_ = true;
      beast::error_code ignored;
      lowest().socket().cancel(ignored);
      return;
    }
    finish(); // the pending read completes with operation_aborted
    return;
  }
  keep_alive_ = false; // close after the response in progress
}

bool session::close_notify_on_stop(beast::error_code ec) {
  if (!stopping_ || ec != asio::error::operation_aborted || phase_ == phase::closed)
    return false;
  stopping_ = false;
  close_gracefully(false);
  return true;
}

void session::finish() {
  if (phase_ == phase::closed)
    return;
  phase_ = phase::closed;
  beast::error_code ignored;
  lowest().socket().close(ignored);
  if (!reject_)
    state_->remove_session(this);
}

} // namespace dwt::http::detail
