#include "state.hpp"

#include <cstdio>
#include <random>

#include <boost/asio/post.hpp>

#include "session.hpp"

namespace dwt::http::detail {

namespace {
std::shared_ptr<metrics_registry> or_new(std::shared_ptr<metrics_registry> m) {
  return m ? std::move(m) : std::make_shared<metrics_registry>();
}

std::string random_prefix() {
  std::random_device rd;
  const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return std::string(buf, 16);
}
} // namespace

shared_state::shared_state(server_options options, handler application)
    : limits(options.limits), app(std::move(application)),
      metrics(or_new(std::move(options.metrics))),
      access_log(options.access_log ? std::move(options.access_log) : stderr_log_sink()),
      route_of(std::move(options.route_of)),
      requests_total(metrics->counter("dwt_http_requests_total", "HTTP requests answered.",
                                      {"route", "method", "status"})),
      request_duration(metrics->histogram("dwt_http_request_duration_seconds",
                                          "Time from request read to response.", {"route"})),
      connections_open(
          metrics->gauge("dwt_http_connections_open", "Open HTTP connections.").with({})),
      requests_in_flight(metrics
                             ->gauge("dwt_http_requests_in_flight",
                                     "Requests handed to the application, not yet answered.")
                             .with({})),
      connections_rejected(metrics
                               ->counter("dwt_http_connections_rejected_total",
                                         "Connections refused (max_connections reached).")
                               .with({})),
      id_prefix_(random_prefix()) {}

void shared_state::record(const request_meta& meta, unsigned status,
                          std::chrono::nanoseconds latency) {
  const std::string& route = meta.route.empty() ? std::string{"unmatched"} : meta.route;
  requests_total
      .with({route, meta.method.empty() ? "unknown" : meta.method, std::to_string(status)})
      .inc();
  request_duration.with({route}).observe(std::chrono::duration<double>(latency).count());
  access_entry e;
  e.time = meta.received_at;
  e.request_id = meta.request_id;
  e.method = meta.method;
  e.route = route;
  e.path = meta.path;
  e.status = status;
  e.latency = latency;
  e.auth_scheme = meta.auth_scheme;
  access_log(format_access_entry(e));
}

std::string shared_state::next_request_id() {
  const std::uint64_t n = id_counter_.fetch_add(1, std::memory_order_relaxed);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(n));
  std::string out = "req_";
  out += id_prefix_;
  out += buf;
  return out;
}

void shared_state::open_gate(boost::asio::any_io_executor ex) {
  std::lock_guard lock{gate_mutex_};
  gate_executor_ = std::move(ex);
  gate_open_ = true;
}

void shared_state::close_gate() {
  std::lock_guard lock{gate_mutex_};
  gate_open_ = false;
  gate_executor_ = {};
}

void shared_state::add_session(std::shared_ptr<session> s) {
  std::lock_guard lock{registry_mutex_};
  const session* key = s.get();
  registry_.emplace(key, std::move(s));
}

void shared_state::remove_session(const session* s) {
  std::shared_ptr<session> keep; // released outside the lock
  {
    std::lock_guard lock{registry_mutex_};
    auto it = registry_.find(s);
    if (it == registry_.end())
      return;
    keep = std::move(it->second);
    registry_.erase(it);
  }
  registry_cv_.notify_all();
}

std::vector<std::shared_ptr<session>> shared_state::sessions() const {
  std::lock_guard lock{registry_mutex_};
  std::vector<std::shared_ptr<session>> out;
  out.reserve(registry_.size());
  for (const auto& [k, v] : registry_)
    out.push_back(v);
  return out;
}

bool shared_state::wait_no_sessions(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock{registry_mutex_};
  return registry_cv_.wait_until(lock, deadline, [&] { return registry_.empty(); });
}

void shared_state::clear_sessions() {
  std::unordered_map<const session*, std::shared_ptr<session>> doomed;
  {
    std::lock_guard lock{registry_mutex_};
    doomed.swap(registry_);
  }
}

void exchange::complete(response r) {
  state->in_flight.fetch_sub(1, std::memory_order_relaxed);
  state->requests_in_flight.dec();
  const auto latency = std::chrono::steady_clock::now() - meta.received_steady;
  const unsigned status = r.status;
  const bool posted = state->with_open_gate([&](const boost::asio::any_io_executor& io) {
    std::shared_ptr<session> s = conn.lock();
    auto work = [st = state, s, m = std::move(meta), r = std::move(r), latency]() mutable {
      st->record(m, r.status, latency);
      if (s)
        s->deliver(std::move(r), m.request_id);
    };
    if (s)
      boost::asio::post(s->executor(), std::move(work));
    else
      boost::asio::post(io, std::move(work));
  });
  if (!posted)
    state->record(meta, status, latency);
}

} // namespace dwt::http::detail
