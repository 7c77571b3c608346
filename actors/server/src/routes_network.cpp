/// @file
/// /network/v1: tokenisation decisions, step-up verification (choose a
/// method, submit or resend the OTP), wallet-side lifecycle events, read.
/// Idempotency scope: `dwt::network_scope`.

#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/http/body.hpp"
#include "idempotent_call.hpp"
#include "render.hpp"
#include "respond.hpp"
#include "route_table.hpp"
#include "validate.hpp"

namespace dwt::server {

namespace {

/// The engine refuses a PAN it holds no card for (card_not_found, or
/// bin_not_enabled outside every product) with an error; the contract
/// answers every refusal of a tokenisation as a 200 DECLINED decision.
std::optional<engine::errc> refused_pan(const caf::error& err) {
  if (!engine::is_engine_error(err))
    return std::nullopt;
  auto e = static_cast<engine::errc>(err.code());
  if (e == engine::errc::card_not_found || e == engine::errc::bin_not_enabled)
    return e;
  return std::nullopt;
}

callback<tokenization_result> declining_unknown_pans(engine::token_ref ref,
                                                     callback<tokenization_result> done) {
  return [ref = std::move(ref), done = std::move(done)](caf::expected<tokenization_result> r) {
    if (!r) {
      if (auto why = refused_pan(r.error())) {
        tokenization_result declined;
        declined.decision = engine::decision::declined;
        declined.token_ref = ref;
        declined.state = engine::token_state::request_declined;
        declined.reason = *why;
        return done(std::move(declined));
      }
    }
    done(std::move(r));
  };
}

void tokenize(const api_context& api, http::request_context ctx, http::responder res) {
  using engine::wallet_recommendation;
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  tokenization_request req;
  auto pan = f.required_string("pan", 32);
  auto month = f.required_int("expiryMonth", 1, 12);
  auto year = f.required_int("expiryYear", 2000, 9999);
  auto cvc = f.optional_string("cvc", 8);
  if (cvc && !validate::cvc_ok(*cvc))
    f.reject("cvc", "expected 3 or 4 digits");
  auto wallet = validate::wallet(f, "walletProvider");
  auto device = validate::device(f, "device");
  auto ref = f.optional_string("tokenUniqueReference", 64);
  if (ref && !validate::token_ref_ok(*ref))
    f.reject("tokenUniqueReference", "expected 1 to 64 of A-Z a-z 0-9 . _ ~ -");
  auto rec = f.required_enum<wallet_recommendation>("walletRecommendation",
                                                    {{"GREEN", wallet_recommendation::green},
                                                     {"YELLOW", wallet_recommendation::yellow},
                                                     {"RED", wallet_recommendation::red}});
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  if (auto bad = validate::pan(*pan))
    return res.respond(std::move(*bad));
  req.pan = std::move(*pan);
  req.expiry_month = static_cast<unsigned>(*month);
  req.expiry_year = static_cast<unsigned>(*year);
  req.cvc = std::move(cvc);
  req.wallet = *wallet;
  req.device = std::move(*device);
  if (ref)
    req.token_ref = engine::token_ref{std::move(*ref)};
  req.recommendation = *rec;
  engine::token_ref answer_ref;
  if (req.token_ref) {
    answer_ref = *req.token_ref;
  } else {
    engine::secure_random rng;
    answer_ref = engine::pan::generate_token_ref(
        std::chrono::time_point_cast<std::chrono::milliseconds>(ctx.received_at), rng);
  }
  idempotent_call<tokenization_result>(
      api, ctx, std::move(res), network_scope, &render::tokenization, [&](auto idem, auto done) {
        api.host->tokenize(std::move(req), std::move(idem),
                           declining_unknown_pans(std::move(answer_ref), std::move(done)));
      });
}

void choose_verification(const api_context& api, http::request_context ctx, http::responder res) {
  using engine::verification_method;
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  auto method =
      f.required_enum<verification_method>("method", {{"SMS_OTP", verification_method::sms_otp},
                                                      {"IN_APP", verification_method::in_app}});
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  auto token = token_param(ctx);
  idempotent_call<verification_started>(
      api, ctx, std::move(res), network_scope, &render::verification_started,
      [&](auto idem, auto done) {
        api.host->choose_verification(std::move(token), *method, std::move(idem), std::move(done));
      });
}

void submit_otp(const api_context& api, http::request_context ctx, http::responder res) {
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  auto code = validate::otp_code(f, "code");
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  auto token = token_param(ctx);
  idempotent_call<otp_outcome>(
      api, ctx, std::move(res), network_scope, &render::otp, [&](auto idem, auto done) {
        api.host->submit_otp(std::move(token), std::move(*code), std::move(idem), std::move(done));
      });
}

void resend_otp(const api_context& api, http::request_context ctx, http::responder res) {
  // No body is defined; whatever is sent is ignored (but fingerprinted).
  auto token = token_param(ctx);
  idempotent_call<verification_started>(api, ctx, std::move(res), network_scope,
                                        &render::verification_started, [&](auto idem, auto done) {
                                          api.host->resend_otp(std::move(token), std::move(idem),
                                                               std::move(done));
                                        });
}

void network_event(const api_context& api, http::request_context ctx, http::responder res) {
  using engine::network_event;
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  auto event = f.required_enum<network_event>(
      "event", {{"DEVICE_LOST", network_event::device_lost},
                {"DEVICE_FOUND", network_event::device_found},
                {"DELETED_FROM_WALLET", network_event::deleted_from_wallet}});
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  auto token = token_param(ctx);
  idempotent_call<engine::token_record>(
      api, ctx, std::move(res), network_scope, &render::token, [&](auto idem, auto done) {
        api.host->network_event(std::move(token), *event, std::move(idem), std::move(done));
      });
}

void get_network_token(const api_context& api, http::request_context ctx, http::responder res) {
  api.host->get_token_network(token_param(ctx),
                              reply<engine::token_record>(share(std::move(res)), &render::token));
}

} // namespace

void add_network_routes(route_table& t, const api_ptr& api) {
  t.push_back({"POST", "/network/v1/tokenization-requests", network_route(api, tokenize)});
  t.push_back(
      {"GET", "/network/v1/tokens/{tokenUniqueReference}", network_route(api, get_network_token)});
  t.push_back({"POST", "/network/v1/tokens/{tokenUniqueReference}/verification",
               network_route(api, choose_verification)});
  t.push_back({"POST", "/network/v1/tokens/{tokenUniqueReference}/verification/otp",
               network_route(api, submit_otp)});
  t.push_back({"POST", "/network/v1/tokens/{tokenUniqueReference}/verification/resend",
               network_route(api, resend_otp)});
  t.push_back({"POST", "/network/v1/tokens/{tokenUniqueReference}/events",
               network_route(api, network_event)});
}

} // namespace dwt::server
