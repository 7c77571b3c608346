#pragma once
/// @file
/// The table of every route `dwt-server` serves (method and pattern), in
/// the same spelling as `docs/openapi.yaml`. The router is built from the
/// same table, so a test can compare it with the document both ways.
///
/// Threading: plain values.

#include <string>
#include <vector>

namespace dwt::server {

struct route_spec {
  std::string method;
  std::string pattern;
};

/// Every (method, pattern) the router serves, the MDES services included
/// at their default context root `/mdes` (served only with
/// `[networks.mdes] enabled`, under the configured root).
[[nodiscard]] std::vector<route_spec> served_routes();

} // namespace dwt::server
