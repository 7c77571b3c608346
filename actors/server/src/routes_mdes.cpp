/// @file
/// Mastercard MDES issuer services under `[networks.mdes] context_root`
/// (default /mdes): authorizeService (routes_mdes_authorize.cpp),
/// requestActivationMethods (routes_mdes_methods.cpp),
/// notifyServiceActivated and notifyTokenUpdated (routes_mdes_notify.cpp).
/// Each message is translated into the engine's own network flows, so every
/// rule holds on these paths too; answers and errors are MDES's shapes
/// (`{responseId, errorCode, errorDescription}`, mdes_respond.cpp), never
/// problem+json.
///
/// Authentication: as for /network/v1, a verified client certificate when
/// `[listen.tls] client_ca_file` is set (mutual TLS; 403
/// CLIENT_CERTIFICATE_REQUIRED without one), and the network API key
/// (`Authorization: Bearer`).

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
  t.push_back({"POST", root + "/requestActivationMethods",
               mdes_impl::mdes_route(api, mdes_impl::request_activation_methods)});
  t.push_back({"POST", root + "/notifyServiceActivated",
               mdes_impl::mdes_route(api, mdes_impl::notify_service_activated)});
  t.push_back({"POST", root + "/notifyTokenUpdated",
               mdes_impl::mdes_route(api, mdes_impl::notify_token_updated)});
}

} // namespace dwt::server
