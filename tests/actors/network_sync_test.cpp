// Issuer → MDES Customer Service API (issue #21): a partner's or a card
// cascade's suspend / resume / terminate of a token that came through MDES
// becomes a durable network command, carried out by the network dispatcher
// against a real loopback receiver playing MDES. The receiver checks every
// call's OAuth 1.0a RSA-SHA256 signature and body hash with
// networks::oauth1::verify and the public half of config/dev's key (not
// the signing code's own output). Real LMDB, real engine_host; the MDES
// token identity is written into the stored token record between two
// starts (the inbound MDES flow is another module's).

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "actors/webhook_support.hpp"
#include "common/mdes_receiver.hpp"
#include "dwt/networks/keys.hpp"
#include "dwt/networks/oauth1.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"

namespace dwt_test {
namespace network_sync {

using namespace dwt;
using dwt::test::mdes_call;
using dwt::test::mdes_error;
using dwt::test::mdes_receiver;
using persistence::network_sync_status;

class NetworkSyncTest : public ::testing::Test {
protected:
  void SetUp() override { RecordProperty("seed", std::to_string(test_seed())); }
  void TearDown() override {
    if (host)
      host->stop();
  }

  engine_options options() {
    auto o = make_options(dir.path, clock);
    o.webhooks = {webhook_endpoint_config{engine::partner_id{"p1"}, hooks.url(), {whsec('A')}}};
    o.dispatcher.poll_interval = std::chrono::milliseconds{10};
    o.mdes.url = mdes.base_url();
    o.mdes.consumer_key = "test-consumer-key!abc";
    o.mdes.signing_key_pem =
        read_file(std::string{DWT_SOURCE_DIR} + "/config/dev/mdes-oauth.key.pem");
    o.mdes.audit_user_id = "dwt-ops";
    o.mdes.audit_user_name = "dwt operations";
    o.mdes.audit_organization = "Demo Bank";
    o.mdes.poll_interval = std::chrono::milliseconds{10};
    o.mdes.timeout = std::chrono::milliseconds{3000};
    // Four attempts, one (injected-clock) second apart, then FAILED.
    o.mdes.retry_delays = {0ms, 1000ms, 1000ms, 1000ms};
    o.mdes.reference_wait = std::chrono::minutes{10};
    return o;
  }

  void start() {
    auto o = options();
    if (tweak)
      tweak(o);
    auto h = engine_host::start(std::move(o));
    ASSERT_TRUE(h) << to_string(h.error());
    host = std::move(*h);
  }
  void stop() {
    host->stop();
    host.reset();
  }

  engine::card_record card(std::uint64_t n) {
    auto p = wait_for<engine::profile_record>([&](auto cb) {
      host->create_profile(engine::partner_id{"p1"}, profile_create{"+447700900123", std::nullopt},
                           std::nullopt, cb);
    });
    EXPECT_TRUE(p);
    card_register req;
    req.profile = p ? p->id : engine::profile_id{};
    req.pan = make_pan("4000", n);
    req.expiry_month = 12;
    req.expiry_year = 2030;
    req.card_product = "demo-debit";
    auto c = wait_for<engine::card_record>(
        [&](auto cb) { host->register_card(engine::partner_id{"p1"}, req, std::nullopt, cb); });
    EXPECT_TRUE(c) << to_string(c.error());
    return c ? *c : engine::card_record{};
  }

  /// An ACTIVE token (push provisioning).
  engine::token_record push(const engine::card_record& c, const std::string& device) {
    auto t = wait_for<engine::token_record>([&](auto cb) {
      host->push_provision(engine::partner_id{"p1"}, c.id, engine::wallet_provider::google_pay,
                           engine::device_info{device, engine::device_type::phone, "Phone"},
                           std::nullopt, cb);
    });
    EXPECT_TRUE(t) << to_string(t.error());
    return t ? *t : engine::token_record{};
  }

  /// Gives the stored tokens `refs` an MDES identity (tokenUniqueReference
  /// `tur_prefix` + index; empty prefix: none yet), with the engine
  /// stopped, then starts it again.
  void make_mdes(const std::vector<engine::token_ref>& refs, const std::string& tur_prefix) {
    stop();
    {
      persistence::env_options eo;
      eo.directory = dir.path;
      eo.map_size = std::size_t{64} << 20;
      auto env = persistence::env::open(eo);
      ASSERT_TRUE(env);
      persistence::write_unit unit;
      {
        auto rd = persistence::reader::begin(**env);
        ASSERT_TRUE(rd);
        for (std::size_t i = 0; i < refs.size(); ++i) {
          auto t = rd->token(refs[i]);
          ASSERT_TRUE(t);
          engine::network_identity id;
          id.network = engine::card_network::mdes;
          if (!tur_prefix.empty())
            id.token_unique_reference = tur_prefix + std::to_string(i);
          id.correlation_id = "corr-" + std::to_string(i);
          t->network = id;
          unit.put_token(*t);
        }
      }
      ASSERT_TRUE(persistence::commit_now(**env, unit));
    }
    start();
  }

