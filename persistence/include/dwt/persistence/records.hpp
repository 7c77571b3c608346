#pragma once
/// @file
/// Records owned by the persistence layer itself (the domain records live in
/// `dwt/engine/types.hpp`): the durable outbox event, the idempotency
/// record, and the webhook delivery state and attempt log of outbox events.
///
/// Threading: plain values; share by copy.

#include <cstdint>
#include <string>

#include "dwt/engine/types.hpp"

namespace dwt::persistence {

/// One webhook event in the durable outbox. The outbox is append-only and
/// keyed by `seq`, a monotonic number assigned by the writer at commit time
/// (gap-free in commit order).
struct outbox_event {
  /// Assigned by the writer; ignored on submission.
  std::uint64_t seq = 0;
  /// The Standard Webhooks `webhook-id` (unique, e.g. "evt_...").
  std::string event_id;
  engine::partner_id partner;
  /// The token the event is about (per-token delivery order); may be empty.
  engine::token_ref token;
  /// Event type, e.g. "DigitalWalletTokenTransition".
  std::string type;
  engine::timestamp created_at{};
  /// The event's `data` as JSON text (never contains a PAN).
  std::string payload;
  friend bool operator==(const outbox_event&, const outbox_event&) = default;
};

/// The first answer given to a POST carrying an `Idempotency-Key`.
struct idempotency_record {
  engine::partner_id partner;
  /// The client's Idempotency-Key (at most `max_idempotency_key_size` bytes).
  std::string key;
  /// SHA-256 of the canonical request (method, path, body), raw 32 bytes; a
  /// replay with a different fingerprint is refused by the API layer.
  std::string request_fingerprint;
  std::uint16_t http_status = 0;
  std::string response_body;
  engine::timestamp created_at{};
  /// After this instant the record may be swept.
  engine::timestamp expires_at{};
  friend bool operator==(const idempotency_record&, const idempotency_record&) = default;
};

/// Where the delivery of one outbox event stands.
enum class delivery_status : std::uint8_t {
  /// Not yet delivered; the event is in outbox_pending.
  pending = 0,
  /// A 2xx answer was received.
  delivered = 1,
  /// The retry schedule ended (or the event cannot be sent): given up.
  dead_lettered = 2,
  /// Never to be delivered: its partner had no webhook endpoint when the
  /// event was written (or at a later start). It is only in the events
  /// feed; not in outbox_pending, no attempt, no next attempt. It stays so
  /// when the partner later gets an endpoint (a redelivery sends it).
  feed_only = 3,
};

/// The durable delivery state of one outbox event (absent until the first
/// attempt: an event without a state is pending with no attempt made).
struct delivery_state {
  /// The outbox seq (the key).
  std::uint64_t seq = 0;
  /// Attempts made so far (every attempt is in the attempt log).
  std::uint32_t attempts = 0;
  /// Attempts made before the current delivery round: a redelivery starts
  /// a new round, and the retry schedule counts `attempts - round_base`.
  std::uint32_t round_base = 0;
  /// When the next attempt is due (meaningful while pending).
  engine::timestamp next_attempt_at{};
  delivery_status status = delivery_status::pending;
  /// When this state was written.
  engine::timestamp updated_at{};
  friend bool operator==(const delivery_state&, const delivery_state&) = default;
};

/// One delivery attempt of an outbox event (append-only log).
struct delivery_attempt_record {
  /// The outbox seq and the attempt number (1-based): the key.
  std::uint64_t seq = 0;
  std::uint32_t attempt_no = 0;
  /// When the attempt started.
  engine::timestamp at{};
  /// HTTP status; 0 when no answer was received.
  std::uint16_t status = 0;
  std::uint32_t latency_ms = 0;
  /// Empty when a status was received; else what failed ("timeout", ...).
  std::string error;
  friend bool operator==(const delivery_attempt_record&, const delivery_attempt_record&) = default;
};

/// One entry of the verification-deadline index (`token_deadlines`): the
/// token `ref` awaits verification until `at` (see
/// write_unit::set_token_deadline).
struct token_deadline_entry {
  engine::timestamp at{};
  engine::token_ref ref;
  friend bool operator==(const token_deadline_entry&, const token_deadline_entry&) = default;
};

/// The issuer → network call a command asks for (MDES Customer Service
/// API: token/suspend, token/unsuspend, token/delete).
/// `activate`: token/activate, after the partner approved a REQUESTED token.
enum class network_operation : std::uint8_t {
  suspend = 0,
  unsuspend = 1,
  delete_token = 2,
  activate = 3
};

/// Where a network command stands (the token's `networkSync.status`).
enum class network_sync_status : std::uint8_t {
  /// Not yet confirmed by the network: waiting, in flight, or retrying.
  pending = 0,
  /// The network answered success.
  confirmed = 1,
  /// Given up: a non-recoverable answer, the retry schedule ended, or the
  /// token never got the network's reference. An operator may retry it.
  failed = 2,
};

/// A durable command to the card network about one token: written in the
/// same unit as the token's transition (so it is never lost), carried out
/// by the network dispatcher in seq order per token. The record is
/// updated in place as attempts are made; it is the token's networkSync.
struct network_command {
  /// Assigned by the writer (network_commands key); ignored on submission.
  std::uint64_t seq = 0;
  engine::token_ref token;
  engine::partner_id partner;
  engine::card_network network = engine::card_network::mdes;
  network_operation operation = network_operation::suspend;
  /// The network's reason code sent (e.g. CUSTOMER_REQUEST).
  std::string reason_code;
  /// Free text sent as the comment (the transition's reason).
  std::string comment;
  network_sync_status status = network_sync_status::pending;
  /// Attempts made (calls that got an answer or failed).
  std::uint32_t attempts = 0;
  /// Attempts made before the current round (an operator retry starts a
  /// new round of the retry schedule: it counts attempts - round_base).
  std::uint32_t round_base = 0;
  engine::timestamp created_at{};
  engine::timestamp updated_at{};
  /// When the next attempt is due (meaningful while pending).
  engine::timestamp next_attempt_at{};
  /// The last failure (empty after success): who said it ("MDES", or "dwt"
  /// for a transport failure), its reason code and description, and the
  /// HTTP status (0: no answer).
  std::string error_source;
  std::string error_reason_code;
  std::string error_description;
  std::uint16_t http_status = 0;
  friend bool operator==(const network_command&, const network_command&) = default;
};

} // namespace dwt::persistence
