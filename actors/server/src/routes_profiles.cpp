/// @file
/// /v1/profiles: create (POST, idempotent), read (GET), change (PATCH).

#include "dwt/http/body.hpp"
#include "idempotent_call.hpp"
#include "render.hpp"
#include "respond.hpp"
#include "route_table.hpp"
#include "validate.hpp"

namespace dwt::server {

namespace {

void create_profile(const api_context& api, const engine::partner_id& who,
                    http::request_context ctx, http::responder res) {
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  auto phone = validate::phone(f, "phoneNumber", true);
  auto email = f.optional_string("email", 254);
  if (email && !validate::email_ok(*email))
    f.reject("email", "expected an e-mail address");
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  profile_create req{std::move(*phone), std::move(email)};
  idempotent_call<engine::profile_record>(
      api, ctx, std::move(res), who, &render::profile_created, [&](auto idem, auto done) {
        api.host->create_profile(who, std::move(req), std::move(idem), std::move(done));
      });
}

void update_profile(const api_context& api, const engine::partner_id& who,
                    http::request_context ctx, http::responder res) {
  auto body = json_body(ctx);
  if (!body)
    return res.respond(std::move(body).error());
  http::field_reader f{*body};
  profile_patch patch;
  // A profile always has a phone number: null cannot remove it (the other
  // reads take null as absent, which would drop the request unexplained).
  if (f.is_null("phoneNumber"))
    f.reject("phoneNumber", "cannot be removed (null); give an E.164 phone number string, or "
                            "leave the member out to keep the current one");
  patch.phone_number = validate::phone(f, "phoneNumber", false);
  if (f.is_null("email")) {
    patch.email = std::optional<std::string>{}; // null removes the e-mail
  } else if (auto email = f.optional_string("email", 254)) {
    if (validate::email_ok(*email))
      patch.email = std::optional<std::string>{std::move(*email)};
    else
      f.reject("email", "expected an e-mail address");
  }
  if (f.ok() && !patch.phone_number && !patch.email)
    f.reject("phoneNumber", "give at least one of phoneNumber and email");
  if (auto err = f.failure())
    return res.respond(std::move(*err));
  api.host->update_profile(who, engine::profile_id{std::string{ctx.param("id")}}, std::move(patch),
                           std::nullopt,
                           reply<engine::profile_record>(share(std::move(res)), &render::profile));
}

void get_profile(const api_context& api, const engine::partner_id& who, http::request_context ctx,
                 http::responder res) {
  api.host->get_profile(who, engine::profile_id{std::string{ctx.param("id")}},
                        reply<engine::profile_record>(share(std::move(res)), &render::profile));
}

} // namespace

void add_profile_routes(route_table& t, const api_ptr& api) {
  t.push_back({"POST", "/v1/profiles", partner_route(api, create_profile)});
  t.push_back({"GET", "/v1/profiles/{id}", partner_route(api, get_profile)});
  t.push_back({"PATCH", "/v1/profiles/{id}", partner_route(api, update_profile)});
}

} // namespace dwt::server
