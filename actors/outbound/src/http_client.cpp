#include "dwt/outbound/http_client.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "dwt/engine/text.hpp"
#include "http_connection.hpp"
#include "http_url.hpp"
#include "request_wire.hpp"
#include "url_cache.hpp"

namespace dwt::outbound {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using detail::connection;

/// Most distinct URLs whose parse the client keeps (url_cache.hpp).
constexpr std::size_t max_cached_urls = 256;

struct http_client::impl {
  impl(asio::io_context& context, http_client_options opts)
      : io(context), options(std::move(opts)), tls(ssl::context::tls_client),
        pool(options.max_idle_per_endpoint, options.max_pooled_endpoints, options.idle_timeout),
        urls(max_cached_urls) {}

  asio::io_context& io;
  const http_client_options options;
  ssl::context tls; // declared before the pool: pooled TLS streams refer to it
  detail::connection_pool pool;
  detail::url_cache urls;
};

namespace {

using done_fn = std::function<void(http_result)>;
using clock = std::chrono::steady_clock;

/// "what: message" for an error code.
[[nodiscard]] std::string describe(std::string_view what, const error_code& ec) {
  std::string out{what};
  out.append(": ").append(ec.message());
  return out;
}

/// Sets SNI (for names) and the name or address the peer certificate must
/// match; OpenSSL checks it during the handshake. False on failure.
[[nodiscard]] bool configure_peer_check(SSL* ssl, const detail::parsed_url& url) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (url.host_is_ip)
    return X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str()) == 1;
  if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(url.host.c_str())) != 1)
    return false;
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), url.host.size()) == 1;
}

/// One request from start to result. Every member is touched only on the
/// strand `ex_` (the connection's stream, the resolver and the deadline
/// all use it).
class request_op : public std::enable_shared_from_this<request_op> {
public:
  request_op(std::shared_ptr<http_client::impl> client, detail::strand_executor ex,
             std::shared_ptr<const detail::parsed_url> url, http_request request, done_fn done,
             std::unique_ptr<connection> pooled, clock::time_point started)
      : client_(std::move(client)), ex_(std::move(ex)), url_(std::move(url)),
        done_(std::move(done)), conn_(std::move(pooled)), reused_(conn_ != nullptr), resolver_(ex_),
        deadline_(ex_), wire_(detail::serialize_post(*url_, client_->options.user_agent,
                                                     request.headers, request.body)),
        started_(started) {}

  void start() {
    deadline_.expires_after(client_->options.timeout);
    deadline_.async_wait(beast::bind_front_handler(&request_op::on_deadline, shared_from_this()));
    if (conn_)
      write();
    else
      resolve();
  }

private:
  void on_deadline(error_code ec) {
    if (ec || finished_)
      return;
    timed_out_ = true;
    resolver_.cancel();
    if (conn_)
      conn_->lowest().close();
  }

  void resolve() {
    resolver_.async_resolve(url_->host, url_->port,
                            beast::bind_front_handler(&request_op::on_resolve, shared_from_this()));
  }

  void on_resolve(error_code ec, const tcp::resolver::results_type& results) {
    if (ec)
      return fail("resolve", ec);
    if (url_->tls)
      conn_ = std::make_unique<connection>(ex_, client_->tls);
    else
      conn_ = std::make_unique<connection>(ex_);
    if (timed_out_)
      return fail("connect", asio::error::operation_aborted);
    conn_->lowest().async_connect(
        results, beast::bind_front_handler(&request_op::on_connect, shared_from_this()));
  }

  void on_connect(error_code ec, const tcp::endpoint&) {
    if (ec)
      return fail("connect", ec);
    error_code ignored;
    conn_->lowest().socket().set_option(tcp::no_delay{true}, ignored);
    auto* tls = std::get_if<connection::tls_stream>(&conn_->stream);
    if (!tls)
      return write();
    if (!configure_peer_check(tls->native_handle(), *url_))
      return finish(0, "tls: cannot set the expected peer name");
    tls->async_handshake(ssl::stream_base::client,
                         beast::bind_front_handler(&request_op::on_handshake, shared_from_this()));
  }

  void on_handshake(error_code ec) {
    if (ec)
      return fail("tls handshake", ec);
    write();
  }

  void write() {
    std::visit(
        [this](auto& stream) {
          asio::async_write(stream, asio::buffer(wire_),
                            beast::bind_front_handler(&request_op::on_write, shared_from_this()));
        },
        conn_->stream);
  }

