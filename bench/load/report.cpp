#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <boost/json.hpp>

namespace dwt::load {

namespace json = boost::json;

namespace {

double ns_to_ms(std::uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

json::object to_object(const counters& c) {
  json::object o;
  o["sent"] = c.sent;
  o["ok2xx"] = c.ok;
  o["status429"] = c.status_429;
  o["status503"] = c.status_503;
  o["clientErrors"] = c.client_errors;
  o["serverErrors"] = c.server_errors;
  o["transportErrors"] = c.transport_errors;
  o["acknowledgedChanges"] = c.acknowledged;
  return o;
}

json::object to_object(const latency_summary& l) {
  json::object o;
  o["count"] = l.count;
  o["meanMs"] = l.mean_ms;
  o["p50Ms"] = l.p50_ms;
  o["p90Ms"] = l.p90_ms;
  o["p99Ms"] = l.p99_ms;
  o["p999Ms"] = l.p999_ms;
  o["maxMs"] = l.max_ms;
  return o;
}

/// Fixed-point text without locale surprises.
std::string num(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

} // namespace

latency_summary summarize(const histogram& ns) {
  latency_summary s;
  s.count = ns.count();
  s.mean_ms = ns.mean() / 1e6;
  s.p50_ms = ns_to_ms(ns.quantile(0.50));
  s.p90_ms = ns_to_ms(ns.quantile(0.90));
  s.p99_ms = ns_to_ms(ns.quantile(0.99));
  s.p999_ms = ns_to_ms(ns.quantile(0.999));
  s.max_ms = ns_to_ms(ns.max());
  return s;
}

void counters::add(const counters& o) noexcept {
  sent += o.sent;
  ok += o.ok;
  status_429 += o.status_429;
  status_503 += o.status_503;
  client_errors += o.client_errors;
  server_errors += o.server_errors;
  transport_errors += o.transport_errors;
  acknowledged += o.acknowledged;
}

std::string to_json(const run_results& r) {
  json::object root;
  json::object cfg;
  cfg["mode"] = r.mode;
  cfg["scenario"] = r.scenario;
  cfg["target"] = r.target;
  cfg["seed"] = r.seed;
  cfg["connections"] = r.connections;
  cfg["threads"] = r.threads;
  cfg["rate"] = r.rate;
  cfg["burstRate"] = r.burst_rate;
  cfg["burstAtS"] = r.burst_at_s;
  cfg["burstForS"] = r.burst_for_s;
  cfg["durationS"] = r.duration_s;
  root["config"] = std::move(cfg);
  root["elapsedS"] = r.elapsed_s;
  root["setupRequests"] = r.setup_requests;
  root["totals"] = to_object(r.totals);
  const double secs = r.elapsed_s > 0 ? r.elapsed_s : 1.0;
  root["throughputPerS"] =
      static_cast<double>(r.totals.ok + r.totals.status_429 + r.totals.status_503 +
                          r.totals.client_errors + r.totals.server_errors) /
      secs;
  root["okPerS"] = static_cast<double>(r.totals.ok) / secs;
  root["latency"] = to_object(r.latency);
  if (r.settle.ran) {
    json::object st;
    st["gauge"] = r.settle.gauge;
    st["reachedZero"] = r.settle.reached_zero;
    st["seconds"] = r.settle.seconds;
    st["valueAtEnd"] = r.settle.first_value;
    if (!r.settle.error.empty())
      st["error"] = r.settle.error;
    st["settledOkPerS"] = settled_ok_per_s(r.totals.ok, r);
    root["settle"] = std::move(st);
  }
  json::object kinds;
  for (const auto& [name, v] : r.kinds) {
    json::object k = to_object(v.first);
    k["latency"] = to_object(v.second);
    k["okPerS"] = static_cast<double>(v.first.ok) / secs;
    if (r.settle.ran)
      k["settledOkPerS"] = settled_ok_per_s(v.first.ok, r);
    kinds[name] = std::move(k);
  }
  root["kinds"] = std::move(kinds);
  json::array series;
  for (const auto& p : r.series) {
    json::object o;
    o["t"] = p.t_s;
    o["completedPerS"] = p.completed_per_s;
    o["okPerS"] = p.ok_per_s;
    o["overloadPerS"] = p.overload_per_s;
    o["errorsPerS"] = p.errors_per_s;
    o["p50Ms"] = p.p50_ms;
    o["p99Ms"] = p.p99_ms;
    series.push_back(std::move(o));
  }
  root["series"] = std::move(series);
  json::object v;
  v["ran"] = r.verify.ran;
  v["passed"] = r.verify.passed();
  v["tokensChecked"] = r.verify.tokens_checked;
  v["cardsChecked"] = r.verify.cards_checked;
  v["matched"] = r.verify.matched;
  v["missing"] = r.verify.missing;
  v["wrong"] = r.verify.wrong;
  v["unreadable"] = r.verify.unreadable;
  json::array ex;
  for (const auto& e : r.verify.examples)
    ex.emplace_back(e);
  v["examples"] = std::move(ex);
  root["verify"] = std::move(v);
  return json::serialize(root) + "\n";
}

double settled_ok_per_s(std::uint64_t ok, const run_results& r) noexcept {
  const double secs = r.elapsed_s + (r.settle.ran ? r.settle.seconds : 0.0);
  return secs > 0 ? static_cast<double>(ok) / secs : 0.0;
}

double nice_ceiling(double v) noexcept {
  if (!(v > 0) || !std::isfinite(v))
    return 1.0;
  const double mag = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= v * (1 - 1e-12))
      return m * mag;
  return 10.0 * mag;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out.push_back(c);
    }
  }
  return out;
}

