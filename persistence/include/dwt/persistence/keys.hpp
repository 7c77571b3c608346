#pragma once
/// @file
/// Key layouts of the named databases. Integers are big-endian so LMDB's
/// bytewise order equals numeric order; variable-length ids inside compound
/// keys carry a one-byte length prefix so a prefix scan never matches a
/// longer id that merely starts with the same bytes. Keys never contain a
/// PAN: cards are found by `pan_hash`, a keyed hash.
///
/// Threading: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace dwt::persistence::keys {

/// Maximum length of any id (partner, profile, card, token ref, event id)
/// used as or inside a key.
inline constexpr std::size_t max_id_size = 128;
/// Maximum length of an Idempotency-Key.
inline constexpr std::size_t max_idempotency_key_size = 255;
/// Maximum length of a counter name.
inline constexpr std::size_t max_counter_name_size = 255;

/// True if `id` is non-empty and at most max_id_size bytes.
[[nodiscard]] constexpr bool valid_id(std::string_view id) noexcept {
  return !id.empty() && id.size() <= max_id_size;
}

/// Appends `v` as 4 big-endian bytes.
void append_be32(std::string& out, std::uint32_t v);
/// Appends `v` as 8 big-endian bytes.
void append_be64(std::string& out, std::uint64_t v);
/// Reads 4 big-endian bytes; nullopt if `in` is not exactly 4 bytes.
[[nodiscard]] std::optional<std::uint32_t> read_be32(std::string_view in) noexcept;
/// Reads 8 big-endian bytes; nullopt if `in` is not exactly 8 bytes.
[[nodiscard]] std::optional<std::uint64_t> read_be64(std::string_view in) noexcept;

/// len8(id) | id. Precondition: valid_id(id).
[[nodiscard]] std::string prefixed(std::string_view id);

/// cards_by_pan_hash: len8 pan hash | partner id. PAN uniqueness is per
/// partner; a prefix scan (`cards_by_pan_prefix`) finds every partner's card
/// with that PAN.
[[nodiscard]] std::string card_by_pan(std::string_view pan_hash, std::string_view partner);
/// The prefix of every cards_by_pan_hash key of one PAN hash: len8 pan hash.
[[nodiscard]] std::string cards_by_pan_prefix(std::string_view pan_hash);

/// tokens_by_card: len8 card id | token ref.
[[nodiscard]] std::string token_by_card(std::string_view card, std::string_view token);
/// The prefix of all tokens_by_card keys of one card: len8 card id.
[[nodiscard]] std::string tokens_of_card_prefix(std::string_view card);

/// history: len8 token ref | be u32 seq.
[[nodiscard]] std::string history(std::string_view token, std::uint32_t seq);
/// The prefix of all history keys of one token.
[[nodiscard]] std::string history_prefix(std::string_view token);

/// outbox, outbox_pending: be u64 seq.
[[nodiscard]] std::string outbox(std::uint64_t seq);

/// delivery_attempts: be u64 seq | be u32 attempt_no. The prefix of one
/// event's attempts is `outbox(seq)`.
[[nodiscard]] std::string delivery_attempt(std::uint64_t seq, std::uint32_t attempt_no);

/// outbox_by_partner: len8 partner id | be u64 seq.
[[nodiscard]] std::string outbox_by_partner(std::string_view partner, std::uint64_t seq);

/// idempotency: len8 partner id | key.
[[nodiscard]] std::string idempotency(std::string_view partner, std::string_view key);

/// idempotency_by_expiry: be u64 expires_ms (negative clamps to 0) |
/// len8 partner id | key.
[[nodiscard]] std::string idempotency_expiry(std::int64_t expires_ms, std::string_view partner,
                                             std::string_view key);

/// token_deadlines: be u64 deadline ms (negative clamps to 0) | token ref.
/// Keys sort by deadline, so the due entries are a prefix of the database.
[[nodiscard]] std::string token_deadline(std::int64_t at_ms, std::string_view token);
/// The (deadline ms, token ref) of a token_deadlines key; nullopt if it is
/// shorter than 9 bytes.
[[nodiscard]] std::optional<std::pair<std::uint64_t, std::string_view>>
read_token_deadline(std::string_view key) noexcept;

/// tokens_by_network_ref: u8 network | the network's token id. The
/// network byte is engine::card_network's value (never none). Precondition:
/// valid_id(network_ref).
[[nodiscard]] std::string token_by_network_ref(std::uint8_t network, std::string_view network_ref);

/// meta keys.
inline constexpr std::string_view meta_schema_version = "schema_version";
inline constexpr std::string_view meta_outbox_last_seq = "outbox_last_seq";
/// be u64: the highest network_commands seq assigned.
inline constexpr std::string_view meta_network_command_last_seq = "network_command_last_seq";
/// be u64: the number of `tokens` entries that `tokens_requested` accounts
/// for (kept equal by put_token / erase_token; a mismatch at open, or its
/// absence, means the index must be rebuilt).
inline constexpr std::string_view meta_requested_indexed_tokens = "requested_indexed_tokens";

} // namespace dwt::persistence::keys
