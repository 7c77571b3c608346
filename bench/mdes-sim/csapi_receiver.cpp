#include "csapi_receiver.hpp"

#include <atomic>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/oauth1.hpp"
#include "messages.hpp"

namespace dwt::mdes_sim {

namespace json = boost::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string_view to_string(csapi_mode m) noexcept {
  switch (m) {
  case csapi_mode::ok:
    return "ok";
  case csapi_mode::error:
    return "error";
  case csapi_mode::recoverable:
    return "recoverable";
  case csapi_mode::down:
    return "down";
  }
  return "?";
}

std::optional<csapi_mode> parse_csapi_mode(std::string_view s) noexcept {
  for (auto m : {csapi_mode::ok, csapi_mode::error, csapi_mode::recoverable, csapi_mode::down})
    if (s == to_string(m))
      return m;
  return std::nullopt;
}

std::string csapi_call::to_json() const {
  json::object o{{"seq", seq},
                 {"receivedAt", received_at},
                 {"method", method},
                 {"target", target},
                 {"operation", operation},
                 {"signatureOk", signature_ok},
                 {"consumerKey", consumer_key},
                 {"tokenUniqueReference", token_unique_reference},
                 {"reasonCode", reason_code},
                 {"status", status}};
  if (!auth_error.empty())
    o["authError"] = auth_error;
  boost::system::error_code ec;
  auto parsed = json::parse(body, ec);
  if (ec)
    o["body"] = body;
  else
    o["body"] = std::move(parsed);
  return json::serialize(o);
}

namespace {

/// The operations the receiver answers and their body roots.
struct operation {
  std::string_view name;
  std::string_view request_root;
  std::string_view response_root;
};
constexpr std::array<operation, 4> operations{{
    {"suspend", "TokenSuspendRequest", "TokenSuspendResponse"},
    {"unsuspend", "TokenUnsuspendRequest", "TokenUnsuspendResponse"},
    {"delete", "TokenDeleteRequest", "TokenDeleteResponse"},
    {"activate", "TokenActivateRequest", "TokenActivateResponse"},
}};

/// MDES's error shape with one error.
std::string errors_body(std::string_view source, std::string_view reason,
                        std::string_view description, bool recoverable) {
  json::object e{{"Source", source},
                 {"ReasonCode", reason},
                 {"Description", description},
                 {"Recoverable", recoverable},
                 {"Details", ""}};
  return json::serialize(json::object{{"Errors", {{"Error", json::array{e}}}}});
}

std::string string_at(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key))
    if (const auto* s = v->if_string())
      return std::string{s->data(), s->size()};
  return {};
}

} // namespace

// --- the server -----------------------------------------------------------------

struct csapi_receiver::server {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  std::atomic<std::size_t> connections{0};
};

namespace {

asio::awaitable<void> serve(csapi_receiver& r, tcp::socket socket,
                            std::atomic<std::size_t>& connections,
                            std::chrono::milliseconds timeout) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (std::uint64_t n = 0; n < csapi_limits::max_requests_per_connection; ++n) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(csapi_limits::max_header_bytes);
    parser.body_limit(csapi_limits::max_body_bytes);
    stream.expires_after(timeout);
    co_await bhttp::async_read(stream, buffer, parser,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec)
      break;
    const auto& req = parser.get();
    csapi_request in;
    in.method = std::string{req.method_string()};
    in.target = std::string{req.target()};
    in.host = std::string{req[bhttp::field::host]};
    in.authorization = std::string{req[bhttp::field::authorization]};
    in.body = req.body();
    auto out = r.handle(in);
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), req.version()};
    res.set(bhttp::field::server, "dwt-mdes-sim");
    if (!out.body.empty())
      res.set(bhttp::field::content_type, out.content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(out.body);
    res.prepare_payload();
    stream.expires_after(timeout);
    co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !res.keep_alive())
      break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  connections.fetch_sub(1);
}

asio::awaitable<void> accept_loop(csapi_receiver& r, tcp::acceptor& acceptor,
                                  std::atomic<std::size_t>& connections,
                                  std::chrono::milliseconds timeout) {
  for (;;) {
    beast::error_code ec;
    auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open())
      co_return;
    if (ec)
      continue;
    if (connections.load() >= csapi_limits::max_connections) {
      socket.close(ec);
      continue;
    }
    connections.fetch_add(1);
    asio::co_spawn(acceptor.get_executor(), serve(r, std::move(socket), connections, timeout),
                   asio::detached);
  }
}

} // namespace

