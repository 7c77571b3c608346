/// MDES risk data → wallet recommendation: the network's recommendation
/// is the floor; scores, reasons and the active token count only make it
/// stricter.

#include <gtest/gtest.h>

#include "dwt/networks/mdes/risk.hpp"

namespace dwt::networks::mdes {
namespace {

using engine::wallet_recommendation;

decisioning_info approved() {
  decisioning_info d;
  d.recommended_decision = "APPROVED";
  d.device_score = 5;
  d.account_score = 5;
  d.phone_number_score = 5;
  return d;
}

TEST(mdes_risk, TheNetworksDecisionIsTheFloor) {
  EXPECT_EQ(assess_risk(approved(), std::nullopt).level, wallet_recommendation::green);
  auto d = approved();
  d.recommended_decision = "DECLINED";
  EXPECT_EQ(assess_risk(d, std::nullopt).level, wallet_recommendation::red);
  for (auto text : {"REQUIRE_ADDITIONAL_AUTHENTICATION", "", "SOMETHING_NEW", "approved"}) {
    d.recommended_decision = text;
    EXPECT_EQ(assess_risk(d, std::nullopt).level, wallet_recommendation::yellow) << text;
  }
  // No decisioning info at all: YELLOW.
  EXPECT_EQ(assess_risk(std::nullopt, std::nullopt),
            (risk_assessment{wallet_recommendation::yellow, "recommendedDecision"}));
}

TEST(mdes_risk, LowScoresMakeItStricter) {
  for (auto which : {&decisioning_info::device_score, &decisioning_info::account_score,
                     &decisioning_info::phone_number_score}) {
    auto d = approved();
    d.*which = 3;
    EXPECT_EQ(assess_risk(d, std::nullopt).level, wallet_recommendation::green);
    d.*which = 2;
    EXPECT_EQ(assess_risk(d, std::nullopt).level, wallet_recommendation::yellow);
    d.*which = 1;
    EXPECT_EQ(assess_risk(d, std::nullopt).level, wallet_recommendation::red);
    d.*which = 0; // outside MDES's 1-5: as low as it gets
    EXPECT_EQ(assess_risk(d, std::nullopt).level, wallet_recommendation::red);
  }
  auto d = approved();
  d.phone_number_score = 2;
  EXPECT_EQ(assess_risk(d, std::nullopt),
            (risk_assessment{wallet_recommendation::yellow, "phoneNumberScore"}));
  d.device_score = 1;
  EXPECT_EQ(assess_risk(d, std::nullopt),
            (risk_assessment{wallet_recommendation::red, "deviceScore"}));
}

TEST(mdes_risk, RiskReasonsMakeItAtLeastYellowOthersChangeNothing) {
  for (auto reason : risk_reasons) {
    auto d = approved();
    d.recommendation_reasons = {"LONG_ACCOUNT_TENURE", std::string{reason}};
    EXPECT_EQ(assess_risk(d, std::nullopt),
              (risk_assessment{wallet_recommendation::yellow, "recommendationReasons"}))
        << reason;
  }
  auto d = approved();
  d.recommendation_reasons = {"LONG_ACCOUNT_TENURE", "GOOD_ACTIVITY_HISTORY", "ADDITIONAL_DEVICE",
                              "A_REASON_FROM_THE_FUTURE"};
  EXPECT_EQ(assess_risk(d, std::nullopt).level, wallet_recommendation::green);
  // A reason never lowers a RED.
  d.recommended_decision = "DECLINED";
  d.recommendation_reasons = {"HIGH_RISK"};
  EXPECT_EQ(assess_risk(d, std::nullopt).level, wallet_recommendation::red);
}

TEST(mdes_risk, ManyActiveTokensMakeItAtLeastYellow) {
  EXPECT_EQ(assess_risk(approved(), risk_limits::many_active_tokens - 1).level,
            wallet_recommendation::green);
  EXPECT_EQ(assess_risk(approved(), risk_limits::many_active_tokens),
            (risk_assessment{wallet_recommendation::yellow, "activeTokenCount"}));
  auto d = approved();
  d.recommended_decision = "DECLINED";
  EXPECT_EQ(assess_risk(d, 50).level, wallet_recommendation::red);
}

TEST(mdes_risk, NeverMorePermissiveThanTheNetwork) {
  // Every combination: the result is at least as strict as the network's
  // own decision alone.
  for (auto decision : {"APPROVED", "DECLINED", "REQUIRE_ADDITIONAL_AUTHENTICATION"}) {
    decisioning_info base;
    base.recommended_decision = decision;
    const auto floor = assess_risk(base, std::nullopt).level;
    for (std::uint64_t s = 0; s <= 6; ++s)
      for (std::uint64_t n : {0u, 9u, 10u}) {
        auto d = base;
        d.device_score = s;
        d.account_score = 6 - s;
        d.recommendation_reasons = {s % 2 == 0 ? "GOOD_ACTIVITY_HISTORY" : "HIGH_RISK"};
        EXPECT_GE(static_cast<int>(assess_risk(d, n).level), static_cast<int>(floor))
            << decision << " score " << s << " count " << n;
      }
  }
}

} // namespace
} // namespace dwt::networks::mdes
