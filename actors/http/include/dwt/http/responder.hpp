#pragma once
/// @file
/// `responder`: the one-shot, move-only completion of a request.
///
/// The application calls `respond(response)` exactly once, from any thread;
/// the response is posted onto the connection's strand and written there.
/// Calling it twice (or on a moved-from responder) is a programmer error and
/// aborts. A responder destroyed without responding answers 500
/// `internal_error`, so a lost callback never hangs a client.
///
/// If the client disconnected meanwhile, or the server stopped, the response
/// is dropped (still counted in metrics and the access log).

#include <memory>
#include <string>

#include "dwt/http/response.hpp"

namespace dwt::http {

namespace detail {
struct exchange;
} // namespace detail

class responder {
public:
  /// Used by the server; applications receive responders, never make them.
  explicit responder(std::shared_ptr<detail::exchange> ex) noexcept;

  responder(responder&&) noexcept = default;
  responder& operator=(responder&& other) noexcept;
  responder(const responder&) = delete;
  responder& operator=(const responder&) = delete;
  ~responder();

  /// Completes the request. Thread-safe; call exactly once.
  void respond(response r);
  void operator()(response r) { respond(std::move(r)); }

  /// Names the route for metrics and the access log (the router calls this
  /// with the matched pattern). Call before `respond`.
  void set_route(std::string pattern);

  /// False after `respond` or a move.
  [[nodiscard]] bool pending() const noexcept { return ex_ != nullptr; }

private:
  std::shared_ptr<detail::exchange> ex_;
};

} // namespace dwt::http
