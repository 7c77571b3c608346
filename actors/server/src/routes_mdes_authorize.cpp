/// @file
/// MDES Authorize Service: `POST {context_root}/authorizeService`
/// (docs/API.md, "Mastercard MDES"). The card data is decrypted with the
/// issuer's key ring and decided by the engine's own tokenisation, the
/// same flow /network/v1 drives, so every rule holds on this path too.
///
/// Secrets: the decrypted card data lives in `secret_bytes`; the PAN is
/// copied once into the engine's request (the engine seals it), the
/// security code is never passed on, stored or answered, and no error
/// description holds card data.

#include "dwt/engine/caf_error.hpp"
#include "dwt/errors.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"
#include "dwt/networks/mdes/card_info.hpp"
#include "dwt/networks/mdes/fle.hpp"
#include "dwt/networks/mdes/risk.hpp"
#include "mdes_context.hpp"
#include "mdes_routes.hpp"

namespace dwt::server::mdes_impl {

namespace {

engine::device_info device_of(const mdes::authorize_service_request& req) {
  engine::device_info out;
  // The wallet instance is what the network identifies the device by.
  out.id = !req.payment_app_instance_id.empty()               ? req.payment_app_instance_id
           : req.device && !req.device->serial_number.empty() ? req.device->serial_number
                                                              : "mdes-unidentified-device";
  out.type = engine::device_type::other;
  if (req.device) {
    const auto& ff = req.device->form_factor;
    if (ff == "PHONE")
      out.type = engine::device_type::phone;
    else if (ff == "TABLET")
      out.type = engine::device_type::tablet;
    else if (ff == "WATCH" || ff == "WRISTBAND")
      out.type = engine::device_type::watch;
    out.name = req.device->device_name;
  }
  return out;
}

/// What MDES sent, kept on the token whatever the decision: its ids, the
/// device (never the IMEI or MSISDN: personal data dwt does not need) and
/// its risk inputs. Never the PAN or the security code: only `cvc`, the
/// answer dwt gave about it.
engine::network_identity identity_of(const mdes::authorize_service_request& req,
                                     const mdes::card_info& card,
                                     std::optional<mdes::cvc_response> cvc) {
  engine::network_identity n;
  n.network = engine::card_network::mdes;
  n.pan_unique_reference = req.pan_unique_reference;
  n.correlation_id = req.correlation_id;
  n.token_requestor_id = req.token_requestor_id;
  n.wallet_id = req.wallet_id;
  n.payment_app_instance_id = req.payment_app_instance_id;
  n.token_type = std::string{mdes::to_string(req.type)};
  if (req.device) {
    n.device_name = req.device->device_name;
    n.serial_number = req.device->serial_number;
    n.form_factor = req.device->form_factor;
    n.iso_device_type = req.device->iso_device_type;
    n.os_name = req.device->os_name;
    n.os_version = req.device->os_version;
  }
  auto& k = n.risk;
  // Bounded by the parse (max_score, max_active_token_count): they fit.
  auto small = [](std::optional<std::uint64_t> v) -> std::optional<std::uint32_t> {
    if (!v)
      return std::nullopt;
    return static_cast<std::uint32_t>(*v);
  };
  if (req.decisioning) {
    const auto& d = *req.decisioning;
    k.recommended_decision = d.recommended_decision;
    k.recommendation_standard_version = d.recommendation_standard_version;
    k.device_score = small(d.device_score);
    k.account_score = small(d.account_score);
    k.phone_number_score = small(d.phone_number_score);
    k.recommendation_reasons = d.recommendation_reasons;
  }
  k.active_token_count = small(req.active_token_count);
  if (cvc)
    k.cvc_result = std::string{mdes::to_string(*cvc)};
  k.data_valid_until = card.data_valid_until;
  k.card_source = std::string{mdes::to_string(card.source)};
  return n;
}

/// What is answered besides the decision (echoed from the request).
struct answer_base {
  std::string request_id;
  std::string token_requestor_id;
  /// The card data held a security code: answered NOT_PROCESSED (dwt holds
  /// no CVCs to compare with).
  bool had_cvc = false;

