/// MDES authorizeService: the request envelope read leniently with its
/// length limits, and the response and error shapes with empty fields
/// omitted.

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "dwt/networks/mdes/authorize_service.hpp"
#include "dwt/networks/mdes/error_response.hpp"
#include "support.hpp"

namespace dwt::networks::mdes {
namespace {

using test::code;

boost::json::object full_request() {
  return boost::json::parse(R"({
    "requestId": "123456",
    "services": ["DIGITIZATION"],
    "cardInfo": {
      "encryptedData": "00112233445566778899aabbccddeeff",
      "publicKeyFingerprint": "d28abf78e7ebafbcc2287dd6c30245550172d43ee96df73fc2c086665abe81ae",
      "encryptedKey": "a1b2",
      "oaepHashingAlgorithm": "SHA512",
      "iv": "000102030405060708090a0b0c0d0e0f",
      "panUniqueReference": "FWSPMC000000000159f71f703d2141efaf04dd26803f922b"
    },
    "correlationId": "20151020171203",
    "tokenRequestorId": "98765432101",
    "walletId": "103",
    "paymentAppInstanceId": "123456789",
    "accountIdHash": "A1B2C3D4E5F6",
    "mobileNumberSuffix": "3456",
    "activeTokenCount": 2,
    "deviceInfo": {
      "deviceName": "Jane's phone", "serialNumber": "SN1", "formFactor": "PHONE",
      "isoDeviceType": "09", "osName": "ANDROID", "osVersion": "14", "imei": "123456789012345",
      "msisdn": "447700900123", "paymentTypes": ["NFC", "DSRP"], "storageTechnology": "SOFTWARE",
      "newDeviceField": true
    },
    "walletProviderDecisioningInfo": {
      "recommendedDecision": "APPROVED", "recommendationStandardVersion": "2",
      "deviceScore": "5", "accountScore": 4, "phoneNumberScore": "3",
      "recommendationReasons": ["LONG_ACCOUNT_TENURE", "GOOD_ACTIVITY_HISTORY"]
    },
    "tokenType": "CLOUD",
    "someFutureField": {"x": [1, 2, 3]}
  })")
      .as_object();
}

caf::expected<authorize_service_request> parse(const boost::json::object& obj) {
  // Through the text entry point, as the server will call it.
  return parse_authorize_service_request(boost::json::serialize(obj));
}

TEST(AuthorizeServiceRequest, EveryFieldIsRead) {
  auto r = parse(full_request());
  ASSERT_TRUE(static_cast<bool>(r)) << to_string(r.error());
  EXPECT_EQ(r->request_id, "123456");
  EXPECT_EQ(r->services, std::vector<std::string>{"DIGITIZATION"});
  EXPECT_EQ(r->card_info.encrypted_data, "00112233445566778899aabbccddeeff");
  EXPECT_EQ(r->card_info.encrypted_key, "a1b2");
  EXPECT_EQ(r->card_info.oaep_hashing_algorithm, std::optional<std::string>{"SHA512"});
  EXPECT_EQ(r->card_info.iv, std::optional<std::string>{"000102030405060708090a0b0c0d0e0f"});
  EXPECT_EQ(r->pan_unique_reference, "FWSPMC000000000159f71f703d2141efaf04dd26803f922b");
  EXPECT_EQ(r->correlation_id, "20151020171203");
  EXPECT_EQ(r->token_requestor_id, "98765432101");
  EXPECT_EQ(r->wallet_id, "103");
  EXPECT_EQ(r->payment_app_instance_id, "123456789");
  EXPECT_EQ(r->account_id_hash, "A1B2C3D4E5F6");
  EXPECT_EQ(r->mobile_number_suffix, "3456");
  EXPECT_EQ(r->active_token_count, std::optional<std::uint64_t>{2});
  ASSERT_TRUE(r->device.has_value());
  EXPECT_EQ(r->device->device_name, "Jane's phone");
  EXPECT_EQ(r->device->serial_number, "SN1");
  EXPECT_EQ(r->device->form_factor, "PHONE");
  EXPECT_EQ(r->device->iso_device_type, "09");
  EXPECT_EQ(r->device->os_name, "ANDROID");
  EXPECT_EQ(r->device->os_version, "14");
  EXPECT_EQ(r->device->imei, "123456789012345");
  EXPECT_EQ(r->device->msisdn, "447700900123");
  EXPECT_EQ(r->device->payment_types, (std::vector<std::string>{"NFC", "DSRP"}));
  EXPECT_EQ(r->device->storage_technology, "SOFTWARE");
  ASSERT_TRUE(r->decisioning.has_value());
  EXPECT_EQ(r->decisioning->recommended_decision, "APPROVED");
  EXPECT_EQ(r->decisioning->recommendation_standard_version, "2");
  EXPECT_EQ(r->decisioning->device_score, std::optional<std::uint64_t>{5});
  EXPECT_EQ(r->decisioning->account_score, std::optional<std::uint64_t>{4});
  EXPECT_EQ(r->decisioning->phone_number_score, std::optional<std::uint64_t>{3});
  EXPECT_EQ(r->decisioning->recommendation_reasons,
            (std::vector<std::string>{"LONG_ACCOUNT_TENURE", "GOOD_ACTIVITY_HISTORY"}));
  EXPECT_EQ(r->type, token_type::cloud);
}

TEST(AuthorizeServiceRequest, TheNewerDecisioningNameWins) {
  auto obj = full_request();
  obj["tokenRequestorDecisioningInfo"] = boost::json::parse(
      R"({"recommendedDecision":"DECLINED","recommendationReasons":["HIGH_RISK"]})");
  auto r = parse(obj);
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r->decisioning->recommended_decision, "DECLINED");
  EXPECT_EQ(r->decisioning->recommendation_reasons, std::vector<std::string>{"HIGH_RISK"});
  // Alone, the newer name is read too.
  obj.erase("walletProviderDecisioningInfo");
  r = parse(obj);
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r->decisioning->recommended_decision, "DECLINED");
}

