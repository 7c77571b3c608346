// The router serves exactly the operations docs/openapi.yaml documents,
// with the documented security: every served route is documented and
// every documented operation is served.

#include <algorithm>

#include "dwt/server/routes.hpp"
#include "support.hpp"

namespace dwt_server_test {
namespace {

TEST(RoutesVsOpenApi, EveryServedRouteIsDocumented) {
  for (const auto& r : dwt::server::served_routes()) {
    const auto* op = openapi().find(r.method, r.pattern);
    ASSERT_NE(op, nullptr) << r.method << " " << r.pattern << " is not in openapi.yaml";
    // The MDES services (default context root /mdes) take the network key
    // until mutual TLS exists.
    const std::string expected_security =
        r.pattern.starts_with("/network/v1/") || r.pattern.starts_with("/mdes/") ? "networkKey"
        : r.pattern.starts_with("/v1/")                                          ? "partnerKey"
                                                                                 : "";
    EXPECT_EQ(op->security, expected_security) << r.method << " " << r.pattern;
  }
}

TEST(RoutesVsOpenApi, EveryDocumentedOperationIsServed) {
  const auto served = dwt::server::served_routes();
  for (const auto& op : openapi().operations()) {
    const bool found = std::any_of(served.begin(), served.end(), [&](const auto& r) {
      return r.method == op.method && r.pattern == op.path;
    });
    EXPECT_TRUE(found) << op.method << " " << op.path << " is documented but not served";
  }
  EXPECT_EQ(served.size(), openapi().operations().size());
}

TEST(RoutesVsOpenApi, PostsDocumentIdempotencyKey) {
  for (const auto& op : openapi().operations()) {
    // MDES's own protocol has no Idempotency-Key: the correlationId plays
    // that part (docs/API.md, "Mastercard MDES").
    if (op.method != "POST" || op.path.starts_with("/mdes/"))
      continue;
    EXPECT_NE(std::find(op.request_headers.begin(), op.request_headers.end(), "Idempotency-Key"),
              op.request_headers.end())
        << op.path;
  }
}

TEST(RoutesVsOpenApi, WritingOperationsDocumentMapFull) {
  // Any write can meet a full LMDB map, answered 507 map_full (issue #8).
  std::size_t writing = 0;
  for (const auto& op : openapi().operations()) {
    // MDES's protocol POSTs even a pure read: requestActivationMethods
    // only looks (routes_mdes_methods.cpp), so it cannot meet a full map.
    const bool read_only_post = op.path == "/mdes/requestActivationMethods";
    const bool writes = op.method != "GET" && op.method != "HEAD" && !read_only_post;
    writing += writes ? 1 : 0;
    const bool documented =
        std::find(op.statuses.begin(), op.statuses.end(), 507) != op.statuses.end();
    EXPECT_EQ(documented, writes) << op.method << " " << op.path;
  }
  EXPECT_GT(writing, 0U);
}

} // namespace
} // namespace dwt_server_test
