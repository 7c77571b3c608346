#pragma once
/// @file
/// The route table: every (method, pattern, handler) of the API, built by
/// one function per route group. `served_routes()` and the router are both
/// made from it.
///
/// Threading: build before the server starts; handlers are thread-safe.

#include <string>
#include <vector>

#include "api_context.hpp"
#include "dwt/http/server.hpp"

namespace dwt::server {

struct route_entry {
  std::string method;
  std::string pattern;
  http::handler handler;
};

using route_table = std::vector<route_entry>;

void add_profile_routes(route_table& t, const api_ptr& api);
void add_card_routes(route_table& t, const api_ptr& api);
void add_token_routes(route_table& t, const api_ptr& api);
void add_webhook_routes(route_table& t, const api_ptr& api);
void add_network_routes(route_table& t, const api_ptr& api);
void add_ops_routes(route_table& t, const api_ptr& api);
/// MDES issuer services, under the configured context root; none when
/// `api->mdes` is null (MDES disabled).
void add_mdes_routes(route_table& t, const api_ptr& api);

/// Path parameters several route groups read (one definition: unity builds
/// compile the route groups together).
[[nodiscard]] inline engine::card_id card_param(const http::request_context& ctx) {
  return engine::card_id{std::string{ctx.param("cardId")}};
}
[[nodiscard]] inline engine::token_ref token_param(const http::request_context& ctx) {
  return engine::token_ref{std::string{ctx.param("tokenUniqueReference")}};
}

/// Every route of the API, handlers bound to `api`.
[[nodiscard]] route_table make_route_table(const api_ptr& api);

} // namespace dwt::server
