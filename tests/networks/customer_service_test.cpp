/// MDES Customer Service API: URLs, the PascalCase root-wrapped request
/// bodies, and the success and error answers (retry or give up).

#include <string>
#include <variant>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "dwt/networks/mdes/customer_service.hpp"
#include "support.hpp"

namespace dwt::networks::mdes {
namespace {

using test::code;

token_lifecycle_request lifecycle() {
  token_lifecycle_request r;
  r.token_unique_reference = "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45";
  r.comment_text = "Suspended by the partner: \"lost\"";
  r.reason_code = "SUSPECTED_FRAUD";
  r.audit = {"dwt", "dwt partner api", "Example Bank", "+44 20 7946 0000"};
  return r;
}

TEST(CustomerService, UrlsPerOperation) {
  EXPECT_EQ(*cs_url("http://127.0.0.1:8082/mdes", cs_operation::suspend),
            "http://127.0.0.1:8082/mdes/csapi/v2/token/suspend?Format=JSON");
  EXPECT_EQ(*cs_url("https://api.example/mdes/", cs_operation::unsuspend),
            "https://api.example/mdes/csapi/v2/token/unsuspend?Format=JSON");
  EXPECT_EQ(*cs_url("https://api.example", cs_operation::delete_token),
            "https://api.example/csapi/v2/token/delete?Format=JSON");
  EXPECT_EQ(*cs_url("https://api.example", cs_operation::update),
            "https://api.example/csapi/v2/token/update?Format=JSON");
  EXPECT_EQ(*cs_url("https://api.example", cs_operation::activate),
            "https://api.example/csapi/v2/token/activate?Format=JSON");
  EXPECT_EQ(request_root(cs_operation::activate), "TokenActivateRequest");
  EXPECT_EQ(response_root(cs_operation::activate), "TokenActivateResponse");
  EXPECT_EQ(code(cs_url("https://api.example/mdes?x=1", cs_operation::suspend)), errc::invalid_url);
  EXPECT_EQ(code(cs_url("api.example/mdes", cs_operation::suspend)), errc::invalid_url);
  EXPECT_EQ(code(cs_url("ftp://api.example/", cs_operation::suspend)), errc::invalid_url);
  EXPECT_EQ(code(cs_url("https://" + std::string(customer_service_limits::max_base_url, 'a'),
                        cs_operation::suspend)),
            errc::invalid_url);
}

TEST(CustomerService, LifecycleBodiesAreRootWrappedPascalCase) {
  const std::pair<cs_operation, const char*> roots[] = {
      {cs_operation::suspend, "TokenSuspendRequest"},
      {cs_operation::unsuspend, "TokenUnsuspendRequest"},
      {cs_operation::delete_token, "TokenDeleteRequest"}};
  for (const auto& [op, root] : roots) {
    auto body = render_cs_request(op, lifecycle());
    ASSERT_TRUE(static_cast<bool>(body)) << to_string(code(body));
    const auto v = boost::json::parse(*body).as_object();
    ASSERT_EQ(v.size(), 1U);
    const auto& r = v.at(root).as_object();
    EXPECT_EQ(r.at("TokenUniqueReference"), "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45");
    EXPECT_EQ(r.at("CommentText"), "Suspended by the partner: \"lost\"");
    EXPECT_EQ(r.at("ReasonCode"), "SUSPECTED_FRAUD");
    const auto& a = r.at("AuditInfo").as_object();
    EXPECT_EQ(a.at("UserId"), "dwt");
    EXPECT_EQ(a.at("UserName"), "dwt partner api");
    EXPECT_EQ(a.at("Organization"), "Example Bank");
    EXPECT_EQ(a.at("Phone"), "+44 20 7946 0000");
  }
  // The exact bytes (they are what is signed).
  auto r = lifecycle();
  r.comment_text.clear();
  r.audit.phone.clear();
  EXPECT_EQ(*render_cs_request(cs_operation::suspend, r),
            R"({"TokenSuspendRequest":{"TokenUniqueReference":"DWSPMC000000000132d72d4fcb2f4136a0)"
            R"(532d3093ff1a45","ReasonCode":"SUSPECTED_FRAUD","AuditInfo":{"UserId":"dwt",)"
            R"("UserName":"dwt partner api","Organization":"Example Bank"}}})");
}

TEST(CustomerService, LifecycleBodiesRefuseMissingOrOversizedFields) {
  auto with = [](auto change) {
    auto r = lifecycle();
    change(r);
    return code(render_cs_request(cs_operation::suspend, r));
  };
  EXPECT_EQ(with([](auto& r) { r.token_unique_reference.clear(); }), errc::missing_field);
  EXPECT_EQ(with([](auto& r) { r.reason_code.clear(); }), errc::missing_field);
  EXPECT_EQ(with([](auto& r) { r.audit.user_id.clear(); }), errc::missing_field);
  EXPECT_EQ(with([](auto& r) { r.audit.organization.clear(); }), errc::missing_field);
  EXPECT_EQ(with([](auto& r) { r.token_unique_reference = std::string(65, 'T'); }),
            errc::invalid_field);
  EXPECT_EQ(with([](auto& r) { r.comment_text = std::string(513, 'c'); }), errc::invalid_field);
  EXPECT_EQ(with([](auto& r) { r.comment_text = "line\nbreak"; }), errc::invalid_field);
  EXPECT_EQ(with([](auto& r) { r.comment_text.clear(); }), errc::ok);
}

TEST(CustomerService, UpdateBodyCarriesTheNewCardData) {
  token_update_request r;
  r.base = lifecycle();
  r.new_account_pan = secret_bytes::copy_of("5555555555554444");
  r.expiration_date = "0930";
  r.account_pan_sequence_number = "01";
  auto body = render_cs_update_request(r);
  ASSERT_TRUE(static_cast<bool>(body)) << to_string(code(body));
  const auto v = boost::json::parse(body->view()).as_object();
  ASSERT_EQ(v.size(), 1U);
  const auto& u = v.at("TokenUpdateRequest").as_object();
  EXPECT_EQ(u.at("NewAccountPan"), "5555555555554444");
  EXPECT_EQ(u.at("ExpirationDate"), "0930");
  EXPECT_EQ(u.at("AccountPanSequenceNumber"), "01");
  EXPECT_EQ(u.at("TokenUniqueReference"), "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45");
  EXPECT_EQ(u.at("ReasonCode"), "SUSPECTED_FRAUD");
  EXPECT_EQ(u.at("AuditInfo").as_object().at("UserId"), "dwt");

  // Expiry only: no NewAccountPan member.
  r.new_account_pan.clear();
  r.account_pan_sequence_number.clear();
  body = render_cs_update_request(r);
  ASSERT_TRUE(static_cast<bool>(body));
  const auto e = boost::json::parse(body->view()).as_object().at("TokenUpdateRequest").as_object();
  EXPECT_FALSE(e.contains("NewAccountPan"));
  EXPECT_FALSE(e.contains("AccountPanSequenceNumber"));
  EXPECT_EQ(e.at("ExpirationDate"), "0930");
}

TEST(CustomerService, UpdateBodyRefusesBadCardData) {
  auto with = [](const char* pan, const char* expiry, const char* psn) {
    token_update_request r;
    r.base = lifecycle();
    r.new_account_pan = secret_bytes::copy_of(pan);
    r.expiration_date = expiry;
    r.account_pan_sequence_number = psn;
    return code(render_cs_update_request(r));
  };
  EXPECT_EQ(with("5555555555554444", "", ""), errc::ok);
  EXPECT_EQ(with("", "", ""), errc::missing_field);
  EXPECT_EQ(with("5555555555554445", "", ""), errc::invalid_account_number);
  EXPECT_EQ(with("55555555555544x4", "", ""), errc::invalid_account_number);
  EXPECT_EQ(with("", "1330", ""), errc::invalid_expiry);
  EXPECT_EQ(with("", "0030", ""), errc::invalid_expiry);
  EXPECT_EQ(with("", "093", ""), errc::invalid_expiry);
  EXPECT_EQ(with("", "0930", "1234"), errc::invalid_field);
  EXPECT_EQ(with("", "0930", "a"), errc::invalid_field);
}

TEST(CustomerService, SuccessAnswers) {
  auto r = parse_cs_response(
      cs_operation::suspend,
      R"({"TokenSuspendResponse":{"Token":{"TokenUniqueReference":"T1","CommentId":"C9",)"
      R"("NewField":1}},"Extra":true})");
  ASSERT_TRUE(static_cast<bool>(r)) << to_string(code(r));
  ASSERT_EQ(r->tokens.size(), 1U);
  EXPECT_EQ(r->tokens[0].token_unique_reference, "T1");
  EXPECT_EQ(r->tokens[0].comment_id, "C9");
  // An array of tokens is read too.
  r = parse_cs_response(cs_operation::delete_token,
                        R"({"TokenDeleteResponse":{"Token":[{"TokenUniqueReference":"A"},)"
                        R"({"TokenUniqueReference":"B","CommentId":"2"}]}})");
  ASSERT_TRUE(static_cast<bool>(r));
  ASSERT_EQ(r->tokens.size(), 2U);
  EXPECT_EQ(r->tokens[1].token_unique_reference, "B");
  // The root must be the operation's.
  EXPECT_EQ(
      code(parse_cs_response(cs_operation::unsuspend, R"({"TokenSuspendResponse":{"Token":{}}})")),
      errc::missing_field);
  EXPECT_EQ(code(parse_cs_response(cs_operation::suspend, "[]")), errc::invalid_json);
  EXPECT_EQ(code(parse_cs_response(cs_operation::suspend, "{")), errc::invalid_json);
  EXPECT_EQ(
      code(parse_cs_response(cs_operation::suspend, R"({"TokenSuspendResponse":{"Token":"x"}})")),
      errc::invalid_field);
  EXPECT_EQ(code(parse_cs_response(cs_operation::suspend,
                                   R"({"TokenSuspendResponse":{"Token":{"CommentId":7}}})")),
            errc::invalid_field);
  EXPECT_EQ(
      code(parse_cs_response(cs_operation::suspend,
                             std::string(customer_service_limits::max_response_bytes + 1, ' '))),
      errc::payload_too_large);
}

TEST(CustomerService, ErrorAnswersSayWhetherToRetry) {
  auto e =
      parse_cs_errors(R"({"Errors":{"Error":[{"Source":"INPUT","ReasonCode":"INVALID_FIELD_VALUE",)"
                      R"("Description":"TokenUniqueReference not found","Recoverable":false,)"
                      R"("Details":"T1"}]}})");
  ASSERT_TRUE(static_cast<bool>(e)) << to_string(code(e));
  ASSERT_EQ(e->errors.size(), 1U);
  EXPECT_EQ(e->errors[0].source, "INPUT");
  EXPECT_EQ(e->errors[0].reason_code, "INVALID_FIELD_VALUE");
  EXPECT_EQ(e->errors[0].description, "TokenUniqueReference not found");
  EXPECT_EQ(e->errors[0].details, "T1");
  EXPECT_FALSE(e->recoverable());

  e = parse_cs_errors(R"({"Errors":{"Error":{"Source":"SYSTEM","ReasonCode":"SYSTEM_ERROR",)"
                      R"("Recoverable":"true"}}})");
  ASSERT_TRUE(static_cast<bool>(e));
  EXPECT_TRUE(e->recoverable());

  // One non-recoverable error among recoverable ones: give up.
  e = parse_cs_errors(R"({"Errors":{"Error":[{"Recoverable":true},{"Recoverable":false}]}})");
  ASSERT_TRUE(static_cast<bool>(e));
  EXPECT_FALSE(e->recoverable());
  // Absent Recoverable: not recoverable.
  e = parse_cs_errors(R"({"Errors":{"Error":[{"ReasonCode":"X"}]}})");
  ASSERT_TRUE(static_cast<bool>(e));
  EXPECT_FALSE(e->recoverable());

  EXPECT_EQ(code(parse_cs_errors(R"({"Errors":{"Error":[]}})")), errc::missing_field);
  EXPECT_EQ(code(parse_cs_errors(R"({"Errors":{}})")), errc::missing_field);
  EXPECT_EQ(code(parse_cs_errors(R"({"Other":{}})")), errc::missing_field);
  EXPECT_EQ(code(parse_cs_errors(R"({"Errors":{"Error":[{"Recoverable":"maybe"}]}})")),
            errc::invalid_field);
  EXPECT_EQ(code(parse_cs_errors(R"({"Errors":{"Error":[1]}})")), errc::invalid_field);
}

TEST(CustomerService, ReplyChoosesTheShapeByItsRoot) {
  auto ok = parse_cs_reply(cs_operation::unsuspend,
                           R"({"TokenUnsuspendResponse":{"Token":{"TokenUniqueReference":"T"}}})");
  ASSERT_TRUE(static_cast<bool>(ok));
  ASSERT_TRUE(std::holds_alternative<cs_response>(*ok));
  EXPECT_EQ(std::get<cs_response>(*ok).tokens.at(0).token_unique_reference, "T");
  auto err =
      parse_cs_reply(cs_operation::unsuspend, R"({"Errors":{"Error":[{"Recoverable":true}]}})");
  ASSERT_TRUE(static_cast<bool>(err));
  ASSERT_TRUE(std::holds_alternative<cs_errors>(*err));
  EXPECT_TRUE(std::get<cs_errors>(*err).recoverable());
  EXPECT_EQ(code(parse_cs_reply(cs_operation::unsuspend, R"({"Something":1})")),
            errc::missing_field);
}

} // namespace
} // namespace dwt::networks::mdes
