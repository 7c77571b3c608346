#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "dwt/engine/random.hpp"
#include "dwt/outbound/webhook_sender.hpp"
#include "outbound/test_receiver.hpp"
#include "outbound/test_support.hpp"

using namespace std::chrono_literals;
namespace sw = dwt::outbound::standard_webhooks;
using dwt::outbound::delivery_attempt;
using dwt::outbound::delivery_outcome;
using dwt::outbound::http_client;
using dwt::outbound::webhook_endpoint;
using dwt::outbound::webhook_sender;
using dwt::outbound::testing::drain;
using dwt::outbound::testing::independent_signature;
using dwt::outbound::testing::recorded_request;
using dwt::outbound::testing::reply;
using dwt::outbound::testing::split_signatures;
using dwt::outbound::testing::test_receiver;

namespace {

const dwt::engine::timestamp created = dwt::engine::from_millis(1'750'000'000'123);
const dwt::engine::timestamp now = dwt::engine::from_millis(1'750'000'042'987);

// Development-only secrets (24 random bytes each, base64).
constexpr std::string_view old_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view new_secret = "whsec_3q2+7wAAAAAQEBAQICAgIDAwMDBAQEBA";

dwt::persistence::outbox_event sample_event() {
  dwt::persistence::outbox_event e;
  e.seq = 7;
  e.event_id = "evt_01HZX";
  e.partner = dwt::engine::partner_id{"partner-1"};
  e.token = dwt::engine::token_ref{"DNITHE1"};
  e.type = "DigitalWalletTokenTransition";
  e.created_at = created;
  e.payload =
      R"({"tokenUniqueReference":"DNITHE1","newState":"ACTIVE","walletProvider":"APPLE_PAY"})";
  return e;
}

/// A receiver-side check written against the specification only: every
/// signature in the header must be one of the expected ones computed with
/// OpenSSL, and at least one must match.
reply verify_independently(const recorded_request& req, const std::vector<std::string>& secrets) {
  const auto id = req.header("webhook-id");
  const auto ts = req.header("webhook-timestamp");
  const auto sigs = split_signatures(req.header("webhook-signature"));
  if (id.empty() || ts.empty() || sigs.empty())
    return reply{400, "{}", false};
  for (const auto& sig : sigs) {
    bool known = false;
    for (const auto& s : secrets)
      known = known || sig == independent_signature(s, id, ts, req.body);
    if (!known)
      return reply{401, "{}", false};
  }
  return reply{204, "", false};
}

class WebhookSender : public ::testing::Test {
protected:
  void SetUp() override {
    dwt::outbound::http_client_options opts;
    opts.timeout = 300ms;
    auto created_client = http_client::create(io_, opts);
    ASSERT_TRUE(created_client.client) << created_client.error;
    client_ = created_client.client;
  }

  delivery_attempt send(const webhook_endpoint& ep,
                        const dwt::persistence::outbox_event& ev = sample_event()) {
    std::optional<delivery_attempt> out;
    webhook_sender sender{client_};
    sender.send(ev, ep, now, [&](delivery_attempt a) { out = std::move(a); });
    drain(io_);
    EXPECT_TRUE(out.has_value());
    return out.value_or(delivery_attempt{});
  }

  static sw::secret parse(std::string_view s) { return sw::secret::parse(s).value(); }

  boost::asio::io_context io_;
  std::shared_ptr<http_client> client_;
};

} // namespace

