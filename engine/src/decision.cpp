#include "dwt/engine/decision.hpp"

#include "dwt/engine/assert.hpp"
#include "dwt/engine/pan.hpp"

namespace dwt::engine {

namespace {

[[nodiscard]] decision_result declined(errc why) {
  return decision_result{decision::declined, why, {}};
}

[[nodiscard]] const card_product* product_named(const std::vector<card_product>& products,
                                                std::string_view name) noexcept {
  for (const auto& p : products)
    if (p.name == name)
      return &p;
  return nullptr;
}

} // namespace

decision_result decide(const decision_input& in, const decision_policy& policy) {
  DWT_ASSERT(in.card != nullptr);
  DWT_ASSERT(in.partner != nullptr);
  DWT_ASSERT(in.products != nullptr);
  // 1. BIN range and product.
  if (find_product(*in.products, in.pan) == nullptr)
    return declined(errc::bin_not_enabled);
  const auto* own = product_named(*in.products, in.card->card_product);
  if (own == nullptr || !own->tokenization_enabled)
    return declined(errc::product_not_enabled);
  // 2. Card state.
  if (in.card->state != card_state::active)
    return declined(errc::card_not_active);
  // 3. Per-card cap (ACTIVE + SUSPENDED).
  if (in.tokens_toward_cap >= in.partner->max_tokens_per_card)
    return declined(errc::token_cap_reached);
  // 4. Velocity.
  if (in.recent_requests >= policy.velocity_limit)
    return declined(errc::velocity_exceeded);
  // 5. Wallet risk: never more permissive than the wallet.
  if (in.recommendation == wallet_recommendation::red)
    return declined(errc::wallet_risk_red);
  if (in.recommendation == wallet_recommendation::green && !policy.always_step_up)
    return decision_result{decision::approved, errc::ok, {}};
  decision_result out{decision::require_verification, errc::ok, {}};
  if (in.sms_destination && !in.sms_destination->empty())
    out.methods.push_back({verification_method::sms_otp, mask_phone(*in.sms_destination)});
  if (policy.offer_in_app)
    out.methods.push_back({verification_method::in_app, {}});
  if (out.methods.empty())
    return declined(errc::no_sms_destination);
  return out;
}

std::optional<std::string> sms_destination(const partner_record& partner,
                                           const std::optional<std::string>& profile_phone,
                                           const std::optional<std::string>& card_phone) {
  const bool use_profile =
      partner.onboarded_on >= profile_phone_cutover || partner.sms_destination_migrated;
  const auto& chosen = use_profile ? profile_phone : card_phone;
  if (!chosen || chosen->empty())
    return std::nullopt;
  return chosen;
}

std::string mask_phone(std::string_view e164) {
  std::size_t digits = 0;
  for (char c : e164)
    if (c >= '0' && c <= '9')
      ++digits;
  std::string out;
  out.reserve(e164.size());
  std::size_t seen = 0;
  for (char c : e164) {
    if (c >= '0' && c <= '9') {
      ++seen;
      out.push_back(seen + 4 > digits ? c : '*');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool is_e164(std::string_view s) noexcept {
  if (s.size() < 9 || s.size() > 16 || s.front() != '+' || s[1] == '0')
    return false;
  for (char c : s.substr(1))
    if (c < '0' || c > '9')
      return false;
  return true;
}

const card_product* find_product(const std::vector<card_product>& products,
                                 std::string_view pan) noexcept {
  for (const auto& p : products) {
    if (!p.tokenization_enabled)
      continue;
    for (const auto& range : p.bins)
      if (pan::in_range(pan, range))
        return &p;
  }
  return nullptr;
}

} // namespace dwt::engine