namespace {

/// One panel: a frame, y ticks, x ticks, and lines.
struct panel {
  double left, top, width, height;
  double x_max, y_max;
  double x_step; ///< distance between time ticks

  [[nodiscard]] double x(double v) const { return left + width * (x_max > 0 ? v / x_max : 0); }
  [[nodiscard]] double y(double v) const {
    return top + height - height * std::clamp(y_max > 0 ? v / y_max : 0, 0.0, 1.0);
  }
};

/// Number of tick intervals on each axis.
constexpr int ticks = 5;

void draw_frame(std::string& out, const panel& p, std::string_view y_label) {
  out += "<rect x=\"" + num(p.left) + "\" y=\"" + num(p.top) + "\" width=\"" + num(p.width) +
         "\" height=\"" + num(p.height) + "\" fill=\"none\" stroke=\"#444\"/>\n";
  for (int i = 0; i <= ticks; ++i) {
    const double v = p.y_max * i / ticks;
    const double yy = p.y(v);
    out += "<line x1=\"" + num(p.left) + "\" y1=\"" + num(yy) + "\" x2=\"" + num(p.left + p.width) +
           "\" y2=\"" + num(yy) + "\" stroke=\"#ddd\"/>\n";
    out += "<text x=\"" + num(p.left - 6) + "\" y=\"" + num(yy + 4) +
           "\" text-anchor=\"end\" font-size=\"11\">" + num(v, v < 10 && v != 0 ? 2 : 0) +
           "</text>\n";
  }
  // Time ticks on whole steps; at most max_x_ticks of them.
  constexpr int max_x_ticks = 50;
  for (int i = 0; i <= max_x_ticks && i * p.x_step <= p.x_max + 1e-9; ++i) {
    const double xv = i * p.x_step;
    out += "<text x=\"" + num(p.x(xv)) + "\" y=\"" + num(p.top + p.height + 14) +
           "\" text-anchor=\"middle\" font-size=\"11\">" + num(xv, 0) + " s</text>\n";
  }
  out += "<text x=\"" + num(p.left) + "\" y=\"" + num(p.top - 6) + "\" font-size=\"12\">" +
         xml_escape(y_label) + "</text>\n";
}

void draw_line(std::string& out, const panel& p, const std::vector<series_point>& s,
               double series_point::*field, std::string_view colour, std::string_view name,
               int legend_index) {
  out += "<polyline class=\"series\" data-name=\"" + xml_escape(name) +
         "\" fill=\"none\" stroke=\"" + std::string{colour} + "\" stroke-width=\"1.5\" points=\"";
  bool first = true;
  for (const auto& pt : s) {
    if (!first)
      out += ' ';
    first = false;
    // Plot each second at its middle.
    out += num(p.x(pt.t_s + 0.5)) + "," + num(p.y(pt.*field));
  }
  out += "\"/>\n";
  const double lx = p.left + p.width - 150;
  const double ly = p.top + 14 + 14 * legend_index;
  out += "<line x1=\"" + num(lx) + "\" y1=\"" + num(ly - 4) + "\" x2=\"" + num(lx + 18) +
         "\" y2=\"" + num(ly - 4) + "\" stroke=\"" + std::string{colour} +
         "\" stroke-width=\"2\"/>\n";
  out += "<text x=\"" + num(lx + 24) + "\" y=\"" + num(ly) + "\" font-size=\"11\">" +
         xml_escape(name) + "</text>\n";
}

} // namespace

