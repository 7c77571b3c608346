#pragma once
/// @file
/// Shared answer helpers of the route handlers: authentication per API,
/// the JSON body gate (415 / 400), mapping engine errors and rendered
/// answers to HTTP responses, and the engine callback that completes a
/// responder.
///
/// Threading: pure helpers; `reply` callbacks may run on any thread.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/json/object.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "api_context.hpp"
#include "dwt/http/checked.hpp"
#include "dwt/http/request_context.hpp"
#include "dwt/http/responder.hpp"
#include "dwt/http/response.hpp"
#include "dwt/http/server.hpp"

namespace dwt::server {

/// A responder shareable by copyable callbacks (engine callbacks are
/// `std::function`); still answered exactly once.
using shared_responder = std::shared_ptr<http::responder>;

[[nodiscard]] inline shared_responder share(http::responder res) {
  return std::make_shared<http::responder>(std::move(res));
}

/// The problem+json answer for an engine error (describe()'s code and
/// status). 503 answers carry `Retry-After: 1` and the code `overloaded`.
[[nodiscard]] http::response error_response(const caf::error& err);

/// A rendered answer as an HTTP response: 204 without a body, >= 400 as
/// problem+json, anything else as JSON.
[[nodiscard]] http::response to_response(const rendered_response& r);

/// The stored answer of an earlier request with the same key, marked
/// `Idempotent-Replayed: true`.
[[nodiscard]] http::response replayed(std::uint16_t status, std::string body);

/// Requires `Content-Type: application/json` (415 `unsupported_media_type`)
/// and a JSON object body (400 `malformed_json`).
[[nodiscard]] http::checked<boost::json::object> json_body(const http::request_context& ctx);

/// The problem body of an error as stored/replayed text.
[[nodiscard]] std::string problem_body(unsigned status, std::string_view code,
                                       std::string_view detail, boost::json::object extra = {});

/// The engine callback completing `out`: a value is rendered with `render`,
/// an error becomes `error_response`.
template <class T, class Render>
[[nodiscard]] std::function<void(caf::expected<T>)> reply(shared_responder out, Render render) {
  return [out = std::move(out), render = std::move(render)](caf::expected<T> r) {
    if (r)
      out->respond(to_response(render(*r)));
    else
      out->respond(error_response(r.error()));
  };
}

/// Handler of a /v1 route, called with the authenticated partner.
using partner_handler = std::function<void(const api_context& api, const engine::partner_id& who,
                                           http::request_context ctx, http::responder res)>;
/// Handler of a /network/v1 route, called once the network key checked out.
using network_handler =
    std::function<void(const api_context& api, http::request_context ctx, http::responder res)>;

/// Wraps a /v1 handler: a partner key is required (401 otherwise); a path
/// id longer than the store allows answers 404 (path_ids.hpp).
[[nodiscard]] http::handler partner_route(api_ptr api, partner_handler h);
/// Wraps a /network/v1 handler: with mutual TLS configured a verified
/// client certificate is required (403 `client_certificate_required`
/// otherwise), then the network key (401 otherwise); a path id longer than
/// the store allows answers 404.
[[nodiscard]] http::handler network_route(api_ptr api, network_handler h);

} // namespace dwt::server