  void on_write(error_code ec, std::size_t) {
    if (ec)
      return stale_or_fail("write", ec);
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(max_response_header_size));
    parser_->body_limit(client_->options.max_response_body);
    std::visit(
        [this](auto& stream) {
          http::async_read(stream, conn_->buffer, *parser_,
                           beast::bind_front_handler(&request_op::on_read, shared_from_this()));
        },
        conn_->stream);
  }

  void on_read(error_code ec, std::size_t) {
    if (ec == http::error::body_limit && parser_->is_header_done() && !timed_out_) {
      truncated_ = true;
      return finish(parser_->get().result_int(), {});
    }
    if (ec)
      return stale_or_fail("read", ec);
    auto& res = parser_->get();
    body_ = std::move(res.body());
    reusable_ = parser_->keep_alive() && conn_->buffer.size() == 0;
    finish(res.result_int(), {});
  }

  /// A pooled connection the server closed while idle fails on first use:
  /// retry once on a fresh connection, if nothing of a response arrived.
  void stale_or_fail(std::string_view what, error_code ec) {
    const bool got_response = parser_ && parser_->got_some();
    if (reused_ && !retried_ && !timed_out_ && !got_response) {
      retried_ = true;
      reused_ = false;
      conn_.reset();
      parser_.reset();
      return resolve();
    }
    fail(what, ec);
  }

  void fail(std::string_view what, error_code ec) {
    if (timed_out_)
      return finish(0, "timeout");
    finish(0, describe(what, ec));
  }

  void finish(unsigned status, std::string error) {
    if (finished_)
      return;
    finished_ = true;
    deadline_.cancel();
    http_result out;
    out.status = status;
    out.error = std::move(error);
    out.body = std::move(body_);
    out.body_truncated = truncated_;
    out.reused_connection = reused_;
    out.latency = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started_);
    if (conn_) {
      if (reusable_ && out.ok())
        client_->pool.give(url_->pool_key, std::move(conn_));
      else
        conn_->lowest().close();
      conn_.reset();
    }
    auto done = std::move(done_);
    done(std::move(out));
  }

  std::shared_ptr<http_client::impl> client_;
  detail::strand_executor ex_;
  std::shared_ptr<const detail::parsed_url> url_; ///< shared with the client's url_cache
  done_fn done_;
  std::unique_ptr<connection> conn_;
  bool reused_;
  bool retried_ = false;
  bool timed_out_ = false;
  bool finished_ = false;
  bool truncated_ = false;
  bool reusable_ = false;
  asio::ip::basic_resolver<tcp, detail::strand_executor> resolver_;
  asio::basic_waitable_timer<clock, asio::wait_traits<clock>, detail::strand_executor> deadline_;
  /// The whole request as sent (request_wire.hpp); kept for a retry on a
  /// fresh connection.
  std::string wire_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::string body_;
  clock::time_point started_;
};

/// A request refused before any I/O: the result is still delivered
/// asynchronously, like every other.
void reject(asio::io_context& io, done_fn done, std::string error) {
  asio::post(io, [done = std::move(done), error = std::move(error)]() mutable {
    http_result out;
    out.error = std::move(error);
    done(std::move(out));
  });
}

} // namespace

http_client::created http_client::create(asio::io_context& io, http_client_options options) {
  created out;
  if (engine::text::has_cr_or_lf(options.user_agent)) {
    // It is written into every request as is (request_wire.hpp).
    out.error = "http client: user_agent must not contain CR or LF";
    return out;
  }
  try {
    auto state = std::make_shared<impl>(io, std::move(options));
    error_code ec;
    state->tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                               ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                               ssl::context::no_tlsv1_1,
                           ec);
    if (!ec)
      state->tls.set_verify_mode(ssl::verify_peer, ec);
    if (ec) {
      out.error = describe("tls context", ec);
      return out;
    }
    if (!state->options.ca_file.empty())
      state->tls.load_verify_file(state->options.ca_file, ec);
    else
      state->tls.set_default_verify_paths(ec);
    if (ec) {
      out.error = describe("tls trust anchors", ec);
      return out;
    }
    out.client = std::make_shared<http_client>(std::move(state));
  } catch (const std::exception& e) {
    out.client.reset();
    out.error = std::string{"http client: "} + e.what();
  }
  return out;
}

void http_client::post(http_request request, std::function<void(http_result)> done) {
  const auto started = clock::now();
  if (request.url.size() > max_url_size)
    return reject(impl_->io, std::move(done), "invalid request: url too long");
  auto url = impl_->urls.get(request.url);
  if (!url)
    return reject(impl_->io, std::move(done), "invalid request: url");
  if (request.body.size() > max_request_body_size)
    return reject(impl_->io, std::move(done), "invalid request: body too large");
  if (request.headers.size() > max_request_headers)
    return reject(impl_->io, std::move(done), "invalid request: too many headers");
  for (const auto& [name, value] : request.headers)
    if (name.empty() || !engine::text::is_safe_header_field(name, value))
      return reject(impl_->io, std::move(done), "invalid request: header field");

  auto pooled = impl_->pool.take(url->pool_key);
  detail::strand_executor ex =
      pooled ? pooled->lowest().get_executor() : asio::make_strand(impl_->io.get_executor());
  auto op = std::make_shared<request_op>(impl_, ex, std::move(url), std::move(request),
                                         std::move(done), std::move(pooled), started);
  asio::post(ex, [op = std::move(op)] { op->start(); });
}

std::size_t http_client::idle_connections() const {
  return impl_->pool.idle();
}

void http_client::close_idle() {
  impl_->pool.clear();
}

} // namespace dwt::outbound
