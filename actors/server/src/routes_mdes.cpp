/// @file
/// Mastercard MDES issuer services under `[networks.mdes] context_root`
/// (default /mdes): authorizeService, notifyTokenUpdated,
/// notifyServiceActivated. Each message is translated into the
/// engine's own network flow (the same one /network/v1 drives), so every
/// rule holds on this path too; answers and errors are MDES's shapes
/// (`{responseId, errorCode, errorDescription}`), never problem+json.
///
/// Authentication: the network API key (`Authorization: Bearer`), as for
/// /network/v1, until mutual TLS on the listener exists.
///
/// Secrets: the decrypted card data lives in `secret_bytes`; the PAN is
/// copied once into the engine's request (the engine seals it), the
/// security code is never passed on, stored or answered, and no error
/// description holds card data.

#include <mutex>

#include <boost/json/parse.hpp>

#include "dwt/engine/caf_error.hpp"
#include "dwt/errors.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/mdes/acknowledgement.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"
#include "dwt/networks/mdes/card_info.hpp"
#include "dwt/networks/mdes/error_response.hpp"
#include "dwt/networks/mdes/fle.hpp"
#include "dwt/networks/mdes/notify_service_activated.hpp"
#include "dwt/networks/mdes/notify_token_updated.hpp"
#include "mdes_context.hpp"
#include "respond.hpp"
#include "route_table.hpp"
#include "validate.hpp"

namespace dwt::server {

namespace {
// A named namespace of its own: unity builds compile the route groups
// together, and their helpers have the same short names.
namespace mdes_impl {

namespace mdes = networks::mdes;

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

engine::wallet_recommendation recommendation_of(const mdes::authorize_service_request& req) {
  // Absent or unknown: YELLOW, never more permissive than the network said.
  if (!req.decisioning)
    return engine::wallet_recommendation::yellow;
  const auto& d = req.decisioning->recommended_decision;
  if (d == "APPROVED")
    return engine::wallet_recommendation::green;
  if (d == "DECLINED")
    return engine::wallet_recommendation::red;
  return engine::wallet_recommendation::yellow;
}

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
  treq.recommendation = recommendation_of(*req);

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

/// One notifyTokenUpdated in flight: its tokens are applied independently
/// (concurrently, each through its own token actor); the answer goes out
/// once the last one is done.
class token_updates {
public:
  token_updates(shared_responder out, std::string request_id, std::size_t count)
      : out_(std::move(out)), request_id_(std::move(request_id)), pending_(count) {}

