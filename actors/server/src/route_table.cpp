/// @file
/// The whole route table and its (method, pattern) listing.

#include "route_table.hpp"

#include "dwt/server/routes.hpp"
#include "mdes_context.hpp"

namespace dwt::server {

route_table make_route_table(const api_ptr& api) {
  route_table t;
  add_network_routes(t, api);
  add_profile_routes(t, api);
  add_card_routes(t, api);
  add_token_routes(t, api);
  add_webhook_routes(t, api);
  add_ops_routes(t, api);
  add_mdes_routes(t, api);
  return t;
}

std::vector<route_spec> served_routes() {
  // Handlers are bound to an empty context and never called here; MDES is
  // listed at its default context root.
  auto api = std::make_shared<api_context>();
  api->mdes = std::make_shared<const mdes_context>();
  std::vector<route_spec> out;
  for (auto& r : make_route_table(api))
    out.push_back(route_spec{r.method, r.pattern});
  return out;
}

} // namespace dwt::server
