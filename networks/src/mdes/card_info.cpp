#include "dwt/networks/mdes/card_info.hpp"

#include <boost/json/object.hpp>

#include "../json_fields.hpp"
#include "../secret_json.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/time.hpp"

namespace dwt::networks::mdes {

namespace {

namespace card_lim = card_info_limits;
using detail::all_digits;

/// The string at `name` as a view into the (wiped) DOM; nullopt if absent.
caf::error secret_view(const boost::json::object& obj, std::string_view name,
                       std::optional<std::string_view>& out) {
  out.reset();
  const auto* v = obj.if_contains(name);
  if (v == nullptr || v->is_null())
    return {};
  const auto* s = v->if_string();
  if (s == nullptr)
    return make_error(errc::invalid_field, std::string{name} + " must be a string");
  out = std::string_view{s->data(), s->size()};
  return {};
}

/// A month or year sent as a string ("07", "27", "2027") or a number.
std::optional<unsigned> small_number(const boost::json::value& v, std::size_t max_digits) {
  if (v.is_uint64() || v.is_int64()) {
    const auto n = v.is_uint64() ? v.get_uint64() : static_cast<std::uint64_t>(v.get_int64());
    if (v.is_int64() && v.get_int64() < 0)
      return std::nullopt;
    return n < 10000 ? std::optional<unsigned>{static_cast<unsigned>(n)} : std::nullopt;
  }
  const auto* s = v.if_string();
  if (s == nullptr || s->size() > max_digits || !all_digits(*s))
    return std::nullopt;
  unsigned n = 0;
  for (char c : *s)
    n = n * 10 + static_cast<unsigned>(c - '0');
  return n;
}

caf::error read_expiry(const boost::json::object& obj, card_info& out) {
  const auto* m = obj.if_contains("expiryMonth");
  const auto* y = obj.if_contains("expiryYear");
  if (m == nullptr || m->is_null())
    return make_error(errc::missing_field, "expiryMonth is required");
  if (y == nullptr || y->is_null())
    return make_error(errc::missing_field, "expiryYear is required");
  const auto month = small_number(*m, 2);
  if (!month || *month < 1 || *month > 12)
    return make_error(errc::invalid_expiry, "expiryMonth must be 01-12");
  // "YY" (MDES) or "YYYY" as text; a number below 100 is also YY.
  auto year = small_number(*y, 4);
  if (year && y->is_string()) {
    const auto len = y->as_string().size();
    if (len == 2)
      *year += 2000;
    else if (len != 4)
      year.reset();
  } else if (year && *year < 100) {
    *year += 2000;
  }
  if (!year || *year < 2000 || *year > 2999)
    return make_error(errc::invalid_expiry, "expiryYear must be YY or YYYY");
  out.expiry_month = *month;
  out.expiry_year = *year;
  return {};
}

caf::error read_address(const boost::json::object& obj, card_info& out) {
  const boost::json::object* a = nullptr;
  if (auto err = detail::read_object(obj, "billingAddress", a))
    return err;
  if (a == nullptr)
    return {};
  billing_address addr;
  struct field {
    std::string_view name;
    std::size_t max;
    std::string* target;
  };
  const field fields[] = {
      {"line1", card_lim::max_address_line, &addr.line1},
      {"line2", card_lim::max_address_line, &addr.line2},
      {"city", card_lim::max_city, &addr.city},
      {"countrySubdivision", card_lim::max_country_subdivision, &addr.country_subdivision},
      {"postalCode", card_lim::max_postal_code, &addr.postal_code},
      {"country", card_lim::max_country, &addr.country},
  };
  for (const auto& f : fields) {
    std::optional<std::string> v;
    if (auto err = detail::read_string(*a, f.name, f.max, v, "billingAddress"))
      return err;
    if (v)
      *f.target = std::move(*v);
  }
  out.address = std::move(addr);
  return {};
}

caf::error read_card_info(const boost::json::object& obj, card_info& out) {
  std::optional<std::string_view> pan;
  if (auto err = secret_view(obj, "accountNumber", pan))
    return err;
  if (!pan || pan->empty())
    return make_error(errc::missing_field, "accountNumber is required");
  if (engine::pan::validate(*pan) != engine::errc::ok)
    return make_error(errc::invalid_account_number,
                      "accountNumber is not 12-19 digits or fails the Luhn check");
  if (auto err = read_expiry(obj, out))
    return err;
  std::optional<std::string_view> cvc;
  if (auto err = secret_view(obj, "securityCode", cvc))
    return err;
  if (cvc && !cvc->empty() && (cvc->size() < 3 || cvc->size() > 4 || !all_digits(*cvc)))
    return make_error(errc::invalid_field, "securityCode must be 3 or 4 digits");
  std::optional<std::string> source;
  if (auto err = detail::read_string(obj, "source", card_lim::max_source, source))
    return err;
  std::optional<std::string> name;
  if (auto err = detail::read_string(obj, "cardholderName", card_lim::max_cardholder_name, name))
    return err;
  std::optional<std::string> valid_until;
  if (auto err =
          detail::read_string(obj, "dataValidUntilTimestamp", card_lim::max_timestamp, valid_until))
    return err;
  if (valid_until) {
    out.data_valid_until = parse_iso8601(*valid_until);
    if (!out.data_valid_until)
      return make_error(errc::invalid_field, "dataValidUntilTimestamp is not an ISO 8601 time");
  }
  if (auto err = read_address(obj, out))
    return err;
  out.source = parse_card_source(source);
  if (name)
    out.cardholder_name = std::move(*name);
  out.account_number = secret_bytes::copy_of(*pan);
  if (cvc && !cvc->empty())
    out.security_code = secret_bytes::copy_of(*cvc);
  return {};
}

} // namespace

card_source parse_card_source(std::optional<std::string_view> s) noexcept {
  if (!s)
    return card_source::unspecified;
  if (*s == "CARD_ON_FILE")
    return card_source::card_on_file;
  if (*s == "CARD_ADDED_MANUALLY")
    return card_source::card_added_manually;
  if (*s == "CARD_ADDED_VIA_APPLICATION")
    return card_source::card_added_via_application;
  return card_source::other;
}

std::string_view to_string(card_source s) noexcept {
  switch (s) {
  case card_source::card_on_file:
    return "CARD_ON_FILE";
  case card_source::card_added_manually:
    return "CARD_ADDED_MANUALLY";
  case card_source::card_added_via_application:
    return "CARD_ADDED_VIA_APPLICATION";
  case card_source::unspecified:
  case card_source::other:
    break;
  }
  return "";
}

caf::expected<card_info> parse_card_info(std::string_view json) {
  card_info out;
  auto err = detail::visit_secret_json(
      json, card_info_limits::max_json_bytes,
      [&out](const boost::json::object& obj) { return read_card_info(obj, out); });
  if (err)
    return err;
  return out;
}

} // namespace dwt::networks::mdes
