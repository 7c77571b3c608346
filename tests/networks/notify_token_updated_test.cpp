/// MDES notifyTokenUpdated: the tokens and their statuses read leniently,
/// and the mapping of a status (and its suspenders) to the engine's target
/// state and the channel that owns a suspension.

#include <string>

#include <gtest/gtest.h>

#include "dwt/networks/mdes/notify_token_updated.hpp"
#include "support.hpp"

namespace dwt::networks::mdes {
namespace {

using engine::channel;
using engine::token_state;
using test::code;

TEST(NotifyTokenUpdated, ParsesTokensAndReason) {
  auto r = parse_notify_token_updated_request(R"({
    "requestId": "req-8",
    "tokens": [
      {"tokenUniqueReference": "T1", "status": "SUSPENDED",
       "suspendedBy": ["CARDHOLDER", "TOKEN_REQUESTOR"], "tokenExpiry": "0931", "new": 1},
      {"tokenUniqueReference": "T2", "status": "DEACTIVATED"},
      {"tokenUniqueReference": "T3", "status": "PAUSED", "suspendedBy": ["ALIENS"]}
    ],
    "reasonCode": "STATUS_UPDATE", "extra": {}})");
  ASSERT_TRUE(static_cast<bool>(r)) << to_string(r.error());
  EXPECT_EQ(r->request_id, "req-8");
  EXPECT_EQ(r->reason, token_update_reason::status_update);
  ASSERT_EQ(r->tokens.size(), 3U);
  EXPECT_EQ(r->tokens[0].token_unique_reference, "T1");
  EXPECT_EQ(r->tokens[0].status, token_status::suspended);
  EXPECT_EQ(r->tokens[0].suspended_by,
            (std::vector{suspending_party::cardholder, suspending_party::token_requestor}));
  EXPECT_EQ(r->tokens[0].token_expiry, "0931");
  EXPECT_EQ(r->tokens[1].status, token_status::deactivated);
  EXPECT_TRUE(r->tokens[1].suspended_by.empty());
  // Unknown values are kept as "other", not refused.
  EXPECT_EQ(r->tokens[2].status, token_status::other);
  EXPECT_EQ(r->tokens[2].suspended_by, std::vector{suspending_party::other});

  r = parse_notify_token_updated_request(
      R"({"requestId":"1","tokens":[{"tokenUniqueReference":"T","status":"ACTIVE"}]})");
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r->reason, token_update_reason::unspecified);
  r = parse_notify_token_updated_request(
      R"({"requestId":"1","reasonCode":"SOMETHING_NEW",)"
      R"("tokens":[{"tokenUniqueReference":"T","status":"ACTIVE"}]})");
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r->reason, token_update_reason::other);
}

TEST(NotifyTokenUpdated, RefusesWithClearCodes) {
  auto err = [](const std::string& body) { return code(parse_notify_token_updated_request(body)); };
  EXPECT_EQ(err(R"({"tokens":[{"tokenUniqueReference":"T","status":"ACTIVE"}]})"),
            errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":"1"})"), errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":"1","tokens":[]})"), errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":"1","tokens":{}})"), errc::invalid_field);
  EXPECT_EQ(err(R"({"requestId":"1","tokens":["T"]})"), errc::invalid_field);
  EXPECT_EQ(err(R"({"requestId":"1","tokens":[{"status":"ACTIVE"}]})"), errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":"1","tokens":[{"tokenUniqueReference":"T"}]})"),
            errc::missing_field);
  EXPECT_EQ(err(R"({"requestId":"1","tokens":[{"tokenUniqueReference":"T","status":1}]})"),
            errc::invalid_field);
  EXPECT_EQ(err(R"({"requestId":"1","tokens":[{"tokenUniqueReference":"T","status":"ACTIVE",)"
                R"("tokenExpiry":"1399"}]})"),
            errc::invalid_field);
  EXPECT_EQ(err(R"({"requestId":"1","tokens":[{"tokenUniqueReference":"T","status":"ACTIVE",)"
                R"("suspendedBy":"ISSUER"}]})"),
            errc::invalid_field);
  EXPECT_EQ(err(R"({"requestId":"1","reasonCode":5,)"
                R"("tokens":[{"tokenUniqueReference":"T","status":"ACTIVE"}]})"),
            errc::invalid_field);
  std::string many = R"({"requestId":"1","tokens":[)";
  for (std::size_t i = 0; i <= notify_token_updated_limits::max_tokens; ++i)
    many += std::string{i ? "," : ""} + R"({"tokenUniqueReference":"T","status":"ACTIVE"})";
  EXPECT_EQ(err(many + "]}"), errc::invalid_field);
  EXPECT_EQ(err("{}}"), errc::invalid_json);
  EXPECT_EQ(err(std::string(notify_token_updated_limits::max_body_bytes + 1, ' ')),
            errc::payload_too_large);
}

