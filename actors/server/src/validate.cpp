/// @file
/// Field readers and value rules (validate.hpp).

#include "validate.hpp"

#include <algorithm>

#include "dwt/engine/decision.hpp"
#include "dwt/engine/pan.hpp"

namespace dwt::server::validate {

namespace {

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::optional<engine::wallet_provider> wallet(http::field_reader& f, std::string_view name) {
  using engine::wallet_provider;
  return f.required_enum<wallet_provider>(name, {{"APPLE_PAY", wallet_provider::apple_pay},
                                                 {"GOOGLE_PAY", wallet_provider::google_pay},
                                                 {"SAMSUNG_PAY", wallet_provider::samsung_pay}});
}

std::optional<engine::device_info> device(http::field_reader& f, std::string_view name) {
  using engine::device_type;
  auto d = f.required_object(name);
  if (!d)
    return std::nullopt;
  auto id = required_text(*d, "id");
  auto type = d->required_enum<device_type>("type", {{"PHONE", device_type::phone},
                                                     {"WATCH", device_type::watch},
                                                     {"TABLET", device_type::tablet},
                                                     {"OTHER", device_type::other}});
  auto dev_name = d->optional_string("name", max_text);
  if (!id || !type || !d->ok())
    return std::nullopt;
  return engine::device_info{std::move(*id), *type, dev_name.value_or("")};
}

std::optional<std::string> required_text(http::field_reader& f, std::string_view name) {
  auto s = f.required_string(name, max_text);
  if (s && s->empty()) {
    f.reject(name, "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> phone(http::field_reader& f, std::string_view name, bool required) {
  auto s = required ? f.required_string(name, 32) : f.optional_string(name, 32);
  if (s && !engine::is_e164(*s)) {
    f.reject(name, "expected an E.164 phone number like +447700900123");
    return std::nullopt;
  }
  return s;
}

bool email_ok(std::string_view s) noexcept {
  if (s.empty() || s.size() > 254)
    return false;
  auto at = s.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == s.size() ||
      s.find('@', at + 1) != std::string_view::npos)
    return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

std::optional<std::string> otp_code(http::field_reader& f, std::string_view name) {
  auto s = f.required_string(name, 16);
  if (s && (s->size() != 6 || !all_digits(*s))) {
    f.reject(name, "expected exactly six digits");
    return std::nullopt;
  }
  return s;
}

bool token_ref_ok(std::string_view s) noexcept {
  if (s.empty() || s.size() > 64)
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
           c == '_' || c == '~' || c == '-';
  });
}

bool cvc_ok(std::string_view s) noexcept {
  return (s.size() == 3 || s.size() == 4) && all_digits(s);
}

std::optional<http::response> pan(std::string_view pan) {
  if (engine::pan::validate(pan) == engine::errc::ok)
    return std::nullopt;
  boost::json::object extra;
  extra["field"] = "pan";
  return http::problem(422, "invalid_pan", "pan: expected 12 to 19 digits passing the Luhn check",
                       std::move(extra));
}

} // namespace dwt::server::validate
