// describe(): the one mapping from errors to API codes and HTTP statuses.
#include <gtest/gtest.h>

#include "dwt/engine/caf_error.hpp"
#include "dwt/errors.hpp"
#include "dwt/persistence/caf_error.hpp"

TEST(ActorsErrors, MapsEveryCategory) {
  using dwt::describe;
  EXPECT_EQ(describe(dwt::engine::make_error(dwt::engine::errc::token_not_found)).status, 404);
  EXPECT_EQ(describe(dwt::engine::make_error(dwt::engine::errc::illegal_transition)).code,
            "illegal_transition");
  EXPECT_EQ(describe(dwt::engine::make_error(dwt::engine::errc::token_final)).status, 409);
  EXPECT_EQ(describe(dwt::persistence::make_error(dwt::persistence::errc::overloaded)).status, 503);
  EXPECT_EQ(describe(dwt::persistence::make_error(dwt::persistence::errc::map_full)).status, 507);
  EXPECT_EQ(describe(dwt::make_error(dwt::runtime_errc::stopping)).status, 503);
  EXPECT_EQ(describe(dwt::make_error(dwt::runtime_errc::idempotency_in_progress)).status, 409);
  EXPECT_EQ(describe(dwt::make_error(dwt::runtime_errc::timeout)).status, 504);
  auto info = describe(dwt::make_error(dwt::runtime_errc::overloaded, "queue full"));
  EXPECT_EQ(info.code, "overloaded");
  EXPECT_NE(info.detail.find("queue full"), std::string::npos);
}

TEST(ActorsErrors, Issue20CodesAndStatuses) {
  using dwt::describe;
  using dwt::engine::errc;
  const std::pair<errc, std::uint16_t> want[] = {
      {errc::card_not_active, 409},
      {errc::token_exists, 409},
      {errc::verification_not_started, 409},
      {errc::pan_already_registered, 409},
      {errc::card_expired, 422},
      {errc::expiry_mismatch, 422},
      {errc::bin_not_enabled, 422},
  };
  for (const auto& [e, status] : want) {
    const auto info = describe(dwt::engine::make_error(e));
    EXPECT_EQ(info.status, status) << info.code;
    EXPECT_EQ(info.code, dwt::engine::to_code(e));
  }
}