TEST(AuthorizeServiceRequest, TheMinimalRequest) {
  auto r = parse_authorize_service_request(
      R"({"requestId":"1","cardInfo":{"encryptedData":"00","publicKeyFingerprint":"ab",)"
      R"("encryptedKey":"cd"}})");
  ASSERT_TRUE(static_cast<bool>(r)) << to_string(r.error());
  EXPECT_FALSE(r->device.has_value());
  EXPECT_FALSE(r->decisioning.has_value());
  EXPECT_FALSE(r->active_token_count.has_value());
  EXPECT_EQ(r->type, token_type::unspecified);
  EXPECT_FALSE(r->card_info.oaep_hashing_algorithm.has_value());
}

struct request_bad_case {
  const char* name;
  const char* field; // a JSON pointer into the request
  boost::json::value value;
  errc expected;
};

class AuthorizeServiceRefused : public ::testing::TestWithParam<request_bad_case> {};

TEST_P(AuthorizeServiceRefused, WithItsErrc) {
  const auto& c = GetParam();
  auto obj = full_request();
  std::string_view ptr = c.field;
  boost::json::object* parent = &obj;
  std::string_view leaf = ptr;
  if (const auto slash = ptr.find('/'); slash != std::string_view::npos) {
    parent = &obj.at(ptr.substr(0, slash)).as_object();
    leaf = ptr.substr(slash + 1);
  }
  if (c.value.is_null())
    parent->erase(leaf);
  else
    (*parent)[leaf] = c.value;
  auto r = parse(obj);
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(code(r), c.expected) << to_string(r.error());
}

INSTANTIATE_TEST_SUITE_P(
    Fields, AuthorizeServiceRefused,
    ::testing::Values(
        request_bad_case{"no_request_id", "requestId", nullptr, errc::missing_field},
        request_bad_case{"no_card_info", "cardInfo", nullptr, errc::missing_field},
        request_bad_case{"card_info_not_object", "cardInfo", "x", errc::invalid_field},
        request_bad_case{"no_encrypted_key", "cardInfo/encryptedKey", nullptr, errc::missing_field},
        request_bad_case{"correlation_15", "correlationId", "123456789012345", errc::invalid_field},
        request_bad_case{"requestor_12", "tokenRequestorId", "123456789012", errc::invalid_field},
        request_bad_case{"requestor_letters", "tokenRequestorId", "1234567890a",
                         errc::invalid_field},
        request_bad_case{"wallet_4", "walletId", "1234", errc::invalid_field},
        request_bad_case{"app_instance_49", "paymentAppInstanceId", boost::json::string(49, 'a'),
                         errc::invalid_field},
        request_bad_case{"account_hash_65", "accountIdHash", boost::json::string(65, 'a'),
                         errc::invalid_field},
        request_bad_case{"account_hash_not_hex", "accountIdHash", "xyz", errc::invalid_field},
        request_bad_case{"suffix_letters", "mobileNumberSuffix", "12ab", errc::invalid_field},
        request_bad_case{"count_negative", "activeTokenCount", -1, errc::invalid_field},
        request_bad_case{"count_huge", "activeTokenCount", 100000, errc::invalid_field},
        request_bad_case{"count_text", "activeTokenCount", "two", errc::invalid_field},
        request_bad_case{"services_not_array", "services", "DIGITIZATION", errc::invalid_field},
        request_bad_case{"service_not_string", "services", boost::json::array{1},
                         errc::invalid_field},
        request_bad_case{"device_not_object", "deviceInfo", 5, errc::invalid_field},
        request_bad_case{"device_name_long", "deviceInfo/deviceName", boost::json::string(129, 'd'),
                         errc::invalid_field},
        request_bad_case{"score_text", "walletProviderDecisioningInfo/deviceScore", "high",
                         errc::invalid_field},
        request_bad_case{"reasons_not_array", "walletProviderDecisioningInfo/recommendationReasons",
                         "HIGH_RISK", errc::invalid_field},
        request_bad_case{"token_type_number", "tokenType", 3, errc::invalid_field}),
    [](const auto& p) { return std::string{p.param.name}; });

