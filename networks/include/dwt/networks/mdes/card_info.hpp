#pragma once
/// @file
/// The decrypted `cardInfo.encryptedData` of MDES (public MDES issuer documentation):
/// `accountNumber`, `expiryMonth`, `expiryYear`, `source`,
/// `cardholderName`, `securityCode`, `dataValidUntilTimestamp`,
/// `billingAddress{line1, line2, city, countrySubdivision, postalCode,
/// country}`. Read leniently: unknown fields are ignored (networks add
/// fields), absent optional fields stay empty.
///
/// The PAN and the security code are held in `secret_bytes` (wiped on
/// destruction) and the JSON is parsed in a wiped arena; `card_info` has no
/// stream operator. Whether the card is expired or the data is past
/// `dataValidUntilTimestamp` is for the caller to decide with its clock.
///
/// Threading: pure functions; a card_info is a plain (move-only) value.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "dwt/engine/types.hpp"
#include "dwt/networks/secret.hpp"

namespace dwt::networks::mdes {

/// Named bounds of the card data.
namespace card_info_limits {
/// The whole decrypted JSON text.
inline constexpr std::size_t max_json_bytes = 8 * 1024;
inline constexpr std::size_t max_cardholder_name = 128;
inline constexpr std::size_t max_address_line = 128;
inline constexpr std::size_t max_city = 64;
inline constexpr std::size_t max_country_subdivision = 16;
inline constexpr std::size_t max_postal_code = 16;
inline constexpr std::size_t max_country = 3;
inline constexpr std::size_t max_source = 64;
inline constexpr std::size_t max_timestamp = 64;
} // namespace card_info_limits

/// How the cardholder gave the card to the wallet.
enum class card_source : std::uint8_t {
  /// The field was absent.
  unspecified,
  card_on_file,
  card_added_manually,
  card_added_via_application,
  /// A value this version does not know (kept leniently).
  other,
};

/// `source` spelling → card_source (absent is unspecified, unknown other).
[[nodiscard]] card_source parse_card_source(std::optional<std::string_view> s) noexcept;
/// The API spelling ("CARD_ON_FILE" ...); "" for unspecified / other.
[[nodiscard]] std::string_view to_string(card_source s) noexcept;

struct billing_address {
  std::string line1;
  std::string line2;
  std::string city;
  std::string country_subdivision;
  std::string postal_code;
  std::string country;
};

struct card_info {
  /// 12-19 digits, Luhn-valid. Never log or render it.
  secret_bytes account_number;
  /// 1-12.
  unsigned expiry_month = 0;
  /// Four digits ("YY" on the wire is 20YY).
  unsigned expiry_year = 0;
  card_source source = card_source::unspecified;
  std::string cardholder_name;
  /// 3 or 4 digits when present (empty: absent). Never stored.
  secret_bytes security_code;
  std::optional<engine::timestamp> data_valid_until;
  std::optional<billing_address> address;
};

/// Parses the decrypted card data. Errors: payload_too_large, invalid_json,
/// missing_field (accountNumber, expiryMonth, expiryYear),
/// invalid_account_number, invalid_expiry, invalid_field (a wrong type or
/// length; a securityCode that is not 3-4 digits; a timestamp that is not
/// ISO 8601). Error contexts name fields, never values.
[[nodiscard]] caf::expected<card_info> parse_card_info(std::string_view json);

} // namespace dwt::networks::mdes
