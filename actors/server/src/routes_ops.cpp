/// @file
/// Operations, unauthenticated: /healthz, /readyz, /metrics.

#include <boost/json/object.hpp>

#include "dwt/server/allocator.hpp"
#include "dwt/server/metrics_text.hpp"
#include "dwt/server/process_metrics.hpp"
#include "respond.hpp"
#include "route_table.hpp"

namespace dwt::server {

namespace {

http::response status_answer(std::string_view status) {
  boost::json::object o;
  o["status"] = boost::json::string{status.data(), status.size()};
  return http::json_response(200, o);
}

} // namespace

void add_ops_routes(route_table& t, const api_ptr& api) {
  auto healthz = [](http::request_context, http::responder res) {
    res.respond(status_answer("ok"));
  };
  auto readyz = [api](http::request_context, http::responder res) {
    if (api->draining.load() || api->host == nullptr || !api->host->ready()) {
      auto r = http::problem(503, "not_ready", "The engine is not accepting requests.");
      r.with_header("Retry-After", "1");
      return res.respond(std::move(r));
    }
    res.respond(status_answer("ready"));
  };
  // HEAD answers as GET without the body (the HTTP layer drops it): load
  // balancers probe with either.
  t.push_back({"GET", "/healthz", healthz});
  t.push_back({"HEAD", "/healthz", healthz});
  t.push_back({"GET", "/readyz", readyz});
  t.push_back({"HEAD", "/readyz", readyz});
  t.push_back({"GET", "/metrics", [api](http::request_context, http::responder res) {
                 http::response r;
                 r.status = 200;
                 r.content_type = std::string{http::prometheus_content_type};
                 if (api->metrics)
                   r.body = api->metrics->render();
                 r.body += render_build_info(DWT_VERSION, active_allocator());
                 if (api->host != nullptr)
                   r.body += render_runtime_metrics(api->host->stats(),
                                                    api->host->ready() && !api->draining.load());
                 if (auto p = read_process_figures())
                   r.body += render_process_metrics(*p);
                 res.respond(std::move(r));
               }});
}

} // namespace dwt::server
