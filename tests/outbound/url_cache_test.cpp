// The HTTP client's cache of parsed URLs (actors/outbound/src/url_cache.hpp):
// one parse per URL, failures not cached, the bound, and results that stay
// valid after eviction.

#include <string>

#include <gtest/gtest.h>

#include "url_cache.hpp"

namespace {

using dwt::outbound::detail::url_cache;

TEST(UrlCache, ParsesEachUrlOnceAndSharesTheResult) {
  url_cache cache{8};
  const auto a = cache.get("https://hooks.example.com:8443/dwt?x=1");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "hooks.example.com");
  EXPECT_EQ(a->port, "8443");
  EXPECT_EQ(a->target, "/dwt?x=1");
  // The same text: the same object, not a second parse.
  EXPECT_EQ(cache.get(std::string{"https://hooks.example.com:8443/dwt?x=1"}), a);
  const auto b = cache.get("http://127.0.0.1:8081/webhooks");
  ASSERT_NE(b, nullptr);
  EXPECT_NE(b, a);
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(UrlCache, AUrlThatDoesNotParseIsRefusedAndNotKept) {
  url_cache cache{8};
  EXPECT_EQ(cache.get("ftp://example.com/"), nullptr);
  EXPECT_EQ(cache.get("http://user@example.com/"), nullptr);
  EXPECT_EQ(cache.get(""), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(UrlCache, StaysWithinItsBoundAndEvictedResultsStayValid) {
  url_cache cache{3};
  const auto first = cache.get("http://h0.example/");
  ASSERT_NE(first, nullptr);
  for (int i = 1; i < 10; ++i) {
    const auto u = "http://h" + std::to_string(i) + ".example/";
    const auto p = cache.get(u);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->host, "h" + std::to_string(i) + ".example");
    EXPECT_LE(cache.size(), 3u);
  }
  // h0 was evicted; the caller's copy still reads, and a new get parses again.
  EXPECT_EQ(first->host, "h0.example");
  const auto again = cache.get("http://h0.example/");
  ASSERT_NE(again, nullptr);
  EXPECT_NE(again, first);
  EXPECT_EQ(again->host, first->host);
}

} // namespace
