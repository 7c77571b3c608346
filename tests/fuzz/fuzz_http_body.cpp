/// Fuzz target: the HTTP JSON body layer (`parse_json_object` and
/// `field_reader`) over the request-body shapes of docs/API.md: tokenization
/// request, verification choice, OTP, network event, profile, card
/// registration, card state, push provisioning, token transition and
/// activation. Every parsed object is read with every shape.
/// Properties: no crash; a malformed body is a 400 `malformed_json`; a
/// failed read is a 400 problem naming a field; a string value that looks
/// like a PAN or an OTP is never echoed in the problem body.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/value.hpp>

#include "dwt/engine/types.hpp"
#include "dwt/http/body.hpp"
#include "fuzz_check.hpp"

namespace {

using dwt::http::field_reader;
namespace e = dwt::engine;

void device(field_reader& f) {
  if (auto d = f.required_object("device")) {
    (void)d->required_string("id", 128);
    (void)d->required_enum<e::device_type>("type", {{"PHONE", e::device_type::phone},
                                                    {"WATCH", e::device_type::watch},
                                                    {"TABLET", e::device_type::tablet},
                                                    {"OTHER", e::device_type::other}});
    (void)d->optional_string("name", 256);
  }
}

void wallet(field_reader& f) {
  (void)f.required_enum<e::wallet_provider>("walletProvider",
                                            {{"APPLE_PAY", e::wallet_provider::apple_pay},
                                             {"GOOGLE_PAY", e::wallet_provider::google_pay},
                                             {"SAMSUNG_PAY", e::wallet_provider::samsung_pay}});
}

void tokenization_request(field_reader& f) {
  (void)f.required_string("pan", 19);
  (void)f.required_int("expiryMonth", 1, 12);
  (void)f.required_int("expiryYear", 2000, 9999);
  (void)f.optional_string("cvc", 4);
  wallet(f);
  device(f);
  (void)f.optional_string("tokenUniqueReference", 128);
  (void)f.optional_enum<e::wallet_recommendation>("walletRecommendation",
                                                  {{"GREEN", e::wallet_recommendation::green},
                                                   {"YELLOW", e::wallet_recommendation::yellow},
                                                   {"RED", e::wallet_recommendation::red}});
}

void verification_choice(field_reader& f) {
  (void)f.required_enum<e::verification_method>(
      "method",
      {{"SMS_OTP", e::verification_method::sms_otp}, {"IN_APP", e::verification_method::in_app}});
}

void otp(field_reader& f) {
  (void)f.required_string("code", 6);
}

void network_event(field_reader& f) {
  (void)f.required_enum<e::network_event>(
      "event", {{"DEVICE_LOST", e::network_event::device_lost},
                {"DEVICE_FOUND", e::network_event::device_found},
                {"DELETED_FROM_WALLET", e::network_event::deleted_from_wallet}});
}

void profile(field_reader& f, bool create) {
  if (create)
    (void)f.required_string("phoneNumber", 16);
  else
    (void)f.optional_string("phoneNumber", 16);
  (void)f.optional_string("email", 254);
}

void card_registration(field_reader& f) {
  (void)f.required_string("profileId", 128);
  (void)f.required_string("pan", 19);
  (void)f.required_int("expiryMonth", 1, 12);
  (void)f.required_int("expiryYear", 2000, 9999);
  (void)f.required_string("cardProduct", 128);
  (void)f.required_enum<e::card_type>(
      "type", {{"VIRTUAL", e::card_type::virtual_card}, {"PHYSICAL", e::card_type::physical}});
  (void)f.optional_string("phoneNumber", 16);
}

void card_state(field_reader& f) {
  (void)f.required_enum<e::card_state>("state", {{"ACTIVE", e::card_state::active},
                                                 {"SUSPENDED", e::card_state::suspended},
                                                 {"TERMINATED", e::card_state::terminated}});
}

void push_provisioning(field_reader& f) {
  wallet(f);
  device(f);
}

void transition(field_reader& f) {
  (void)f.required_enum<e::token_state>("state", {{"ACTIVE", e::token_state::active},
                                                  {"SUSPENDED", e::token_state::suspended},
                                                  {"TERMINATED", e::token_state::terminated}});
  (void)f.required_string("digitalWalletToken", 128);
  (void)f.optional_string("reason", 256);
  (void)f.optional_bool("notify");
}

void activation(field_reader& f) {
  (void)f.required_enum<e::activation>(
      "activation", {{"APPROVE", e::activation::approve}, {"DECLINE", e::activation::decline}});
}

/// True for strings that must never appear in an error: PAN-like digit
/// runs (12+ digits) and OTP-like ones (exactly 6 digits).
bool sensitive(std::string_view s) {
  if (s.size() != 6 && s.size() < 12)
    return false;
  return s.find_first_not_of("0123456789") == std::string_view::npos;
}

template <class Shape>
void read_with(const boost::json::object& obj, Shape&& shape) {
  field_reader f{obj};
  shape(f);
  auto failure = f.failure();
  // A failed read is always reported; with every read fine, a member no
  // read asked for is still a failure (400 unknown_field).
  DWT_FUZZ_CHECK(f.ok() || failure.has_value());
  if (!failure)
    return;
  DWT_FUZZ_CHECK(failure->status == 400);
  for (const auto& [key, value] : obj) {
    if (!value.is_string())
      continue;
    const std::string_view v{value.get_string().data(), value.get_string().size()};
    if (sensitive(v))
      DWT_FUZZ_CHECK(failure->body.find(v) == std::string::npos);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body{reinterpret_cast<const char*>(data), size};
  auto parsed = dwt::http::parse_json_object(body);
  if (!parsed) {
    DWT_FUZZ_CHECK(parsed.error().status == 400);
    return 0;
  }
  const boost::json::object& obj = *parsed;
  read_with(obj, tokenization_request);
  read_with(obj, verification_choice);
  read_with(obj, otp);
  read_with(obj, network_event);
  read_with(obj, [](field_reader& f) { profile(f, true); });
  read_with(obj, [](field_reader& f) { profile(f, false); });
  read_with(obj, card_registration);
  read_with(obj, card_state);
  read_with(obj, push_provisioning);
  read_with(obj, transition);
  read_with(obj, activation);
  return 0;
}
