// Error codes: stable spellings, distinct codes, CAF registration.

#include <set>

#include <gtest/gtest.h>

#include "dwt/persistence/caf_error.hpp"
#include "dwt/persistence/errc.hpp"

namespace dwt::persistence {
namespace {

TEST(Errc, CodesAreDistinctAndDescribed) {
  std::set<std::string_view> codes;
  for (int i = 0; i <= static_cast<int>(errc::internal); ++i) {
    auto e = static_cast<errc>(i);
    EXPECT_NE(to_code(e), "unknown") << i;
    EXPECT_NE(describe(e), "unknown error") << i;
    EXPECT_EQ(to_string(e), std::string{to_code(e)});
    codes.insert(to_code(e));
  }
  EXPECT_EQ(codes.size(), static_cast<std::size_t>(errc::internal) + 1);
  EXPECT_EQ(to_code(errc::map_full), "map_full");
  EXPECT_EQ(to_code(errc::schema_too_new), "schema_too_new");
}

TEST(Errc, ConvertsToCafErrorInThePersistCategory) {
  auto plain = make_error(errc::overloaded);
  EXPECT_EQ(plain.code(), static_cast<std::uint8_t>(errc::overloaded));
  EXPECT_EQ(plain.category(), caf::atom("persist"));
  EXPECT_TRUE(is_persistence_error(plain));
  auto with_context = to_caf_error(error{errc::map_full, "map is full"});
  EXPECT_EQ(with_context.code(), static_cast<std::uint8_t>(errc::map_full));
  EXPECT_FALSE(with_context.context().empty());
}

TEST(Result, HoldsValueOrError) {
  result<int> ok = 7;
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 7);
  EXPECT_EQ(ok.code(), errc::ok);
  result<int> bad = fail(errc::not_found, "nope");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.code(), errc::not_found);
  EXPECT_EQ(bad.err().message, "nope");
  result<void> v;
  EXPECT_TRUE(v.has_value());
  result<void> vbad = fail(errc::closed, "closed");
  EXPECT_EQ(vbad.code(), errc::closed);
}

TEST(ResultDeathTest, ValueOfAnErrorAborts) {
  result<int> bad = fail(errc::not_found, "nope");
  EXPECT_DEATH({ (void)bad.value(); }, "not_found");
}

} // namespace
} // namespace dwt::persistence
