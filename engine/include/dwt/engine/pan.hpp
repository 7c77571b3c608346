#pragma once
/// @file
/// PAN handling: validation, keyed look-up hash, last four, sealing; token
/// numbers (DPAN) and token unique references.
///
/// A PAN never leaves these functions in clear except as their input.
/// Threading: reentrant; the random_source argument is the caller's.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dwt/engine/errc.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/engine/types.hpp"

namespace dwt::engine::pan {

/// True if `digits` is all decimal digits and passes the Luhn check.
[[nodiscard]] bool luhn_valid(std::string_view digits) noexcept;

/// The Luhn check digit to append to `partial` (all digits).
[[nodiscard]] char luhn_check_digit(std::string_view partial) noexcept;

/// Validates a PAN: 12 to 19 digits, Luhn-valid. Returns errc::ok or
/// errc::invalid_pan.
[[nodiscard]] errc validate(std::string_view pan) noexcept;

/// Validates an expiry (month 1-12, year 4 digits) against `now`: a card is
/// valid through the last day of its expiry month. errc::ok or
/// errc::invalid_expiry.
[[nodiscard]] errc validate_expiry(unsigned month, unsigned year, timestamp now) noexcept;

/// Keyed look-up hash: HMAC-SHA256(pan_key, pan), 32 raw bytes.
[[nodiscard]] std::string lookup_hash(std::string_view pan_key, std::string_view pan);

/// The last four digits (the PAN must be valid).
[[nodiscard]] std::string last4(std::string_view pan);

/// The leading `digits` digits as a number (for BIN range matching).
[[nodiscard]] std::uint64_t bin_prefix(std::string_view pan, unsigned digits) noexcept;

/// True if the PAN's BIN lies in the range.
[[nodiscard]] bool in_range(std::string_view pan, const bin_range& range) noexcept;

/// Seals the PAN with AES-256-GCM; the card id is the associated data, so
/// a sealed PAN cannot be moved to another card. nullopt on a bad key.
[[nodiscard]] std::optional<std::string> seal(std::string_view key, std::string_view pan,
                                              const card_id& card, random_source& rng);

/// Opens a sealed PAN; nullopt if the key, card or bytes do not match.
[[nodiscard]] std::optional<std::string> open(std::string_view key, std::string_view sealed,
                                              const card_id& card);

/// Generates a Luhn-valid token number (DPAN) of `length` digits starting
/// with the token BIN `token_bin` (6-8 digits).
[[nodiscard]] std::string generate_dpan(std::string_view token_bin, unsigned length,
                                        random_source& rng);

/// Symbols of the creation-time prefix of time-ordered ids: 10 base32hex
/// symbols = 50 bits of milliseconds since the Unix epoch (to year 37648).
inline constexpr std::size_t time_prefix_chars = 10;

/// Generates an opaque token unique reference: "DWT" + 10 base32hex
/// symbols of `now` (RFC 4648 section 7, which sorts like its values) + 19
/// random RFC 4648 base32 symbols (95 bits, so collisions are negligible).
/// Refs created later sort after earlier ones (to the millisecond), so the
/// LMDB tables keyed by token ref (tokens, history) grow at their end
/// instead of dirtying a random leaf page per insert (the design probe:
/// random keys cost ~16x monotonic ones per durable commit).
[[nodiscard]] token_ref generate_token_ref(timestamp now, random_source& rng);

/// Generates an opaque id with a type prefix, e.g. "card_" + 26 random
/// base32 symbols (for ids that are not keys of a growing table).
[[nodiscard]] std::string generate_id(std::string_view prefix, random_source& rng);

/// Generates an id like generate_id whose 26 symbols are 10 base32hex
/// symbols of `now` and 16 random base32 symbols (80 bits): ids of records
/// keyed by id (cards, profiles, webhook events) sort by creation time.
[[nodiscard]] std::string generate_time_ordered_id(std::string_view prefix, timestamp now,
                                                   random_source& rng);

} // namespace dwt::engine::pan
