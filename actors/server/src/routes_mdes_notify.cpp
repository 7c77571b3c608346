/// @file
/// MDES notifications: `POST {context_root}/notifyTokenUpdated` (each
/// token's status through networks' `target_of`) and
/// `/notifyServiceActivated` (the token becomes ACTIVE) (docs/API.md,
/// "Mastercard MDES").

#include <memory>
#include <mutex>
#include <vector>

#include "dwt/engine/enums.hpp"
#include "dwt/errors.hpp"
#include "dwt/networks/mdes/acknowledgement.hpp"
#include "dwt/networks/mdes/notify_service_activated.hpp"
#include "dwt/networks/mdes/notify_token_updated.hpp"
#include "mdes_context.hpp"
#include "mdes_routes.hpp"
#include "validate.hpp"

namespace dwt::server::mdes_impl {

namespace {

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
/// The token is the one the network reference was bound to (index), else
/// the one whose own ref it is.
void apply_update(engine_host* host, const mdes::token_update& update,
                  mdes::token_update_reason reason, const std::shared_ptr<token_updates>& all) {
  const auto& ref_text = update.token_unique_reference;
  auto target = mdes::target_of(update, reason);
  if (!target)
    return all->done(ref_text);
  find_mdes_token(host, {}, ref_text,
                  [host, ref_text, target = *target, all](caf::expected<found_token> found) {
                    if (!found)
                      return all->done(ref_text, describe(found.error()).code);
                    const auto& t = found->token;
                    if (t.state == target.state)
                      return all->done(ref_text);
                    auto finish = [ref_text, all](caf::expected<engine::token_record> r) {
                      if (r)
                        all->done(ref_text);
                      else
                        all->done(ref_text, describe(r.error()).code);
                    };
                    // Reported by MDES itself: no Customer Service call back
                    // (no echo).
                    if (target.by == engine::channel::partner_api)
                      return host->transition_token_from_network(
                          t.partner, t.card, t.ref, target.state, target.reason, std::move(finish));
                    auto event = network_event_to(target.state);
                    if (!event)
                      return all->done(ref_text, "illegal_transition");
                    host->network_event(t.ref, *event, std::nullopt, std::move(finish));
                  });
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

} // namespace

void notify_token_updated(const api_context& api, http::request_context ctx, http::responder res) {
  auto req = mdes::parse_notify_token_updated_request(ctx.body);
  if (!req)
    return res.respond(request_error(req.error(), request_id_of(ctx.body)));
  auto all =
      std::make_shared<token_updates>(share(std::move(res)), req->request_id, req->tokens.size());
  for (const auto& update : req->tokens)
    apply_update(api.host, update, req->reason, all);
}

/// notifyServiceActivated: the network activated the token (the
/// cardholder passed its activation). The token is the one authorizeService
/// made for the correlationId (`mdes-c-{correlationId}`), else the one the
/// tokenUniqueReference was bound to, else the one whose own ref it is.
/// Found by correlationId, the token is bound to the tokenUniqueReference
/// (with the token's expiry and last four) before it is activated.
void notify_service_activated(const api_context& api, http::request_context ctx,
                              http::responder res) {
  auto req = mdes::parse_notify_service_activated_request(ctx.body);
  if (!req)
    return res.respond(request_error(req.error(), request_id_of(ctx.body)));
  auto out = share(std::move(res));
  auto* host = api.host;
  const auto& card = req->card;
  auto failed = [out, request_id = req->request_id](const caf::error& err) {
    out->respond(lookup_failure(err, request_id));
  };
  find_mdes_token(host, req->correlation_id, card.token_unique_reference,
                  [host, out, failed, request_id = req->request_id,
                   tur = card.token_unique_reference, expiry = card.token_expiry,
                   last4 = card.token_pan_suffix](caf::expected<found_token> found) {
                    if (!found)
                      return failed(found.error());
                    bind_found(host, std::move(*found), tur, expiry, last4,
                               [host, out, failed, request_id](caf::expected<found_token> bound) {
                                 if (!bound)
                                   return failed(bound.error());
                                 activate(host, bound->token, out, request_id);
                               });
                  });
}

} // namespace dwt::server::mdes_impl