token_update update(token_status s, std::vector<suspending_party> by = {}) {
  return {"T", s, std::move(by), ""};
}

TEST(NotifyTokenUpdated, StatusMapsToTheEngineState) {
  const auto reason = token_update_reason::status_update;
  auto t = target_of(update(token_status::active), reason);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->state, token_state::active);
  EXPECT_EQ(t->by, channel::network);
  EXPECT_EQ(t->reason, "MDES STATUS_UPDATE: ACTIVE");

  t = target_of(update(token_status::deactivated), token_update_reason::deleted_from_consumer_app);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->state, token_state::terminated);
  EXPECT_EQ(t->by, channel::network);
  EXPECT_EQ(t->reason, "MDES DELETED_FROM_CONSUMER_APP: DEACTIVATED");

  t = target_of(update(token_status::inactive), token_update_reason::unspecified);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->state, token_state::requested);
  EXPECT_EQ(t->reason, "MDES: INACTIVE");

  EXPECT_FALSE(target_of(update(token_status::other), reason).has_value());
}

TEST(NotifyTokenUpdated, SuspenderDecidesWhoOwnsTheSuspension) {
  const auto reason = token_update_reason::status_update;
  // The cardholder, the token requestor or a PIN lock: the network's.
  for (auto p : {suspending_party::cardholder, suspending_party::token_requestor,
                 suspending_party::mobile_pin_locked, suspending_party::other}) {
    auto t = target_of(update(token_status::suspended, {p}), reason);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->state, token_state::suspended);
    EXPECT_EQ(t->by, channel::network) << to_string(p);
  }
  // The issuer alone: dwt's own suspension echoed back.
  auto t = target_of(update(token_status::suspended, {suspending_party::issuer}), reason);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->by, channel::partner_api);
  EXPECT_EQ(t->reason, "MDES STATUS_UPDATE: SUSPENDED by ISSUER");
  // The issuer and the cardholder: the network's suspension also holds it.
  t = target_of(
      update(token_status::suspended, {suspending_party::issuer, suspending_party::cardholder}),
      reason);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->by, channel::network);
  EXPECT_EQ(t->reason, "MDES STATUS_UPDATE: SUSPENDED by ISSUER, CARDHOLDER");
  // No suspender named: the network's.
  t = target_of(update(token_status::suspended), reason);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->by, channel::network);
}

TEST(NotifyTokenUpdated, EnumNamesRoundTrip) {
  for (auto s : {token_status::inactive, token_status::active, token_status::suspended,
                 token_status::deactivated})
    EXPECT_EQ(parse_token_status(to_string(s)), s);
  for (auto p : {suspending_party::issuer, suspending_party::token_requestor,
                 suspending_party::mobile_pin_locked, suspending_party::cardholder})
    EXPECT_EQ(parse_suspending_party(to_string(p)), p);
  for (auto r : {token_update_reason::status_update, token_update_reason::redigitization_complete,
                 token_update_reason::deleted_from_consumer_app})
    EXPECT_EQ(parse_token_update_reason(to_string(r)), r);
}

} // namespace
} // namespace dwt::networks::mdes