  caf::expected<engine::token_record> move(const engine::card_record& c,
                                           const engine::token_record& t,
                                           engine::token_state target,
                                           const std::string& reason = "lost phone") {
    return wait_for<engine::token_record>([&](auto cb) {
      host->transition_token(engine::partner_id{"p1"}, c.id, t.ref, target, reason, std::nullopt,
                             cb);
    });
  }

  std::optional<persistence::network_command> sync_of(const engine::token_record& t) {
    auto s = host->network_sync(t.ref);
    EXPECT_TRUE(s);
    return s ? *s : std::nullopt;
  }

  bool sync_is(const engine::token_record& t, network_sync_status status) {
    auto s = sync_of(t);
    return s && s->status == status;
  }

  std::vector<std::string> paths() {
    std::vector<std::string> out;
    for (const auto& c : mdes.calls())
      out.push_back(c.path);
    return out;
  }

  temp_dir dir;
  std::shared_ptr<test_clock> clock = std::make_shared<test_clock>();
  mdes_receiver mdes;
  test_receiver hooks;
  std::unique_ptr<engine_host> host;
  /// Applied to the options of every start.
  std::function<void(engine_options&)> tweak;
};

TEST_F(NetworkSyncTest, PartnerSuspendResumeDeleteReachMdesSignedAndInOrder) {
  start();
  auto c = card(1);
  auto t = push(c, "dev-1");
  make_mdes({t.ref}, "DWSPMC000000000000000000000000000");
  ASSERT_TRUE(move(c, t, engine::token_state::suspended));
  ASSERT_TRUE(move(c, t, engine::token_state::active, "found it"));
  ASSERT_TRUE(move(c, t, engine::token_state::terminated, "suspected_fraud"));
  ASSERT_TRUE(eventually([&] { return sync_is(t, network_sync_status::confirmed); }));
  ASSERT_EQ(mdes.count(), 3u);
  const auto calls = mdes.calls();
  EXPECT_EQ(calls[0].path, "/mdes/csapi/v2/token/suspend");
  EXPECT_EQ(calls[1].path, "/mdes/csapi/v2/token/unsuspend");
  EXPECT_EQ(calls[2].path, "/mdes/csapi/v2/token/delete");
  for (const auto& call : calls) {
    EXPECT_TRUE(call.signature_ok) << call.path;
    EXPECT_EQ(call.tur, "DWSPMC0000000000000000000000000000");
    const auto& audit = call.request.at("AuditInfo").as_object();
    EXPECT_EQ(audit.at("UserId").as_string(), "dwt-ops");
    EXPECT_EQ(audit.at("UserName").as_string(), "dwt operations");
    EXPECT_EQ(audit.at("Organization").as_string(), "Demo Bank");
  }
  EXPECT_EQ(calls[0].request.at("ReasonCode").as_string(), "CUSTOMER_REQUEST");
  EXPECT_EQ(calls[0].request.at("CommentText").as_string(), "lost phone");
  // A reason that names an MDES code is sent as that code.
  EXPECT_EQ(calls[2].request.at("ReasonCode").as_string(), "SUSPECTED_FRAUD");
  auto s = sync_of(t);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->operation, persistence::network_operation::delete_token);
  EXPECT_EQ(s->attempts, 1u);
  EXPECT_TRUE(s->error_reason_code.empty());
}

TEST_F(NetworkSyncTest, CardCascadeReachesMdesForItsMdesTokensOnly) {
  start();
  auto c = card(2);
  auto a = push(c, "dev-a");
  auto b = push(c, "dev-b");
  auto plain = push(c, "dev-c");
  make_mdes({a.ref, b.ref}, "TUR-CASCADE-");
  auto r = wait_for<engine::card_record>([&](auto cb) {
    host->set_card_state(engine::partner_id{"p1"}, c.id, engine::card_state::suspended,
                         std::nullopt, cb);
  });
  ASSERT_TRUE(r) << to_string(r.error());
  ASSERT_TRUE(eventually([&] {
    return sync_is(a, network_sync_status::confirmed) && sync_is(b, network_sync_status::confirmed);
  }));
  EXPECT_FALSE(sync_of(plain));
  r = wait_for<engine::card_record>([&](auto cb) {
    host->set_card_state(engine::partner_id{"p1"}, c.id, engine::card_state::terminated,
                         std::nullopt, cb);
  });
  ASSERT_TRUE(r) << to_string(r.error());
  ASSERT_TRUE(eventually([&] { return mdes.count() == 4; }));
  ASSERT_TRUE(eventually([&] {
    return sync_is(a, network_sync_status::confirmed) && sync_is(b, network_sync_status::confirmed);
  }));
  std::map<std::string, std::vector<std::string>> per_token;
  for (const auto& call : mdes.calls()) {
    EXPECT_TRUE(call.signature_ok);
    EXPECT_EQ(call.request.at("ReasonCode").as_string(), "OTHER");
    per_token[call.tur].push_back(call.path);
  }
  const std::vector<std::string> expected{"/mdes/csapi/v2/token/suspend",
                                          "/mdes/csapi/v2/token/delete"};
  EXPECT_EQ(per_token["TUR-CASCADE-0"], expected);
  EXPECT_EQ(per_token["TUR-CASCADE-1"], expected);
  EXPECT_EQ(sync_of(a)->operation, persistence::network_operation::delete_token);
  EXPECT_FALSE(sync_of(plain));
}

TEST_F(NetworkSyncTest, EndpointDownThenBackDeliversEachCommandOnceInOrder) {
  start();
  auto c = card(3);
  auto t = push(c, "dev-1");
  make_mdes({t.ref}, "TUR-DOWN-");
  mdes.stop();
  ASSERT_TRUE(move(c, t, engine::token_state::suspended));
  ASSERT_TRUE(move(c, t, engine::token_state::active));
  // The suspend's first attempt fails (connection refused) and waits for
  // its retry (the injected clock stands still); the resume, the token's
  // latest command, waits behind it: not attempted at all.
  std::this_thread::sleep_for(100ms);
  auto s = sync_of(t);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->operation, persistence::network_operation::unsuspend);
  EXPECT_EQ(s->status, network_sync_status::pending);
  EXPECT_EQ(s->attempts, 0u);
  EXPECT_EQ(host->stats().network_commands_pending, 2u);
  mdes.start();
  ASSERT_TRUE(
      eventually([&] { return sync_is(t, network_sync_status::confirmed); }, clock.get(), 200ms));
  const std::vector<std::string> expected{"/mdes/csapi/v2/token/suspend",
                                          "/mdes/csapi/v2/token/unsuspend"};
  EXPECT_EQ(paths(), expected);
  EXPECT_EQ(host->stats().network_commands_pending, 0u);
}