TEST(AuthorizeServiceRequest, NotJsonOrTooLarge) {
  EXPECT_EQ(code(parse_authorize_service_request("{")), errc::invalid_json);
  EXPECT_EQ(code(parse_authorize_service_request("[]")), errc::invalid_json);
  EXPECT_EQ(code(parse_authorize_service_request(
                std::string(authorize_service_limits::max_body_bytes + 1, ' '))),
            errc::payload_too_large);
  std::string deep = R"({"requestId":"1","x":)";
  for (int i = 0; i < 40; ++i)
    deep += "[";
  EXPECT_EQ(code(parse_authorize_service_request(deep)), errc::invalid_json);
}

TEST(AuthorizeServiceRequest, UnknownTokenTypeIsKeptAsOther) {
  auto obj = full_request();
  obj["tokenType"] = "QUANTUM";
  auto r = parse(obj);
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r->type, token_type::other);
  EXPECT_EQ(parse_token_type("EMBEDDED_SE"), token_type::embedded_se);
  EXPECT_EQ(parse_token_type("STATIC"), token_type::static_token);
  EXPECT_EQ(to_string(token_type::embedded_se), "EMBEDDED_SE");
}

TEST(AuthorizeServiceResponse, StepUpWithEveryField) {
  authorize_service_response r;
  r.response_id = "123456";
  r.result = decision::require_additional_authentication;
  r.activation_methods = {{activation_method_type::text_to_cardholder_number, "+44*******123"},
                          {activation_method_type::cardholder_to_use_mobile_app, "Bank app"}};
  r.pan_sequence_number = "01";
  r.issuer_product_config_id = "PCID1";
  r.cvc = cvc_response::match;
  r.avs_response = "ADDRESS_AND_POSTAL_MATCH";
  r.services = {"DIGITIZATION"};
  r.token_requestor_id = "98765432101";
  EXPECT_EQ(boost::json::serialize(to_json(r)),
            R"({"responseId":"123456","decision":"REQUIRE_ADDITIONAL_AUTHENTICATION",)"
            R"("activationMethods":[{"type":"TEXT_TO_CARDHOLDER_NUMBER","value":"+44*******123"},)"
            R"({"type":"CARDHOLDER_TO_USE_MOBILE_APP","value":"Bank app"}],)"
            R"("panSequenceNumber":"01","issuerProductConfigId":"PCID1","cvcResponse":"MATCH",)"
            R"("avsResponse":"ADDRESS_AND_POSTAL_MATCH","services":["DIGITIZATION"],)"
            R"("tokenRequestorId":"98765432101"})");
}

TEST(AuthorizeServiceResponse, EmptyFieldsAreOmitted) {
  authorize_service_response r;
  r.response_id = "9";
  r.result = decision::approved;
  EXPECT_EQ(boost::json::serialize(to_json(r)), R"({"responseId":"9","decision":"APPROVED"})");
  r.result = decision::declined;
  r.cvc = cvc_response::not_processed;
  EXPECT_EQ(boost::json::serialize(to_json(r)),
            R"({"responseId":"9","decision":"DECLINED","cvcResponse":"NOT_PROCESSED"})");
}

TEST(AuthorizeServiceResponse, EveryActivationMethodSpelling) {
  const std::pair<activation_method_type, std::string_view> all[] = {
      {activation_method_type::text_to_cardholder_number, "TEXT_TO_CARDHOLDER_NUMBER"},
      {activation_method_type::email_to_cardholder_address, "EMAIL_TO_CARDHOLDER_ADDRESS"},
      {activation_method_type::cardholder_to_call_automated_number,
       "CARDHOLDER_TO_CALL_AUTOMATED_NUMBER"},
      {activation_method_type::cardholder_to_call_manned_number,
       "CARDHOLDER_TO_CALL_MANNED_NUMBER"},
      {activation_method_type::cardholder_to_visit_website, "CARDHOLDER_TO_VISIT_WEBSITE"},
      {activation_method_type::cardholder_to_use_mobile_app, "CARDHOLDER_TO_USE_MOBILE_APP"},
      {activation_method_type::issuer_to_call_cardholder_number,
       "ISSUER_TO_CALL_CARDHOLDER_NUMBER"},
  };
  for (const auto& [type, text] : all)
    EXPECT_EQ(to_string(type), text);
  EXPECT_EQ(to_string(cvc_response::invalid), "INVALID");
}

TEST(MdesErrorResponse, ShapeWithEmptyFieldsOmitted) {
  EXPECT_EQ(boost::json::serialize(to_json(
                error_response{"123", "INVALID_CARD_DATA", "cardInfo could not be decrypted"})),
            R"({"responseId":"123","errorCode":"INVALID_CARD_DATA",)"
            R"("errorDescription":"cardInfo could not be decrypted"})");
  EXPECT_EQ(boost::json::serialize(to_json(error_response{"", "INVALID_JSON", ""})),
            R"({"errorCode":"INVALID_JSON"})");
}

} // namespace
} // namespace dwt::networks::mdes
