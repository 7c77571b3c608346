#pragma once
/// @file
/// Internal: the state shared by the server, its sessions and the responders
/// that outlive them: limits, counters, metrics, the access log, the session
/// registry and the "gate" that decides whether a responder may still post
/// onto the I/O context.
///
/// Threading: every member is either immutable after construction, atomic,
/// or guarded by its mutex.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>

#include "dwt/http/server.hpp"

namespace dwt::http::detail {

class session;

/// What the server knows about a request for metrics and the log.
struct request_meta {
  std::string request_id;
  std::string method;
  std::string route;
  std::string path;
  std::string auth_scheme;
  std::chrono::system_clock::time_point received_at{};
  std::chrono::steady_clock::time_point received_steady{};
};

class shared_state {
public:
  shared_state(server_options options, handler app);

  const config::http_settings limits;
  const handler app;
  const std::shared_ptr<metrics_registry> metrics;
  const log_sink access_log;
  const route_namer route_of;

  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};

  counter_family& requests_total;
  histogram_family& request_duration;
  gauge& connections_open;
  gauge& requests_in_flight;
  counter& connections_rejected;

  /// Records one answered request: counter, histogram, access log line.
  void record(const request_meta& meta, unsigned status, std::chrono::nanoseconds latency);

  /// A fresh request id: `req_` + per-server random prefix + counter.
  [[nodiscard]] std::string next_request_id();

  // -- gate: responders post only while it is open -------------------------
  /// Runs `fn(executor)` under the gate's lock if the gate is open; returns
  /// whether it ran.
  template <class Fn>
  bool with_open_gate(Fn&& fn) {
    std::lock_guard lock{gate_mutex_};
    if (!gate_open_)
      return false;
    fn(gate_executor_);
    return true;
  }
  void open_gate(boost::asio::any_io_executor ex);
  void close_gate();

  // -- session registry (keeps sessions alive until they close) -------------
  void add_session(std::shared_ptr<session> s);
  void remove_session(const session* s);
  /// Snapshot of the live sessions.
  [[nodiscard]] std::vector<std::shared_ptr<session>> sessions() const;
  /// Waits until no session is registered or `deadline`; true if none left.
  bool wait_no_sessions(std::chrono::steady_clock::time_point deadline);
  /// Drops every registered session (after the I/O threads stopped).
  void clear_sessions();

private:
  std::mutex gate_mutex_;
  bool gate_open_ = false;
  boost::asio::any_io_executor gate_executor_;

  mutable std::mutex registry_mutex_;
  std::condition_variable registry_cv_;
  std::unordered_map<const session*, std::shared_ptr<session>> registry_;

  std::string id_prefix_;
  std::atomic<std::uint64_t> id_counter_{0};
};

/// One request handed to the application: completed once by its responder.
struct exchange {
  std::shared_ptr<shared_state> state;
  std::weak_ptr<session> conn;
  request_meta meta;

  /// Decrements in-flight, records, and posts the response to the session.
  void complete(response r);
};

} // namespace dwt::http::detail