TEST_F(NetworkSyncTest, CallsInFlightAreBoundedOverAllTokens) {
  tweak = [](engine_options& o) {
    o.mdes.max_in_flight = 1;
    o.mdes.timeout = std::chrono::milliseconds{1000};
  };
  start();
  auto c = card(10);
  auto a = push(c, "dev-a");
  auto b = push(c, "dev-b");
  make_mdes({a.ref, b.ref}, "TUR-BOUND-");
  // The first call hangs until it times out: the one slot is taken.
  std::atomic<int> n{0};
  mdes.set_answer([&](const mdes_call&) -> std::optional<reply> {
    if (n.fetch_add(1) == 0)
      return reply{0, {}, true};
    return std::nullopt;
  });
  ASSERT_TRUE(move(c, a, engine::token_state::suspended));
  ASSERT_TRUE(move(c, b, engine::token_state::suspended));
  ASSERT_TRUE(eventually([&] { return mdes.count() >= 1; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(mdes.count(), 1u) << "a second call while the only slot is taken";
  // The hung call times out (retried later on the injected clock); the
  // other token's call takes the slot; then the retry.
  ASSERT_TRUE(eventually(
      [&] {
        return sync_is(a, network_sync_status::confirmed) &&
               sync_is(b, network_sync_status::confirmed);
      },
      clock.get(), 200ms));
  EXPECT_EQ(mdes.count(), 3u);
}

TEST_F(NetworkSyncTest, RecoverableErrorsAreRetried) {
  start();
  auto c = card(4);
  auto t = push(c, "dev-1");
  make_mdes({t.ref}, "TUR-RETRY-");
  std::atomic<int> n{0};
  mdes.set_answer([&](const mdes_call&) -> std::optional<reply> {
    switch (n.fetch_add(1)) {
    case 0:
      return reply{503, "busy", false};
    case 1:
      return mdes_error(400, "SERVICE_BUSY", true);
    default:
      return std::nullopt;
    }
  });
  ASSERT_TRUE(move(c, t, engine::token_state::suspended));
  ASSERT_TRUE(
      eventually([&] { return sync_is(t, network_sync_status::confirmed); }, clock.get(), 200ms));
  EXPECT_EQ(mdes.count(), 3u);
  EXPECT_EQ(sync_of(t)->attempts, 3u);
}

TEST_F(NetworkSyncTest, NonRecoverableErrorFailsTellsThePartnerAndAnOperatorRetryConfirms) {
  start();
  auto c = card(5);
  auto t = push(c, "dev-1");
  make_mdes({t.ref}, "TUR-FAIL-");
  std::atomic<bool> refuse{true};
  mdes.set_answer([&](const mdes_call&) -> std::optional<reply> {
    if (refuse.load())
      return mdes_error(400, "INVALID_TOKEN_STATUS", false);
    return std::nullopt;
  });
  ASSERT_TRUE(move(c, t, engine::token_state::suspended));
  ASSERT_TRUE(eventually([&] { return sync_is(t, network_sync_status::failed); }));
  auto s = sync_of(t);
  EXPECT_EQ(s->error_source, "TOKEN");
  EXPECT_EQ(s->error_reason_code, "INVALID_TOKEN_STATUS");
  EXPECT_EQ(s->error_description, "refused by the test");
  EXPECT_EQ(s->http_status, 400);
  EXPECT_EQ(s->attempts, 1u);
  // The partner hears of it (its webhook endpoint).
  ASSERT_TRUE(eventually([&] {
    for (const auto& r : hooks.requests())
      if (r.body.find("tokens#network-sync-failed") != std::string::npos &&
          r.body.find("INVALID_TOKEN_STATUS") != std::string::npos)
        return true;
    return false;
  }));
  // Not retried by itself.
  clock->advance(std::chrono::hours{1});
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(mdes.count(), 1u);
  // A retry of a command that has not failed is refused.
  auto other = push(c, "dev-2");
  auto none = wait_for<persistence::network_command>([&](auto cb) {
    host->retry_network_command(engine::partner_id{"p1"}, other.ref, std::nullopt, cb);
  });
  ASSERT_FALSE(none);
  EXPECT_EQ(describe(none.error()).code, "network_command_not_found");
  refuse = false;
  auto retried = wait_for<persistence::network_command>([&](auto cb) {
    host->retry_network_command(engine::partner_id{"p1"}, t.ref, std::nullopt, cb);
  });
  ASSERT_TRUE(retried) << to_string(retried.error());
  EXPECT_EQ(retried->status, network_sync_status::pending);
  ASSERT_TRUE(eventually([&] { return sync_is(t, network_sync_status::confirmed); }));
  EXPECT_EQ(sync_of(t)->attempts, 2u);
  EXPECT_EQ(mdes.count(), 2u);
  auto again = wait_for<persistence::network_command>([&](auto cb) {
    host->retry_network_command(engine::partner_id{"p1"}, t.ref, std::nullopt, cb);
  });
  ASSERT_FALSE(again);
  EXPECT_EQ(describe(again.error()).code, "network_command_not_failed");
}

TEST_F(NetworkSyncTest, PendingCommandIsCarriedOutAfterARestart) {
  start();
  auto c = card(6);
  auto t = push(c, "dev-1");
  make_mdes({t.ref}, "TUR-RESTART-");
  mdes.stop();
  ASSERT_TRUE(move(c, t, engine::token_state::suspended));
  ASSERT_TRUE(sync_is(t, network_sync_status::pending));
  stop();
  mdes.start();
  start();
  ASSERT_TRUE(
      eventually([&] { return sync_is(t, network_sync_status::confirmed); }, clock.get(), 200ms));
  EXPECT_EQ(paths(), std::vector<std::string>{"/mdes/csapi/v2/token/suspend"});
}

TEST_F(NetworkSyncTest, ChangesTheNetworkReportedNeverCallItBack) {
  start();
  auto c = card(7);
  auto t = push(c, "dev-1");
  make_mdes({t.ref}, "TUR-ECHO-");
  // Network lifecycle events (channel NETWORK).
  auto r = wait_for<engine::token_record>([&](auto cb) {
    host->network_event(t.ref, engine::network_event::device_lost, std::nullopt, cb);
  });
  ASSERT_TRUE(r) << to_string(r.error());
  r = wait_for<engine::token_record>([&](auto cb) {
    host->network_event(t.ref, engine::network_event::device_found, std::nullopt, cb);
  });
  ASSERT_TRUE(r) << to_string(r.error());
  // MDES notifyTokenUpdated (the issuer suspended it at MDES): a partner
  // transition marked as coming from the network.
  r = wait_for<engine::token_record>([&](auto cb) {
    host->transition_token_from_network(engine::partner_id{"p1"}, c.id, t.ref,
                                        engine::token_state::suspended, "issuer_suspended", cb);
  });
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(r->state, engine::token_state::suspended);
  EXPECT_FALSE(sync_of(t));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(mdes.count(), 0u);
  // The same kind of change by the partner does reach the network.
  ASSERT_TRUE(move(c, t, engine::token_state::active));
  ASSERT_TRUE(eventually([&] { return sync_is(t, network_sync_status::confirmed); }));
  EXPECT_EQ(paths(), std::vector<std::string>{"/mdes/csapi/v2/token/unsuspend"});
}

TEST_F(NetworkSyncTest, ThePartnersApproveOfARequestedTokenActivatesItAtMdes) {
  start();
  auto c = card(11);
  tokenization_request req;
  req.pan = make_pan("4000", 11);
  req.expiry_month = 12;
  req.expiry_year = 2030;
  req.wallet = engine::wallet_provider::google_pay;
  req.device = engine::device_info{"dev-1", engine::device_type::phone, "Pixel"};
  req.recommendation = engine::wallet_recommendation::yellow;
  auto r = wait_for<tokenization_result>([&](auto cb) { host->tokenize(req, std::nullopt, cb); });
  ASSERT_TRUE(r) << to_string(r.error());
  ASSERT_TRUE(wait_for<verification_started>([&](auto cb) {
    host->choose_verification(r->token_ref, engine::verification_method::in_app, std::nullopt, cb);
  }));
  make_mdes({r->token_ref}, "TUR-ACT-");
  auto t = wait_for<engine::token_record>([&](auto cb) {
    host->activate(engine::partner_id{"p1"}, c.id, r->token_ref, engine::activation::approve,
                   std::nullopt, cb);
  });
  ASSERT_TRUE(t) << to_string(t.error());
  EXPECT_EQ(t->state, engine::token_state::active);
  ASSERT_TRUE(eventually([&] { return sync_is(*t, network_sync_status::confirmed); }));
  EXPECT_EQ(sync_of(*t)->operation, persistence::network_operation::activate);
  ASSERT_EQ(mdes.count(), 1u);
  EXPECT_EQ(mdes.calls()[0].path, "/mdes/csapi/v2/token/activate");
  EXPECT_TRUE(mdes.calls()[0].signature_ok);
  EXPECT_EQ(mdes.calls()[0].tur, "TUR-ACT-0");
}

TEST_F(NetworkSyncTest, TokensOutsideMdesWriteNoCommand) {
  start();
  auto c = card(8);
  auto t = push(c, "dev-1");
  ASSERT_TRUE(move(c, t, engine::token_state::suspended));
  ASSERT_TRUE(move(c, t, engine::token_state::terminated));
  EXPECT_FALSE(sync_of(t));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(mdes.count(), 0u);
}

TEST_F(NetworkSyncTest, CommandWaitsForTheTokenUniqueReferenceThenFailsAfterTheBound) {
  start();
  auto c = card(9);
  auto t = push(c, "dev-1");
  make_mdes({t.ref}, ""); // MDES has not named the token yet
  ASSERT_TRUE(move(c, t, engine::token_state::suspended));
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(sync_is(t, network_sync_status::pending));
  EXPECT_EQ(mdes.count(), 0u);
  clock->advance(std::chrono::minutes{11});
  ASSERT_TRUE(eventually([&] { return sync_is(t, network_sync_status::failed); }));
  auto s = sync_of(t);
  EXPECT_EQ(s->error_source, "dwt");
  EXPECT_EQ(s->error_reason_code, "NO_TOKEN_UNIQUE_REFERENCE");
  EXPECT_EQ(mdes.count(), 0u);
}

TEST_F(NetworkSyncTest, InvalidOptionsAreRefusedWithoutQuotingTheKey) {
  auto o = options();
  o.mdes.signing_key_pem = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
  auto h = engine_host::start(o);
  ASSERT_FALSE(h);
  EXPECT_EQ(describe(h.error()).code, "invalid_options");
  EXPECT_EQ(to_string(h.error()).find("not a key"), std::string::npos);
  o = options();
  o.mdes.audit_organization.clear();
  EXPECT_FALSE(engine_host::start(o));
  o = options();
  o.mdes.url = "ftp://example";
  EXPECT_FALSE(engine_host::start(o));
}

} // namespace network_sync
} // namespace dwt_test
