#pragma once
/// @file
/// An `sms_gateway` speaking the Twilio Messages API:
/// `POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json`,
/// `application/x-www-form-urlencoded` body with `To`, `From` and `Body`,
/// HTTP Basic authentication `account_sid:auth_token`. A 2xx answer (Twilio
/// answers 201 Created) means accepted.
///
/// Retries: on a 5xx, a 429, a timeout or a connection error, up to
/// `max_attempts` attempts in total, waiting `initial_backoff` × 2^(n−1)
/// (capped at `max_backoff`) between them. Any other status (a 4xx: bad
/// number, bad credentials) is final: not accepted.
///
/// Never logs, and never puts into an error string, the message body (it
/// holds the OTP) or the auth token.
///
/// Threading: `send` may be called from any thread; `done` is called exactly
/// once on an io_context thread (unless the io_context is stopped first).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "dwt/outbound/http_client.hpp"
#include "dwt/sms.hpp"

namespace dwt::outbound {

/// Upper bound of `max_attempts`.
inline constexpr std::uint32_t max_twilio_attempts = 10;

struct twilio_options {
  /// Scheme and authority, no trailing slash (tests point it at a local
  /// receiver).
  std::string base_url = "https://api.twilio.com";
  std::string account_sid;
  std::string auth_token;
  /// The sender number (E.164) or alphanumeric sender id.
  std::string from;
  /// Attempts in total, 1..max_twilio_attempts.
  std::uint32_t max_attempts = 3;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{4000};
};

class twilio_sms final : public sms_gateway {
public:
  /// `client` is shared with other outbound users; timers run on `io`.
  twilio_sms(boost::asio::io_context& io, std::shared_ptr<http_client> client,
             twilio_options options);

  void send(sms_message msg, std::function<void(bool accepted)> done) override;

  /// The Messages resource URL.
  [[nodiscard]] const std::string& messages_url() const noexcept;

  struct state;

private:
  /// Shared with in-flight sends, so they outlive this object safely.
  std::shared_ptr<const state> state_;
};

} // namespace dwt::outbound
