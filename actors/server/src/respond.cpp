/// @file
/// Answer helpers shared by every route (respond.hpp).

#include "respond.hpp"

#include <cctype>

#include "dwt/errors.hpp"
#include "dwt/http/body.hpp"
#include "path_ids.hpp"

namespace dwt::server {

namespace {

constexpr std::string_view json_type = "application/json";
constexpr std::string_view problem_type = "application/problem+json";

/// The media type without parameters, lower-cased and trimmed.
std::string media_type(std::string_view v) {
  auto semi = v.find(';');
  if (semi != std::string_view::npos)
    v = v.substr(0, semi);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  std::string out;
  out.reserve(v.size());
  for (char c : v)
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

http::response error_response(const caf::error& err) {
  auto info = describe(err);
  if (info.status == 503) {
    // The contract knows one 503 code; the detail says why (e.g. stopping).
    auto r = http::problem(503, "overloaded", info.detail);
    r.with_header("Retry-After", "1");
    return r;
  }
  return http::problem(info.status, info.code, info.detail);
}

http::response to_response(const rendered_response& r) {
  http::response out;
  out.status = r.status;
  if (r.status == 204 || r.body.empty())
    return out;
  out.content_type = std::string{r.status >= 400 ? problem_type : json_type};
  out.body = r.body;
  return out;
}

http::response replayed(std::uint16_t status, std::string body) {
  auto out = to_response(rendered_response{status, std::move(body)});
  out.with_header("Idempotent-Replayed", "true");
  return out;
}

http::checked<boost::json::object> json_body(const http::request_context& ctx) {
  auto ct = ctx.content_type();
  if (!ct || media_type(*ct) != json_type)
    return http::problem(415, "unsupported_media_type",
                         "The request body must be sent as Content-Type: application/json.");
  return http::parse_json_object(ctx.body);
}

std::string problem_body(unsigned status, std::string_view code, std::string_view detail,
                         boost::json::object extra) {
  return http::problem(status, code, detail, std::move(extra)).body;
}

http::handler partner_route(api_ptr api, partner_handler h) {
  return [api = std::move(api), h = std::move(h)](http::request_context ctx, http::responder res) {
    auto who = api->partners.authenticate(ctx);
    if (!who)
      return res.respond(http::unauthorized("A valid partner API key is required."));
    if (auto unknown = overlong_path_id(ctx))
      return res.respond(std::move(*unknown));
    h(*api, engine::partner_id{std::move(*who)}, std::move(ctx), std::move(res));
  };
}

http::handler network_route(api_ptr api, network_handler h) {
  return [api = std::move(api), h = std::move(h)](http::request_context ctx, http::responder res) {
    if (api->network_needs_client_certificate && !ctx.client_certificate)
      return res.respond(http::problem(403, "client_certificate_required",
                                       "The network routes require a client certificate "
                                       "signed by the configured client CA (mutual TLS)."));
    if (!api->network.authenticate(ctx))
      return res.respond(http::unauthorized("A valid network API key is required."));
    if (auto unknown = overlong_path_id(ctx))
      return res.respond(std::move(*unknown));
    h(*api, std::move(ctx), std::move(res));
  };
}

} // namespace dwt::server
