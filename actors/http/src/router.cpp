#include "dwt/http/router.hpp"

#include <algorithm>
#include <set>

#include <boost/url/parse.hpp>

#include "check.hpp"

namespace dwt::http {

router& router::add(std::string_view method, std::string_view pattern, handler h) {
  DWT_HTTP_CHECK(!method.empty() && pattern.starts_with('/'), "bad route");
  DWT_HTTP_CHECK(static_cast<bool>(h), "route without handler");
  route r;
  r.method = std::string{method};
  r.pattern = std::string{pattern};
  std::string_view rest = pattern.substr(1);
  while (!rest.empty() || r.segments.empty()) {
    const auto slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      r.segments.emplace_back(std::string{seg.substr(1, seg.size() - 2)}, true);
    } else {
      DWT_HTTP_CHECK(seg.find_first_of("{}") == std::string_view::npos, "bad route capture");
      r.segments.emplace_back(std::string{seg}, false);
      ++r.literals;
    }
    if (slash == std::string_view::npos)
      break;
    rest = rest.substr(slash + 1);
  }
  // "/" has no segments: an empty literal was added above; drop it.
  if (pattern == "/") {
    r.segments.clear();
    r.literals = 0;
  }
  r.h = std::move(h);
  // Keep the most specific first; stable for equal specificity.
  auto pos = std::find_if(routes_.begin(), routes_.end(),
                          [&](const route& x) { return x.literals < r.literals; });
  routes_.insert(pos, std::move(r));
  return *this;
}

bool router::matches(const route& r, const std::vector<std::string>& segments) {
  if (r.segments.size() != segments.size())
    return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& [text, capture] = r.segments[i];
    if (capture ? segments[i].empty() : segments[i] != text)
      return false;
  }
  return true;
}

void router::dispatch(request_context ctx, responder res) const {
  std::set<std::string> allowed;
  for (const auto& r : routes_) {
    if (!matches(r, ctx.segments))
      continue;
    if (r.method != ctx.method) {
      allowed.insert(r.method);
      continue;
    }
    ctx.route = r.pattern;
    for (std::size_t i = 0; i < r.segments.size(); ++i)
      if (r.segments[i].second)
        ctx.path_params.emplace_back(r.segments[i].first, ctx.segments[i]);
    res.set_route(r.pattern);
    r.h(std::move(ctx), std::move(res));
    return;
  }
  if (allowed.empty()) {
    res.set_route("unmatched");
    res.respond(problem(404, "not_found", "No resource at this path."));
    return;
  }
  std::string allow;
  for (const auto& m : allowed) {
    if (!allow.empty())
      allow += ", ";
    allow += m;
  }
  res.set_route("unmatched");
  res.respond(problem(405, "method_not_allowed", "Allowed methods: " + allow + ".")
                  .with_header("Allow", allow));
}

std::string router::route_of(std::string_view method, std::string_view path) const {
  auto url = boost::urls::parse_uri_reference(path);
  if (!url || !url->path().starts_with('/'))
    return {};
  std::vector<std::string> segments;
  for (auto seg : url->segments())
    segments.push_back(seg);
  for (const auto& r : routes_)
    if (r.method == method && matches(r, segments))
      return r.pattern;
  return {};
}

handler router::as_handler() const {
  return [this](request_context ctx, responder res) { dispatch(std::move(ctx), std::move(res)); };
}

} // namespace dwt::http
