/// @file
/// MDES Deliver Activation Code: `POST {context_root}/deliverActivationCode`
/// (docs/API.md, "Mastercard MDES"). The network generated the code; dwt
/// only delivers it, by SMS to the card's SMS destination (the partner's
/// rule, as for dwt's own OTP), and the token's verification step is
/// reached as for dwt's own OTP (cards#manual-provisioning-verification,
/// SMS_OTP, the masked destination).
///
/// Secrets: no clear copy is kept. The parse copies the code from a wiped
/// arena into a `secret_bytes`; the request body is wiped as soon as it is
/// parsed (an unparseable body is read for its requestId in a wiped arena
/// too); the code reaches the token actor and the SMS gateway and nothing
/// else: not LMDB (the challenge has no code hash), logs, answers or error
/// descriptions.

#include <cstddef>
#include <memory>
#include <new>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/null_resource.hpp>
#include <boost/json/parse.hpp>
#include <openssl/crypto.h>

#include "dwt/engine/enums.hpp"
#include "dwt/errors.hpp"
#include "dwt/networks/mdes/acknowledgement.hpp"
#include "dwt/networks/mdes/deliver_activation_code.hpp"
#include "mdes_context.hpp"
#include "mdes_routes.hpp"

namespace dwt::server::mdes_impl {

namespace {

/// Arena bytes per body byte for the requestId look-up of a body the
/// parser refused (networks' wiped-arena parse uses the same measure).
constexpr std::size_t arena_per_body_byte = 40;
constexpr std::size_t arena_slack = 4096;

void wipe(std::string& s) {
  if (!s.empty())
    OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

/// The requestId of a body that failed to parse, read in an arena that is
/// wiped afterwards (the body may hold the code); a DOM larger than the
/// arena is not spilled to the heap: no requestId then.
std::string request_id_wiped(std::string_view body) {
  if (body.size() > mdes::deliver_activation_code_limits::max_body_bytes)
    return {};
  std::vector<unsigned char> arena(body.size() * arena_per_body_byte + arena_slack);
  std::string id;
  {
    boost::json::monotonic_resource mr{arena.data(), arena.size(),
                                       boost::json::get_null_resource()};
    boost::system::error_code ec;
    try {
      auto v = boost::json::parse(body, ec, &mr);
      if (!ec && v.is_object()) {
        const auto* r = v.as_object().if_contains("requestId");
        if (r != nullptr && r->is_string() &&
            r->as_string().size() <= mdes::deliver_activation_code_limits::max_request_id)
          id = std::string{r->as_string()};
      }
    } catch (const std::bad_alloc&) {
      // The arena is full: answer without a requestId.
    }
  }
  OPENSSL_cleanse(arena.data(), arena.size());
  return id;
}

/// The token is not awaiting activation.
http::response not_requested(const std::string& request_id, engine::token_state s) {
  return mdes_error(409, request_id, "INVALID_TOKEN_STATUS",
                    "The token is " + std::string{engine::to_string(s)} +
                        ", not awaiting activation; no code was delivered.");
}

http::response failure(const caf::error& err, const std::string& request_id) {
  auto info = describe(err);
  if (info.code == "token_final" || info.code == "no_pending_verification")
    return mdes_error(409, request_id, "INVALID_TOKEN_STATUS",
                      "The token is not awaiting activation; no code was delivered.");
  return lookup_failure(err, request_id);
}

} // namespace

void deliver_activation_code(const api_context& api, http::request_context ctx,
                             http::responder res) {
  auto parsed = mdes::parse_deliver_activation_code_request(ctx.body);
  const auto request_id = parsed ? parsed->request_id : request_id_wiped(ctx.body);
  wipe(ctx.body);
  if (!parsed)
    return res.respond(request_error(parsed.error(), request_id));
  // Shared by the steps below; its secret_bytes wipes the code when the
  // last step is done.
  auto req = std::make_shared<mdes::deliver_activation_code_request>(std::move(*parsed));
  if (req->method && req->method->type != mdes::activation_method_type::text_to_cardholder_number)
    return res.respond(mdes_error(
        400, request_id, "UNSUPPORTED_ACTIVATION_METHOD",
        "activationMethod.type must be TEXT_TO_CARDHOLDER_NUMBER: dwt delivers activation codes "
        "by SMS only."));

  auto out = share(std::move(res));
  auto* host = api.host;
  find_mdes_token(host, req->correlation_id, req->token_unique_reference,
                  [host, out, req](caf::expected<found_token> found) {
                    if (!found)
                      return out->respond(failure(found.error(), req->request_id));
                    if (found->token.state != engine::token_state::requested)
                      return out->respond(not_requested(req->request_id, found->token.state));
                    bind_found(
                        host, std::move(*found), req->token_unique_reference, {}, {},
                        [host, out, req](caf::expected<found_token> bound) {
                          if (!bound)
                            return out->respond(failure(bound.error(), req->request_id));
                          host->deliver_network_code(
                              bound->token.ref, std::string{req->activation_code.view()},
                              req->expiration, [out, req](caf::expected<verification_started> r) {
                                if (!r)
                                  return out->respond(failure(r.error(), req->request_id));
                                out->respond(http::json_response(
                                    200, mdes::to_json(mdes::acknowledgement{req->request_id})));
                              });
                        });
                  });
}

} // namespace dwt::server::mdes_impl
