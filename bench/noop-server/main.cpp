/// dwt-noop-server: the HTTP ceiling baseline. A Beast HTTP/1.1 server that
/// answers every request with the same small JSON body, keep-alive, on
/// 1 I/O thread by default (like dwt-server's default `http.io_threads`).
///
///   dwt-noop-server [--listen HOST:PORT] [--threads N]
///
/// Prints `dwt-noop-server listening on http://HOST:PORT` when ready; stops on
/// SIGINT/SIGTERM.
#include <charconv>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

/// The fixed answer, about the size of a token.
constexpr std::string_view fixed_body =
    R"({"tokenUniqueReference":"DNITHE000000000000000000000000","state":"ACTIVE","fulfillmentStatus":"PROVISIONED"})";
/// Largest request body accepted.
constexpr std::size_t max_body_bytes = 65536;
/// Most requests served on one connection (a bound, never reached in a run).
constexpr std::uint64_t max_requests_per_connection = 1'000'000'000;
/// Most I/O threads.
constexpr unsigned max_threads = 64;
/// Idle/read timeout of a connection.
constexpr std::chrono::seconds idle_timeout{30};

awaitable<void> serve(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (std::uint64_t n = 0; n < max_requests_per_connection; ++n) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(max_body_bytes);
    stream.expires_after(idle_timeout);
    co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec)
      break;
    const auto& req = parser.get();
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::server, "dwt-noop");
    res.set(bhttp::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = fixed_body;
    res.prepare_payload();
    co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    if (ec || !res.keep_alive())
      break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

awaitable<void> accept_loop(tcp::acceptor& acceptor,
                            std::vector<std::unique_ptr<asio::io_context>>& workers) {
  std::size_t next = 0;
  for (;;) {
    beast::error_code ec;
    auto& ctx = *workers[next++ % workers.size()];
    tcp::socket socket{ctx};
    co_await acceptor.async_accept(socket, asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted)
      co_return;
    if (ec)
      continue;
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(ctx, serve(std::move(socket)), asio::detached);
  }
}

} // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  unsigned short port = 8090;
  unsigned threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if ((a == "--listen" || a == "--threads") && i + 1 < argc) {
      const std::string_view v = argv[++i];
      if (a == "--threads") {
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), threads);
        if (ec != std::errc{} || threads == 0 || threads > max_threads) {
          std::fprintf(stderr, "dwt-noop-server: --threads must be in [1, %u]\n", max_threads);
          return 2;
        }
      } else {
        const auto colon = v.rfind(':');
        if (colon == std::string_view::npos ||
            std::from_chars(v.data() + colon + 1, v.data() + v.size(), port).ec != std::errc{}) {
          std::fprintf(stderr, "dwt-noop-server: --listen expects HOST:PORT\n");
          return 2;
        }
        host = std::string{v.substr(0, colon)};
      }
    } else {
      std::fprintf(stderr, "usage: dwt-noop-server [--listen HOST:PORT] [--threads N]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  // Thread 0 accepts and serves; extra threads only serve.
  std::vector<std::unique_ptr<asio::io_context>> workers;
  for (unsigned i = 0; i < threads; ++i)
    workers.push_back(std::make_unique<asio::io_context>(1));
  auto& main_ctx = *workers.front();
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) {
    std::fprintf(stderr, "dwt-noop-server: bad address %s\n", host.c_str());
    return 2;
  }
  tcp::acceptor acceptor{main_ctx};
  const tcp::endpoint ep{address, port};
  acceptor.open(ep.protocol(), ec);
  if (!ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(ep, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "dwt-noop-server: cannot listen on %s:%u: %s\n", host.c_str(), port,
                 ec.message().c_str());
    return 1;
  }
  std::printf("dwt-noop-server listening on http://%s:%u\n", host.c_str(),
              acceptor.local_endpoint().port());
  std::fflush(stdout);
  asio::signal_set signals{main_ctx, SIGINT, SIGTERM};
  signals.async_wait([&](const beast::error_code&, int) {
    acceptor.close();
    for (auto& w : workers)
      w->stop();
  });
  asio::co_spawn(main_ctx, accept_loop(acceptor, workers), asio::detached);
  std::vector<std::thread> extra;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (unsigned i = 1; i < threads; ++i) {
    guards.push_back(asio::make_work_guard(*workers[i]));
    extra.emplace_back([&ctx = *workers[i]] { ctx.run(); });
  }
  main_ctx.run();
  for (auto& w : workers)
    w->stop();
  for (auto& t : extra)
    t.join();
  return 0;
}
