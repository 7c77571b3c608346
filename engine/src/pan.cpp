#include "dwt/engine/pan.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <span>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/crypto.hpp"
#include "dwt/engine/luhn.hpp"

namespace dwt::engine::pan {

namespace {

[[nodiscard]] constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

[[nodiscard]] bool all_digits(std::string_view s) noexcept {
  for (char c : s)
    if (!is_digit(c))
      return false;
  return true;
}

/// RFC 4648 base32 alphabet, upper case (token refs).
constexpr std::string_view base32_upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// The same, lower case (ids).
constexpr std::string_view base32_lower = "abcdefghijklmnopqrstuvwxyz234567";

void append_base32(std::string& out, std::size_t n, std::string_view alphabet, random_source& rng) {
  DWT_ASSERT(alphabet.size() == 32);
  // One random byte per symbol, all drawn at once: 256 is a multiple of 32,
  // so the low five bits of a uniform byte are a uniform symbol. (A
  // `uniform(32)` per symbol drew 8 bytes through a separate call each,
  // ~100 calls per push provisioning; bench/README.md.)
  constexpr std::size_t max_symbols = 32;
  DWT_ASSERT(n <= max_symbols);
  std::array<std::byte, max_symbols> bytes{};
  const std::span<std::byte> drawn{bytes.data(), n};
  rng.fill(drawn);
  for (const std::byte b : drawn)
    out.push_back(alphabet[std::to_integer<unsigned>(b) & 31U]);
}

/// RFC 4648 section 7 "base32hex": its symbols sort like their values, so
/// a big-endian number written in it sorts bytewise like the number.
constexpr std::string_view base32hex_upper = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
constexpr std::string_view base32hex_lower = "0123456789abcdefghijklmnopqrstuv";

/// Appends the milliseconds of `now` since the Unix epoch (clamped to
/// [0, 2^50)) as time_prefix_chars big-endian base32hex symbols.
void append_time_prefix(std::string& out, timestamp now, std::string_view alphabet) {
  constexpr std::uint64_t limit = std::uint64_t{1} << (5 * time_prefix_chars);
  auto ms = to_millis(now);
  auto v = ms < 0 ? std::uint64_t{0} : std::min(static_cast<std::uint64_t>(ms), limit - 1);
  for (std::size_t i = time_prefix_chars; i-- > 0;)
    out.push_back(alphabet[(v >> (5 * i)) & 31U]);
}

} // namespace

bool luhn_valid(std::string_view digits) noexcept {
  if (digits.empty() || !all_digits(digits))
    return false;
  return luhn::sum(digits, false) % 10 == 0;
}

char luhn_check_digit(std::string_view partial) noexcept {
  DWT_ASSERT(all_digits(partial));
  return luhn::check_digit(partial);
}

errc validate(std::string_view pan) noexcept {
  if (pan.size() < 12 || pan.size() > 19 || !luhn_valid(pan))
    return errc::invalid_pan;
  return errc::ok;
}

errc validate_expiry(unsigned month, unsigned year, timestamp now) noexcept {
  if (month < 1 || month > 12 || year < 1000 || year > 9999)
    return errc::invalid_expiry;
  const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(now)};
  const int now_year = static_cast<int>(today.year());
  const unsigned now_month = static_cast<unsigned>(today.month());
  const int y = static_cast<int>(year);
  if (y < now_year || (y == now_year && month < now_month))
    return errc::invalid_expiry;
  return errc::ok;
}

std::string lookup_hash(std::string_view pan_key, std::string_view pan) {
  return crypto::hmac_sha256(pan_key, pan);
}

std::string last4(std::string_view pan) {
  DWT_ASSERT(pan.size() >= 4);
  return std::string{pan.substr(pan.size() - 4)};
}

std::uint64_t bin_prefix(std::string_view pan, unsigned digits) noexcept {
  if (pan.size() < digits)
    return 0;
  std::uint64_t v = 0;
  for (unsigned i = 0; i < digits; ++i) {
    if (!is_digit(pan[i]))
      return 0;
    v = v * 10 + static_cast<std::uint64_t>(pan[i] - '0');
  }
  return v;
}

bool in_range(std::string_view pan, const bin_range& range) noexcept {
  if (range.digits == 0 || pan.size() < range.digits || !all_digits(pan.substr(0, range.digits)))
    return false;
  const auto prefix = bin_prefix(pan, range.digits);
  return prefix >= range.low && prefix <= range.high;
}

std::optional<std::string> seal(std::string_view key, std::string_view pan, const card_id& card,
                                random_source& rng) {
  return crypto::aes256_gcm_seal(key, pan, card.str(), rng);
}

std::optional<std::string> open(std::string_view key, std::string_view sealed,
                                const card_id& card) {
  return crypto::aes256_gcm_open(key, sealed, card.str());
}

std::string generate_dpan(std::string_view token_bin, unsigned length, random_source& rng) {
  DWT_ASSERT(token_bin.size() >= 6 && token_bin.size() <= 8 && all_digits(token_bin));
  DWT_ASSERT(length >= 12 && length <= 19);
  std::string out{token_bin};
  out.reserve(length);
  // The account digits as one number drawn uniformly below 10^n, written
  // with leading zeros: the same distribution as a draw per digit (each
  // digit uniform and independent) for one call and one rejection test
  // instead of up to 12. n <= 19 - 1 - 6 = 12, so 10^n fits in 64 bits.
  const std::size_t n = length - 1 - out.size();
  std::uint64_t bound = 1;
  for (std::size_t i = 0; i < n; ++i)
    bound *= 10;
  auto account = rng.uniform(bound);
  out.resize(length - 1);
  for (std::size_t i = length - 1; i > token_bin.size(); --i) {
    out[i - 1] = static_cast<char>('0' + account % 10);
    account /= 10;
  }
  out.push_back(luhn_check_digit(out));
  return out;
}

token_ref generate_token_ref(timestamp now, random_source& rng) {
  std::string out{"DWT"};
  out.reserve(32);
  append_time_prefix(out, now, base32hex_upper);
  append_base32(out, 29 - time_prefix_chars, base32_upper, rng);
  return token_ref{std::move(out)};
}

std::string generate_time_ordered_id(std::string_view prefix, timestamp now, random_source& rng) {
  std::string out{prefix};
  out.reserve(prefix.size() + 26);
  append_time_prefix(out, now, base32hex_lower);
  append_base32(out, 26 - time_prefix_chars, base32_lower, rng);
  return out;
}

std::string generate_id(std::string_view prefix, random_source& rng) {
  std::string out{prefix};
  out.reserve(prefix.size() + 26);
  append_base32(out, 26, base32_lower, rng);
  return out;
}

} // namespace dwt::engine::pan
