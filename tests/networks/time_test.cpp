/// ISO 8601 date-times as networks send them.

#include <gtest/gtest.h>

#include "dwt/networks/time.hpp"

namespace dwt::networks {
namespace {

std::int64_t ms(std::string_view s) {
  auto t = parse_iso8601(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t ? engine::to_millis(*t) : -1;
}

TEST(Iso8601, UtcOffsetsAndFractions) {
  EXPECT_EQ(ms("2030-01-01T00:00:00Z"), 1893456000000);
  EXPECT_EQ(ms("2030-01-01T00:00:00.000Z"), 1893456000000);
  EXPECT_EQ(ms("2030-01-01T00:00:00.5Z"), 1893456000500);
  EXPECT_EQ(ms("2030-01-01T00:00:00.123456789Z"), 1893456000123);
  EXPECT_EQ(ms("2029-12-31T19:00:00-05:00"), 1893456000000);
  EXPECT_EQ(ms("2030-01-01T05:30:00+05:30"), 1893456000000);
  EXPECT_EQ(ms("2030-01-01T00:00:00+00:00"), 1893456000000);
  EXPECT_EQ(ms("1970-01-01T00:00:00Z"), 0);
}

TEST(Iso8601, MalformedIsRefused) {
  for (const char* s :
       {"", "2030-01-01", "2030-01-01T00:00:00", "2030-13-01T00:00:00Z", "2030-02-30T00:00:00Z",
        "2030-01-01T24:00:00Z", "2030-01-01T00:60:00Z", "2030-01-01T00:00:00.Z",
        "2030-01-01T00:00:00+5:00", "2030-01-01T00:00:00Zjunk", "2030-01-01 00:00:00Z", "tomorrow"})
    EXPECT_FALSE(parse_iso8601(s).has_value()) << s;
}

} // namespace
} // namespace dwt::networks
