#pragma once
/// @file
/// Compact, versioned binary encoding of every stored record.
///
/// Format: 1 byte record tag (`record_tag`), 1 byte codec version, then the
/// fields in declaration order: unsigned integers as LEB128 varints, signed
/// ones (timestamps in ms, dates in days since 1970-01-01) as zigzag
/// varints, enums as one byte, booleans as one byte (0/1), strings as a
/// varint length followed by the bytes, optionals as a presence byte (0/1)
/// followed by the value.
///
/// Decoders never trust their input: truncation, lengths past the end, bad
/// enum values, bad presence/boolean bytes, out-of-range integers, trailing
/// bytes and a wrong tag give errc::corrupt_record; an unknown version gives
/// errc::unsupported_version. No input causes UB or a crash.
///
/// Threading: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "dwt/engine/types.hpp"
#include "dwt/persistence/records.hpp"
#include "dwt/persistence/result.hpp"

namespace dwt::persistence::codec {

/// First byte of every encoded record. Stable: never renumber.
enum class record_tag : std::uint8_t {
  partner = 1,
  profile = 2,
  card = 3,
  token = 4,
  transition = 5,
  challenge = 6,
  outbox_event = 7,
  idempotency = 8,
  delivery_state = 9,
  delivery_attempt = 10,
  network_command = 11,
};

/// The codec version this build writes (and the only one it reads).
inline constexpr std::uint8_t current_version = 1;

[[nodiscard]] std::string encode(const engine::partner_record& r);
[[nodiscard]] std::string encode(const engine::profile_record& r);
[[nodiscard]] std::string encode(const engine::card_record& r);
[[nodiscard]] std::string encode(const engine::token_record& r);
[[nodiscard]] std::string encode(const engine::transition_record& r);
[[nodiscard]] std::string encode(const engine::verification_challenge& r);
[[nodiscard]] std::string encode(const outbox_event& r);
[[nodiscard]] std::string encode(const idempotency_record& r);
[[nodiscard]] std::string encode(const delivery_state& r);
[[nodiscard]] std::string encode(const delivery_attempt_record& r);
[[nodiscard]] std::string encode(const network_command& r);

/// Decodes a record of type T (one of the types `encode` accepts).
/// Errors: errc::corrupt_record, errc::unsupported_version.
template <class T>
[[nodiscard]] result<T> decode(std::string_view bytes);

template <>
result<engine::partner_record> decode<engine::partner_record>(std::string_view bytes);
template <>
result<engine::profile_record> decode<engine::profile_record>(std::string_view bytes);
template <>
result<engine::card_record> decode<engine::card_record>(std::string_view bytes);
template <>
result<engine::token_record> decode<engine::token_record>(std::string_view bytes);
template <>
result<engine::transition_record> decode<engine::transition_record>(std::string_view bytes);
template <>
result<engine::verification_challenge>
decode<engine::verification_challenge>(std::string_view bytes);
template <>
result<outbox_event> decode<outbox_event>(std::string_view bytes);
template <>
result<idempotency_record> decode<idempotency_record>(std::string_view bytes);
template <>
result<delivery_state> decode<delivery_state>(std::string_view bytes);
template <>
result<delivery_attempt_record> decode<delivery_attempt_record>(std::string_view bytes);
template <>
result<network_command> decode<network_command>(std::string_view bytes);

} // namespace dwt::persistence::codec
