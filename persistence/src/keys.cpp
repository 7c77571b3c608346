#include "dwt/persistence/keys.hpp"

#include <algorithm>

namespace dwt::persistence::keys {

void append_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xFFu));
}

void append_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xFFu));
}

std::optional<std::uint32_t> read_be32(std::string_view in) noexcept {
  if (in.size() != 4)
    return std::nullopt;
  std::uint32_t v = 0;
  for (char c : in)
    v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

std::optional<std::uint64_t> read_be64(std::string_view in) noexcept {
  if (in.size() != 8)
    return std::nullopt;
  std::uint64_t v = 0;
  for (char c : in)
    v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

std::string prefixed(std::string_view id) {
  std::string out;
  out.reserve(1 + id.size());
  // Callers validate ids (<= max_id_size < 256); clamp so a bad call can
  // never write a length byte that disagrees with the bytes that follow.
  auto n = std::min(id.size(), max_id_size);
  out.push_back(static_cast<char>(n));
  out.append(id.substr(0, n));
  return out;
}

std::string card_by_pan(std::string_view pan_hash, std::string_view partner) {
  auto out = prefixed(pan_hash);
  out.append(partner);
  return out;
}

std::string cards_by_pan_prefix(std::string_view pan_hash) {
  return prefixed(pan_hash);
}

std::string token_by_card(std::string_view card, std::string_view token) {
  auto out = prefixed(card);
  out.append(token);
  return out;
}

std::string tokens_of_card_prefix(std::string_view card) {
  return prefixed(card);
}

std::string history(std::string_view token, std::uint32_t seq) {
  auto out = prefixed(token);
  append_be32(out, seq);
  return out;
}

std::string history_prefix(std::string_view token) {
  return prefixed(token);
}

std::string outbox(std::uint64_t seq) {
  std::string out;
  out.reserve(8);
  append_be64(out, seq);
  return out;
}

std::string delivery_attempt(std::uint64_t seq, std::uint32_t attempt_no) {
  auto out = outbox(seq);
  append_be32(out, attempt_no);
  return out;
}

std::string outbox_by_partner(std::string_view partner, std::uint64_t seq) {
  auto out = prefixed(partner);
  append_be64(out, seq);
  return out;
}

std::string idempotency(std::string_view partner, std::string_view key) {
  auto out = prefixed(partner);
  out.append(key);
  return out;
}

std::string idempotency_expiry(std::int64_t expires_ms, std::string_view partner,
                               std::string_view key) {
  std::string out;
  out.reserve(8 + 1 + partner.size() + key.size());
  append_be64(out, expires_ms < 0 ? 0 : static_cast<std::uint64_t>(expires_ms));
  out.append(idempotency(partner, key));
  return out;
}

std::string token_by_network_ref(std::uint8_t network, std::string_view network_ref) {
  std::string out;
  out.reserve(1 + network_ref.size());
  out.push_back(static_cast<char>(network));
  out.append(network_ref);
  return out;
}

std::string token_deadline(std::int64_t at_ms, std::string_view token) {
  std::string out;
  out.reserve(8 + token.size());
  append_be64(out, at_ms < 0 ? 0 : static_cast<std::uint64_t>(at_ms));
  out.append(token);
  return out;
}

std::optional<std::pair<std::uint64_t, std::string_view>>
read_token_deadline(std::string_view key) noexcept {
  if (key.size() < 9)
    return std::nullopt;
  auto at = read_be64(key.substr(0, 8));
  if (!at)
    return std::nullopt;
  return std::make_pair(*at, key.substr(8));
}

} // namespace dwt::persistence::keys
