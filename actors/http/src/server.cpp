#include "dwt/http/server.hpp"

#include <mutex>
#include <optional>
#include <pthread.h>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <openssl/ssl.h>

#include "session.hpp"
#include "state.hpp"

namespace dwt::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace detail {

namespace {

/// Mutual TLS: every handshake asks for a client certificate (the CA names
/// of `client_ca_file` tell the client which one) and verifies the one
/// sent against those CAs; a certificate that does not verify fails the
/// handshake. A client that sends none is let through (no
/// fail_if_no_peer_cert): the routes that need one refuse the request
/// (actors/http/README.md, "Mutual TLS").
bool ask_for_client_certificates(asio::ssl::context& ctx, const config::tls_settings& settings,
                                 boost::system::error_code& ec) {
  if (ctx.load_verify_file(settings.client_ca_file, ec); ec)
    return false;
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(settings.client_ca_file.c_str());
  if (names == nullptr) {
    ec = asio::error::invalid_argument;
    return false;
  }
  SSL_CTX_set_client_CA_list(ctx.native_handle(), names); // takes ownership
  // A resumed session keeps the verified certificate; OpenSSL refuses to
  // resume a verified session without a session id context.
  static constexpr unsigned char session_context[] = "dwt.http";
  if (SSL_CTX_set_session_id_context(ctx.native_handle(), session_context,
                                     sizeof session_context - 1) != 1) {
    ec = asio::error::invalid_argument;
    return false;
  }
  ctx.set_verify_mode(asio::ssl::verify_peer, ec);
  return !ec;
}

/// A TLS server context: TLS 1.2 minimum, the PEM chain and key of
/// `settings`, key checked against the certificate; with `client_ca_file`
/// client certificates are asked for and verified.
std::unique_ptr<asio::ssl::context> make_tls_context(const config::tls_settings& settings,
                                                     boost::system::error_code& ec) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                   ec);
  if (ec)
    return nullptr;
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
    ec = asio::error::invalid_argument;
    return nullptr;
  }
  if (ctx->use_certificate_chain_file(settings.cert_file, ec); ec)
    return nullptr;
  if (ctx->use_private_key_file(settings.key_file, asio::ssl::context::pem, ec); ec)
    return nullptr;
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ec = asio::error::invalid_argument;
    return nullptr;
  }
  if (!settings.client_ca_file.empty() && !ask_for_client_certificates(*ctx, settings, ec))
    return nullptr;
  return ctx;
}

} // namespace

/// Owns the I/O context, the acceptor and the I/O threads.
class server_core {
public:
  server_core(server_options options, handler app)
      : host_(options.host), port_(options.port), tls_settings_(options.tls),
        threads_wanted_(std::max<std::uint32_t>(1, options.limits.io_threads)),
        state_(std::make_shared<shared_state>(std::move(options), std::move(app))),
        ioc_(static_cast<int>(threads_wanted_)), acceptor_(asio::make_strand(ioc_)),
        retry_timer_(acceptor_.get_executor()) {}

  server_core(const server_core&) = delete;
  server_core& operator=(const server_core&) = delete;
  ~server_core() { stop(); }

  std::error_code start() {
    std::lock_guard lock{control_mutex_};
    if (started_)
      return std::make_error_code(std::errc::operation_in_progress);
    boost::system::error_code ec;
    if (tls_settings_.enabled()) {
      tls_ = make_tls_context(tls_settings_, ec);
      if (!tls_)
        return ec ? std::error_code{ec} : std::make_error_code(std::errc::invalid_argument);
    }
    tcp::resolver resolver{ioc_};
    auto results = resolver.resolve(host_, std::to_string(port_),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec)
      return ec;
    if (results.empty())
      return std::make_error_code(std::errc::address_not_available);
    const tcp::endpoint endpoint = results.begin()->endpoint();
    const auto fail = [this](boost::system::error_code e) -> std::error_code {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      return e;
    };
    if (acceptor_.open(endpoint.protocol(), ec); ec)
      return ec;
    if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec)
      return fail(ec);
    if (acceptor_.bind(endpoint, ec); ec)
      return fail(ec);
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec)
      return fail(ec);
    bound_port_ = acceptor_.local_endpoint(ec).port();
    state_->open_gate(ioc_.get_executor());
    work_.emplace(ioc_.get_executor());
    asio::post(acceptor_.get_executor(), [this] { do_accept(); });
    for (std::uint32_t i = 0; i < threads_wanted_; ++i)
      threads_.emplace_back([this] {
        pthread_setname_np(pthread_self(), "dwt.http");
        ioc_.run();
      });
    started_ = true;
    return {};
  }

  void stop() {
    std::lock_guard lock{control_mutex_};
    if (!started_ || stopped_)
      return;
    stopped_ = true;
    state_->stopping.store(true);
    asio::post(acceptor_.get_executor(), [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      retry_timer_.cancel();
    });
    for (auto& s : state_->sessions())
      asio::post(s->executor(), [s] { s->on_server_stop(); });
    state_->wait_no_sessions(std::chrono::steady_clock::now() + state_->limits.shutdown_grace);
    state_->close_gate();
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_)
      t.join();
    threads_.clear();
    state_->clear_sessions();
  }

  [[nodiscard]] std::uint16_t port() const noexcept { return bound_port_.load(); }
  [[nodiscard]] shared_state& state() noexcept { return *state_; }

private:
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_),
                           [this](boost::system::error_code ec, strand_socket socket) {
                             on_accept(ec, std::move(socket));
                           });
  }

  void on_accept(boost::system::error_code ec, strand_socket socket) {
    if (!acceptor_.is_open() || ec == asio::error::operation_aborted)
      return;
    if (ec) {
      // E.g. out of file descriptors: back off briefly instead of spinning.
      retry_timer_.expires_after(std::chrono::milliseconds{50});
      retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open())
          do_accept();
      });
      return;
    }
    if (state_->stopping.load()) {
      boost::system::error_code ignored;
      socket.close(ignored);
      return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (state_->connections.load() >= state_->limits.max_connections) {
      state_->connections_rejected.inc();
      std::make_shared<session>(std::move(socket), state_, true, tls_.get())->start();
    } else {
      state_->connections.fetch_add(1);
      state_->connections_open.inc();
      auto s = std::make_shared<session>(std::move(socket), state_, false, tls_.get());
      state_->add_session(s);
      s->start();
    }
    do_accept();
  }

  std::string host_;
  std::uint16_t port_;
  config::tls_settings tls_settings_;
  std::uint32_t threads_wanted_;
  std::shared_ptr<shared_state> state_;
  /// The TLS context (null for plain HTTP). Declared before `ioc_` so it
  /// outlives the sessions still held by handlers the context destroys.
  std::unique_ptr<asio::ssl::context> tls_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::atomic<std::uint16_t> bound_port_{0};
  std::mutex control_mutex_;
  bool started_ = false;
  bool stopped_ = false;
};

} // namespace detail

http_server::http_server(server_options options, handler app)
    : core_(std::make_unique<detail::server_core>(std::move(options), std::move(app))) {}

http_server::~http_server() {
  core_->stop();
}

std::error_code http_server::start() {
  return core_->start();
}

std::uint16_t http_server::port() const noexcept {
  return core_->port();
}

void http_server::stop() {
  core_->stop();
}

metrics_registry& http_server::metrics() noexcept {
  return *core_->state().metrics;
}

std::size_t http_server::connections_open() const noexcept {
  return core_->state().connections.load();
}

std::size_t http_server::requests_in_flight() const noexcept {
  return core_->state().in_flight.load();
}

} // namespace dwt::http
