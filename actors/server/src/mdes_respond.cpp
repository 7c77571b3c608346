/// @file
/// MDES's answer shapes and the network-key wrapper shared by the MDES
/// routes (mdes_routes.hpp).

#include <boost/json/parse.hpp>

#include "dwt/errors.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"
#include "dwt/networks/mdes/error_response.hpp"
#include "mdes_routes.hpp"

namespace dwt::server::mdes_impl {

http::response mdes_error(unsigned status, std::string request_id, std::string_view code,
                          std::string_view description) {
  return http::json_response(
      status, mdes::to_json(mdes::error_response{std::move(request_id), std::string{code},
                                                 std::string{description}}));
}

std::string upper(std::string_view code) {
  std::string out;
  out.reserve(code.size());
  for (char c : code)
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

/// The requestId of a body that failed to parse, when there is one to echo.
std::string request_id_of(std::string_view body) {
  if (body.size() > mdes::authorize_service_limits::max_body_bytes)
    return {};
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object())
    return {};
  const auto* id = v.as_object().if_contains("requestId");
  if (id == nullptr || !id->is_string() ||
      id->as_string().size() > mdes::authorize_service_limits::max_request_id)
    return {};
  return std::string{id->as_string()};
}

/// A networks error of the request envelope (never of decrypted data): its
/// code upper-cased (INVALID_FIELD, MISSING_FIELD, ...) and the field it
/// names, 413 for payload_too_large, else 400.
http::response request_error(const caf::error& err, std::string request_id) {
  if (!networks::is_networks_error(err))
    return mdes_error(500, std::move(request_id), "INTERNAL_ERROR", "The request failed.");
  auto e = networks::code_of(err);
  std::string description{networks::describe(e)};
  if (err.context().match_elements<std::string>())
    description += " (" + err.context().get_as<std::string>(0) + ")";
  return mdes_error(e == networks::errc::payload_too_large ? 413 : 400, std::move(request_id),
                    upper(networks::to_code(e)), description);
}

/// One answer for every failure past the key look-up (unwrap, AES padding,
/// unreadable plaintext): telling them apart would be a padding oracle.
http::response decryption_failed(std::string request_id) {
  return mdes_error(400, std::move(request_id), "DECRYPTION_FAILED",
                    "cardInfo could not be decrypted with the key its publicKeyFingerprint names.");
}

/// An engine failure that is not a decision (overload, store errors).
http::response engine_failure(const caf::error& err, std::string request_id) {
  auto info = describe(err);
  auto r = mdes_error(info.status, std::move(request_id), upper(info.code), info.detail);
  if (info.status == 503)
    r.with_header("Retry-After", "1");
  return r;
}

/// Wraps an MDES handler: the network key is required (401 in MDES's
/// error shape otherwise).
http::handler mdes_route(api_ptr api, network_handler h) {
  return [api = std::move(api), h = std::move(h)](http::request_context ctx, http::responder res) {
    if (api->network_needs_client_certificate && !ctx.client_certificate)
      return res.respond(mdes_error(403, request_id_of(ctx.body), "CLIENT_CERTIFICATE_REQUIRED",
                                    "A client certificate signed by the configured client CA "
                                    "is required (mutual TLS)."));
    if (!api->network.authenticate(ctx)) {
      auto r = mdes_error(401, request_id_of(ctx.body), "UNAUTHORIZED",
                          "A valid network credential is required.");
      r.with_header("WWW-Authenticate", "Bearer");
      return res.respond(std::move(r));
    }
    h(*api, std::move(ctx), std::move(res));
  };
}

} // namespace dwt::server::mdes_impl