  /// One token is done; `error` is the engine's code when it failed.
  void done(const std::string& ref, std::string_view error = {}) {
    std::unique_lock lock{mutex_};
    if (!error.empty()) {
      failures_ += failures_.empty() ? "" : ", ";
      failures_ += ref + " (" + std::string{error} + ")";
      all_not_found_ = all_not_found_ && error == "token_not_found";
      all_map_full_ = all_map_full_ && error == "map_full";
    }
    if (--pending_ != 0)
      return;
    lock.unlock();
    if (failures_.empty())
      return out_->respond(
          http::json_response(200, mdes::to_json(mdes::acknowledgement{request_id_})));
    // The other tokens were applied: a repeated notification changes them
    // no further (a token already in its target state is left alone).
    if (all_not_found_)
      return out_->respond(mdes_error(404, request_id_, "TOKEN_NOT_FOUND",
                                      "No token has these references: " + failures_ + "."));
    if (all_map_full_)
      return out_->respond(mdes_error(507, request_id_, "MAP_FULL",
                                      "The store is full; not updated: " + failures_ + "."));
    out_->respond(mdes_error(409, request_id_, "TOKEN_UPDATE_FAILED",
                             "These tokens were not updated: " + failures_ + "."));
  }

private:
  shared_responder out_;
  std::string request_id_;
  std::mutex mutex_;
  std::size_t pending_;
  std::string failures_;
  bool all_not_found_ = true;
  bool all_map_full_ = true;
};

/// The engine's network event that reaches `state` (channel NETWORK).
std::optional<engine::network_event> network_event_to(engine::token_state state) {
  switch (state) {
  case engine::token_state::suspended:
    return engine::network_event::device_lost;
  case engine::token_state::active:
    return engine::network_event::device_found;
  case engine::token_state::terminated:
    return engine::network_event::deleted_from_wallet;
  case engine::token_state::requested:
  case engine::token_state::request_declined:
    break;
  }
  return std::nullopt;
}

/// Applies one token's update: nothing when its status is unknown or the
/// token is already there; the issuer's own suspension (ISSUER only) as a
/// PARTNER_API transition of the token's partner, so the ownership rule
/// keeps it the partner's to resume; anything else as the network's event.
void apply_update(engine_host* host, const mdes::token_update& update,
                  mdes::token_update_reason reason, const std::shared_ptr<token_updates>& all) {
  const auto& ref_text = update.token_unique_reference;
  auto target = mdes::target_of(update, reason);
  if (!target)
    return all->done(ref_text);
  if (!validate::token_ref_ok(ref_text))
    return all->done(ref_text, "token_not_found");
  engine::token_ref ref{ref_text};
  host->get_token_network(
      ref, [host, ref, target = *target, all](caf::expected<engine::token_record> t) {
        if (!t)
          return all->done(ref.value, describe(t.error()).code);
        if (t->state == target.state)
          return all->done(ref.value);
        auto finish = [ref, all](caf::expected<engine::token_record> r) {
          if (r)
            all->done(ref.value);
          else
            all->done(ref.value, describe(r.error()).code);
        };
        if (target.by == engine::channel::partner_api)
          return host->transition_token(t->partner, t->card, ref, target.state, target.reason,
                                        std::nullopt, std::move(finish));
        auto event = network_event_to(target.state);
        if (!event)
          return all->done(ref.value, "illegal_transition");
        host->network_event(ref, *event, std::nullopt, std::move(finish));
      });
}

void notify_token_updated(const api_context& api, http::request_context ctx, http::responder res) {
  auto req = mdes::parse_notify_token_updated_request(ctx.body);
  if (!req)
    return res.respond(request_error(req.error(), request_id_of(ctx.body)));
  auto all =
      std::make_shared<token_updates>(share(std::move(res)), req->request_id, req->tokens.size());
  for (const auto& update : req->tokens)
    apply_update(api.host, update, req->reason, all);
}

/// Activates the token `t` (REQUESTED → ACTIVE/PROVISIONED, channel
/// NETWORK); an ACTIVE token is left alone; any other state is refused.
void activate(engine_host* host, const engine::token_record& t, const shared_responder& out,
              const std::string& request_id) {
  auto ack = [out, request_id] {
    out->respond(http::json_response(200, mdes::to_json(mdes::acknowledgement{request_id})));
  };
  if (t.state == engine::token_state::active)
    return ack();
  if (t.state != engine::token_state::requested)
    return out->respond(mdes_error(409, request_id, "TOKEN_UPDATE_FAILED",
                                   "The token is " + std::string{engine::to_string(t.state)} +
                                       ", not awaiting activation."));
  host->network_event(
      t.ref, engine::network_event::device_found, std::nullopt,
      [out, request_id, ack](caf::expected<engine::token_record> r) {
        if (r)
          return ack();
        auto info = describe(r.error());
        out->respond(mdes_error(info.status == 507 ? 507 : 409, request_id, "TOKEN_UPDATE_FAILED",
                                "The token was not activated (" + info.code + ")."));
      });
}

/// Tries `candidates[i...]` in turn; the first token that exists is
/// activated; none: 404 TOKEN_NOT_FOUND.
void find_and_activate(engine_host* host, shared_responder out, std::string request_id,
                       std::shared_ptr<const std::vector<engine::token_ref>> candidates,
                       std::size_t i) {
  if (i >= candidates->size())
    return out->respond(mdes_error(404, request_id, "TOKEN_NOT_FOUND",
                                   "No token has this correlationId or tokenUniqueReference."));
  const auto& ref = (*candidates)[i];
  host->get_token_network(
      ref, [host, out, request_id, candidates, i](caf::expected<engine::token_record> t) {
        if (t)
          return activate(host, *t, out, request_id);
        if (describe(t.error()).code != "token_not_found")
          return out->respond(engine_failure(t.error(), request_id));
        find_and_activate(host, out, request_id, candidates, i + 1);
      });
}

/// notifyServiceActivated: the network activated the token (the
/// cardholder passed its activation). The token is the one authorizeService
/// made for the correlationId (`mdes-c-{correlationId}`), else the one
/// named by `cardAndToken.tokenUniqueReference` as dwt's reference.
void notify_service_activated(const api_context& api, http::request_context ctx,
                              http::responder res) {
  auto req = mdes::parse_notify_service_activated_request(ctx.body);
  if (!req)
    return res.respond(request_error(req.error(), request_id_of(ctx.body)));
  std::vector<engine::token_ref> candidates;
  if (auto by_correlation = token_ref_of_correlation(req->correlation_id))
    candidates.push_back(std::move(*by_correlation));
  if (validate::token_ref_ok(req->card.token_unique_reference))
    candidates.push_back(engine::token_ref{req->card.token_unique_reference});
  find_and_activate(api.host, share(std::move(res)), req->request_id,
                    std::make_shared<const std::vector<engine::token_ref>>(std::move(candidates)),
                    0);
}

/// Wraps an MDES handler: the network key is required (401 in MDES's
/// error shape otherwise).
http::handler mdes_route(api_ptr api, network_handler h) {
  return [api = std::move(api), h = std::move(h)](http::request_context ctx, http::responder res) {
    if (!api->network.authenticate(ctx)) {
      auto r = mdes_error(401, request_id_of(ctx.body), "UNAUTHORIZED",
                          "A valid network credential is required.");
      r.with_header("WWW-Authenticate", "Bearer");
      return res.respond(std::move(r));
    }
    h(*api, std::move(ctx), std::move(res));
  };
}

} // namespace mdes_impl
} // namespace

void add_mdes_routes(route_table& t, const api_ptr& api) {
  if (!api->mdes)
    return;
  const auto& root = api->mdes->context_root;
  t.push_back({"POST", root + "/authorizeService",
               mdes_impl::mdes_route(api, mdes_impl::authorize_service)});
  t.push_back({"POST", root + "/notifyServiceActivated",
               mdes_impl::mdes_route(api, mdes_impl::notify_service_activated)});
  t.push_back({"POST", root + "/notifyTokenUpdated",
               mdes_impl::mdes_route(api, mdes_impl::notify_token_updated)});
}

} // namespace dwt::server