TEST_F(WebhookSender, DeliversASignedStandardWebhook) {
  test_receiver rx;
  rx.set_handler(
      [](const recorded_request& r) { return verify_independently(r, {std::string{old_secret}}); });
  const auto a = send({rx.url(), {parse(old_secret)}});
  EXPECT_EQ(a.outcome, delivery_outcome::delivered) << a.error;
  EXPECT_EQ(a.status, 204);
  EXPECT_TRUE(a.error.empty());
  EXPECT_EQ(a.at, now);

  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& r = reqs[0];
  EXPECT_EQ(r.target, "/webhooks");
  EXPECT_EQ(r.header("webhook-id"), "evt_01HZX");
  EXPECT_EQ(r.header("webhook-timestamp"), "1750000042");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("user-agent"), dwt::outbound::default_webhook_user_agent);
  EXPECT_EQ(split_signatures(r.header("webhook-signature")).size(), 1u);

  // Body: {type, timestamp, data} with data = the outbox payload.
  const auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.size(), 3u);
  EXPECT_EQ(body.at("type").as_string(), "DigitalWalletTokenTransition");
  EXPECT_EQ(body.at("timestamp").as_string(), "2025-06-15T15:06:40.123Z");
  EXPECT_EQ(body.at("data"), boost::json::parse(sample_event().payload));

  // Our own verifier agrees.
  const std::vector keys{parse(old_secret)};
  const auto ts = r.header("webhook-timestamp");
  const auto sig = r.header("webhook-signature");
  EXPECT_EQ(sw::verify(keys, {r.header("webhook-id"), ts, sig}, r.body,
                       std::chrono::floor<std::chrono::seconds>(now)),
            sw::verify_result::ok);
}

TEST_F(WebhookSender, SignsWithEveryActiveSecretWhileRotating) {
  test_receiver rx;
  std::vector<std::string> seen_sigs;
  // The receiver that only knows the old secret, then the one that only
  // knows the new one: both must accept the same delivery.
  rx.set_handler([](const recorded_request& r) {
    const auto sigs = split_signatures(r.header("webhook-signature"));
    if (sigs.size() != 2)
      return reply{400, "{}", false};
    const auto id = r.header("webhook-id");
    const auto ts = r.header("webhook-timestamp");
    const bool old_ok = sigs[0] == independent_signature(old_secret, id, ts, r.body);
    const bool new_ok = sigs[1] == independent_signature(new_secret, id, ts, r.body);
    return reply{old_ok && new_ok ? 200u : 401u, "{}", false};
  });
  const auto a = send({rx.url(), {parse(old_secret), parse(new_secret)}});
  EXPECT_EQ(a.outcome, delivery_outcome::delivered) << a.status << " " << a.error;

  const auto r = rx.requests().at(0);
  const auto ts = r.header("webhook-timestamp");
  const auto sig = r.header("webhook-signature");
  const auto secs = std::chrono::floor<std::chrono::seconds>(now);
  const std::vector only_old{parse(old_secret)};
  const std::vector only_new{parse(new_secret)};
  EXPECT_EQ(sw::verify(only_old, {r.header("webhook-id"), ts, sig}, r.body, secs),
            sw::verify_result::ok);
  EXPECT_EQ(sw::verify(only_new, {r.header("webhook-id"), ts, sig}, r.body, secs),
            sw::verify_result::ok);
}

TEST_F(WebhookSender, AReceiverWithAnotherSecretRefuses) {
  test_receiver rx;
  rx.set_handler(
      [](const recorded_request& r) { return verify_independently(r, {std::string{new_secret}}); });
  const auto a = send({rx.url(), {parse(old_secret)}});
  EXPECT_EQ(a.outcome, delivery_outcome::retry);
  EXPECT_EQ(a.status, 401);
}

TEST_F(WebhookSender, NonSuccessStatusIsRetried) {
  test_receiver rx;
  rx.script(500);
  rx.script(302);
  auto a = send({rx.url(), {parse(old_secret)}});
  EXPECT_EQ(a.outcome, delivery_outcome::retry);
  EXPECT_EQ(a.status, 500);
  EXPECT_TRUE(a.error.empty());
  a = send({rx.url(), {parse(old_secret)}});
  EXPECT_EQ(a.outcome, delivery_outcome::retry);
  EXPECT_EQ(a.status, 302);
  a = send({rx.url(), {parse(old_secret)}});
  EXPECT_EQ(a.outcome, delivery_outcome::delivered);
  // Same webhook-id on every attempt.
  for (const auto& r : rx.requests())
    EXPECT_EQ(r.header("webhook-id"), "evt_01HZX");
}

TEST_F(WebhookSender, TimeoutIsRetried) {
  test_receiver rx;
  rx.script_hang();
  const auto a = send({rx.url(), {parse(old_secret)}});
  EXPECT_EQ(a.outcome, delivery_outcome::retry);
  EXPECT_EQ(a.status, 0);
  EXPECT_EQ(a.error, "timeout");
}

