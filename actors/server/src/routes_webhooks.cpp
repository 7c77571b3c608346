/// @file
/// Webhook deliveries of one of the partner's events: the attempts made so
/// far with the delivery state (GET .../deliveries), and redelivery (POST
/// .../redeliver, idempotent). Another partner's event answers 404
/// `event_not_found` like an unknown id; a partner without a webhook
/// endpoint gets 409 `no_webhook_endpoint` on redelivery.
///
/// Beside redelivery, with the same (partner) authentication: the retry of
/// a token's FAILED network command (issue #21, POST
/// /v1/digital-wallet-tokens/{ref}/network-sync/retry): 404
/// `token_not_found` for another partner's token, 404
/// `network_command_not_found`, 409 `network_command_not_failed`, 409
/// `no_network_dispatcher`.

#include <memory>

#include "idempotent_call.hpp"
#include "render.hpp"
#include "respond.hpp"
#include "route_table.hpp"

namespace dwt::server {

namespace {

event_ref event_param(const http::request_context& ctx) {
  return event_ref{std::string{ctx.param("eventId")}};
}

void deliveries(const api_context& api, const engine::partner_id& who, http::request_context ctx,
                http::responder res) {
  // Two snapshots, attempts first: the state is never older than the list
  // (an attempt recorded in between shows in `state.attempts` only).
  auto out = share(std::move(res));
  auto event = event_param(ctx);
  engine_host* host = api.host;
  host->delivery_attempts(
      who, event,
      [host, who, event, out](caf::expected<std::vector<persistence::delivery_attempt_record>> a) {
        if (!a)
          return out->respond(error_response(a.error()));
        auto report = std::make_shared<delivery_report>();
        report->attempts = std::move(*a);
        host->delivery_state(who, event,
                             [out, report](caf::expected<persistence::delivery_state> s) {
                               if (!s)
                                 return out->respond(error_response(s.error()));
                               report->state = std::move(*s);
                               out->respond(to_response(render::deliveries(*report)));
                             });
      });
}

void redeliver(const api_context& api, const engine::partner_id& who, http::request_context ctx,
               http::responder res) {
  // No body is defined; whatever is sent is ignored (but fingerprinted).
  auto event = event_param(ctx);
  idempotent_call<persistence::delivery_state>(
      api, ctx, std::move(res), who, &render::redelivery, [&](auto idem, auto done) {
        api.host->redeliver(who, std::move(event), std::move(idem), std::move(done));
      });
}

void retry_network_sync(const api_context& api, const engine::partner_id& who,
                        http::request_context ctx, http::responder res) {
  // No body is defined; whatever is sent is ignored (but fingerprinted).
  // The token must be the partner's (the same not-found as an unknown one).
  engine::token_ref ref{std::string{ctx.param("tokenUniqueReference")}};
  engine_host* host = api.host;
  idempotent_call<persistence::network_command>(
      api, ctx, std::move(res), who, &render::network_sync, [&](auto idem, auto done) {
        host->get_token(who, ref,
                        [host, who, idem = std::move(idem),
                         done = std::move(done)](caf::expected<engine::token_record> t) mutable {
                          if (!t)
                            return done(std::move(t.error()));
                          host->retry_network_command(who, t->ref, std::move(idem),
                                                      std::move(done));
                        });
      });
}

} // namespace

void add_webhook_routes(route_table& t, const api_ptr& api) {
  t.push_back({"GET", "/v1/events/{eventId}/deliveries", partner_route(api, deliveries)});
  t.push_back({"POST", "/v1/events/{eventId}/redeliver", partner_route(api, redeliver)});
  t.push_back({"POST", "/v1/digital-wallet-tokens/{tokenUniqueReference}/network-sync/retry",
               partner_route(api, retry_network_sync)});
}

} // namespace dwt::server
