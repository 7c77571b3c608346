/// @file
/// Partner-facing tokens: list and push-provision per card, partner
/// transitions, activation (APPROVE / DECLINE), read, history, and the
/// event feed.

#include <charconv>

#include "dwt/http/body.hpp"
#include "idempotent_call.hpp"
#include "render.hpp"
#include "respond.hpp"
#include "route_table.hpp"
#include "validate.hpp"

namespace dwt::server {

namespace {

/// Page size of the event feed.
constexpr std::size_t default_event_limit = 100;
constexpr std::size_t max_event_limit = 1000;

void list_tokens(const api_context& api, const engine::partner_id& who, http::request_context ctx,
                 http::responder res) {
  api.host->list_tokens(
      who, card_param(ctx),
      reply<std::vector<engine::token_record>>(share(std::move(res)), &render::token_list));
}

void push_provision(const api_context& api, const engine::partner_id& who,
                    http::request_context ctx, http::responder res) {
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  auto wallet = validate::wallet(f, "walletProvider");
  auto device = validate::device(f, "device");
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  auto card = card_param(ctx);
  idempotent_call<engine::token_record>(
      api, ctx, std::move(res), who, &render::token_created, [&](auto idem, auto done) {
        api.host->push_provision(who, std::move(card), *wallet, std::move(*device), std::move(idem),
                                 std::move(done));
      });
}

void transition(const api_context& api, const engine::partner_id& who, http::request_context ctx,
                http::responder res) {
  using engine::token_state;
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  auto state =
      f.required_enum<token_state>("state", {{"REQUESTED", token_state::requested},
                                             {"ACTIVE", token_state::active},
                                             {"SUSPENDED", token_state::suspended},
                                             {"TERMINATED", token_state::terminated},
                                             {"REQUEST_DECLINED", token_state::request_declined}});
  auto token = validate::required_text(f, "digitalWalletToken");
  auto reason = f.optional_string("reason", validate::max_text);
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  auto card = card_param(ctx);
  idempotent_call<engine::token_record>(
      api, ctx, std::move(res), who, &render::transition_result, [&](auto idem, auto done) {
        api.host->transition_token(who, std::move(card), engine::token_ref{std::move(*token)},
                                   *state, reason.value_or(""), std::move(idem), std::move(done));
      });
}

void activate(const api_context& api, const engine::partner_id& who, http::request_context ctx,
              http::responder res) {
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  auto answer =
      f.required_enum<engine::activation>("activation", {{"APPROVE", engine::activation::approve},
                                                         {"DECLINE", engine::activation::decline}});
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  auto card = card_param(ctx);
  auto token = token_param(ctx);
  idempotent_call<engine::token_record>(
      api, ctx, std::move(res), who, &render::activation, [&](auto idem, auto done) {
        api.host->activate(who, std::move(card), std::move(token), *answer, std::move(idem),
                           std::move(done));
      });
}

void get_token(const api_context& api, const engine::partner_id& who, http::request_context ctx,
               http::responder res) {
  // The token's networkSync (issue #21) lives beside it, keyed by its
  // ref: joined here, from a snapshot, once the token is known visible.
  api.host->get_token(
      who, token_param(ctx),
      [host = api.host, out = share(std::move(res))](caf::expected<engine::token_record> t) {
        if (!t)
          return out->respond(error_response(t.error()));
        auto sync = host->network_sync(t->ref);
        if (!sync)
          return out->respond(error_response(sync.error()));
        out->respond(to_response(render::token_with_sync(*t, *sync)));
      });
}

void token_history(const api_context& api, const engine::partner_id& who, http::request_context ctx,
                   http::responder res) {
  api.host->token_history(
      who, token_param(ctx),
      reply<std::vector<engine::transition_record>>(share(std::move(res)), &render::history));
}

/// A decimal number without sign or spaces.
std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

http::response bad_query(std::string_view name, std::string_view what) {
  boost::json::object extra;
  extra["field"] = boost::json::string{name.data(), name.size()};
  return http::problem(400, "invalid_request", std::string{name} + ": " + std::string{what},
                       std::move(extra));
}

void events(const api_context& api, const engine::partner_id& who, http::request_context ctx,
            http::responder res) {
  std::uint64_t after = 0;
  if (auto a = ctx.query_param("after")) {
    auto v = parse_u64(*a);
    if (!v)
      return res.respond(bad_query("after", "expected a cursor from a previous page's next"));
    after = *v;
  }
  std::size_t limit = default_event_limit;
  if (auto l = ctx.query_param("limit")) {
    auto v = parse_u64(*l);
    if (!v || *v < 1 || *v > max_event_limit)
      return res.respond(bad_query("limit", "expected an integer between 1 and 1000"));
    limit = static_cast<std::size_t>(*v);
  }
  api.host->events(who, after, limit, reply<event_page>(share(std::move(res)), &render::events));
}

} // namespace

void add_token_routes(route_table& t, const api_ptr& api) {
  t.push_back({"GET", "/v1/cards/{cardId}/digital-wallet-tokens", partner_route(api, list_tokens)});
  t.push_back(
      {"POST", "/v1/cards/{cardId}/digital-wallet-tokens", partner_route(api, push_provision)});
  t.push_back({"POST", "/v1/cards/{cardId}/digital-wallet-token-transitions",
               partner_route(api, transition)});
  t.push_back({"POST", "/v1/cards/{cardId}/payment-tokens/{tokenUniqueReference}/activation",
               partner_route(api, activate)});
  t.push_back(
      {"GET", "/v1/digital-wallet-tokens/{tokenUniqueReference}", partner_route(api, get_token)});
  t.push_back({"GET", "/v1/digital-wallet-tokens/{tokenUniqueReference}/transitions",
               partner_route(api, token_history)});
  t.push_back({"GET", "/v1/events", partner_route(api, events)});
}

} // namespace dwt::server
