#include "dwt/engine/otp.hpp"

#include <cstdio>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/crypto.hpp"

namespace dwt::engine {

namespace {

constexpr std::size_t otp_digits = 6;

[[nodiscard]] bool well_formed(std::string_view code) noexcept {
  if (code.size() != otp_digits)
    return false;
  for (char c : code)
    if (c < '0' || c > '9')
      return false;
  return true;
}

[[nodiscard]] std::uint8_t left_after(std::uint8_t wrong, const otp_policy& policy) noexcept {
  return wrong >= policy.max_wrong_attempts
             ? std::uint8_t{0}
             : static_cast<std::uint8_t>(policy.max_wrong_attempts - wrong);
}

} // namespace

std::string generate_otp_code(random_source& rng) {
  const auto n = static_cast<unsigned>(rng.uniform(1'000'000));
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", n);
  return std::string{buf, otp_digits};
}

std::string hash_otp(std::string_view otp_key, const token_ref& token, std::string_view code) {
  std::string msg;
  msg.reserve(token.str().size() + 1 + code.size());
  msg.append(token.str()).push_back(':');
  msg.append(code);
  return crypto::hmac_sha256(otp_key, msg);
}

issued_otp issue_otp(const token_ref& token, std::string destination_masked,
                     std::string_view otp_key, random_source& rng, timestamp now,
                     const otp_policy& policy) {
  issued_otp out;
  out.code = generate_otp_code(rng);
  auto& c = out.challenge;
  c.token = token;
  c.method = verification_method::sms_otp;
  c.code_hash = hash_otp(otp_key, token, out.code);
  c.destination_masked = std::move(destination_masked);
  c.issued_at = now;
  c.expires_at = now + policy.ttl;
  c.wrong_attempts = 0;
  c.resends = 0;
  return out;
}

verification_challenge issue_in_app(const token_ref& token, timestamp now,
                                    const otp_policy& policy) {
  verification_challenge c;
  c.token = token;
  c.method = verification_method::in_app;
  c.issued_at = now;
  c.expires_at = now + policy.ttl;
  return c;
}

otp_verdict verify_otp(const verification_challenge& challenge, std::string_view code,
                       std::string_view otp_key, timestamp now, const otp_policy& policy) {
  DWT_ASSERT(challenge.method == verification_method::sms_otp);
  otp_verdict v;
  v.challenge = challenge;
  if (now >= challenge.expires_at) {
    v.result = otp_result::expired;
    v.attempts_left = left_after(challenge.wrong_attempts, policy);
    return v;
  }
  if (challenge.wrong_attempts >= policy.max_wrong_attempts) {
    v.result = otp_result::exhausted;
    v.attempts_left = 0;
    return v;
  }
  // Hash whatever was submitted so the timing does not depend on the format.
  const auto submitted = hash_otp(otp_key, challenge.token, code);
  if (well_formed(code) && crypto::constant_time_equal(submitted, challenge.code_hash)) {
    v.result = otp_result::verified;
    v.attempts_left = left_after(challenge.wrong_attempts, policy);
    return v;
  }
  v.challenge.wrong_attempts = static_cast<std::uint8_t>(challenge.wrong_attempts + 1);
  v.attempts_left = left_after(v.challenge.wrong_attempts, policy);
  v.result = v.attempts_left == 0 ? otp_result::exhausted : otp_result::incorrect;
  return v;
}

caf::expected<issued_otp> resend_otp(const verification_challenge& challenge,
                                     std::string_view otp_key, random_source& rng, timestamp now,
                                     const otp_policy& policy) {
  if (challenge.method != verification_method::sms_otp)
    return make_error(errc::verification_method_unavailable);
  if (challenge.resends >= policy.max_resends)
    return make_error(errc::otp_resend_limit);
  if (now >= challenge.expires_at)
    return make_error(errc::otp_expired);
  issued_otp out;
  out.code = generate_otp_code(rng);
  out.challenge = challenge;
  out.challenge.code_hash = hash_otp(otp_key, challenge.token, out.code);
  out.challenge.issued_at = now;
  out.challenge.expires_at = now + policy.ttl;
  out.challenge.resends = static_cast<std::uint8_t>(challenge.resends + 1);
  return out;
}

} // namespace dwt::engine
