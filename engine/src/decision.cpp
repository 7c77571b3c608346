#include "dwt/engine/decision.hpp"

#include "dwt/engine/assert.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/engine/state_machine.hpp"

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

errc check_eligibility(const decision_input& in, const decision_policy& policy) {
  DWT_ASSERT(in.card != nullptr);
  DWT_ASSERT(in.partner != nullptr);
  DWT_ASSERT(in.products != nullptr);
  // 1. BIN range and product.
  if (find_product(*in.products, in.pan) == nullptr)
    return errc::bin_not_enabled;
  const auto* own = product_named(*in.products, in.card->card_product);
  if (own == nullptr || !own->tokenization_enabled)
    return errc::product_not_enabled;
  // 2. Card state.
  if (in.card->state != card_state::active)
    return errc::card_not_active;
  // 3. Expiry: the card's own, then the one the request states.
  const card_expiry registered{in.card->expiry_month, in.card->expiry_year};
  if (is_expired(registered, in.now))
    return errc::card_expired;
  if (in.stated_expiry && *in.stated_expiry != registered)
    return errc::expiry_mismatch;
  // 4. One live token per card, wallet and device.
  if (in.live_token_for_device)
    return errc::token_exists;
  // 5. Per-card cap (ACTIVE + SUSPENDED).
  if (in.tokens_toward_cap >= in.partner->max_tokens_per_card)
    return errc::token_cap_reached;
  // 6. Velocity.
  if (in.recent_requests >= policy.velocity_limit)
    return errc::velocity_exceeded;
  return errc::ok;
}

decision_result decide(const decision_input& in, const decision_policy& policy) {
  if (auto e = check_eligibility(in, policy); e != errc::ok)
    return declined(e);
  // 7. Wallet risk: never more permissive than the wallet.
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

bool is_expired(card_expiry expiry, timestamp now) noexcept {
  // The first instant of the month after the expiry month.
  const std::chrono::year_month_day first{std::chrono::year{static_cast<int>(expiry.year)},
                                          std::chrono::month{expiry.month}, std::chrono::day{1}};
  if (!first.ok())
    return true; // no such month: never valid
  const auto end = std::chrono::sys_days{first + std::chrono::months{1}};
  return now >= end;
}

bool product_covers(const card_product& product, std::string_view pan) noexcept {
  for (const auto& range : product.bins)
    if (pan::in_range(pan, range))
      return true;
  return false;
}

const token_record* find_live_token(const std::vector<token_record>& tokens, wallet_provider wallet,
                                    std::string_view device_id) noexcept {
  for (const auto& t : tokens)
    if (t.wallet == wallet && t.device.id == device_id && !is_final(t.state))
      return &t;
  return nullptr;
}

const card_record* network_card(const std::vector<card_record>& cards) noexcept {
  auto earlier = [](const card_record& a, const card_record& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  };
  const card_record* best = nullptr;
  for (const auto& c : cards) {
    if (best == nullptr) {
      best = &c;
      continue;
    }
    const bool c_live = c.state != card_state::terminated;
    const bool best_live = best->state != card_state::terminated;
    if (c_live != best_live ? c_live : earlier(c, *best))
      best = &c;
  }
  return best;
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
