#pragma once
/// @file
/// Builds and sends one webhook delivery attempt of an outbox event, and
/// classifies its outcome. The dispatcher (a later CAF actor) decides what
/// to do next with `retry_schedule`.
///
/// Wire format (Standard Webhooks):
/// - body: `{"type": <event type>, "timestamp": <event created_at, RFC 3339
///   UTC with milliseconds>, "data": <the event's payload JSON>}`;
/// - headers: `webhook-id` (the event id; the same on every attempt),
///   `webhook-timestamp` (Unix seconds of this attempt), `webhook-signature`
///   (one `v1,` signature per active secret), `content-type:
///   application/json`, `user-agent`.
///
/// Outcome: a 2xx status is `delivered`; any other status, a timeout or a
/// connection/TLS error is `retry`; an event whose payload is not valid JSON
/// (or is too large), an endpoint without a secret or with an unusable URL
/// is `invalid` (never sent: dead-letter it, retrying cannot help).
///
/// Threading: a webhook_sender is immutable after construction and may be
/// shared by threads. `done` runs on an io_context thread of the client,
/// except for `invalid` refused before sending (called inline by `send`).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwt/engine/types.hpp"
#include "dwt/outbound/http_client.hpp"
#include "dwt/outbound/standard_webhooks.hpp"
#include "dwt/persistence/records.hpp"

namespace dwt::outbound {

/// The default `user-agent` of deliveries.
inline constexpr std::string_view default_webhook_user_agent = "dwt-webhooks/0.1";
/// Largest payload (`data`) a delivery carries.
inline constexpr std::size_t max_webhook_payload_size = 256 * 1024;
/// Longest error text kept in an attempt record.
inline constexpr std::size_t max_attempt_error_size = 256;

/// Where and how a partner receives webhooks.
struct webhook_endpoint {
  std::string url;
  /// Active secrets (1..max_active_secrets); every one signs.
  std::vector<standard_webhooks::secret> secrets;
};

enum class delivery_outcome { delivered, retry, invalid };

[[nodiscard]] std::string_view to_string(delivery_outcome o) noexcept;

/// What is recorded for every attempt.
struct delivery_attempt {
  /// When the attempt started (the signed `webhook-timestamp`, in ms).
  engine::timestamp at{};
  /// HTTP status; 0 if none was received.
  std::uint16_t status = 0;
  std::uint32_t latency_ms = 0;
  /// Empty when a status was received and classified; else what failed.
  std::string error;
  delivery_outcome outcome = delivery_outcome::retry;

  [[nodiscard]] bool delivered() const noexcept { return outcome == delivery_outcome::delivered; }
};

/// The body of a delivery, or nullopt if `event.payload` is not JSON or is
/// larger than `max_webhook_payload_size`.
[[nodiscard]] std::optional<std::string> webhook_body(const persistence::outbox_event& event);

/// The delivery outcome of an HTTP result.
[[nodiscard]] delivery_outcome classify(const http_result& result) noexcept;

class webhook_sender {
public:
  explicit webhook_sender(std::shared_ptr<http_client> client,
                          std::string user_agent = std::string{default_webhook_user_agent});

  /// Sends one attempt of `event` to `endpoint`, signed at `now`.
  void send(const persistence::outbox_event& event, const webhook_endpoint& endpoint,
            engine::timestamp now, std::function<void(delivery_attempt)> done) const;

private:
  std::shared_ptr<http_client> client_;
  std::string user_agent_;
};

} // namespace dwt::outbound
