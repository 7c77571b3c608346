/// @file
/// The engine, the HTTP server and the router as one app (server_app.hpp).

#include "dwt/server/server_app.hpp"

#include <mutex>

#include "api_context.hpp"
#include "dwt/http/router.hpp"
#include "dwt/http/server.hpp"
#include "dwt/server/engine_config.hpp"
#include "dwt/server/sms_gateway.hpp"
#include "listener_policy.hpp"
#include "mdes_context.hpp"
#include "route_table.hpp"

namespace dwt::server {

struct server_app::state {
  std::unique_ptr<sms_resources> sms;
  std::unique_ptr<engine_host> host;
  api_ptr api;
  /// Must outlive `http` (the server dispatches through it).
  std::unique_ptr<http::router> router;
  std::unique_ptr<http::http_server> http;
  std::string host_name;
  std::uint16_t port = 0;
  /// The listener speaks HTTPS (`[listen.tls]`).
  bool tls = false;
  std::mutex stop_mutex;
  bool stopped = false;

  void stop() {
    std::lock_guard lock{stop_mutex};
    if (stopped)
      return;
    stopped = true;
    if (api)
      api->draining.store(true);
    if (http)
      http->stop(); // stop accepting, drain in-flight requests
    if (host)
      host->stop(); // flushes the checkpointer
    if (sms)
      sms->stop();
  }
};

server_app::server_app(std::unique_ptr<state> self) : self_(std::move(self)) {}

server_app::~server_app() {
  if (self_)
    self_->stop();
}

void server_app::stop() {
  self_->stop();
}

const std::string& server_app::host() const noexcept {
  return self_->host_name;
}

std::uint16_t server_app::port() const noexcept {
  return self_->port;
}

std::string server_app::base_url() const {
  const auto& h = self_->host_name;
  const bool v6 = h.find(':') != std::string::npos;
  const std::string scheme = self_->tls ? "https://" : "http://";
  return scheme + (v6 ? "[" + h + "]" : h) + ":" + std::to_string(self_->port);
}

engine_host& server_app::engine() noexcept {
  return *self_->host;
}

server_app::started server_app::start(const config::settings& settings, app_options options) {
  auto st = std::make_unique<state>();

  auto sms = sms_resources::make(settings.sms, settings.webhooks.ca_file);
  if (!sms.resources)
    return {nullptr, sms.error};
  st->sms = std::move(sms.resources);

  // Key files are read before the engine opens the store: a bad file stops
  // the start with its key path.
  std::shared_ptr<const mdes_context> mdes;
  if (settings.networks.mdes.enabled) {
    auto loaded = load_mdes_context(settings.networks.mdes, options.production);
    if (!loaded.context) {
      st->sms->stop();
      return {nullptr, loaded.error};
    }
    mdes = std::move(loaded.context);
  }
  std::string mdes_signing_key;
  if (settings.networks.mdes.enabled) {
    auto key = load_mdes_signing_key(settings.networks.mdes, options.production);
    if (!key.error.empty()) {
      st->sms->stop();
      return {nullptr, key.error};
    }
    mdes_signing_key = std::move(key.pem);
  }

  // After the MDES keys (their refusal names the key first), before the
  // engine opens the store.
  if (auto refused = listener_refusal(settings, options.production); !refused.empty()) {
    st->sms->stop();
    return {nullptr, refused};
  }

  auto engine_opts = to_engine_options(settings);
  if (settings.networks.mdes.enabled)
    engine_opts.mdes.signing_key_pem = std::move(mdes_signing_key);
  else
    engine_opts.mdes.url.clear(); // MDES off: no Customer Service calls
  engine_opts.sms = st->sms->gateway();
  if (options.tweak_engine)
    options.tweak_engine(engine_opts);
  auto host = engine_host::start(std::move(engine_opts));
  if (!host) {
    st->sms->stop();
    return {nullptr, "engine: " + describe(host.error()).detail};
  }
  st->host = std::move(*host);

  st->api = std::make_shared<api_context>();
  st->api->mdes = std::move(mdes);
  st->api->host = st->host.get();
  for (const auto& p : settings.partners)
    st->api->partners.add(p.id.value, p.api_key_sha256);
  if (!settings.network.api_key_sha256.empty())
    st->api->network.add("network", settings.network.api_key_sha256);
  st->api->network_needs_client_certificate = settings.listen.tls.mutual();
  st->api->metrics = std::make_shared<http::metrics_registry>();

  st->router = std::make_unique<http::router>();
  for (auto& r : make_route_table(st->api))
    st->router->add(r.method, r.pattern, std::move(r.handler));

  auto http_opts = http::server_options::from(settings.listen, settings.http);
  http_opts.metrics = st->api->metrics;
  http_opts.access_log = std::move(options.access_log);
  http_opts.route_of = [r = st->router.get()](std::string_view method, std::string_view path) {
    return r->route_of(method, path);
  };
  st->http = std::make_unique<http::http_server>(std::move(http_opts), st->router->as_handler());
  if (auto ec = st->http->start()) {
    st->http.reset();
    st->stop();
    return {nullptr, "listen " + settings.listen.host + ":" + std::to_string(settings.listen.port) +
                         ": " + ec.message()};
  }
  st->host_name = settings.listen.host;
  st->port = st->http->port();
  st->tls = settings.listen.tls.enabled();
  return {std::unique_ptr<server_app>{new server_app{std::move(st)}}, {}};
}

} // namespace dwt::server