  [[nodiscard]] mdes::authorize_service_response response(mdes::decision d) const {
    mdes::authorize_service_response r;
    r.response_id = request_id;
    r.result = d;
    r.token_requestor_id = token_requestor_id;
    if (had_cvc)
      r.cvc = mdes::cvc_response::not_processed;
    return r;
  }
};

http::response answer(const mdes::authorize_service_response& r) {
  return http::json_response(200, mdes::to_json(r));
}

http::response answer_decision(const answer_base& base, const tokenization_result& res) {
  switch (res.decision) {
  case engine::decision::approved:
    return answer(base.response(mdes::decision::approved));
  case engine::decision::declined:
    return answer(base.response(mdes::decision::declined));
  case engine::decision::require_verification:
    break;
  }
  auto r = base.response(mdes::decision::require_additional_authentication);
  for (const auto& m : res.methods) {
    if (m.type == engine::verification_method::sms_otp)
      r.activation_methods.push_back(
          {mdes::activation_method_type::text_to_cardholder_number, m.destination_masked});
    else
      r.activation_methods.push_back(
          {mdes::activation_method_type::cardholder_to_use_mobile_app, ""});
  }
  return answer(r);
}

/// A repeated correlationId: the token exists, so its state is the answer
/// (a retried authorizeService gets the decision it got the first time).
http::response answer_state(const answer_base& base, const engine::token_record& t) {
  switch (t.state) {
  case engine::token_state::active:
  case engine::token_state::suspended:
    return answer(base.response(mdes::decision::approved));
  case engine::token_state::requested:
    return answer(base.response(mdes::decision::require_additional_authentication));
  case engine::token_state::terminated:
  case engine::token_state::request_declined:
    break;
  }
  return answer(base.response(mdes::decision::declined));
}

/// The engine refuses a PAN it holds no card for (card_not_found, or
/// bin_not_enabled outside every product): a DECLINED decision, like
/// /network/v1.
bool refused_pan(const caf::error& err) {
  if (!engine::is_engine_error(err))
    return false;
  auto e = static_cast<engine::errc>(err.code());
  return e == engine::errc::card_not_found || e == engine::errc::bin_not_enabled;
}

} // namespace

void authorize_service(const api_context& api, http::request_context ctx, http::responder res) {
  const auto& m = *api.mdes;
  auto req = mdes::parse_authorize_service_request(ctx.body);
  if (!req)
    return res.respond(request_error(req.error(), request_id_of(ctx.body)));
  answer_base base{req->request_id, req->token_requestor_id, false};

  std::optional<engine::token_ref> ref;
  if (!req->correlation_id.empty()) {
    ref = token_ref_of_correlation(req->correlation_id);
    if (!ref)
      return res.respond(mdes_error(400, base.request_id, "INVALID_FIELD",
                                    "correlationId may hold only A-Z a-z 0-9 . _ ~ -."));
  }

  auto plain = mdes::decrypt(req->card_info, m.ring);
  if (!plain) {
    auto e = networks::code_of(plain.error());
    if (e == networks::errc::unknown_key_fingerprint)
      return res.respond(mdes_error(400, base.request_id, "UNKNOWN_KEY_FINGERPRINT",
                                    "cardInfo.publicKeyFingerprint names no key of this issuer."));
    if (mdes::is_decryption_failure(e))
      return res.respond(decryption_failed(base.request_id));
    return res.respond(request_error(plain.error(), base.request_id));
  }
  auto card = mdes::parse_card_info(plain->view());
  if (!card)
    return res.respond(decryption_failed(base.request_id));
  base.had_cvc = !card->security_code.empty();

  // The network's card data is only good until dataValidUntilTimestamp.
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(ctx.received_at);
  if (card->data_valid_until && *card->data_valid_until < now)
    return res.respond(answer(base.response(mdes::decision::declined)));

  tokenization_request treq;
  treq.pan = std::string{card->account_number.view()};
  treq.expiry_month = card->expiry_month;
  treq.expiry_year = card->expiry_year;
  treq.wallet = req->wallet_id.empty() ? m.default_wallet : m.wallet_of(req->wallet_id);
  treq.device = device_of(*req);
  treq.token_ref = ref;
  // The network's risk data, never more permissive than its own
  // recommendation (networks/mdes/risk.hpp, docs/API.md "Risk").
  treq.recommendation = mdes::assess_risk(*req).level;
  treq.network = identity_of(*req, *card, base.response(mdes::decision::declined).cvc);

  auto out = share(std::move(res));
  auto* host = api.host;
  host->tokenize(
      std::move(treq), std::nullopt, [out, base, ref, host](caf::expected<tokenization_result> r) {
        if (r)
          return out->respond(answer_decision(base, *r));
        if (refused_pan(r.error()))
          return out->respond(answer(base.response(mdes::decision::declined)));
        if (ref && describe(r.error()).status == 409) {
          // The token of this correlationId exists already.
          return host->get_token_network(*ref, [out, base](caf::expected<engine::token_record> t) {
            if (t)
              out->respond(answer_state(base, *t));
            else
              out->respond(engine_failure(t.error(), base.request_id));
          });
        }
        out->respond(engine_failure(r.error(), base.request_id));
      });
}

} // namespace dwt::server::mdes_impl
