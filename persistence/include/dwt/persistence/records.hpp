#pragma once
/// @file
/// Records owned by the persistence layer itself (the domain records live in
/// `dwt/engine/types.hpp`): the durable outbox event and the idempotency
/// record.
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

} // namespace dwt::persistence
