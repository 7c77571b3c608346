/// @file
/// MDES Request Activation Methods: `POST {context_root}/requestActivationMethods`
/// (docs/API.md, "Mastercard MDES"). The network asks which step-up
/// methods the issuer offers for a token it is provisioning; dwt answers
/// with what the token's card offers now, the same methods authorizeService
/// offered: TEXT_TO_CARDHOLDER_NUMBER with the masked phone (the partner's
/// profile/card rule) and CARDHOLDER_TO_USE_MOBILE_APP when in-app
/// verification is offered. Changes nothing.

#include <memory>
#include <vector>

#include "dwt/errors.hpp"
#include "dwt/networks/mdes/request_activation_methods.hpp"
#include "mdes_context.hpp"
#include "mdes_routes.hpp"
#include "validate.hpp"

namespace dwt::server::mdes_impl {

namespace {

mdes::activation_method to_mdes(const engine::offered_method& m) {
  if (m.type == engine::verification_method::sms_otp)
    return {mdes::activation_method_type::text_to_cardholder_number, m.destination_masked};
  return {mdes::activation_method_type::cardholder_to_use_mobile_app, {}};
}

http::response answer_methods(std::string request_id,
                              const std::vector<engine::offered_method>& methods) {
  mdes::request_activation_methods_response r;
  r.response_id = std::move(request_id);
  for (const auto& m : methods) {
    if (r.activation_methods.size() == mdes::request_activation_methods_limits::max_methods)
      break;
    r.activation_methods.push_back(to_mdes(m));
  }
  return http::json_response(200, mdes::to_json(r));
}

/// The engine's refusal in MDES's shape: an unknown token 404
/// TOKEN_NOT_FOUND, a token past its activation 409 TOKEN_NOT_PENDING.
http::response refusal(const caf::error& err, std::string request_id) {
  const auto info = describe(err);
  if (info.code == "token_not_found")
    return mdes_error(404, std::move(request_id), "TOKEN_NOT_FOUND",
                      "No token has this correlationId or tokenUniqueReference.");
  if (info.code == "token_final" || info.code == "no_pending_verification")
    return mdes_error(409, std::move(request_id), "TOKEN_NOT_PENDING",
                      "The token is not awaiting activation; no method is offered.");
  return engine_failure(err, std::move(request_id));
}

/// Asks for `candidates[i...]` in turn; the first token that exists answers.
void methods_of_first(engine_host* host, shared_responder out, std::string request_id,
                      std::shared_ptr<const std::vector<engine::token_ref>> candidates,
                      std::size_t i) {
  if (i >= candidates->size())
    return out->respond(mdes_error(404, request_id, "TOKEN_NOT_FOUND",
                                   "No token has this correlationId or tokenUniqueReference."));
  host->offered_methods(
      (*candidates)[i], [host, out, request_id, candidates,
                         i](caf::expected<std::vector<engine::offered_method>> r) mutable {
        if (r)
          return out->respond(answer_methods(std::move(request_id), *r));
        if (describe(r.error()).code == "token_not_found")
          return methods_of_first(host, std::move(out), std::move(request_id), candidates, i + 1);
        out->respond(refusal(r.error(), std::move(request_id)));
      });
}

} // namespace

void request_activation_methods(const api_context& api, http::request_context ctx,
                                http::responder res) {
  auto req = mdes::parse_request_activation_methods_request(ctx.body);
  if (!req)
    return res.respond(request_error(req.error(), request_id_of(ctx.body)));
  // The token authorizeService made for the correlationId, else the one
  // the network's tokenUniqueReference names.
  std::vector<engine::token_ref> candidates;
  if (auto by_correlation = token_ref_of_correlation(req->correlation_id))
    candidates.push_back(std::move(*by_correlation));
  if (validate::token_ref_ok(req->token_unique_reference))
    candidates.push_back(engine::token_ref{req->token_unique_reference});
  methods_of_first(api.host, share(std::move(res)), req->request_id,
                   std::make_shared<const std::vector<engine::token_ref>>(std::move(candidates)),
                   0);
}

} // namespace dwt::server::mdes_impl
