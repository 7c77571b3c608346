/// The decrypted MDES card data: every field read, unknown fields ignored,
/// each malformed field refused with its own errc and a message that
/// names the field but never the value.

#include <string>

#include <caf/error.hpp>
#include <gtest/gtest.h>

#include "dwt/networks/mdes/card_info.hpp"
#include "support.hpp"

namespace dwt::networks::mdes {
namespace {

using test::code;

const std::string full =
    R"({"accountNumber":"5555555555554444","expiryMonth":"09","expiryYear":"29",)"
    R"("source":"CARD_ADDED_MANUALLY","cardholderName":"Jane Q. Public","securityCode":"123",)"
    R"("dataValidUntilTimestamp":"2030-01-01T00:00:00.000Z","billingAddress":{"line1":"1 Main )"
    R"(Street","line2":"Apt 2","city":"Springfield","countrySubdivision":"IL","postalCode":)"
    R"("62701","country":"USA"},"futureField":{"added":"by a later MDES version"}})";

/// `full` with `field`'s whole `"name":value` member replaced by `member`.
std::string with(const std::string& from, const std::string& to) {
  std::string s = full;
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(CardInfo, EveryFieldIsRead) {
  auto c = parse_card_info(full);
  ASSERT_TRUE(static_cast<bool>(c)) << to_string(code(c));
  EXPECT_EQ(c->account_number.view(), "5555555555554444");
  EXPECT_EQ(c->expiry_month, 9U);
  EXPECT_EQ(c->expiry_year, 2029U);
  EXPECT_EQ(c->source, card_source::card_added_manually);
  EXPECT_EQ(c->cardholder_name, "Jane Q. Public");
  EXPECT_EQ(c->security_code.view(), "123");
  ASSERT_TRUE(c->data_valid_until.has_value());
  EXPECT_EQ(engine::to_millis(*c->data_valid_until), 1893456000000);
  ASSERT_TRUE(c->address.has_value());
  EXPECT_EQ(c->address->line1, "1 Main Street");
  EXPECT_EQ(c->address->line2, "Apt 2");
  EXPECT_EQ(c->address->city, "Springfield");
  EXPECT_EQ(c->address->country_subdivision, "IL");
  EXPECT_EQ(c->address->postal_code, "62701");
  EXPECT_EQ(c->address->country, "USA");
}

TEST(CardInfo, OnlyTheRequiredFields) {
  auto c = parse_card_info(R"({"accountNumber":"5555555555554444","expiryMonth":12,)"
                           R"("expiryYear":2031})");
  ASSERT_TRUE(static_cast<bool>(c));
  EXPECT_EQ(c->expiry_month, 12U);
  EXPECT_EQ(c->expiry_year, 2031U);
  EXPECT_EQ(c->source, card_source::unspecified);
  EXPECT_TRUE(c->security_code.empty());
  EXPECT_FALSE(c->data_valid_until.has_value());
  EXPECT_FALSE(c->address.has_value());
}

TEST(CardInfo, AnUnknownSourceIsKeptAsOther) {
  auto c = parse_card_info(with("CARD_ADDED_MANUALLY", "CARD_FROM_THE_FUTURE"));
  ASSERT_TRUE(static_cast<bool>(c));
  EXPECT_EQ(c->source, card_source::other);
  EXPECT_EQ(to_string(card_source::card_on_file), "CARD_ON_FILE");
  EXPECT_EQ(parse_card_source("CARD_ADDED_VIA_APPLICATION"),
            card_source::card_added_via_application);
}

TEST(CardInfo, TimestampsWithAnOffset) {
  auto c = parse_card_info(with("2030-01-01T00:00:00.000Z", "2029-12-31T19:00:00-05:00"));
  ASSERT_TRUE(static_cast<bool>(c));
  EXPECT_EQ(engine::to_millis(*c->data_valid_until), 1893456000000);
}

struct card_bad_case {
  const char* name;
  std::string json;
  errc expected;
};

class CardInfoRefused : public ::testing::TestWithParam<card_bad_case> {};

TEST_P(CardInfoRefused, WithItsErrc) {
  const auto& c = GetParam();
  auto r = parse_card_info(c.json);
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(code(r), c.expected) << to_string(r.error());
  // The message never carries card data.
  const std::string text = to_string(r.error());
  EXPECT_EQ(text.find("5555555555554444"), std::string::npos);
  EXPECT_EQ(text.find("5555555555554445"), std::string::npos);
  EXPECT_EQ(text.find("\"123"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, CardInfoRefused,
    ::testing::Values(
        card_bad_case{"not_json", "{\"accountNumber\":", errc::invalid_json},
        card_bad_case{"array", "[1,2]", errc::invalid_json},
        card_bad_case{"no_pan", with(R"("accountNumber":"5555555555554444",)", ""),
                      errc::missing_field},
        card_bad_case{"luhn", with("5555555555554444", "5555555555554445"),
                      errc::invalid_account_number},
        card_bad_case{"short_pan", with("5555555555554444", "55555"), errc::invalid_account_number},
        card_bad_case{"pan_number", with(R"("5555555555554444")", "5555555555554444"),
                      errc::invalid_field},
        card_bad_case{"no_month", with(R"("expiryMonth":"09",)", ""), errc::missing_field},
        card_bad_case{"month_13", with(R"("expiryMonth":"09")", R"("expiryMonth":"13")"),
                      errc::invalid_expiry},
        card_bad_case{"month_text", with(R"("expiryMonth":"09")", R"("expiryMonth":"September")"),
                      errc::invalid_expiry},
        card_bad_case{"year_3_digits", with(R"("expiryYear":"29")", R"("expiryYear":"029")"),
                      errc::invalid_expiry},
        card_bad_case{"cvc_letters", with(R"("securityCode":"123")", R"("securityCode":"12a")"),
                      errc::invalid_field},
        card_bad_case{"cvc_long", with(R"("securityCode":"123")", R"("securityCode":"12345")"),
                      errc::invalid_field},
        card_bad_case{"timestamp", with("2030-01-01T00:00:00.000Z", "tomorrow"),
                      errc::invalid_field},
        card_bad_case{"country_long", with(R"("country":"USA")", R"("country":"UNITED")"),
                      errc::invalid_field},
        card_bad_case{"address_not_object",
                      with(R"("billingAddress":{)", R"("billingAddress":"x","other":{)"),
                      errc::invalid_field},
        card_bad_case{"name_long", with("Jane Q. Public", std::string(200, 'J')),
                      errc::invalid_field},
        card_bad_case{"oversize", with("Jane Q. Public", std::string(9000, 'J')),
                      errc::payload_too_large}),
    [](const auto& p) { return std::string{p.param.name}; });

TEST(CardInfo, DeeplyNestedUnknownFieldsAreRefusedAsNotJsonNotACrash) {
  std::string deep = R"({"accountNumber":"5555555555554444","x":)";
  for (int i = 0; i < 100; ++i)
    deep += "[";
  EXPECT_EQ(code(parse_card_info(deep)), errc::invalid_json);
}

TEST(CardInfo, TheDensestJsonAtTheSizeLimitFitsTheWipedArena) {
  // Two bytes of text per value ("0,"): the DOM's worst case per byte. The
  // arena (secret_arena_factor × the text) must hold it, or card data of an
  // allowed size would be refused.
  std::string many = R"({"accountNumber":"5555555555554444","expiryMonth":"09",)"
                     R"("expiryYear":"29","x":[)";
  while (many.size() + 2 + 3 <= card_info_limits::max_json_bytes)
    many += "0,";
  many += "0]}";
  ASSERT_LE(many.size(), card_info_limits::max_json_bytes);
  auto r = parse_card_info(many);
  ASSERT_TRUE(static_cast<bool>(r)) << to_string(r.error());
  EXPECT_EQ(r->account_number.view(), "5555555555554444");
}

} // namespace
} // namespace dwt::networks::mdes
