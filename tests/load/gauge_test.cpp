// dwt-load --await-zero: reading a gauge out of Prometheus text, and
// waiting for it against a real HTTP server on loopback.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "gauge.hpp"
#include "report.hpp"

namespace {

using namespace dwt::load;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

constexpr const char* sample = "# HELP dwt_outbox_pending Events not yet delivered.\n"
                               "# TYPE dwt_outbox_pending gauge\n"
                               "dwt_outbox_pending_max 99\n"
                               "dwt_outbox_pending{partner=\"a\"} 7\n"
                               "dwt_outbox_pending 42\n"
                               "dwt_uptime_seconds 1.5e3 1700000000000\n";

TEST(LoadGauge, ReadsTheUnlabelledSampleOnly) {
  EXPECT_EQ(gauge_value(sample, "dwt_outbox_pending"), 42.0);
  EXPECT_EQ(gauge_value(sample, "dwt_outbox_pending_max"), 99.0);
  EXPECT_EQ(gauge_value(sample, "dwt_uptime_seconds"), 1500.0); // timestamp ignored
  EXPECT_FALSE(gauge_value(sample, "dwt_outbox").has_value());  // a prefix is not a name
  EXPECT_FALSE(gauge_value(sample, "").has_value());
  EXPECT_FALSE(gauge_value("x 1", "y").has_value());
  EXPECT_FALSE(gauge_value("x abc\n", "x").has_value());
  EXPECT_FALSE(gauge_value("x 1abc\n", "x").has_value());
  EXPECT_EQ(gauge_value("x\t0\r\n", "x"), 0.0);
}

/// A one-thread HTTP server on loopback answering GET /metrics with
/// `gauge N`, N counting down by one per request and stopping at `floor`.
class countdown_server {
public:
  countdown_server(std::string gauge, int start, int floor)
      : gauge_(std::move(gauge)), value_(start), floor_(floor),
        acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~countdown_server() {
    stop_ = true;
    boost::system::error_code ec;
    // Wake the blocking accept with one connection of our own.
    asio::ip::tcp::socket s{ioc_};
    s.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  [[nodiscard]] unsigned port() const { return acceptor_.local_endpoint().port(); }
  [[nodiscard]] int requests() const { return requests_.load(); }

private:
  void serve() {
    while (!stop_) {
      boost::system::error_code ec;
      boost::beast::tcp_stream stream{acceptor_.accept(ec)};
      if (ec || stop_)
        continue;
      boost::beast::flat_buffer buf;
      bhttp::request<bhttp::string_body> req;
      bhttp::read(stream, buf, req, ec);
      if (ec)
        continue;
      ++requests_;
      bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
      res.set(bhttp::field::content_type, "text/plain; version=0.0.4");
      res.body() = "# TYPE " + gauge_ + " gauge\n" + gauge_ + " " + std::to_string(value_) + "\n";
      if (value_ > floor_)
        --value_;
      res.prepare_payload();
      bhttp::write(stream, res, ec);
    }
  }

  asio::io_context ioc_;
  std::string gauge_;
  int value_;
  int floor_;
  asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

TEST(LoadGauge, WaitsUntilTheGaugeReadsZero) {
  countdown_server server{"backlog", 3, 0};
  const auto r = await_zero("127.0.0.1", server.port(), "backlog", 10s, 1ms);
  EXPECT_TRUE(r.reached_zero) << r.error;
  EXPECT_EQ(r.first, 3.0);
  EXPECT_EQ(r.last, 0.0);
  EXPECT_EQ(server.requests(), 4); // 3, 2, 1, 0
}

TEST(LoadGauge, GivesUpAfterTheTimeout) {
  countdown_server server{"backlog", 5, 2};
  const auto r = await_zero("127.0.0.1", server.port(), "backlog", 200ms, 20ms);
  EXPECT_FALSE(r.reached_zero);
  EXPECT_EQ(r.last, 2.0);
  EXPECT_NE(r.error.find("still 2"), std::string::npos) << r.error;
  EXPECT_GE(server.requests(), 4);
}

TEST(LoadGauge, AMissingGaugeIsAnErrorAtOnce) {
  countdown_server server{"other", 1, 0};
  const auto r = await_zero("127.0.0.1", server.port(), "backlog", 10s, 1ms);
  EXPECT_FALSE(r.reached_zero);
  EXPECT_EQ(server.requests(), 1);
  EXPECT_NE(r.error.find("no gauge 'backlog'"), std::string::npos) << r.error;
}

TEST(LoadGauge, NoServerIsAnErrorNotAHang) {
  std::uint16_t port = 0;
  { // a port that was free a moment ago and has nobody listening now
    asio::io_context ioc;
    asio::ip::tcp::acceptor a{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
    port = a.local_endpoint().port();
  }
  const auto r = await_zero("127.0.0.1", port, "backlog", 100ms, 20ms);
  EXPECT_FALSE(r.reached_zero);
  EXPECT_NE(r.error.find("connect"), std::string::npos) << r.error;
}

TEST(LoadGauge, TheReportCountsTheWaitInTheSettledRate) {
  run_results r;
  r.elapsed_s = 10;
  r.totals.ok = 1000;
  r.kinds.push_back({"push_provision", {r.totals, latency_summary{}}});
  EXPECT_DOUBLE_EQ(settled_ok_per_s(1000, r), 100.0); // no wait ran
  EXPECT_EQ(boost::json::parse(to_json(r)).as_object().count("settle"), 0u);
  r.settle.ran = true;
  r.settle.gauge = "dwt_outbox_pending";
  r.settle.reached_zero = true;
  r.settle.seconds = 10;
  r.settle.first_value = 1234;
  EXPECT_DOUBLE_EQ(settled_ok_per_s(1000, r), 50.0);
  const auto j = boost::json::parse(to_json(r)).as_object();
  const auto& s = j.at("settle").as_object();
  EXPECT_EQ(s.at("gauge").as_string(), "dwt_outbox_pending");
  EXPECT_TRUE(s.at("reachedZero").as_bool());
  EXPECT_DOUBLE_EQ(s.at("seconds").to_number<double>(), 10.0);
  EXPECT_DOUBLE_EQ(s.at("valueAtEnd").to_number<double>(), 1234.0);
  EXPECT_DOUBLE_EQ(s.at("settledOkPerS").to_number<double>(), 50.0);
  EXPECT_DOUBLE_EQ(j.at("okPerS").to_number<double>(), 100.0);
  EXPECT_DOUBLE_EQ(j.at("kinds").at("push_provision").at("settledOkPerS").to_number<double>(),
                   50.0);
}

} // namespace