// --- the receiver ---------------------------------------------------------------

csapi_receiver::csapi_receiver(csapi_options opts, networks::pkey_ptr oauth_public_key, clock now)
    : opts_(std::move(opts)), key_(std::move(oauth_public_key)), now_(std::move(now)),
      mode_(opts_.mode) {
  if (!now_)
    now_ = [] { return std::chrono::system_clock::now(); };
  while (!opts_.base.empty() && opts_.base.back() == '/')
    opts_.base.pop_back();
}

csapi_receiver::~csapi_receiver() {
  stop();
}

caf::expected<std::unique_ptr<csapi_receiver>>
csapi_receiver::from_key_file(csapi_options opts, const std::string& public_key_pem, clock now) {
  auto key = networks::load_public_key(public_key_pem);
  if (!key)
    return key.error();
  return std::make_unique<csapi_receiver>(std::move(opts), std::move(*key), std::move(now));
}

void csapi_receiver::set_observer(observer o) {
  std::lock_guard lock{mutex_};
  observer_ = std::move(o);
}

std::vector<csapi_call> csapi_receiver::calls() const {
  std::lock_guard lock{mutex_};
  return {calls_.begin(), calls_.end()};
}

void csapi_receiver::set_mode(csapi_mode m) {
  std::lock_guard lock{mutex_};
  mode_ = m;
}

csapi_mode csapi_receiver::mode() const {
  std::lock_guard lock{mutex_};
  return mode_;
}

void csapi_receiver::record(csapi_call call) {
  observer obs;
  {
    std::lock_guard lock{mutex_};
    call.seq = next_seq_++;
    calls_.push_back(call);
    if (calls_.size() > csapi_limits::max_recorded_calls)
      calls_.pop_front();
    obs = observer_;
  }
  if (obs)
    obs(call);
}

std::string csapi_receiver::check_fresh(std::uint64_t timestamp, const std::string& nonce) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(now_().time_since_epoch());
  const auto ts = std::chrono::seconds{static_cast<std::int64_t>(timestamp)};
  if (ts < now - opts_.timestamp_window || ts > now + opts_.timestamp_window)
    return "stale_timestamp";
  std::lock_guard lock{mutex_};
  if (!nonces_.insert(nonce).second)
    return "replayed_nonce";
  nonce_order_.push_back(nonce);
  if (nonce_order_.size() > csapi_limits::max_nonces) {
    nonces_.erase(nonce_order_.front());
    nonce_order_.pop_front();
  }
  return {};
}

csapi_response csapi_receiver::admin(const csapi_request& req, std::string_view path) {
  if (req.method == "GET" && path == "calls") {
    json::array list;
    for (const auto& c : calls())
      list.push_back(json::parse(c.to_json()));
    return {200, json::serialize(json::object{{"calls", std::move(list)}})};
  }
  if (path == "mode") {
    if (req.method == "POST") {
      boost::system::error_code ec;
      auto v = json::parse(req.body, ec);
      const auto* o = ec ? nullptr : v.if_object();
      auto m = o == nullptr ? std::nullopt : parse_csapi_mode(string_at(*o, "mode"));
      if (!m)
        return {400, R"({"error":"expected {\"mode\":\"ok|error|recoverable|down\"}"})"};
      set_mode(*m);
    }
    return {200, json::serialize(json::object{{"mode", to_string(mode())}})};
  }
  return {404, R"({"error":"unknown admin path"})"};
}

