/// @file
/// MDES notifications: `POST {context_root}/notifyTokenUpdated` (each
/// token's status through networks' `target_of`) and
/// `/notifyServiceActivated` (the token becomes ACTIVE) (docs/API.md,
/// "Mastercard MDES").

#include <memory>
#include <mutex>
#include <vector>

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
        // Reported by MDES itself: no Customer Service call back (no echo).
        if (target.by == engine::channel::partner_api)
          return host->transition_token_from_network(t->partner, t->card, ref, target.state,
                                                     target.reason, std::move(finish));
        auto event = network_event_to(target.state);
        if (!event)
          return all->done(ref.value, "illegal_transition");
        host->network_event(ref, *event, std::nullopt, std::move(finish));
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

} // namespace dwt::server::mdes_impl
