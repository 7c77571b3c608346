/// Fuzz target: the engine's text parsers and validators, all fed the same
/// input: RFC 3339 (parse, and formatting of an arbitrary timestamp), every
/// enum parser, PAN validation and Luhn, hex and base64 decoding, and the
/// phone helpers. Properties: what parses formats back to the same value
/// (enums and base64 and hex exactly, RFC 3339 to the same instant); PAN
/// validation implies Luhn, 12-19 digits and a consistent check digit; an
/// E.164 number's mask keeps its length, '+' and last four digits only.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "dwt/engine/crypto.hpp"
#include "dwt/engine/decision.hpp"
#include "dwt/engine/enums.hpp"
#include "dwt/engine/json.hpp"
#include "dwt/engine/pan.hpp"
#include "fuzz_check.hpp"

namespace {

namespace e = dwt::engine;

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <class Parse>
void enum_round_trip(std::string_view s, Parse parse) {
  if (auto v = parse(s))
    DWT_FUZZ_CHECK(e::to_string(*v) == s);
}

void enums(std::string_view s) {
  enum_round_trip(s, e::parse_token_state);
  enum_round_trip(s, e::parse_card_state);
  enum_round_trip(s, e::parse_card_type);
  enum_round_trip(s, e::parse_wallet_provider);
  enum_round_trip(s, e::parse_device_type);
  enum_round_trip(s, e::parse_wallet_recommendation);
  enum_round_trip(s, e::parse_verification_method);
  enum_round_trip(s, e::parse_network_event);
  enum_round_trip(s, e::parse_activation);
  enum_round_trip(s, e::parse_fulfillment_status);
  enum_round_trip(s, e::parse_channel);
  enum_round_trip(s, e::parse_decision);
}

void times(std::string_view s) {
  if (auto t = e::json::parse_rfc3339(s)) {
    const std::string formatted = e::json::rfc3339(*t);
    auto again = e::json::parse_rfc3339(formatted);
    DWT_FUZZ_CHECK(again.has_value());
    DWT_FUZZ_CHECK(*again == *t);
  }
  // Formatting any stored timestamp (a decoded record may hold any i64).
  if (s.size() >= 8) {
    std::int64_t ms = 0;
    std::memcpy(&ms, s.data(), sizeof ms);
    // Always four-digit years (clamped), so the text parses back.
    DWT_FUZZ_CHECK(e::json::parse_rfc3339(e::json::rfc3339(e::from_millis(ms))).has_value());
  }
}

void pans(std::string_view s) {
  const bool luhn = e::pan::luhn_valid(s);
  if (luhn && !s.empty())
    DWT_FUZZ_CHECK(e::pan::luhn_check_digit(s.substr(0, s.size() - 1)) == s.back());
  if (e::pan::validate(s) != e::errc::ok)
    return;
  DWT_FUZZ_CHECK(luhn && all_digits(s) && s.size() >= 12 && s.size() <= 19);
  DWT_FUZZ_CHECK(e::pan::last4(s) == s.substr(s.size() - 4));
  for (unsigned digits = 6; digits <= 8; ++digits) {
    const auto prefix = e::pan::bin_prefix(s, digits);
    DWT_FUZZ_CHECK(
        e::pan::in_range(s, e::bin_range{prefix, prefix, static_cast<std::uint8_t>(digits)}));
  }
}

void codecs(std::string_view s) {
  if (auto bytes = e::crypto::hex_decode(s)) {
    std::string lower{s};
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    DWT_FUZZ_CHECK(e::crypto::hex_encode(*bytes) == lower);
  }
  if (auto bytes = e::crypto::base64_decode(s))
    DWT_FUZZ_CHECK(e::crypto::base64_encode(*bytes) == s);
}

void phones(std::string_view s) {
  const std::string masked = e::mask_phone(s);
  DWT_FUZZ_CHECK(masked.size() == s.size());
  if (!e::is_e164(s))
    return;
  DWT_FUZZ_CHECK(s.size() >= 9 && s.size() <= 16 && s[0] == '+' && all_digits(s.substr(1)));
  DWT_FUZZ_CHECK(masked[0] == '+');
  DWT_FUZZ_CHECK(masked.substr(masked.size() - 4) == s.substr(s.size() - 4));
  DWT_FUZZ_CHECK(std::count(masked.begin(), masked.end(), '*') ==
                 static_cast<std::ptrdiff_t>(s.size() - 5));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s{reinterpret_cast<const char*>(data), size};
  enums(s);
  times(s);
  pans(s);
  codecs(s);
  phones(s);
  return 0;
}
