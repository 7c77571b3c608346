/// @file
/// Mastercard MDES issuer services under `[networks.mdes] context_root`
/// (default /mdes): authorizeService (routes_mdes_authorize.cpp),
/// deliverActivationCode (routes_mdes_deliver.cpp), notifyServiceActivated
/// and notifyTokenUpdated (routes_mdes_notify.cpp).
/// Each message is translated into the engine's own network flows, so every
/// rule holds on these paths too; answers and errors are MDES's shapes
/// (`{responseId, errorCode, errorDescription}`, mdes_respond.cpp), never
/// problem+json.
///
/// Authentication: the network API key (`Authorization: Bearer`), as for
/// /network/v1, until mutual TLS on the listener exists.

#include "mdes_context.hpp"
#include "mdes_routes.hpp"
#include "route_table.hpp"

namespace dwt::server {

void add_mdes_routes(route_table& t, const api_ptr& api) {
  if (!api->mdes)
    return;
  const auto& root = api->mdes->context_root;
  t.push_back({"POST", root + "/authorizeService",
               mdes_impl::mdes_route(api, mdes_impl::authorize_service)});
  t.push_back({"POST", root + "/deliverActivationCode",
               mdes_impl::mdes_route(api, mdes_impl::deliver_activation_code)});
  t.push_back({"POST", root + "/notifyServiceActivated",
               mdes_impl::mdes_route(api, mdes_impl::notify_service_activated)});
  t.push_back({"POST", root + "/notifyTokenUpdated",
               mdes_impl::mdes_route(api, mdes_impl::notify_token_updated)});
}

} // namespace dwt::server
