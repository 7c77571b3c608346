/// @file
/// MDES risk data → wallet recommendation (risk.hpp).

#include "dwt/networks/mdes/risk.hpp"

namespace dwt::networks::mdes {

namespace {

using engine::wallet_recommendation;

int severity(wallet_recommendation r) noexcept {
  return static_cast<int>(r); // green 0 < yellow 1 < red 2
}

/// Raises `out` to `level` (naming `rule`) when that is stricter.
void raise(risk_assessment& out, wallet_recommendation level, std::string_view rule) noexcept {
  if (severity(level) > severity(out.level)) {
    out.level = level;
    out.rule = rule;
  }
}

void score(risk_assessment& out, const std::optional<std::uint64_t>& s,
           std::string_view rule) noexcept {
  if (!s)
    return;
  if (*s <= risk_limits::red_score)
    raise(out, wallet_recommendation::red, rule);
  else if (*s <= risk_limits::yellow_score)
    raise(out, wallet_recommendation::yellow, rule);
}

bool is_risk_reason(std::string_view reason) noexcept {
  for (auto r : risk_reasons)
    if (r == reason)
      return true;
  return false;
}

} // namespace

risk_assessment assess_risk(const std::optional<decisioning_info>& decisioning,
                            std::optional<std::uint64_t> active_token_count) noexcept {
  risk_assessment out{wallet_recommendation::yellow, "recommendedDecision"};
  if (decisioning) {
    const auto& d = *decisioning;
    if (d.recommended_decision == "APPROVED")
      out.level = wallet_recommendation::green;
    else if (d.recommended_decision == "DECLINED")
      out.level = wallet_recommendation::red;
    score(out, d.device_score, "deviceScore");
    score(out, d.account_score, "accountScore");
    score(out, d.phone_number_score, "phoneNumberScore");
    for (const auto& reason : d.recommendation_reasons)
      if (is_risk_reason(reason))
        raise(out, wallet_recommendation::yellow, "recommendationReasons");
  }
  if (active_token_count && *active_token_count >= risk_limits::many_active_tokens)
    raise(out, wallet_recommendation::yellow, "activeTokenCount");
  return out;
}

} // namespace dwt::networks::mdes
