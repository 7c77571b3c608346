#pragma once
/// @file
/// MDES's risk data → the engine's wallet recommendation (GREEN / YELLOW /
/// RED), the input the engine's decision is never more permissive than
/// (docs/API.md, "Mastercard MDES", "Risk"). The network's own
/// recommendation is the floor; the scores, the reasons and the active
/// token count can only make it stricter.
///
/// Rules, the strictest wins:
/// - `recommendedDecision` APPROVED → GREEN, DECLINED → RED, anything else
///   (REQUIRE_ADDITIONAL_AUTHENTICATION, absent, unknown) → YELLOW;
/// - a score (device, account, phone number; MDES: 1 = least trusted,
///   5 = most) of 1 (`red_score`) → RED; of 2 (`yellow_score`) or less →
///   at least YELLOW; 0 (outside MDES's range) counts as 1;
/// - a reason of `risk_reasons` (SUSPICIOUS_ACTIVITY, HIGH_RISK,
///   DEVICE_RECENTLY_LOST, TOO_MANY_DIFFERENT_CARDHOLDERS, ...) → at least
///   YELLOW; the favourable ones (LONG_ACCOUNT_TENURE, ...) and unknown ones
///   change nothing;
/// - `activeTokenCount` of `many_active_tokens` or more → at least YELLOW
///   (the engine's own per-card cap counts dwt's tokens; this is the
///   network's count of the PAN's tokens everywhere).
///
/// Threading: pure functions.

#include <cstdint>
#include <optional>
#include <string_view>

#include "dwt/engine/types.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"

namespace dwt::networks::mdes {

namespace risk_limits {
/// A score at or below this is RED.
inline constexpr std::uint64_t red_score = 1;
/// A score at or below this is at least YELLOW.
inline constexpr std::uint64_t yellow_score = 2;
/// The network's active token count from which the request is at least
/// YELLOW.
inline constexpr std::uint64_t many_active_tokens = 10;
} // namespace risk_limits

/// The recommendation reasons that make a request at least YELLOW.
inline constexpr std::string_view risk_reasons[] = {
    "SUSPICIOUS_ACTIVITY",      "HIGH_RISK",
    "DEVICE_RECENTLY_LOST",     "TOO_MANY_DIFFERENT_CARDHOLDERS",
    "TOO_MANY_RECENT_ATTEMPTS", "TOO_MANY_RECENT_TOKENS",
    "HAS_SUSPENDED_TOKENS",     "ACCOUNT_TOO_NEW",
    "ACCOUNT_CARD_TOO_NEW",     "LOW_DEVICE_SCORE",
    "LOW_ACCOUNT_SCORE",        "LOW_PHONE_NUMBER_SCORE",
    "OUTSIDE_HOME_TERRITORY",   "UNABLE_TO_ASSESS",
};

/// The recommendation and the rule that set it (for logs and tests: e.g.
/// "recommendedDecision", "deviceScore", "recommendationReasons",
/// "activeTokenCount").
struct risk_assessment {
  engine::wallet_recommendation level = engine::wallet_recommendation::yellow;
  std::string_view rule = "recommendedDecision";
  friend bool operator==(const risk_assessment&, const risk_assessment&) = default;
};

/// The network's risk data of one authorizeService → the recommendation.
[[nodiscard]] risk_assessment assess_risk(const std::optional<decisioning_info>& decisioning,
                                          std::optional<std::uint64_t> active_token_count) noexcept;

/// The same from a whole request.
[[nodiscard]] inline risk_assessment assess_risk(const authorize_service_request& req) noexcept {
  return assess_risk(req.decisioning, req.active_token_count);
}

} // namespace dwt::networks::mdes