std::string to_svg(const std::vector<series_point>& series, const svg_options& options) {
  const double margin_left = 70;
  const double margin_right = 20;
  const double gap = 60;
  const double title_h = 40;
  const double ph = std::max(options.panel_height, 60);
  const double pw = std::max(options.width, 200) - margin_left - margin_right;
  const double height = title_h + ph + gap + ph + 40;

  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(options.width) +
         "\" height=\"" + num(height, 0) + "\" viewBox=\"0 0 " + std::to_string(options.width) +
         " " + num(height, 0) + "\" font-family=\"sans-serif\">\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out += "<text x=\"" + num(margin_left) + "\" y=\"22\" font-size=\"15\" font-weight=\"bold\">" +
         xml_escape(options.title) + "</text>\n";

  double x_max = 1;
  double thr_max = 0;
  double lat_max = 0;
  for (const auto& p : series) {
    x_max = std::max(x_max, p.t_s + 1);
    thr_max = std::max({thr_max, p.completed_per_s, p.ok_per_s, p.overload_per_s});
    lat_max = std::max({lat_max, p.p50_ms, p.p99_ms});
  }
  // Round the time axis up so that its ticks fall on whole, nice steps.
  const double x_step = nice_ceiling(x_max / ticks);
  x_max = std::ceil(x_max / x_step - 1e-9) * x_step;
  const panel top{margin_left, title_h + 10, pw, ph - 10, x_max, nice_ceiling(thr_max), x_step};
  const panel bottom{margin_left, title_h + ph + gap,    pw,    ph - 10,
                     x_max,       nice_ceiling(lat_max), x_step};
  draw_frame(out, top, "throughput (requests/s)");
  draw_frame(out, bottom, "latency (ms)");
  if (series.empty()) {
    out += "<text x=\"" + num(margin_left + pw / 2) + "\" y=\"" + num(title_h + ph / 2) +
           "\" text-anchor=\"middle\" font-size=\"14\">no data</text>\n";
  } else {
    draw_line(out, top, series, &series_point::completed_per_s, "#1f77b4", "answered/s", 0);
    draw_line(out, top, series, &series_point::ok_per_s, "#2ca02c", "2xx/s", 1);
    draw_line(out, top, series, &series_point::overload_per_s, "#d62728", "429+503/s", 2);
    draw_line(out, bottom, series, &series_point::p50_ms, "#1f77b4", "p50", 0);
    draw_line(out, bottom, series, &series_point::p99_ms, "#ff7f0e", "p99", 1);
  }
  out += "</svg>\n";
  return out;
}

} // namespace dwt::load
