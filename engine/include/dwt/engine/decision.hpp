#pragma once
/// @file
/// The provisioning decision: may this card be tokenised for this wallet and
/// device, and with or without step-up verification? Pure: every input,
/// including the time and the counts the caller read from the store, is
/// passed in.
///
/// Rules, in order (the first that declines wins). Rules 1-6 are the
/// eligibility of the card (`check_eligibility`), shared by the network
/// path (`decide`) and push provisioning, so that there is one rule set:
/// 1. the PAN's BIN lies in an enabled card product (bin_not_enabled), and
///    the card's own product has tokenisation enabled (product_not_enabled);
/// 2. the card is ACTIVE (card_not_active);
/// 3. the card has not expired (card_expired: past the end of its expiry
///    month) and the expiry the request states, if any, is the card's
///    (expiry_mismatch);
/// 4. the card holds no live (REQUESTED, ACTIVE, SUSPENDED) token for this
///    wallet and device: a token is one card + wallet + device
///    (token_exists);
/// 5. ACTIVE + SUSPENDED tokens of the card are below the partner's cap
///    (token_cap_reached);
/// 6. requests for this card within the velocity window are below the
///    limit (velocity_exceeded);
/// 7. (`decide` only) the wallet recommendation is not RED (wallet_risk_red).
/// Then GREEN is APPROVED unless the policy always steps up; YELLOW always
/// requires verification (never more permissive than the wallet). When
/// verification is required the offered methods are SMS_OTP (if an SMS
/// destination exists, masked) and IN_APP; if none can be offered the
/// request is declined with no_sms_destination.
///
/// Threading: pure functions.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwt/engine/errc.hpp"
#include "dwt/engine/types.hpp"

namespace dwt::engine {

/// The date from which partners send SMS to the profile's phone.
inline constexpr date profile_phone_cutover{std::chrono::year{2025}, std::chrono::March,
                                            std::chrono::day{1}};

/// Issuer policy knobs of the decision.
struct decision_policy {
  /// Most tokenisation requests per card within `velocity_window`.
  std::uint32_t velocity_limit = 10;
  std::chrono::seconds velocity_window{std::chrono::hours{24}};
  /// Step up even on a GREEN recommendation.
  bool always_step_up = false;
  /// Offer IN_APP verification (the partner's app approves or declines).
  bool offer_in_app = true;
};

/// One verification method offered to the cardholder.
struct offered_method {
  verification_method type = verification_method::sms_otp;
  /// The masked destination (SMS_OTP only), e.g. "*******4567".
  std::string destination_masked;
  friend bool operator==(const offered_method&, const offered_method&) = default;
};

/// A card's expiry month and year, as registered or as a request states it.
struct card_expiry {
  unsigned month = 0;
  unsigned year = 0;
  friend bool operator==(const card_expiry&, const card_expiry&) = default;
};

/// Everything the decision looks at.
struct decision_input {
  /// The PAN, or at least its leading 8 digits: only the BIN rule reads it.
  std::string_view pan;
  const card_record* card = nullptr;                   ///< the card the PAN belongs to (required)
  const partner_record* partner = nullptr;             ///< the card's partner (required)
  const std::vector<card_product>* products = nullptr; ///< configured products (required)
  /// The SMS destination chosen by `sms_destination` (unmasked), if any.
  std::optional<std::string> sms_destination;
  /// ACTIVE + SUSPENDED tokens the card holds now.
  std::size_t tokens_toward_cap = 0;
  /// Tokenisation requests for this card within the velocity window,
  /// not counting this one.
  std::uint32_t recent_requests = 0;
  wallet_recommendation recommendation = wallet_recommendation::green;
  /// The current time (for the card's expiry).
  timestamp now{};
  /// The expiry the request states (network path); nullopt when the caller
  /// states none (push provisioning of the partner's own card).
  std::optional<card_expiry> stated_expiry;
  /// The card holds a live token for the requested wallet and device
  /// (`find_live_token`).
  bool live_token_for_device = false;
};

struct decision_result {
  decision outcome = decision::declined;
  /// errc::ok unless declined; then why.
  errc reason = errc::ok;
  /// Non-empty only for require_verification.
  std::vector<offered_method> methods;
};

/// Rules 1-6: errc::ok if the card may get a token, else the first
/// refusal. Ignores the recommendation, the SMS destination and the
/// step-up policy. Asserts (crashes) if a required pointer is null.
[[nodiscard]] errc check_eligibility(const decision_input& in, const decision_policy& policy);

/// Decides. Asserts (crashes) if a required pointer is null: that is a
/// programmer error.
[[nodiscard]] decision_result decide(const decision_input& in, const decision_policy& policy);

/// The SMS destination rule: partners onboarded on or after 2025-03-01, or
/// migrated ones, use the profile's phone; earlier partners use the card's
/// phone. nullopt when the chosen phone is absent or empty.
[[nodiscard]] std::optional<std::string>
sms_destination(const partner_record& partner, const std::optional<std::string>& profile_phone,
                const std::optional<std::string>& card_phone);

/// Masks a phone number for display: every digit but the last four becomes
/// '*', a leading '+' is kept ("+447700900123" → "+********0123").
[[nodiscard]] std::string mask_phone(std::string_view e164);

/// True if `s` is an E.164 number: '+' then 8 to 15 digits, first not 0.
[[nodiscard]] bool is_e164(std::string_view s) noexcept;

/// True once `now` is past the end of the expiry month (UTC): a card is
/// valid through the last day of its expiry month.
[[nodiscard]] bool is_expired(card_expiry expiry, timestamp now) noexcept;

/// True if the PAN's BIN lies in one of `product`'s ranges (whether or not
/// the product has tokenisation enabled): the registration rule.
[[nodiscard]] bool product_covers(const card_product& product, std::string_view pan) noexcept;

/// The live (REQUESTED, ACTIVE or SUSPENDED) token among `tokens` for this
/// wallet and device id, or nullptr.
[[nodiscard]] const token_record* find_live_token(const std::vector<token_record>& tokens,
                                                  wallet_provider wallet,
                                                  std::string_view device_id) noexcept;

/// Which card a network request for a PAN concerns when several partners
/// registered that PAN (PAN uniqueness is per partner): the earliest
/// registered card that is not TERMINATED (created_at, then id), else the
/// earliest registered one; nullptr if `cards` is empty. A later
/// registration of the same PAN by another partner therefore never takes
/// over a live card's network tokenisations.
[[nodiscard]] const card_record* network_card(const std::vector<card_record>& cards) noexcept;

/// The enabled product covering the PAN's BIN, or nullptr.
[[nodiscard]] const card_product* find_product(const std::vector<card_product>& products,
                                               std::string_view pan) noexcept;

} // namespace dwt::engine
