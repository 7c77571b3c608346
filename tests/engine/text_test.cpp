// engine::text: the helpers the HTTP server and client share.

#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "dwt/engine/text.hpp"

namespace {

using dwt::engine::text::append_decimal;
using dwt::engine::text::has_cr_or_lf;
using dwt::engine::text::is_safe_header_field;

TEST(engine_text, append_decimal_appends_the_digits) {
  std::string out = "Content-Length: ";
  append_decimal(out, 0);
  EXPECT_EQ(out, "Content-Length: 0");
  out.clear();
  append_decimal(out, 1234567);
  append_decimal(out, 89);
  EXPECT_EQ(out, "123456789");
  out.clear();
  append_decimal(out, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(out, "18446744073709551615");
}

TEST(engine_text, has_cr_or_lf_finds_either_anywhere) {
  EXPECT_FALSE(has_cr_or_lf(""));
  EXPECT_FALSE(has_cr_or_lf("application/json; charset=utf-8"));
  EXPECT_TRUE(has_cr_or_lf("\r"));
  EXPECT_TRUE(has_cr_or_lf("a\nb"));
  EXPECT_TRUE(has_cr_or_lf("value\r\nX-Injected: 1"));
  EXPECT_TRUE(has_cr_or_lf(std::string_view{"tail\n", 5}));
  // A NUL is not a line break (a string_view may hold one).
  EXPECT_FALSE(has_cr_or_lf(std::string_view{"a\0b", 3}));
}

TEST(engine_text, is_safe_header_field_refuses_breaks_and_a_colon_in_the_name) {
  EXPECT_TRUE(is_safe_header_field("webhook-id", "msg_1"));
  EXPECT_TRUE(is_safe_header_field("x", "a: b")); // a colon in the value is fine
  EXPECT_TRUE(is_safe_header_field("", ""));      // empty names are the caller's to refuse
  EXPECT_FALSE(is_safe_header_field("x:y", "v"));
  EXPECT_FALSE(is_safe_header_field("x\r", "v"));
  EXPECT_FALSE(is_safe_header_field("x", "v\nX-Injected: 1"));
  EXPECT_FALSE(is_safe_header_field("x", "v\r"));
}

} // namespace