TEST_F(WebhookSender, ConnectionErrorIsRetried) {
  test_receiver rx;
  rx.stop();
  const auto a = send({rx.url(), {parse(old_secret)}});
  EXPECT_EQ(a.outcome, delivery_outcome::retry);
  EXPECT_EQ(a.status, 0);
  EXPECT_FALSE(a.error.empty());
}

TEST_F(WebhookSender, InvalidEventsAreNotSent) {
  test_receiver rx;
  auto bad = sample_event();
  bad.payload = "{not json";
  EXPECT_EQ(send({rx.url(), {parse(old_secret)}}, bad).outcome, delivery_outcome::invalid);
  EXPECT_EQ(send({rx.url(), {}}).outcome, delivery_outcome::invalid);
  EXPECT_EQ(send({"mailto:x@example.com", {parse(old_secret)}}).outcome, delivery_outcome::invalid);
  EXPECT_EQ(rx.request_count(), 0u);
}

namespace {

dwt::persistence::outbox_event body_event(std::string type, std::string payload) {
  dwt::persistence::outbox_event ev;
  ev.event_id = "evt_1";
  ev.type = std::move(type);
  ev.created_at = dwt::engine::timestamp{std::chrono::milliseconds{1748768887999}};
  ev.payload = std::move(payload);
  return ev;
}

TEST(WebhookBody, EnvelopesTheStoredPayloadAsIs) {
  const auto body = dwt::outbound::webhook_body(
      body_event("DigitalWalletTokenTransition", R"({"a":"\u00e9\n","b":[1,2.5,null],"c":{}})"));
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(*body,
            R"({"type":"DigitalWalletTokenTransition","timestamp":"2025-06-01T09:08:07.999Z",)"
            R"("data":{"a":"\u00e9\n","b":[1,2.5,null],"c":{}}})");
  EXPECT_TRUE(boost::json::parse(*body).is_object());
}

TEST(WebhookBody, EscapesTheTypeAndKeepsLargePayloadsWhole) {
  const std::string big =
      R"({"blob":")" + std::string(20000, 'x') + R"("})"; // beyond the stack arena
  const auto body = dwt::outbound::webhook_body(body_event("odd\"type\\", big));
  ASSERT_TRUE(body.has_value());
  const auto parsed = boost::json::parse(*body).as_object();
  EXPECT_EQ(parsed.at("type").as_string(), "odd\"type\\");
  EXPECT_EQ(parsed.at("data").at("blob").as_string().size(), 20000U);
}

TEST(WebhookBody, RefusesWhatIsNotOneJsonValueOrTooLarge) {
  // The check runs the parser without building a value: it must refuse
  // everything boost::json::parse refuses (trailing text, invalid UTF-8,
  // comments, NaN, nesting beyond the default depth of 32, a lone string
  // that never ends) and accept the rest.
  const std::string deep = std::string(33, '[') + std::string(33, ']');
  for (const std::string& bad :
       {std::string{}, std::string{"{"}, std::string{"{not json"}, std::string{"{} {}"},
        std::string{R"({"a":1}x)"}, std::string{"[1,]"}, std::string{"\"\xff\""},
        std::string{"[1] /* c */"}, std::string{"[NaN]"}, std::string{"\"open"}, deep}) {
    boost::system::error_code ec;
    (void)boost::json::parse(bad, ec);
    ASSERT_TRUE(ec) << "the case itself must be one parse refuses: " << bad;
    EXPECT_FALSE(dwt::outbound::webhook_body(body_event("t", bad)).has_value()) << bad;
  }
  for (const std::string& good : {std::string{" {} "}, std::string{"\n[1, -2.5e3, true]\n"},
                                  std::string{R"("only a string")"}, std::string{"null"},
                                  std::string(32, '[') + std::string(32, ']')})
    EXPECT_TRUE(dwt::outbound::webhook_body(body_event("t", good)).has_value()) << good;
  const std::string huge =
      R"({"blob":")" + std::string(dwt::outbound::max_webhook_payload_size, 'x') + R"("})";
  EXPECT_FALSE(dwt::outbound::webhook_body(body_event("t", huge)).has_value());
}

} // namespace
