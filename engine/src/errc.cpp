#include "dwt/engine/errc.hpp"

#include <string>

namespace dwt::engine {

namespace {

struct errc_entry {
  std::string_view code;
  std::string_view description;
};

/// Indexed by the enum's value; order must follow errc exactly.
constexpr errc_entry errc_table[] = {
    {"ok", "no error"},
    {"invalid_pan", "the PAN is not 12-19 digits or fails the Luhn check"},
    {"invalid_expiry", "the expiry month/year is malformed or in the past"},
    {"bin_not_enabled", "no enabled card product covers the card's BIN"},
    {"product_not_enabled", "tokenisation is disabled for the card's product"},
    {"card_not_active", "the card is not active"},
    {"token_cap_reached", "the card already holds the maximum number of tokens"},
    {"wallet_risk_red", "the wallet's risk recommendation is RED"},
    {"velocity_exceeded", "too many tokenisation requests for this card"},
    {"illegal_transition", "the requested state transition is not allowed"},
    {"token_final", "the token is in a final state"},
    {"resume_not_allowed", "only the party that suspended the token may resume it"},
    {"otp_incorrect", "the one-time passcode is incorrect"},
    {"otp_attempts_exhausted", "no verification attempts are left; the request is declined"},
    {"otp_expired", "the verification expired; the request is declined"},
    {"otp_resend_limit", "no more passcode resends are allowed"},
    {"no_pending_verification", "the token has no pending verification"},
    {"verification_method_unavailable", "the verification method is not offered for this token"},
    {"no_sms_destination", "no phone number is available for SMS"},
    {"invalid_request", "a field is missing or malformed"},
    {"card_final", "the card is terminated"},
    {"crypto_failure", "a cryptographic operation failed"},
    {"card_not_found", "card not found"},
    {"token_not_found", "token not found"},
    {"profile_not_found", "profile not found"},
    {"expiry_mismatch", "the expiry date does not match the card's"},
    {"card_expired", "the card has expired"},
    {"token_exists", "a live token exists for this card, wallet and device"},
    {"verification_not_started", "no verification method was chosen for this token yet"},
    {"pan_already_registered", "a card with this PAN is already registered"},
};

} // namespace

std::string_view to_code(errc e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < std::size(errc_table) ? errc_table[i].code : std::string_view{"unknown_error"};
}

std::string_view describe(errc e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < std::size(errc_table) ? errc_table[i].description : std::string_view{"unknown error"};
}

std::string to_string(errc e) {
  return std::string{to_code(e)};
}

} // namespace dwt::engine
