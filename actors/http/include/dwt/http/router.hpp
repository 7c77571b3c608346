#pragma once
/// @file
/// A tiny router: `(method, pattern)` → handler, where a pattern is a path
/// whose segments are literals or `{name}` captures, e.g.
/// `/v1/cards/{cardId}/digital-wallet-tokens`. Unknown paths answer 404
/// `not_found`; a known path with another method answers 405
/// `method_not_allowed` with `Allow`. The most specific route wins (more
/// literal segments first, then registration order).
///
/// Threading: register every route before the server starts; afterwards
/// `dispatch` is const and may run on every I/O thread at once.

#include <string>
#include <string_view>
#include <vector>

#include "dwt/http/server.hpp"

namespace dwt::http {

class router {
public:
  /// Registers a route. Aborts on a malformed pattern (programmer error).
  router& add(std::string_view method, std::string_view pattern, handler h);

  /// Finds the route, fills `ctx.route` / `ctx.path_params`, names the route
  /// on the responder and calls its handler; or answers 404 / 405.
  void dispatch(request_context ctx, responder res) const;

  /// The pattern of the route `method` and `path` (a request target; any
  /// query is ignored) dispatch to, or "" when none (404 / 405). For
  /// `server_options::route_of`.
  [[nodiscard]] std::string route_of(std::string_view method, std::string_view path) const;

  /// A server handler that dispatches through this router, which must
  /// outlive the server.
  [[nodiscard]] handler as_handler() const;

private:
  struct route {
    std::string method;
    std::string pattern;
    /// Literal text, or the capture name when `capture` is true.
    std::vector<std::pair<std::string, bool>> segments;
    std::size_t literals = 0;
    handler h;
  };

  [[nodiscard]] static bool matches(const route& r, const std::vector<std::string>& segments);

  std::vector<route> routes_;
};

} // namespace dwt::http
