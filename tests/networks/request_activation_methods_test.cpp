/// MDES requestActivationMethods: the request read leniently with its
/// limits, and the answer with responseId = requestId.

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "dwt/networks/mdes/acknowledgement.hpp"
#include "dwt/networks/mdes/request_activation_methods.hpp"
#include "support.hpp"

namespace dwt::networks::mdes {
namespace {

using test::code;

TEST(RequestActivationMethods, ParsesTheRequestIgnoringUnknownFields) {
  auto r = parse_request_activation_methods_request(R"({
    "requestId": "req-7", "tokenUniqueReference": "DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c",
    "panUniqueReference": "FWSPMC1", "correlationId": "20151020171203",
    "paymentAppInstanceId": "pai-1", "tokenRequestorId": "98765432101", "walletId": "103",
    "futureField": {"nested": [1, 2]}})");
  ASSERT_TRUE(static_cast<bool>(r)) << to_string(code(r));
  EXPECT_EQ(r->request_id, "req-7");
  EXPECT_EQ(r->token_unique_reference, "DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c");
  EXPECT_EQ(r->pan_unique_reference, "FWSPMC1");
  EXPECT_EQ(r->correlation_id, "20151020171203");
  EXPECT_EQ(r->payment_app_instance_id, "pai-1");
  EXPECT_EQ(r->token_requestor_id, "98765432101");
  EXPECT_EQ(r->wallet_id, "103");
  // The correlation id alone finds the token too.
  r = parse_request_activation_methods_request(R"({"requestId":"1","correlationId":"c"})");
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_TRUE(r->token_unique_reference.empty());
}

TEST(RequestActivationMethods, RefusesWithClearCodes) {
  auto err = [](std::string_view body) {
    return code(parse_request_activation_methods_request(body));
  };
  EXPECT_EQ(err(R"({"tokenUniqueReference":"T"})"), errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":"","tokenUniqueReference":"T"})"), errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":"1"})"), errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":1,"tokenUniqueReference":"T"})"), errc::invalid_field);
  EXPECT_EQ(err(R"({"requestId":"1","correlationId":"123456789012345"})"), errc::invalid_field);
  EXPECT_EQ(err(R"({"requestId":"1","tokenUniqueReference":")" + std::string(65, 'T') + "\"}"),
            errc::invalid_field);
  EXPECT_EQ(err(R"({"requestId":"1","correlationId":"c","tokenRequestorId":"12a"})"),
            errc::invalid_field);
  EXPECT_EQ(err("[1]"), errc::invalid_json);
  EXPECT_EQ(err("{\"requestId\":"), errc::invalid_json);
  EXPECT_EQ(err(std::string(request_activation_methods_limits::max_body_bytes + 1, ' ')),
            errc::payload_too_large);
}

TEST(RequestActivationMethods, AnswerListsTheMethods) {
  request_activation_methods_response r;
  r.response_id = "req-7";
  r.activation_methods = {{activation_method_type::text_to_cardholder_number, "***-***-0123"},
                          {activation_method_type::cardholder_to_use_mobile_app, ""}};
  EXPECT_EQ(boost::json::serialize(to_json(r)),
            R"({"responseId":"req-7","activationMethods":[{"type":"TEXT_TO_CARDHOLDER_NUMBER",)"
            R"("value":"***-***-0123"},{"type":"CARDHOLDER_TO_USE_MOBILE_APP"}]})");
  r.activation_methods.clear();
  EXPECT_EQ(boost::json::serialize(to_json(r)), R"({"responseId":"req-7","activationMethods":[]})");
}

TEST(RequestActivationMethods, MethodTypesReadBackByName) {
  for (auto t : {activation_method_type::text_to_cardholder_number,
                 activation_method_type::email_to_cardholder_address,
                 activation_method_type::cardholder_to_call_automated_number,
                 activation_method_type::cardholder_to_call_manned_number,
                 activation_method_type::cardholder_to_visit_website,
                 activation_method_type::cardholder_to_use_mobile_app,
                 activation_method_type::issuer_to_call_cardholder_number}) {
    EXPECT_EQ(parse_activation_method_type(to_string(t)), t) << to_string(t);
  }
  EXPECT_EQ(parse_activation_method_type("text_to_cardholder_number"), std::nullopt);
  EXPECT_EQ(parse_activation_method_type(""), std::nullopt);
}

TEST(Acknowledgement, EchoesTheRequestId) {
  EXPECT_EQ(boost::json::serialize(to_json(acknowledgement{"req-9"})), R"({"responseId":"req-9"})");
  EXPECT_EQ(boost::json::serialize(to_json(acknowledgement{})), "{}");
}

} // namespace
} // namespace dwt::networks::mdes
