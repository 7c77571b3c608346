#include <string>

#include <gtest/gtest.h>

#include "dwt/engine/enums.hpp"

using namespace dwt::engine;

namespace {

template <class Enum, class Parse>
void expect_spellings(std::initializer_list<std::pair<Enum, std::string_view>> rows, Parse parse) {
  for (const auto& [value, name] : rows) {
    EXPECT_EQ(to_string(value), name);
    EXPECT_EQ(parse(name), value) << name;
    std::string lower{name};
    for (auto& c : lower)
      c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    EXPECT_FALSE(parse(lower)) << "parsing must be case-sensitive: " << lower;
  }
  EXPECT_FALSE(parse(""));
  EXPECT_FALSE(parse("NOPE"));
}

} // namespace

TEST(engine_enums, api_spellings_round_trip) {
  expect_spellings<token_state>({{token_state::requested, "REQUESTED"},
                                 {token_state::active, "ACTIVE"},
                                 {token_state::suspended, "SUSPENDED"},
                                 {token_state::terminated, "TERMINATED"},
                                 {token_state::request_declined, "REQUEST_DECLINED"}},
                                parse_token_state);
  expect_spellings<fulfillment_status>({{fulfillment_status::pending, "PENDING"},
                                        {fulfillment_status::provisioned, "PROVISIONED"},
                                        {fulfillment_status::rejected, "REJECTED"}},
                                       parse_fulfillment_status);
  expect_spellings<card_state>({{card_state::active, "ACTIVE"},
                                {card_state::suspended, "SUSPENDED"},
                                {card_state::terminated, "TERMINATED"}},
                               parse_card_state);
  expect_spellings<card_type>(
      {{card_type::virtual_card, "VIRTUAL"}, {card_type::physical, "PHYSICAL"}}, parse_card_type);
  expect_spellings<wallet_provider>({{wallet_provider::apple_pay, "APPLE_PAY"},
                                     {wallet_provider::google_pay, "GOOGLE_PAY"},
                                     {wallet_provider::samsung_pay, "SAMSUNG_PAY"}},
                                    parse_wallet_provider);
  expect_spellings<device_type>({{device_type::phone, "PHONE"},
                                 {device_type::watch, "WATCH"},
                                 {device_type::tablet, "TABLET"},
                                 {device_type::other, "OTHER"}},
                                parse_device_type);
  expect_spellings<wallet_recommendation>({{wallet_recommendation::green, "GREEN"},
                                           {wallet_recommendation::yellow, "YELLOW"},
                                           {wallet_recommendation::red, "RED"}},
                                          parse_wallet_recommendation);
  expect_spellings<channel>({{channel::network, "NETWORK"},
                             {channel::partner_api, "PARTNER_API"},
                             {channel::card_cascade, "CARD_CASCADE"},
                             {channel::system, "SYSTEM"}},
                            parse_channel);
  expect_spellings<verification_method>(
      {{verification_method::sms_otp, "SMS_OTP"}, {verification_method::in_app, "IN_APP"}},
      parse_verification_method);
  expect_spellings<decision>({{decision::approved, "APPROVED"},
                              {decision::require_verification, "REQUIRE_VERIFICATION"},
                              {decision::declined, "DECLINED"}},
                             parse_decision);
  expect_spellings<network_event>({{network_event::device_lost, "DEVICE_LOST"},
                                   {network_event::device_found, "DEVICE_FOUND"},
                                   {network_event::deleted_from_wallet, "DELETED_FROM_WALLET"}},
                                  parse_network_event);
  expect_spellings<activation>({{activation::approve, "APPROVE"}, {activation::decline, "DECLINE"}},
                               parse_activation);
}

TEST(engine_enums, out_of_range_values_render_unknown) {
  EXPECT_EQ(to_string(static_cast<token_state>(200)), "UNKNOWN");
  EXPECT_EQ(to_string(static_cast<channel>(9)), "UNKNOWN");
}
