#pragma once
/// @file
/// Standard Webhooks (https://www.standardwebhooks.com), symmetric `v1`
/// scheme: signing for the sender and verification (used by tests and by
/// anyone embedding the engine as a receiver).
///
/// - A secret is written `whsec_` + base64(key); the HMAC key is the decoded
///   raw bytes (the prefix is optional on input, as in the reference
///   libraries).
/// - A signature is `v1,` + base64(HMAC-SHA256(key, id + "." + ts + "." +
///   body)), `ts` being the `webhook-timestamp` in Unix seconds.
/// - While a secret is rotated, the `webhook-signature` header carries one
///   signature per active secret, separated by single spaces; a receiver
///   accepts the message if any one of them verifies.
///
/// Threading: pure functions and plain values; thread-safe.
/// Errors: returned as values; nothing throws. Key material is never
/// logged or rendered (a `secret` has no string conversion).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "dwt/engine/random.hpp"

namespace dwt::outbound::standard_webhooks {

/// The textual prefix of a signing secret.
inline constexpr std::string_view secret_prefix = "whsec_";
/// Header names (lower case, as the specification writes them).
inline constexpr std::string_view id_header = "webhook-id";
inline constexpr std::string_view timestamp_header = "webhook-timestamp";
inline constexpr std::string_view signature_header_name = "webhook-signature";
/// How far a timestamp may be from the receiver's clock (spec default).
inline constexpr std::chrono::seconds default_tolerance{5 * 60};
/// Decoded key sizes we accept: the spec recommends 24..64 bytes; shorter
/// keys are refused, longer are pointless.
inline constexpr std::size_t min_key_size = 16;
inline constexpr std::size_t max_key_size = 64;
/// Size of the keys `generate_secret` draws.
inline constexpr std::size_t generated_key_size = 32;
/// Active secrets per endpoint (the current one plus rotations in flight).
inline constexpr std::size_t max_active_secrets = 4;
/// Longest `webhook-signature` header a verifier will look at.
inline constexpr std::size_t max_signature_header_size = 4096;

/// A decoded signing key. Holds raw key bytes; never printed.
class secret {
public:
  /// Parses `whsec_<base64>` (or bare base64). nullopt if the base64 is
  /// invalid or the key is shorter than `min_key_size` or longer than
  /// `max_key_size` bytes.
  [[nodiscard]] static std::optional<secret> parse(std::string_view text);
  /// A secret from raw key bytes (no size check; for keys held as bytes).
  [[nodiscard]] static secret from_raw(std::string key) { return secret{std::move(key)}; }

  /// The raw key bytes.
  [[nodiscard]] const std::string& key() const noexcept { return key_; }
  /// `whsec_` + base64(key): how the secret is shown to a partner once.
  [[nodiscard]] std::string to_text() const;

  friend bool operator==(const secret&, const secret&) = default;

private:
  explicit secret(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

/// Draws a fresh secret of `generated_key_size` bytes from `rng` (pass the
/// secure source in production).
[[nodiscard]] secret generate_secret(engine::random_source& rng);

/// The signed content: `msg_id + "." + timestamp + "." + body`.
[[nodiscard]] std::string signed_content(std::string_view msg_id, std::int64_t timestamp_seconds,
                                         std::string_view body);

/// One signature: `v1,<base64 HMAC-SHA256>`.
[[nodiscard]] std::string sign(const secret& key, std::string_view msg_id,
                               std::int64_t timestamp_seconds, std::string_view body);

/// The `webhook-signature` header value: one `v1,...` signature per secret,
/// space-separated, in the order given. Empty if `keys` is empty.
[[nodiscard]] std::string signature_header(std::span<const secret> keys, std::string_view msg_id,
                                           std::int64_t timestamp_seconds, std::string_view body);

/// The three headers of a received message (empty = absent).
struct received_headers {
  std::string_view id;
  std::string_view timestamp;
  std::string_view signature;
};

/// Verification outcome.
enum class verify_result {
  ok,
  missing_header,        ///< id, timestamp or signature header empty/absent
  bad_timestamp,         ///< not a decimal integer of seconds
  too_old,               ///< older than `now - tolerance`
  too_new,               ///< newer than `now + tolerance`
  no_matching_signature, ///< no `v1` signature matches any active secret
};

/// Stable lower-case name of a result ("ok", "missing_header", ...).
[[nodiscard]] std::string_view to_string(verify_result r) noexcept;

/// Verifies a received message against every active secret. Signatures are
/// compared in constant time; unknown versions (`v1a,...`) are skipped.
[[nodiscard]] verify_result verify(std::span<const secret> keys, const received_headers& headers,
                                   std::string_view body, std::chrono::sys_seconds now,
                                   std::chrono::seconds tolerance = default_tolerance);

} // namespace dwt::outbound::standard_webhooks
