#include <set>
#include <string>

#include <gtest/gtest.h>

#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/errc.hpp"

using dwt::engine::errc;

TEST(engine_errc, codes_are_stable_snake_case_and_unique) {
  EXPECT_EQ(dwt::engine::to_code(errc::invalid_pan), "invalid_pan");
  EXPECT_EQ(dwt::engine::to_code(errc::illegal_transition), "illegal_transition");
  EXPECT_EQ(dwt::engine::to_code(errc::token_final), "token_final");
  EXPECT_EQ(dwt::engine::to_code(errc::otp_incorrect), "otp_incorrect");
  EXPECT_EQ(dwt::engine::to_code(errc::otp_attempts_exhausted), "otp_attempts_exhausted");
  EXPECT_EQ(dwt::engine::to_code(errc::profile_not_found), "profile_not_found");
  EXPECT_EQ(dwt::engine::to_code(errc::expiry_mismatch), "expiry_mismatch");
  EXPECT_EQ(dwt::engine::to_code(errc::card_expired), "card_expired");
  EXPECT_EQ(dwt::engine::to_code(errc::token_exists), "token_exists");
  EXPECT_EQ(dwt::engine::to_code(errc::verification_not_started), "verification_not_started");
  EXPECT_EQ(dwt::engine::to_code(errc::pan_already_registered), "pan_already_registered");
  std::set<std::string> seen;
  for (int i = 0; i <= static_cast<int>(errc::pan_already_registered); ++i) {
    auto code = std::string{dwt::engine::to_code(static_cast<errc>(i))};
    for (char c : code)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << code;
    EXPECT_TRUE(seen.insert(code).second) << "duplicate code " << code;
    EXPECT_FALSE(dwt::engine::describe(static_cast<errc>(i)).empty());
  }
  EXPECT_EQ(dwt::engine::to_code(static_cast<errc>(250)), "unknown_error");
}

TEST(engine_errc, converts_to_caf_error_in_engine_category) {
  auto err = dwt::engine::make_error(errc::token_final);
  EXPECT_EQ(err.code(), static_cast<std::uint8_t>(errc::token_final));
  EXPECT_TRUE(dwt::engine::is_engine_error(err));
}
