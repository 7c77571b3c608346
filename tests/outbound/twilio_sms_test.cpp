#include <gtest/gtest.h>

#include "dwt/outbound/form_encoding.hpp"
#include "dwt/outbound/twilio_sms.hpp"
#include "outbound/test_receiver.hpp"
#include "outbound/test_support.hpp"

using namespace std::chrono_literals;
using dwt::outbound::http_client;
using dwt::outbound::twilio_options;
using dwt::outbound::twilio_sms;
using dwt::outbound::testing::drain;
using dwt::outbound::testing::ossl_base64;
using dwt::outbound::testing::parse_form;
using dwt::outbound::testing::reply;
using dwt::outbound::testing::test_receiver;

namespace {

class TwilioSms : public ::testing::Test {
protected:
  void SetUp() override {
    rx_.set_default(reply{201, R"({"sid":"SM1","status":"queued"})", false});
    dwt::outbound::http_client_options opts;
    opts.timeout = 300ms;
    auto created = http_client::create(io_, opts);
    ASSERT_TRUE(created.client) << created.error;
    client_ = created.client;
  }

  twilio_options options(std::uint32_t attempts = 3) {
    twilio_options o;
    o.base_url = rx_.url("");
    o.account_sid = "AC0123456789abcdef";
    o.auth_token = "test-auth-token";
    o.from = "+15550001111";
    o.max_attempts = attempts;
    o.initial_backoff = 10ms;
    o.max_backoff = 40ms;
    return o;
  }

  std::optional<bool> send(twilio_sms& gw, dwt::sms_message msg) {
    std::optional<bool> out;
    gw.send(std::move(msg), [&](bool accepted) { out = accepted; });
    drain(io_);
    return out;
  }

  static dwt::sms_message otp() {
    return {"+447700900123", "Your dwt code is 123456 & valid 10 min (100%)", {}};
  }

  test_receiver rx_;
  boost::asio::io_context io_;
  std::shared_ptr<http_client> client_;
};

} // namespace

TEST_F(TwilioSms, SpeaksTheMessagesApi) {
  twilio_sms gw{io_, client_, options()};
  EXPECT_EQ(send(gw, otp()), true);
  const auto reqs = rx_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& r = reqs[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json");
  EXPECT_EQ(r.header("authorization"),
            "Basic " + ossl_base64("AC0123456789abcdef:test-auth-token"));
  EXPECT_EQ(r.header("content-type"), "application/x-www-form-urlencoded");
  const auto form = parse_form(r.body);
  EXPECT_EQ(form.size(), 3u);
  ASSERT_EQ(form.count("To"), 1u);
  ASSERT_EQ(form.count("From"), 1u);
  ASSERT_EQ(form.count("Body"), 1u);
  EXPECT_EQ(form.find("To")->second, "+447700900123");
  EXPECT_EQ(form.find("From")->second, "+15550001111");
  EXPECT_EQ(form.find("Body")->second, "Your dwt code is 123456 & valid 10 min (100%)");
  // '+', '&' and '%' are escaped on the wire.
  EXPECT_NE(r.body.find("To=%2B447700900123"), std::string::npos) << r.body;
}

TEST_F(TwilioSms, RetriesOn500ThenSucceeds) {
  rx_.script(500);
  twilio_sms gw{io_, client_, options()};
  EXPECT_EQ(send(gw, otp()), true);
  const auto reqs = rx_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].body, reqs[1].body);
}

TEST_F(TwilioSms, RetriesAfterATimeout) {
  rx_.script_hang();
  twilio_sms gw{io_, client_, options()};
  EXPECT_EQ(send(gw, otp()), true);
  EXPECT_EQ(rx_.request_count(), 2u);
}

TEST_F(TwilioSms, GivesUpAfterMaxAttempts) {
  rx_.script(503, 10);
  twilio_sms gw{io_, client_, options(3)};
  EXPECT_EQ(send(gw, otp()), false);
  EXPECT_EQ(rx_.request_count(), 3u);
}

TEST_F(TwilioSms, ClientErrorsAreFinal) {
  rx_.script(400);
  twilio_sms gw{io_, client_, options()};
  EXPECT_EQ(send(gw, otp()), false);
  EXPECT_EQ(rx_.request_count(), 1u);
}

TEST_F(TwilioSms, ConnectionRefusedIsRetriedThenFails) {
  rx_.stop();
  twilio_sms gw{io_, client_, options(2)};
  EXPECT_EQ(send(gw, otp()), false);
}

TEST_F(TwilioSms, OutlivesTheGatewayObject) {
  rx_.script(500);
  std::optional<bool> out;
  {
    twilio_sms gw{io_, client_, options()};
    gw.send(otp(), [&](bool accepted) { out = accepted; });
  }
  drain(io_);
  EXPECT_EQ(out, true);
}

TEST(FormEncoding, EncodesReservedCharacters) {
  EXPECT_EQ(dwt::outbound::percent_encode("a b+c&d=e%f/é"), "a%20b%2Bc%26d%3De%25f%2F%C3%A9");
  EXPECT_EQ(dwt::outbound::form_encode({{"To", "+1 2"}, {"Body", "x&y"}}), "To=%2B1+2&Body=x%26y");
}
