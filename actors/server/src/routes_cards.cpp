/// @file
/// /v1/cards: register (POST, idempotent), read (GET), change state (POST
/// .../state, idempotent; cascades to the card's tokens).

#include "dwt/http/body.hpp"
#include "idempotent_call.hpp"
#include "render.hpp"
#include "respond.hpp"
#include "route_table.hpp"
#include "validate.hpp"

namespace dwt::server {

namespace {

void register_card(const api_context& api, const engine::partner_id& who, http::request_context ctx,
                   http::responder res) {
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  card_register req;
  auto profile = validate::required_text(f, "profileId");
  auto pan = f.required_string("pan", 32);
  auto month = f.required_int("expiryMonth", 1, 12);
  auto year = f.required_int("expiryYear", 2000, 9999);
  auto product = validate::required_text(f, "cardProduct");
  auto type =
      f.required_enum<engine::card_type>("type", {{"VIRTUAL", engine::card_type::virtual_card},
                                                  {"PHYSICAL", engine::card_type::physical}});
  req.phone_number = validate::phone(f, "phoneNumber", false);
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  if (auto bad = validate::pan(*pan))
    return res.respond(std::move(*bad));
  req.profile = engine::profile_id{std::move(*profile)};
  req.pan = std::move(*pan);
  req.expiry_month = static_cast<unsigned>(*month);
  req.expiry_year = static_cast<unsigned>(*year);
  req.card_product = std::move(*product);
  req.type = *type;
  idempotent_call<engine::card_record>(
      api, ctx, std::move(res), who, &render::card_created, [&](auto idem, auto done) {
        api.host->register_card(who, std::move(req), std::move(idem), std::move(done));
      });
}

void get_card(const api_context& api, const engine::partner_id& who, http::request_context ctx,
              http::responder res) {
  api.host->get_card(who, card_param(ctx),
                     reply<engine::card_record>(share(std::move(res)), &render::card));
}

void set_card_state(const api_context& api, const engine::partner_id& who,
                    http::request_context ctx, http::responder res) {
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  auto state = f.required_enum<engine::card_state>(
      "state", {{"ACTIVE", engine::card_state::active},
                {"SUSPENDED", engine::card_state::suspended},
                {"TERMINATED", engine::card_state::terminated}});
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  auto card = card_param(ctx);
  idempotent_call<engine::card_record>(
      api, ctx, std::move(res), who, &render::card, [&](auto idem, auto done) {
        api.host->set_card_state(who, std::move(card), *state, std::move(idem), std::move(done));
      });
}

} // namespace

void add_card_routes(route_table& t, const api_ptr& api) {
  t.push_back({"POST", "/v1/cards", partner_route(api, register_card)});
  t.push_back({"GET", "/v1/cards/{cardId}", partner_route(api, get_card)});
  t.push_back({"POST", "/v1/cards/{cardId}/state", partner_route(api, set_card_state)});
}

} // namespace dwt::server
