#pragma once
/// @file
/// Core value types of the dwt domain: strong ids, enumerations and the plain
/// records that the state machine, the persistence layer and the actors pass
/// around. Everything here is a value: no I/O, no clock, no randomness.
///
/// Threading: all types are regular values; share them by copy.

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dwt::engine {

// -- time --------------------------------------------------------------------

/// Wall-clock instant with millisecond resolution. The engine never reads a
/// clock: callers pass the current time in.
using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// Milliseconds since the Unix epoch, for encoding.
[[nodiscard]] constexpr std::int64_t to_millis(timestamp t) noexcept {
  return t.time_since_epoch().count();
}

/// Inverse of `to_millis`.
[[nodiscard]] constexpr timestamp from_millis(std::int64_t ms) noexcept {
  return timestamp{std::chrono::milliseconds{ms}};
}

/// A calendar date (used for partner onboarding dates).
using date = std::chrono::year_month_day;

// -- strong ids --------------------------------------------------------------

/// A string id that cannot be mixed up with an id of another kind.
template <class Tag>
struct strong_id {
  std::string value;

  strong_id() = default;
  explicit strong_id(std::string v) : value(std::move(v)) {}

  [[nodiscard]] bool empty() const noexcept { return value.empty(); }
  [[nodiscard]] const std::string& str() const noexcept { return value; }

  friend auto operator<=>(const strong_id&, const strong_id&) = default;
  friend bool operator==(const strong_id&, const strong_id&) = default;
};

using card_id = strong_id<struct card_id_tag>;
using profile_id = strong_id<struct profile_id_tag>;
using partner_id = strong_id<struct partner_id_tag>;
/// The token unique reference (TUR): opaque, unique, shared with the network.
using token_ref = strong_id<struct token_ref_tag>;

// -- enumerations ------------------------------------------------------------
// Each enum has `to_string` (the API's SCREAMING_SNAKE spelling) and
// `parse_<name>` (returns nullopt on an unknown spelling) in enums.hpp.

/// Lifecycle state of a digital wallet token (docs/API.md, Token lifecycle).
enum class token_state : std::uint8_t {
  requested = 0,
  active = 1,
  suspended = 2,
  terminated = 3,       ///< final
  request_declined = 4, ///< final
};

/// Fulfillment status, separate from the state. `pending` until the token is
/// first ACTIVE (`provisioned`) or the request is declined (`rejected`).
/// Once set to provisioned or rejected it never changes again.
enum class fulfillment_status : std::uint8_t {
  pending = 0,
  provisioned = 1,
  rejected = 2,
};

/// State of a card, as set by its partner.
enum class card_state : std::uint8_t {
  active = 0,
  suspended = 1,
  terminated = 2, ///< final
};

enum class card_type : std::uint8_t { virtual_card = 0, physical = 1 };

enum class wallet_provider : std::uint8_t {
  apple_pay = 0,
  google_pay = 1,
  samsung_pay = 2,
};

enum class device_type : std::uint8_t { phone = 0, watch = 1, tablet = 2, other = 3 };

/// The wallet's own risk recommendation; the engine is never more permissive.
enum class wallet_recommendation : std::uint8_t { green = 0, yellow = 1, red = 2 };

/// Who caused a transition.
enum class channel : std::uint8_t {
  network = 0,      ///< the token service provider / wallet
  partner_api = 1,  ///< the issuer's partner through the API
  card_cascade = 2, ///< a change of the card's state
  system = 3,       ///< the engine itself (expiry, exhausted attempts)
};

enum class verification_method : std::uint8_t { sms_otp = 0, in_app = 1 };

/// Outcome of a tokenisation request.
enum class decision : std::uint8_t {
  approved = 0,
  require_verification = 1,
  declined = 2,
};

/// Network lifecycle events for a token.
enum class network_event : std::uint8_t {
  device_lost = 0,        ///< suspend
  device_found = 1,       ///< resume a network suspension
  deleted_from_wallet = 2 ///< terminate
};

/// Partner answer on the activation endpoint.
enum class activation : std::uint8_t { approve = 0, decline = 1 };

/// The card network a token came through: none for dwt's own
/// network-neutral API (/network/v1) and push provisioning.
enum class card_network : std::uint8_t { none = 0, mdes = 1, vts = 2 };

// -- records -----------------------------------------------------------------

struct device_info {
  std::string id;
  device_type type = device_type::phone;
  std::string name;
  friend bool operator==(const device_info&, const device_info&) = default;
};

/// The network's risk inputs to a tokenisation decision, kept on the token
/// so a partner can see why it was decided so. Never a PAN, never a
/// security code (only the outcome of its check). Texts are as the network
/// sent them (bounded by the adapter that parsed them).
struct network_risk {
  /// e.g. APPROVED, DECLINED, REQUIRE_ADDITIONAL_AUTHENTICATION.
  std::string recommended_decision;
  std::string recommendation_standard_version;
  std::optional<std::uint32_t> device_score;
  std::optional<std::uint32_t> account_score;
  std::optional<std::uint32_t> phone_number_score;
  /// e.g. ACCOUNT_TOO_NEW, HAS_SUSPENDED_TOKENS.
  std::vector<std::string> recommendation_reasons;
  /// The network's count of the card's active tokens.
  std::optional<std::uint32_t> active_token_count;
  /// MATCH | INVALID | NOT_PROCESSED (what was answered); empty: no code
  /// was sent.
  std::string cvc_result;
  /// The card data's dataValidUntilTimestamp.
  std::optional<timestamp> data_valid_until;
  /// CARD_ON_FILE | CARD_ADDED_MANUALLY | CARD_ADDED_VIA_APPLICATION.
  std::string card_source;
  friend bool operator==(const network_risk&, const network_risk&) = default;
};

/// What a card network identifies a token by and what it said of the
/// device, kept on the token record (issue #21). The IMEI and MSISDN the
/// network may send are personal data dwt does not need: never kept.
struct network_identity {
  card_network network = card_network::none;
  /// The network's token id (MDES tokenUniqueReference); empty until the
  /// network names it (MDES: deliverActivationCode / notifyServiceActivated).
  std::string token_unique_reference;
  std::string pan_unique_reference;
  std::string correlation_id;
  std::string token_requestor_id;
  std::string wallet_id;
  std::string payment_app_instance_id;
  /// EMBEDDED_SE | CLOUD | STATIC (as sent).
  std::string token_type;
  /// The token's own expiry, MMYY; its last four are token_record::token_last4.
  std::string token_expiry;
  std::string device_name;
  std::string serial_number;
  std::string form_factor;
  std::string iso_device_type;
  std::string os_name;
  std::string os_version;
  network_risk risk;
  friend bool operator==(const network_identity&, const network_identity&) = default;
};

/// A partner (the issuer's customer) and its per-partner policy.
struct partner_record {
  partner_id id;
  std::string name;
  date onboarded_on{};
  /// Partners onboarded before 2025-03-01 send SMS to the card's phone until
  /// migrated; this flag marks the migration.
  bool sms_destination_migrated = false;
  /// Cap of ACTIVE + SUSPENDED tokens per card.
  std::uint32_t max_tokens_per_card = 25;
  friend bool operator==(const partner_record&, const partner_record&) = default;
};

struct profile_record {
  profile_id id;
  partner_id partner;
  std::string phone_number; ///< E.164
  std::optional<std::string> email;
  timestamp created_at{};
  timestamp updated_at{};
  friend bool operator==(const profile_record&, const profile_record&) = default;
};

struct card_record {
  card_id id;
  profile_id profile;
  partner_id partner;
  /// Keyed hash (HMAC-SHA256) of the PAN, raw 32 bytes; for look-up only.
  std::string pan_hash;
  std::string last4;
  /// AES-256-GCM sealed PAN (nonce | ciphertext | tag); empty if not kept.
  std::string pan_sealed;
  std::uint8_t expiry_month = 0;
  std::uint16_t expiry_year = 0;
  std::string card_product;
  card_type type = card_type::virtual_card;
  card_state state = card_state::active;
  /// Phone stored on the card (legacy SMS destination), E.164.
  std::optional<std::string> phone_number;
  timestamp created_at{};
  timestamp updated_at{};
  friend bool operator==(const card_record&, const card_record&) = default;
};

struct token_record {
  token_ref ref;
  card_id card;
  partner_id partner;
  wallet_provider wallet = wallet_provider::apple_pay;
  device_info device;
  token_state state = token_state::requested;
  fulfillment_status fulfillment = fulfillment_status::pending;
  /// Who suspended the token; meaningful only while SUSPENDED.
  channel suspended_by = channel::system;
  std::string last4;       ///< card's last four
  std::string token_last4; ///< DPAN's last four
  timestamp created_at{};
  timestamp updated_at{};
  /// Number of transitions recorded so far (next history sequence number).
  std::uint32_t history_count = 0;
  /// Set when the token came through a card network's adapter.
  std::optional<network_identity> network;
  friend bool operator==(const token_record&, const token_record&) = default;
};

/// One DigitalWalletTokenTransition: recorded in history, sent as webhook.
struct transition_record {
  std::string id;
  token_ref token;
  card_id card;
  /// Empty for the creation record (the token did not exist before).
  std::optional<token_state> from_state;
  token_state to_state = token_state::requested;
  fulfillment_status fulfillment = fulfillment_status::pending;
  std::string reason;
  channel by = channel::system;
  timestamp created_at{};
  friend bool operator==(const transition_record&, const transition_record&) = default;
};

/// Pending step-up verification of one token.
struct verification_challenge {
  token_ref token;
  verification_method method = verification_method::sms_otp;
  /// HMAC-SHA256 of the OTP under the OTP key (raw 32 bytes); empty for IN_APP.
  std::string code_hash;
  std::string destination_masked;
  timestamp issued_at{};
  timestamp expires_at{};
  std::uint8_t wrong_attempts = 0;
  std::uint8_t resends = 0;
  friend bool operator==(const verification_challenge&, const verification_challenge&) = default;
};

/// An inclusive range of 6-to-8-digit BIN prefixes, e.g. 400000..499999.
struct bin_range {
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  std::uint8_t digits = 6; ///< how many leading PAN digits are compared
  friend bool operator==(const bin_range&, const bin_range&) = default;
};

/// A card product as configured by the issuer.
struct card_product {
  std::string name;
  std::vector<bin_range> bins;
  bool tokenization_enabled = false;
  friend bool operator==(const card_product&, const card_product&) = default;
};

} // namespace dwt::engine

template <class Tag>
struct std::hash<dwt::engine::strong_id<Tag>> {
  std::size_t operator()(const dwt::engine::strong_id<Tag>& x) const noexcept {
    return std::hash<std::string>{}(x.value);
  }
};
