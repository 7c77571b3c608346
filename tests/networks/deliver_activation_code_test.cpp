/// MDES deliverActivationCode: the network's code read into a wiped buffer
/// (never in an error), the delivery method, expiry and limits.

#include <string>

#include <gtest/gtest.h>

#include "dwt/networks/mdes/deliver_activation_code.hpp"
#include "dwt/networks/time.hpp"
#include "support.hpp"

namespace dwt::networks::mdes {
namespace {

using test::code;

TEST(DeliverActivationCode, ParsesEveryField) {
  auto r = parse_deliver_activation_code_request(R"({
    "requestId": "req-3", "tokenUniqueReference": "DWSPMC1", "correlationId": "corr-3",
    "activationCode": "A1B2c3",
    "expirationDateTime": "2026-12-07T18:30:00.000Z",
    "activationMethod": {"type": "TEXT_TO_CARDHOLDER_NUMBER", "value": "***-***-0123", "x": 1},
    "reasonCodes": ["ADDITIONAL_DEVICE"], "unknown": [true]})");
  ASSERT_TRUE(static_cast<bool>(r)) << to_string(r.error());
  EXPECT_EQ(r->request_id, "req-3");
  EXPECT_EQ(r->token_unique_reference, "DWSPMC1");
  EXPECT_EQ(r->correlation_id, "corr-3");
  EXPECT_TRUE(r->activation_code.equals("A1B2c3"));
  ASSERT_TRUE(r->expiration.has_value());
  EXPECT_EQ(*r->expiration, *parse_iso8601("2026-12-07T18:30:00Z"));
  ASSERT_TRUE(r->method.has_value());
  EXPECT_EQ(r->method->type, activation_method_type::text_to_cardholder_number);
  EXPECT_EQ(r->method->value, "***-***-0123");
  ASSERT_EQ(r->reason_codes.size(), 1U);
  EXPECT_EQ(r->reason_codes[0], "ADDITIONAL_DEVICE");
}

TEST(DeliverActivationCode, OptionalPartsMayBeAbsentOrUnknown) {
  auto r = parse_deliver_activation_code_request(
      R"({"requestId":"1","tokenUniqueReference":"T","activationCode":"123456"})");
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_FALSE(r->expiration.has_value());
  EXPECT_FALSE(r->method.has_value());
  EXPECT_TRUE(r->reason_codes.empty());
  // A method type this module does not know: kept as unknown, not refused.
  r = parse_deliver_activation_code_request(
      R"({"requestId":"1","tokenUniqueReference":"T","activationCode":"123456",)"
      R"("activationMethod":{"type":"CARRIER_PIGEON"}})");
  ASSERT_TRUE(static_cast<bool>(r));
  ASSERT_TRUE(r->method.has_value());
  EXPECT_FALSE(r->method->type.has_value());
}

TEST(DeliverActivationCode, RefusesWithoutShowingTheCode) {
  auto refused = [](const std::string& body) {
    auto r = parse_deliver_activation_code_request(body);
    EXPECT_FALSE(static_cast<bool>(r)) << body;
    if (r)
      return errc::ok;
    // The code never appears in the error's text.
    EXPECT_EQ(to_string(r.error()).find("SECRET"), std::string::npos);
    return code(r);
  };
  const std::string base = R"("requestId":"1","tokenUniqueReference":"T")";
  EXPECT_EQ(refused("{" + base + "}"), errc::missing_field);
  EXPECT_EQ(refused("{" + base + R"(,"activationCode":""})"), errc::missing_field);
  EXPECT_EQ(refused("{" + base + R"(,"activationCode":123456})"), errc::invalid_field);
  EXPECT_EQ(refused("{" + base + R"(,"activationCode":"SECRET)" + std::string(27, '7') + "\"}"),
            errc::invalid_field);
  EXPECT_EQ(refused("{" + base + R"(,"activationCode":"SECRET\n1"})"), errc::invalid_field);
  EXPECT_EQ(refused(R"({"requestId":"1","activationCode":"SECRET"})"), errc::missing_field);
  EXPECT_EQ(refused(R"({"tokenUniqueReference":"T","activationCode":"SECRET"})"),
            errc::missing_field);
  EXPECT_EQ(refused("{" + base + R"(,"activationCode":"SECRET","expirationDateTime":"tomorrow"})"),
            errc::invalid_field);
  EXPECT_EQ(refused("{" + base + R"(,"activationCode":"SECRET","activationMethod":"SMS"})"),
            errc::invalid_field);
  EXPECT_EQ(refused("{" + base + R"(,"activationCode":"SECRET","reasonCodes":"A"})"),
            errc::invalid_field);
  EXPECT_EQ(refused("{" + base + R"(,"activationCode":"SECRET","correlationId":")" +
                    std::string(15, 'c') + "\"}"),
            errc::invalid_field);
  EXPECT_EQ(refused(R"(["SECRET"])"), errc::invalid_json);
  EXPECT_EQ(refused(R"({"activationCode":"SECRET")"), errc::invalid_json);
  EXPECT_EQ(refused(std::string(deliver_activation_code_limits::max_body_bytes + 1, ' ')),
            errc::payload_too_large);
}

TEST(DeliverActivationCode, LongestCodeIsAccepted) {
  const std::string code32(deliver_activation_code_limits::max_activation_code, 'Z');
  auto r = parse_deliver_activation_code_request(
      R"({"requestId":"1","tokenUniqueReference":"T","activationCode":")" + code32 + "\"}");
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r->activation_code.size(), 32U);
  EXPECT_TRUE(r->activation_code.equals(code32));
}

} // namespace
} // namespace dwt::networks::mdes
