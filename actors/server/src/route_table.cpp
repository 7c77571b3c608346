/// @file
/// The whole route table and its (method, pattern) listing.

#include "route_table.hpp"

#include "dwt/server/routes.hpp"

namespace dwt::server {

route_table make_route_table(const api_ptr& api) {
  route_table t;
  add_network_routes(t, api);
  add_profile_routes(t, api);
  add_card_routes(t, api);
  add_token_routes(t, api);
  add_webhook_routes(t, api);
  add_ops_routes(t, api);
  return t;
}

std::vector<route_spec> served_routes() {
  // Handlers are bound to an empty context and never called here.
  std::vector<route_spec> out;
  for (auto& r : make_route_table(std::make_shared<api_context>()))
    out.push_back(route_spec{r.method, r.pattern});
  return out;
}

} // namespace dwt::server
