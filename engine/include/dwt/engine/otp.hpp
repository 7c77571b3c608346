#pragma once
/// @file
/// One-time passcode policy: 6 digits drawn from an injected random source,
/// stored only as HMAC-SHA256(otp_key, token_ref + ":" + code), compared in
/// constant time, valid for `ttl`, at most `max_wrong_attempts` wrong
/// attempts (the last one declines the request) and `max_resends` resends.
///
/// Threading: pure functions; the random_source is the caller's.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "dwt/engine/random.hpp"
#include "dwt/engine/types.hpp"

namespace dwt::engine {

struct otp_policy {
  std::chrono::seconds ttl{600};
  std::uint8_t max_wrong_attempts = 3;
  std::uint8_t max_resends = 3;
};

/// A freshly issued code: the clear code goes to the SMS gateway only; the
/// challenge (hash only) is what gets stored.
struct issued_otp {
  std::string code;
  verification_challenge challenge;
};

/// Six decimal digits, uniformly distributed (no modulo bias).
[[nodiscard]] std::string generate_otp_code(random_source& rng);

/// HMAC-SHA256(otp_key, token_ref + ":" + code), 32 raw bytes.
[[nodiscard]] std::string hash_otp(std::string_view otp_key, const token_ref& token,
                                   std::string_view code);

/// Issues an SMS_OTP challenge for `token`: expires at now + ttl, no
/// attempts, no resends.
[[nodiscard]] issued_otp issue_otp(const token_ref& token, std::string destination_masked,
                                   std::string_view otp_key, random_source& rng, timestamp now,
                                   const otp_policy& policy);

/// An IN_APP challenge (no code): expires at now + ttl.
[[nodiscard]] verification_challenge issue_in_app(const token_ref& token, timestamp now,
                                                  const otp_policy& policy);

/// The verdict on a submitted code.
enum class otp_result : std::uint8_t {
  verified,  ///< right code in time
  incorrect, ///< wrong code, attempts remain
  exhausted, ///< wrong code and no attempts remain: decline the request
  expired,   ///< too late (whatever the code): decline the request
};

struct otp_verdict {
  otp_result result = otp_result::incorrect;
  /// Wrong attempts still allowed after this one.
  std::uint8_t attempts_left = 0;
  /// The challenge after the attempt (wrong_attempts incremented on a wrong
  /// code); store it when the result is `incorrect`.
  verification_challenge challenge;
};

/// Checks `code` against the challenge. Requires an SMS_OTP challenge
/// (asserts otherwise). A malformed code (not 6 digits) counts as wrong.
[[nodiscard]] otp_verdict verify_otp(const verification_challenge& challenge, std::string_view code,
                                     std::string_view otp_key, timestamp now,
                                     const otp_policy& policy);

/// Issues a new code for the same challenge: new hash, new expiry,
/// resends + 1, wrong attempts kept. Errors (engine category):
/// otp_resend_limit when max_resends were used, otp_expired when the
/// challenge already expired, verification_method_unavailable for IN_APP.
[[nodiscard]] caf::expected<issued_otp> resend_otp(const verification_challenge& challenge,
                                                   std::string_view otp_key, random_source& rng,
                                                   timestamp now, const otp_policy& policy);

} // namespace dwt::engine
