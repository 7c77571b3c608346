/// MDES notifyServiceActivated: the token reference in cardAndToken or at
/// the top level, every documented field, and clear refusals.

#include <string>

#include <gtest/gtest.h>

#include "dwt/networks/mdes/notify_service_activated.hpp"
#include "dwt/networks/time.hpp"
#include "support.hpp"

namespace dwt::networks::mdes {
namespace {

using test::code;

constexpr std::string_view nsa_full_request = R"({
  "requestId": "req-5",
  "cardAndToken": {"tokenUniqueReference": "DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c",
                   "panUniqueReference": "FWSPMC1", "accountPanSuffix": "4444",
                   "tokenPanSuffix": "9876", "tokenExpiry": "0931", "newCardField": 1},
  "deviceInfo": {"deviceName": "Jane's phone", "osName": "ANDROID", "paymentTypes": ["NFC"]},
  "tokenRequestorId": "98765432101", "correlationId": "20151020171203", "walletId": "103",
  "paymentAppInstanceId": "pai-1", "tokenType": "CLOUD", "accountPanSuffix": "4444",
  "serviceRequestDateTime": "2026-12-07T18:00:00.000Z", "decision": "APPROVED",
  "decisionMadeBy": "ISSUER", "tokenActivatedDateTime": "2026-12-07T18:01:30-05:00",
  "numberOfActivationAttempts": 1, "numberOfActiveTokens": "2", "tokenAssuranceLevel": 3,
  "somethingNew": {"a": 1}})";

TEST(NotifyServiceActivated, ParsesEveryField) {
  auto r = parse_notify_service_activated_request(nsa_full_request);
  ASSERT_TRUE(static_cast<bool>(r)) << to_string(r.error());
  EXPECT_EQ(r->request_id, "req-5");
  EXPECT_EQ(r->card.token_unique_reference, "DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c");
  EXPECT_EQ(r->card.pan_unique_reference, "FWSPMC1");
  EXPECT_EQ(r->card.account_pan_suffix, "4444");
  EXPECT_EQ(r->card.token_pan_suffix, "9876");
  EXPECT_EQ(r->card.token_expiry, "0931");
  EXPECT_FALSE(r->card.encrypted.has_value());
  ASSERT_TRUE(r->device.has_value());
  EXPECT_EQ(r->device->device_name, "Jane's phone");
  EXPECT_EQ(r->device->payment_types, std::vector<std::string>{"NFC"});
  EXPECT_EQ(r->token_requestor_id, "98765432101");
  EXPECT_EQ(r->correlation_id, "20151020171203");
  EXPECT_EQ(r->wallet_id, "103");
  EXPECT_EQ(r->payment_app_instance_id, "pai-1");
  EXPECT_EQ(r->type, token_type::cloud);
  EXPECT_EQ(r->decision, "APPROVED");
  EXPECT_EQ(r->decision_made_by, "ISSUER");
  EXPECT_EQ(r->service_request_time, parse_iso8601("2026-12-07T18:00:00Z"));
  EXPECT_EQ(r->token_activated_time, parse_iso8601("2026-12-07T23:01:30Z"));
  EXPECT_EQ(r->number_of_activation_attempts, 1U);
  EXPECT_EQ(r->number_of_active_tokens, 2U);
  EXPECT_EQ(r->token_assurance_level, 3U);
}

TEST(NotifyServiceActivated, TokenReferenceAtTheTopLevelAndEncryptedCardData) {
  auto r = parse_notify_service_activated_request(
      R"({"requestId":"1","tokenUniqueReference":"T-top","accountPanSuffix":"1234"})");
  ASSERT_TRUE(static_cast<bool>(r)) << to_string(r.error());
  EXPECT_EQ(r->card.token_unique_reference, "T-top");
  EXPECT_EQ(r->card.account_pan_suffix, "1234"); // the top-level suffix fills the card's
  EXPECT_FALSE(r->device.has_value());
  EXPECT_EQ(r->type, token_type::unspecified);

  r = parse_notify_service_activated_request(
      R"({"requestId":"1","cardAndToken":{"tokenUniqueReference":"T","encryptedData":"00",)"
      R"("publicKeyFingerprint":"ab","encryptedKey":"cd","oaepHashingAlgorithm":"SHA256"}})");
  ASSERT_TRUE(static_cast<bool>(r)) << to_string(r.error());
  ASSERT_TRUE(r->card.encrypted.has_value());
  EXPECT_EQ(r->card.encrypted->public_key_fingerprint, "ab");
  // Half an FLE object is refused.
  EXPECT_EQ(code(parse_notify_service_activated_request(
                R"({"requestId":"1","cardAndToken":{"tokenUniqueReference":"T",)"
                R"("encryptedData":"00"}})")),
            errc::missing_field);
}

TEST(NotifyServiceActivated, RefusesWithClearCodes) {
  auto err = [](const std::string& body) {
    return code(parse_notify_service_activated_request(body));
  };
  EXPECT_EQ(err(R"({"cardAndToken":{"tokenUniqueReference":"T"}})"), errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":"1"})"), errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":"1","cardAndToken":{}})"), errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":"1","cardAndToken":"T"})"), errc::invalid_field);
  const std::string t = R"("requestId":"1","tokenUniqueReference":"T")";
  EXPECT_EQ(err("{" + t + R"(,"cardAndToken":{"tokenExpiry":"1331"}})"), errc::invalid_field);
  EXPECT_EQ(err("{" + t + R"(,"cardAndToken":{"accountPanSuffix":"12a4"}})"), errc::invalid_field);
  EXPECT_EQ(err("{" + t + R"(,"cardAndToken":{"tokenPanSuffix":"12345"}})"), errc::invalid_field);
  EXPECT_EQ(err("{" + t + R"(,"tokenRequestorId":"abc"})"), errc::invalid_field);
  EXPECT_EQ(err("{" + t + R"(,"walletId":"1234"})"), errc::invalid_field);
  EXPECT_EQ(err("{" + t + R"(,"serviceRequestDateTime":"yesterday"})"), errc::invalid_field);
  EXPECT_EQ(err("{" + t + R"(,"numberOfActiveTokens":-1})"), errc::invalid_field);
  EXPECT_EQ(err("{" + t + R"(,"tokenAssuranceLevel":100})"), errc::invalid_field);
  EXPECT_EQ(err("{" + t + R"(,"deviceInfo":{"osName":7}})"), errc::invalid_field);
  EXPECT_EQ(err(R"({"requestId":"1","tokenUniqueReference":")" + std::string(65, 'T') + "\"}"),
            errc::invalid_field);
  EXPECT_EQ(err("null"), errc::invalid_json);
  EXPECT_EQ(err(std::string(notify_service_activated_limits::max_body_bytes + 1, ' ')),
            errc::payload_too_large);
}

} // namespace
} // namespace dwt::networks::mdes