csapi_response csapi_receiver::handle(const csapi_request& req) {
  const auto query_at = req.target.find('?');
  const std::string_view path = std::string_view{req.target}.substr(0, query_at);
  const std::string admin_prefix = opts_.base + "/_sim/";
  if (path.starts_with(admin_prefix))
    return admin(req, path.substr(admin_prefix.size()));

  const std::string ops_prefix = opts_.base + "/csapi/v2/token/";
  const operation* op = nullptr;
  if (path.starts_with(ops_prefix))
    for (const auto& o : operations)
      if (path.substr(ops_prefix.size()) == o.name)
        op = &o;
  if (op == nullptr || req.method != "POST")
    return {404, errors_body("Gateway", "RESOURCE_NOT_FOUND",
                             "No Customer Service API operation at this path.", false)};

  csapi_call call;
  call.received_at = iso8601(now_());
  call.method = req.method;
  call.target = req.target;
  call.operation = std::string{op->name};
  call.body = req.body;
  auto finish = [&](csapi_response res) {
    call.status = res.status;
    call.answer = res.body;
    record(std::move(call));
    return res;
  };

  // The signature first, in every mode: a network never acts on (or even
  // reports an outage to) an unauthenticated caller.
  // A Host header without a port on a listener with another port than 80:
  // the caller left the port out of the header, not out of the URL it signed.
  std::string host = req.host;
  const auto port = bound_port_ != 0 ? bound_port_ : opts_.port;
  if (!host.empty() && host.find(':') == std::string::npos && host.front() != '[' && port != 80)
    host += ":" + std::to_string(port);
  const std::string url =
      (opts_.public_origin.empty() ? "http://" + host : opts_.public_origin) + req.target;
  auto verified = networks::oauth1::verify(req.authorization, {req.method, url, req.body}, *key_);
  if (!verified) {
    call.auth_error = std::string{networks::to_code(networks::code_of(verified.error()))};
  } else {
    call.consumer_key = verified->consumer_key;
    if (!opts_.consumer_key.empty() && verified->consumer_key != opts_.consumer_key)
      call.auth_error = "wrong_consumer_key";
    else
      call.auth_error = check_fresh(verified->timestamp, verified->nonce);
  }
  call.signature_ok = call.auth_error.empty();

  boost::system::error_code ec;
  auto parsed = json::parse(req.body, ec);
  const json::object* root = nullptr;
  if (!ec)
    if (const auto* o = parsed.if_object())
      if (const auto* r = o->if_contains(op->request_root))
        root = r->if_object();
  if (root != nullptr) {
    call.token_unique_reference = string_at(*root, "TokenUniqueReference");
    call.reason_code = string_at(*root, "ReasonCode");
  }

  if (!call.signature_ok)
    return finish({401, errors_body("Gateway", "AUTHENTICATION_FAILED",
                                    "OAuth signature not valid: " + call.auth_error, false)});
  switch (mode()) {
  case csapi_mode::down:
    return finish({503, "", "text/plain"});
  case csapi_mode::error:
    return finish({400, errors_body("CustomerService", "INVALID_TOKEN_STATUS",
                                    "The simulator refuses every call (mode error).", false)});
  case csapi_mode::recoverable:
    return finish({500, errors_body("CustomerService", "SYSTEM_ERROR",
                                    "The simulator fails every call (mode recoverable).", true)});
  case csapi_mode::ok:
    break;
  }
  if (root == nullptr || call.token_unique_reference.empty())
    return finish(
        {400,
         errors_body("CustomerService", "INVALID_REQUEST",
                     std::string{op->request_root} + ".TokenUniqueReference is required.", false)});
  std::string comment_id;
  {
    std::lock_guard lock{mutex_};
    comment_id = std::to_string(next_comment_++);
  }
  json::object token{{"TokenUniqueReference", call.token_unique_reference},
                     {"CommentId", comment_id}};
  return finish({200, json::serialize(json::object{{op->response_root, {{"Token", token}}}})});
}

std::string csapi_receiver::start() {
  if (server_)
    return "already started";
  auto s = std::make_unique<server>();
  beast::error_code ec;
  auto address = asio::ip::make_address(opts_.host, ec);
  if (ec)
    return "bad listen address " + opts_.host;
  tcp::endpoint ep{address, opts_.port};
  s->acceptor.open(ep.protocol(), ec);
  if (!ec)
    s->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    s->acceptor.bind(ep, ec);
  if (!ec)
    s->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return "cannot listen on " + opts_.host + ":" + std::to_string(opts_.port) + ": " +
           ec.message();
  bound_port_ = s->acceptor.local_endpoint().port();
  asio::co_spawn(s->ioc, accept_loop(*this, s->acceptor, s->connections, opts_.io_timeout),
                 asio::detached);
  auto* raw = s.get();
  s->thread = std::thread{[raw] { raw->ioc.run(); }};
  server_ = std::move(s);
  return {};
}

void csapi_receiver::stop() {
  if (!server_)
    return;
  server_->ioc.stop();
  if (server_->thread.joinable())
    server_->thread.join();
  server_.reset();
}

} // namespace dwt::mdes_sim
