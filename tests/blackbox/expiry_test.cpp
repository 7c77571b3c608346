/// @file
/// Verification expiry of the real server (issue #20): a YELLOW
/// tokenisation left alone (no further call touches the token, the actors
/// passivate after 1 s) is declined at `[verification] expiry_seconds` and
/// the partner's events feed shows the REQUEST_DECLINED transition; the
/// deadline is durable, so it still fires when the server was SIGKILLed
/// before it and restarted on the same data directory. Only the events
/// feed is polled (a read of the token would itself process the expiry).

#include <memory>
#include <string>
#include <thread>

#include <boost/json/serialize.hpp>

#include "../common/time_scale.hpp"
#include "support.hpp"

namespace dwt::blackbox {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

/// The configured expiry: short, so the test waits seconds.
constexpr auto expiry = 2s;

class verification_expiry : public blackbox_test {
protected:
  config_options server_options() override {
    config_options o;
    o.runtime_toml = "actor_idle_passivation_seconds = 1\n";
    o.extra_toml = "[verification]\nexpiry_seconds = 2\n";
    return o;
  }

  /// True if the demo partner's feed holds the token's REQUEST_DECLINED
  /// transition by verification expiry.
  bool declined_in_feed(const std::string& tur) {
    for (const auto& e : all_events(demo_partner_key)) {
      if (json_string(e, "tokenUniqueReference") != tur)
        continue;
      const auto text = json::serialize(e);
      if (text.find("\"state\":\"REQUEST_DECLINED\"") != std::string::npos &&
          text.find("verification_expired") != std::string::npos)
        return true;
    }
    return false;
  }

  /// A YELLOW tokenisation of a fresh demo-partner card → its token ref.
  std::string requested_token() {
    std::string pan;
    new_card(demo_partner_key, &pan);
    const auto res = tokenize(pan, "YELLOW");
    EXPECT_EQ(json_string(res, "state"), "REQUESTED") << json::serialize(res);
    return json_string(res, "tokenUniqueReference");
  }
};

TEST_F(verification_expiry, AnUntouchedRequestedTokenIsDeclinedAtItsDeadline) {
  const auto tur = requested_token();
  ASSERT_FALSE(tur.empty());
  EXPECT_FALSE(declined_in_feed(tur));
  // The deadline (2 s) plus the scheduler's interval (1 s), with room.
  EXPECT_TRUE(test::eventually([&] { return declined_in_feed(tur); }, 15s, 100ms))
      << "no REQUEST_DECLINED event for " << tur;
  // And the token itself says so.
  const auto t = get_token(demo_partner_key, tur);
  EXPECT_EQ(json_string(t, "state"), "REQUEST_DECLINED") << json::serialize(t);
}

TEST_F(verification_expiry, TheDeadlineSurvivesAKillAndFiresAfterTheRestart) {
  const auto tur = requested_token();
  ASSERT_FALSE(tur.empty());
  // SIGKILL before the deadline; it passes while the server is down.
  api_.reset();
  server_->kill();
  std::this_thread::sleep_for(expiry + 500ms);
  ASSERT_EQ(server_->start(), "");
  api_ = std::make_unique<api>(server_->port());
  EXPECT_TRUE(test::eventually([&] { return declined_in_feed(tur); }, 15s, 100ms))
      << "no REQUEST_DECLINED event for " << tur << " after the restart";
}

} // namespace
} // namespace dwt::blackbox
