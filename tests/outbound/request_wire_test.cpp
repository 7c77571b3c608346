// The bytes of an outbound POST (actors/outbound/src/request_wire.hpp):
// checked byte for byte, and parsed back with Beast's request parser.

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <gtest/gtest.h>

#include "http_url.hpp"
#include "request_wire.hpp"

namespace {

using dwt::outbound::detail::parse_url;
using dwt::outbound::detail::serialize_post;
namespace http = boost::beast::http;

TEST(RequestWire, DefaultsThenCallerFieldsThenContentLength) {
  auto url = parse_url("http://127.0.0.1:8081/webhooks?x=1");
  ASSERT_TRUE(url);
  const auto wire =
      serialize_post(*url, "dwt/0.1",
                     {{"webhook-id", "evt_1"}, {"content-type", "application/json"}}, R"({"a":1})");
  EXPECT_EQ(wire, "POST /webhooks?x=1 HTTP/1.1\r\n"
                  "Host: 127.0.0.1:8081\r\n"
                  "User-Agent: dwt/0.1\r\n"
                  "webhook-id: evt_1\r\n"
                  "content-type: application/json\r\n"
                  "Content-Length: 7\r\n"
                  "\r\n"
                  R"({"a":1})");
}

TEST(RequestWire, CallerFieldReplacesEarlierOneOfTheSameNameAndMovesLast) {
  auto url = parse_url("https://hooks.example.com/in");
  ASSERT_TRUE(url);
  const auto wire = serialize_post(*url, "default-agent",
                                   {{"user-agent", "mine"}, {"X-A", "1"}, {"x-a", "2"}}, "");
  EXPECT_EQ(wire, "POST /in HTTP/1.1\r\n"
                  "Host: hooks.example.com\r\n"
                  "user-agent: mine\r\n"
                  "x-a: 2\r\n"
                  "Content-Length: 0\r\n"
                  "\r\n");
}

TEST(RequestWire, LengthAndConnectionAreTheSerializersOwn) {
  auto url = parse_url("http://h/");
  ASSERT_TRUE(url);
  const auto wire = serialize_post(
      *url, "ua",
      {{"Content-Length", "999"}, {"transfer-encoding", "chunked"}, {"Connection", "close"}},
      "hello");
  http::request_parser<http::string_body> parser;
  boost::system::error_code ec;
  parser.eager(true);
  const auto used = parser.put(boost::asio::buffer(wire), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(used, wire.size());
  ASSERT_TRUE(parser.is_done());
  const auto& req = parser.get();
  EXPECT_EQ(req.method(), http::verb::post);
  EXPECT_EQ(req.target(), "/");
  EXPECT_EQ(req[http::field::content_length], "5");
  EXPECT_EQ(req.count(http::field::content_length), 1u);
  EXPECT_EQ(req.count(http::field::transfer_encoding), 0u);
  EXPECT_EQ(req.count(http::field::connection), 0u);
  EXPECT_TRUE(req.keep_alive());
  EXPECT_EQ(req.body(), "hello");
}

} // namespace
