#pragma once
/// @file
/// The engine module's error codes. Each value maps to one stable,
/// machine-readable API code (`to_code`) used in problem+json answers, and
/// is registered with CAF as the error category `engine` (see
/// `caf_error.hpp`), so actors pass these as `caf::error` values.
///
/// Values are stable: never renumber, only append.

#include <cstdint>
#include <string_view>

namespace dwt::engine {

enum class errc : std::uint8_t {
  ok = 0,
  /// The PAN is not 12-19 digits or fails the Luhn check.
  invalid_pan = 1,
  /// The expiry month/year is malformed or in the past.
  invalid_expiry = 2,
  /// No enabled card product covers the PAN's BIN.
  bin_not_enabled = 3,
  /// The card's product has tokenisation disabled.
  product_not_enabled = 4,
  /// The card is not ACTIVE (suspended or terminated).
  card_not_active = 5,
  /// The card already holds the maximum of ACTIVE + SUSPENDED tokens.
  token_cap_reached = 6,
  /// The wallet recommended RED.
  wallet_risk_red = 7,
  /// Too many tokenisation requests for this card within the window.
  velocity_exceeded = 8,
  /// The requested transition is not in the state table.
  illegal_transition = 9,
  /// The token is TERMINATED or REQUEST_DECLINED: nothing may change.
  token_final = 10,
  /// Only the party that suspended the token may resume it.
  resume_not_allowed = 11,
  /// The OTP is wrong; attempts remain.
  otp_incorrect = 12,
  /// The last allowed wrong attempt was used; the token is declined.
  otp_attempts_exhausted = 13,
  /// The verification expired; the token is declined.
  otp_expired = 14,
  /// No more resends are allowed.
  otp_resend_limit = 15,
  /// The token has no pending verification of that kind.
  no_pending_verification = 16,
  /// The verification method is unknown or not offered for this token.
  verification_method_unavailable = 17,
  /// No phone number is available for SMS.
  no_sms_destination = 18,
  /// A field is missing or malformed.
  invalid_request = 19,
  /// The card is TERMINATED: nothing may change.
  card_final = 20,
  /// A cryptographic primitive failed (bad key, tampered ciphertext).
  crypto_failure = 21,
  /// Unknown card.
  card_not_found = 22,
  /// Unknown token.
  token_not_found = 23,
  /// Unknown profile.
  profile_not_found = 24,
  /// The expiry stated in a tokenisation request is not the card's.
  expiry_mismatch = 25,
  /// The card is past the end of its expiry month.
  card_expired = 26,
  /// The card already holds a live (REQUESTED, ACTIVE or SUSPENDED) token
  /// for this wallet and device.
  token_exists = 27,
  /// APPROVE on a token whose verification step was never reached (no
  /// verification method chosen).
  verification_not_started = 28,
  /// The partner has already registered a card with this PAN.
  pan_already_registered = 29,
};

/// The stable snake_case API code, e.g. "illegal_transition".
[[nodiscard]] std::string_view to_code(errc e) noexcept;

/// A short English description of the error.
[[nodiscard]] std::string_view describe(errc e) noexcept;

/// CAF's `to_string` hook for the error category renderer.
[[nodiscard]] std::string to_string(errc e);

} // namespace dwt::engine
