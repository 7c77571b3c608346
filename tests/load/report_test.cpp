#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "report.hpp"

namespace {

using namespace dwt::load;

std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size()))
    ++n;
  return n;
}

std::vector<series_point> sample_series() {
  std::vector<series_point> s;
  for (int i = 0; i < 10; ++i) {
    series_point p;
    p.t_s = i;
    p.completed_per_s = 1000 + 10 * i;
    p.ok_per_s = 990 + 10 * i;
    p.overload_per_s = i == 5 ? 250 : 0;
    p.p50_ms = 1.0 + 0.1 * i;
    p.p99_ms = 4.0 + i;
    s.push_back(p);
  }
  return s;
}

TEST(LoadReport, NiceCeiling) {
  EXPECT_DOUBLE_EQ(nice_ceiling(0), 1);
  EXPECT_DOUBLE_EQ(nice_ceiling(-3), 1);
  EXPECT_DOUBLE_EQ(nice_ceiling(1), 1);
  EXPECT_DOUBLE_EQ(nice_ceiling(1.2), 2);
  EXPECT_DOUBLE_EQ(nice_ceiling(3), 5);
  EXPECT_DOUBLE_EQ(nice_ceiling(7.5), 10);
  EXPECT_DOUBLE_EQ(nice_ceiling(1090), 2000);
  EXPECT_NEAR(nice_ceiling(0.031), 0.05, 1e-12);
}

TEST(LoadReport, XmlEscape) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape("plain"), "plain");
}

TEST(LoadReport, SvgHasOnePointPerSecondInsideTheCanvas) {
  svg_options o;
  o.title = "run <1> & co";
  const auto svg = to_svg(sample_series(), o);
  ASSERT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("run &lt;1&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(svg.find("run <1>"), std::string::npos);
  // Five lines: answered, 2xx, overload, p50, p99.
  EXPECT_EQ(count_of(svg, "<polyline"), 5u);
  // Every polyline has 10 points, every coordinate within the canvas.
  std::size_t pos = 0;
  int lines = 0;
  while ((pos = svg.find("points=\"", pos)) != std::string::npos) {
    pos += 8;
    const auto end = svg.find('"', pos);
    const std::string pts = svg.substr(pos, end - pos);
    EXPECT_EQ(count_of(pts, ","), 10u);
    std::size_t i = 0;
    while (i < pts.size()) {
      const auto sp = pts.find(' ', i);
      const std::string xy = pts.substr(i, sp == std::string::npos ? std::string::npos : sp - i);
      const auto comma = xy.find(',');
      const double x = std::stod(xy.substr(0, comma));
      const double y = std::stod(xy.substr(comma + 1));
      EXPECT_GE(x, 0);
      EXPECT_LE(x, o.width);
      EXPECT_GE(y, 0);
      EXPECT_LE(y, 2 * o.panel_height + 100);
      i = sp == std::string::npos ? pts.size() : sp + 1;
    }
    ++lines;
    pos = end;
  }
  EXPECT_EQ(lines, 5);
}

TEST(LoadReport, SvgHigherThroughputIsDrawnHigher) {
  auto s = sample_series();
  const auto svg = to_svg(s, {});
  // The answered/s line rises: its last y is above (smaller than) its first.
  const auto start = svg.find("data-name=\"answered/s\"");
  ASSERT_NE(start, std::string::npos);
  const auto pts_at = svg.find("points=\"", start) + 8;
  const std::string pts = svg.substr(pts_at, svg.find('"', pts_at) - pts_at);
  const double first_y = std::stod(pts.substr(pts.find(',') + 1));
  const double last_y = std::stod(pts.substr(pts.rfind(',') + 1));
  EXPECT_LT(last_y, first_y);
}

TEST(LoadReport, SvgWithoutDataSaysSo) {
  const auto svg = to_svg({}, {});
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_EQ(count_of(svg, "<polyline"), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(LoadReport, JsonRoundTrips) {
  run_results r;
  r.mode = "burst";
  r.scenario = "provision";
  r.target = "127.0.0.1:8080";
  r.seed = 1234567890123ULL;
  r.connections = 64;
  r.threads = 2;
  r.rate = 500;
  r.burst_rate = 5000;
  r.burst_at_s = 5;
  r.burst_for_s = 3;
  r.duration_s = 15;
  r.elapsed_s = 10;
  r.totals.sent = 1000;
  r.totals.ok = 900;
  r.totals.status_429 = 40;
  r.totals.status_503 = 50;
  r.totals.client_errors = 7;
  r.totals.transport_errors = 3;
  r.totals.acknowledged = 880;
  histogram h;
  for (std::uint64_t v = 1; v <= 1000; ++v)
    h.record(v * 1000000); // 1..1000 ms
  r.latency = summarize(h);
  r.kinds.emplace_back("push_provision", std::make_pair(r.totals, r.latency));
  r.series = sample_series();
  r.verify.ran = true;
  r.verify.tokens_checked = 880;
  r.verify.matched = 879;
  r.verify.wrong = 1;
  r.verify.examples.push_back("token X: state SUSPENDED, acknowledged ACTIVE");

  boost::json::error_code ec;
  const auto v = boost::json::parse(to_json(r), ec);
  ASSERT_FALSE(ec) << ec.message();
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("config").at("mode").as_string(), "burst");
  EXPECT_EQ(o.at("config").at("seed").to_number<std::uint64_t>(), 1234567890123ULL);
  EXPECT_EQ(o.at("config").at("connections").to_number<unsigned>(), 64u);
  EXPECT_EQ(o.at("totals").at("status429").to_number<int>(), 40);
  EXPECT_EQ(o.at("totals").at("status503").to_number<int>(), 50);
  EXPECT_EQ(o.at("totals").at("acknowledgedChanges").to_number<int>(), 880);
  EXPECT_DOUBLE_EQ(o.at("okPerS").to_number<double>(), 90.0);
  // Answered (not transport errors) per second.
  EXPECT_DOUBLE_EQ(o.at("throughputPerS").to_number<double>(), 99.7);
  EXPECT_NEAR(o.at("latency").at("p50Ms").to_number<double>(), 500.0, 500.0 / 128);
  EXPECT_NEAR(o.at("latency").at("p99Ms").to_number<double>(), 990.0, 990.0 / 128);
  EXPECT_DOUBLE_EQ(o.at("latency").at("maxMs").to_number<double>(), 1000.0);
  EXPECT_EQ(o.at("series").as_array().size(), 10u);
  EXPECT_DOUBLE_EQ(o.at("series").as_array()[5].at("overloadPerS").to_number<double>(), 250.0);
  EXPECT_TRUE(o.at("kinds").as_object().contains("push_provision"));
  EXPECT_FALSE(o.at("verify").at("passed").as_bool());
  EXPECT_EQ(o.at("verify").at("wrong").to_number<int>(), 1);
  EXPECT_EQ(o.at("verify").at("examples").as_array().size(), 1u);
}

TEST(LoadReport, VerifyPassesOnlyWithoutMismatches) {
  verify_summary v;
  EXPECT_TRUE(v.passed());
  v.missing = 1;
  EXPECT_FALSE(v.passed());
  v.missing = 0;
  v.unreadable = 1;
  EXPECT_FALSE(v.passed());
}

} // namespace
