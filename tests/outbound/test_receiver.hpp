#pragma once
/// @file
/// A real HTTP/1.1 (optionally HTTPS) receiver on a loopback ephemeral port
/// for outbound tests. It records every request and answers as scripted:
/// status N for the next K requests, a default reply, a custom handler, or
/// "hang" (read the request, never answer). `stop()` takes it down (the
/// port refuses connections) and `start()` brings it back on the same port.
///
/// Threading: the receiver runs its own io_context on one thread; every
/// public member may be called from the test thread.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace dwt::outbound::testing {

/// A request as the receiver saw it (header names lower-cased).
struct recorded_request {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;
  std::string body;

  [[nodiscard]] std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

/// How to answer one request.
struct reply {
  unsigned status = 200;
  std::string body = "{}";
  /// Never answer (the connection stays open until the receiver stops).
  bool hang = false;
};

struct receiver_options {
  /// Loopback address to listen on (127.0.0.2 works too on Linux).
  std::string address = "127.0.0.1";
  /// PEM certificate chain and key: serve HTTPS when both are set.
  std::string cert_file;
  std::string key_file;
};

class test_receiver {
public:
  explicit test_receiver(receiver_options options = {}) : options_(std::move(options)) {
    if (!options_.cert_file.empty()) {
      tls_.emplace(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(options_.cert_file);
      tls_->use_private_key_file(options_.key_file, boost::asio::ssl::context::pem);
    }
    start();
  }
  ~test_receiver() { stop(); }
  test_receiver(const test_receiver&) = delete;
  test_receiver& operator=(const test_receiver&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }

  /// `http(s)://address:port` + path.
  [[nodiscard]] std::string url(const std::string& path = "/webhooks") const {
    return std::string{tls_ ? "https://" : "http://"} + options_.address + ":" +
           std::to_string(port_) + path;
  }

  /// Answer `status` to the next `count` requests (queued after earlier
  /// scripts), then the default reply.
  void script(unsigned status, std::size_t count = 1) {
    std::lock_guard lock{mutex_};
    for (std::size_t i = 0; i < count; ++i)
      script_.push_back(reply{status, "{}", false});
  }
  /// Hang on the next `count` requests.
  void script_hang(std::size_t count = 1) {
    std::lock_guard lock{mutex_};
    for (std::size_t i = 0; i < count; ++i)
      script_.push_back(reply{0, {}, true});
  }
  void set_default(reply r) {
    std::lock_guard lock{mutex_};
    default_ = std::move(r);
  }
  /// Decides every reply not taken by a script (e.g. a signature check).
  void set_handler(std::function<reply(const recorded_request&)> handler) {
    std::lock_guard lock{mutex_};
    handler_ = std::move(handler);
  }

  [[nodiscard]] std::vector<recorded_request> requests() const {
    std::lock_guard lock{mutex_};
    return requests_;
  }
  [[nodiscard]] std::size_t request_count() const {
    std::lock_guard lock{mutex_};
    return requests_.size();
  }
  /// TCP connections accepted so far.
  [[nodiscard]] std::size_t connection_count() const {
    std::lock_guard lock{mutex_};
    return connections_;
  }

  /// Listens (again) on the same port; the first call picks the port.
  void start() {
    if (io_)
      return;
    namespace asio = boost::asio;
    io_ = std::make_unique<asio::io_context>(1);
    acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(*io_);
    const asio::ip::tcp::endpoint ep{asio::ip::make_address(options_.address), port_};
    acceptor_->open(ep.protocol());
    acceptor_->set_option(asio::socket_base::reuse_address(true));
    acceptor_->bind(ep);
    acceptor_->listen();
    port_ = acceptor_->local_endpoint().port();
    accept();
    thread_ = std::thread([io = io_.get()] { io->run(); });
  }

  /// Takes the receiver down: closes the listener and every connection.
  void stop() {
    if (!io_)
      return;
    io_->stop();
    thread_.join();
    hung_.clear();
    acceptor_.reset();
    io_.reset(); // destroys pending handlers, hence sessions and sockets
  }

private:
  template <class Stream>
  class session : public std::enable_shared_from_this<session<Stream>> {
  public:
    template <class... Args>
    session(test_receiver& owner, Args&&... args)
        : owner_(owner), stream_(std::forward<Args>(args)...) {}

    void run() {
      if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
        read();
      } else {
        stream_.async_handshake(boost::asio::ssl::stream_base::server,
                                [self = this->shared_from_this()](boost::system::error_code ec) {
                                  if (!ec)
                                    self->read();
                                });
      }
    }

  private:
    void read() {
      req_ = {};
      boost::beast::http::async_read(
          stream_, buffer_, req_,
          [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
            if (!ec)
              self->on_request();
          });
    }

    void on_request() {
      recorded_request rec;
      rec.method = std::string{req_.method_string()};
      rec.target = std::string{req_.target()};
      for (const auto& field : req_) {
        std::string name{field.name_string()};
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        rec.headers[name] = std::string{field.value()};
      }
      rec.body = req_.body();
      const auto r = owner_.record(rec);
      if (r.hang) {
        owner_.hung_.push_back(this->shared_from_this());
        return;
      }
      res_ = {};
      res_.version(11);
      res_.result(r.status);
      res_.set(boost::beast::http::field::content_type, "application/json");
      res_.body() = r.body;
      res_.keep_alive(req_.keep_alive());
      res_.prepare_payload();
      boost::beast::http::async_write(
          stream_, res_,
          [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
            if (!ec && self->res_.keep_alive())
              self->read();
          });
    }

    test_receiver& owner_;
    Stream stream_;
    boost::beast::flat_buffer buffer_;
    boost::beast::http::request<boost::beast::http::string_body> req_;
    boost::beast::http::response<boost::beast::http::string_body> res_;
  };

  void accept() {
    acceptor_->async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
      if (ec)
        return;
      {
        std::lock_guard lock{mutex_};
        ++connections_;
      }
      if (tls_) {
        using stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
        std::make_shared<session<stream>>(*this, std::move(s), *tls_)->run();
      } else {
        std::make_shared<session<boost::beast::tcp_stream>>(*this, std::move(s))->run();
      }
      accept();
    });
  }

  reply record(const recorded_request& rec) {
    std::lock_guard lock{mutex_};
    requests_.push_back(rec);
    if (!script_.empty()) {
      auto r = script_.front();
      script_.pop_front();
      return r;
    }
    if (handler_)
      return handler_(rec);
    return default_;
  }

  receiver_options options_;
  std::optional<boost::asio::ssl::context> tls_;
  std::uint16_t port_ = 0;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread thread_;
  std::vector<std::shared_ptr<void>> hung_; // io thread only, cleared on stop

  mutable std::mutex mutex_;
  std::deque<reply> script_;
  reply default_;
  std::function<reply(const recorded_request&)> handler_;
  std::vector<recorded_request> requests_;
  std::size_t connections_ = 0;
};

} // namespace dwt::outbound::testing
