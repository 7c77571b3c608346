/// @file
/// Webhooks end to end: the real dwt-server process delivers to a real
/// loopback receiver (tests/outbound/test_receiver.hpp) configured as the
/// demo partner's endpoint, with a short `[webhooks]` timeout and backoff so
/// retries happen within seconds. Checked here, independently of the code
/// under test: the Standard Webhooks signature (OpenSSL HMAC-SHA256 over
/// `id.timestamp.body`, keyed with the decoded `whsec_` secret) for the
/// current and the rotated-out secret, the body `{type, timestamp, data}`
/// against the events feed and docs/openapi.yaml, per-token order (no event
/// of a token is sent before the previous one was answered 2xx), retries
/// through failures and a timeout, the delivery routes and redelivery, and
/// a SIGKILL with deliveries in flight: after a restart on the same data
/// directory every event of the feed is delivered at least once.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <boost/json/serialize.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../outbound/test_receiver.hpp"
#include "support.hpp"

namespace dwt::blackbox {
namespace {

namespace json = boost::json;
namespace rx = dwt::outbound::testing;
using namespace std::chrono_literals;

// -- an independent Standard Webhooks check ----------------------------------

std::string b64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string unb64(std::string_view text) {
  if (text.size() % 4 != 0)
    return {};
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0)
    return {};
  auto len = static_cast<std::size_t>(n);
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it)
    --len;
  out.resize(len);
  return out;
}

/// "v1," + base64(HMAC-SHA256(decoded secret, id.ts.body)).
std::string expected_signature(std::string_view whsec, std::string_view id, std::string_view ts,
                               std::string_view body) {
  whsec.remove_prefix(std::string_view{"whsec_"}.size());
  const auto key = unb64(whsec);
  const std::string content = std::string{id} + "." + std::string{ts} + "." + std::string{body};
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &mac_len);
  return "v1," + b64(std::string_view{reinterpret_cast<const char*>(mac), mac_len});
}

/// "" when `r` carries the Standard Webhooks headers and one valid
/// signature per secret (and no other); else what is wrong.
std::string signature_problem(const rx::recorded_request& r,
                              const std::vector<std::string>& secrets) {
  const auto id = r.header("webhook-id");
  const auto ts = r.header("webhook-timestamp");
  const auto sig = r.header("webhook-signature");
  if (id.empty() || ts.empty() || sig.empty())
    return "missing webhook-id / webhook-timestamp / webhook-signature";
  if (ts.find_first_not_of("0123456789") != std::string::npos)
    return "webhook-timestamp is not integer seconds: " + ts;
  const auto now = static_cast<long long>(std::time(nullptr));
  if (std::llabs(now - std::stoll(ts)) > 300)
    return "webhook-timestamp " + ts + " is not within 5 minutes of now";
  if (!r.header("content-type").starts_with("application/json"))
    return "content-type " + r.header("content-type");
  std::vector<std::string> given;
  for (std::size_t at = 0; at <= sig.size();) {
    const auto sp = std::min(sig.find(' ', at), sig.size());
    given.push_back(sig.substr(at, sp - at));
    at = sp + 1;
  }
  std::vector<std::string> wanted;
  for (const auto& s : secrets)
    wanted.push_back(expected_signature(s, id, ts, r.body));
  for (const auto& w : wanted)
    if (std::find(given.begin(), given.end(), w) == given.end())
      return "no valid signature for one of the secrets in '" + sig + "'";
  for (const auto& g : given)
    if (std::find(wanted.begin(), wanted.end(), g) == wanted.end())
      return "a signature matches no secret: " + g;
  return {};
}

/// A fresh `whsec_` secret of 32 random bytes.
std::string make_secret(std::mt19937_64& rng) {
  std::string raw(32, '\0');
  for (auto& c : raw)
    c = static_cast<char>(rng() & 0xff);
  return "whsec_" + b64(raw);
}

// -- the receiver -------------------------------------------------------------

/// One request the receiver got and its answer (0: never answered).
struct delivery {
  rx::recorded_request req;
  unsigned answered = 0;
  [[nodiscard]] bool ok() const { return answered >= 200 && answered < 300; }
  [[nodiscard]] std::string id() const { return req.header("webhook-id"); }
};

/// A loopback webhook endpoint answering by plan: the next planned statuses
/// first (0 = hang), then hang if `hang_all`, else 200. Logs every request
/// with its answer.
class webhook_receiver {
public:
  webhook_receiver() {
    rx_.set_handler([this](const rx::recorded_request& r) { return decide(r); });
  }
  [[nodiscard]] std::string url() const { return rx_.url(); }
  void plan(std::vector<unsigned> statuses) {
    std::lock_guard lock{mutex_};
    plan_.insert(plan_.end(), statuses.begin(), statuses.end());
  }
  void hang_all(bool on) {
    std::lock_guard lock{mutex_};
    hang_all_ = on;
  }
  void answer_all() {
    std::lock_guard lock{mutex_};
    plan_.clear();
    hang_all_ = false;
  }
  [[nodiscard]] std::vector<delivery> log() const {
    std::lock_guard lock{mutex_};
    return log_;
  }
  [[nodiscard]] std::size_t hung() const {
    std::lock_guard lock{mutex_};
    return static_cast<std::size_t>(
        std::count_if(log_.begin(), log_.end(), [](const auto& d) { return d.answered == 0; }));
  }

private:
  rx::reply decide(const rx::recorded_request& r) {
    std::lock_guard lock{mutex_};
    unsigned status = hang_all_ ? 0 : 200;
    if (!plan_.empty()) {
      status = plan_.front();
      plan_.pop_front();
    }
    log_.push_back({r, status});
    if (status == 0)
      return rx::reply{0, {}, true};
    return rx::reply{status, "{}", false};
  }

  mutable std::mutex mutex_;
  std::deque<unsigned> plan_;
  bool hang_all_ = false;
  std::vector<delivery> log_;
  rx::test_receiver rx_; // last: stopped (joined) before the rest goes
};

// -- the fixture --------------------------------------------------------------

/// Feed facts of one event.
struct feed_event {
  std::int64_t seq = 0;
  std::string token;
  json::value event;
};

class webhooks : public blackbox_test {
protected:
  config_options server_options() override {
    secret_ = make_secret(data_->rng());
    old_secret_ = make_secret(data_->rng());
    config_options o;
    o.demo_partner_toml = "[partners.webhook]\nurl = \"" + rx_->url() + "\"\nsecret = \"" +
                          secret_ + "\"\nextra_secrets = [\"" + old_secret_ + "\"]\n";
    // Attempts time out after 1 s; retries after ~0.1, 0.2, 0.4, 0.4 ... s.
    o.extra_toml = "[webhooks]\ntimeout_ms = 1000\ninitial_backoff_ms = 100\n"
                   "max_backoff_ms = 400\nmax_attempts = 40\n";
    return o;
  }

  /// The demo partner's feed by event id.
  std::map<std::string, feed_event> feed_by_id() {
    std::map<std::string, feed_event> out;
    for (auto& e : all_events(demo_partner_key)) {
      feed_event f;
      f.seq = json_int(e, "seq").value_or(0);
      // The ordering key: the event's token (absent for events without one).
      f.token = json_string(e, "tokenUniqueReference");
      f.event = e;
      out.emplace(json_string(e, "id"), std::move(f));
    }
    return out;
  }

  /// Waits (bounded) until every event of `feed` was answered 2xx at least
  /// once; the receiver's log at that point.
  std::vector<delivery> wait_all_delivered(const std::map<std::string, feed_event>& feed,
                                           std::chrono::seconds limit = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto log = rx_->log();
      std::set<std::string> ok;
      for (const auto& d : log)
        if (d.ok())
          ok.insert(d.id());
      const bool all = std::all_of(feed.begin(), feed.end(),
                                   [&](const auto& kv) { return ok.count(kv.first) == 1; });
      if (all)
        return log;
      if (std::chrono::steady_clock::now() >= deadline) {
        std::string missing;
        for (const auto& [id, f] : feed)
          if (ok.count(id) == 0)
            missing += " " + id + " (seq " + std::to_string(f.seq) + ")";
        ADD_FAILURE() << "not delivered within " << limit.count() << " s:" << missing;
        return log;
      }
      std::this_thread::sleep_for(20ms);
    }
  }

  /// Every request: signed with both secrets, a known event, its body the
  /// feed's event; and per-token order: no request for an event before an
  /// earlier event of the same token was answered 2xx.
  void expect_signed_ordered_and_faithful(const std::vector<delivery>& log,
                                          const std::map<std::string, feed_event>& feed) {
    std::map<std::string, std::vector<std::int64_t>> seqs_of_token;
    for (const auto& [id, f] : feed)
      if (!f.token.empty())
        seqs_of_token[f.token].push_back(f.seq);
    for (auto& [t, seqs] : seqs_of_token)
      std::sort(seqs.begin(), seqs.end());
    std::set<std::int64_t> acked; // seqs answered 2xx so far, in log order
    for (std::size_t i = 0; i < log.size(); ++i) {
      const auto& d = log[i];
      EXPECT_EQ(d.req.method, "POST");
      EXPECT_EQ(signature_problem(d.req, {secret_, old_secret_}), "") << "request " << i;
      const auto it = feed.find(d.id());
      if (it == feed.end()) {
        ADD_FAILURE() << "request " << i << " carries an event not in the feed: " << d.id();
        continue;
      }
      const auto& f = it->second;
      const auto body = parse_json(d.req.body).value_or(json::value{});
      EXPECT_EQ(json_string(body, "type"), json_string(f.event, "type")) << d.id();
      EXPECT_EQ(json_string(body, "timestamp"), json_string(f.event, "timestamp")) << d.id();
      EXPECT_EQ(json_at(body, "data"), json_at(f.event, "data")) << d.id();
      const auto schema = json_string(body, "type") == "DigitalWalletTokenTransition"
                              ? "TransitionWebhook"
                              : "ManualVerificationWebhook";
      const auto problems = schema_problems(schema, d.req.body);
      EXPECT_TRUE(problems.empty()) << d.req.body << "\n" << (problems.empty() ? "" : problems[0]);
      if (!f.token.empty()) {
        const auto& seqs = seqs_of_token[f.token];
        const auto pos = std::find(seqs.begin(), seqs.end(), f.seq);
        if (pos != seqs.begin()) {
          EXPECT_TRUE(acked.count(*(pos - 1)) == 1)
              << "request " << i << " for seq " << f.seq << " of " << f.token << " before seq "
              << *(pos - 1) << " was acknowledged";
        }
      }
      if (d.ok())
        acked.insert(f.seq);
    }
  }

  http_response deliveries(const std::string& id, std::string_view key = demo_partner_key) {
    return api_->get("/v1/events/" + id + "/deliveries", key);
  }

  /// Polls the deliveries route until the state is `status` (bounded).
  json::value wait_state(const std::string& id, std::string_view status) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    json::value v;
    do {
      auto r = deliveries(id);
      v = r.json();
      if (r.status == 200 && json_string(json_at(v, "state"), "status") == status)
        return v;
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < deadline);
    ADD_FAILURE() << id << " never reached " << status << ": " << json::serialize(v);
    return v;
  }

  std::unique_ptr<webhook_receiver> rx_ = std::make_unique<webhook_receiver>();
  std::string secret_;
  std::string old_secret_;
};

std::vector<std::string> bodies_of(const std::vector<delivery>& log, const std::string& id) {
  std::vector<std::string> out;
  for (const auto& d : log)
    if (d.id() == id)
      out.push_back(d.req.body);
  return out;
}

// -- tests ----------------------------------------------------------------------

TEST_F(webhooks, every_event_of_provisioning_flows_arrives_signed_in_order_per_token) {
  // SMS OTP: REQUESTED, manual verification (SMS_OTP), ACTIVE.
  std::string pan;
  auto card = new_card(demo_partner_key, &pan);
  ASSERT_FALSE(card.is_null());
  auto res = tokenize(pan, "YELLOW");
  ASSERT_EQ(json_string(res, "decision"), "REQUIRE_VERIFICATION");
  const auto otp_tur = json_string(res, "tokenUniqueReference");
  ASSERT_EQ(start_verification(otp_tur, "SMS_OTP").status, 202);
  const auto code = next_otp().second;
  auto ok = api_->post("/network/v1/tokens/" + otp_tur + "/verification/otp", network_key,
                       {{"code", code}});
  ASSERT_EQ(ok.status, 200) << describe(ok);

  // In-app: REQUESTED, manual verification (IN_APP), ACTIVE by APPROVE;
  // then suspended, resumed and terminated by the partner.
  std::string pan2;
  const auto card2 = json_string(new_card(demo_partner_key, &pan2), "id");
  res = tokenize(pan2, "YELLOW", "GOOGLE_PAY");
  const auto app_tur = json_string(res, "tokenUniqueReference");
  ASSERT_EQ(start_verification(app_tur, "IN_APP").status, 202);
  auto approved = api_->post("/v1/cards/" + card2 + "/payment-tokens/" + app_tur + "/activation",
                             demo_partner_key, {{"activation", "APPROVE"}});
  ASSERT_EQ(approved.status, 204) << describe(approved);
  for (auto state : {"SUSPENDED", "ACTIVE", "TERMINATED"})
    ASSERT_EQ(transition(demo_partner_key, card2, app_tur, state).status, 201) << state;

  // Approved at once (GREEN), declined (RED), push provisioning.
  res = tokenize(pan2, "GREEN", "SAMSUNG_PAY");
  ASSERT_EQ(json_string(res, "decision"), "APPROVED");
  const auto green_tur = json_string(res, "tokenUniqueReference");
  res = tokenize(pan, "RED");
  ASSERT_EQ(json_string(res, "decision"), "DECLINED");
  const auto red_tur = json_string(res, "tokenUniqueReference");
  const auto push_tur = json_string(push_token(demo_partner_key, card2), "tokenUniqueReference");

  const auto feed = feed_by_id();
  const auto log = wait_all_delivered(feed);
  expect_signed_ordered_and_faithful(log, feed);

  // Every transition of every token arrived as a DigitalWalletTokenTransition
  // whose data is that transition (plus walletProvider), in history order.
  std::size_t transitions = 0;
  for (const auto& tur : {otp_tur, app_tur, green_tur, red_tur, push_tur}) {
    const auto hist = history(demo_partner_key, tur);
    ASSERT_FALSE(hist.empty()) << tur;
    transitions += hist.size();
    std::vector<std::string> delivered_ids; // transition ids, first 2xx order
    std::set<std::string> seen;
    for (const auto& d : log) {
      const auto body = parse_json(d.req.body).value_or(json::value{});
      const auto& data = json_at(body, "data");
      if (!d.ok() || json_string(body, "type") != "DigitalWalletTokenTransition" ||
          json_string(data, "tokenUniqueReference") != tur || !seen.insert(d.id()).second)
        continue;
      delivered_ids.push_back(json_string(data, "id"));
      for (auto field :
           {"id", "cardId", "state", "fulfillmentStatus", "channel", "createdAt", "walletProvider"})
        EXPECT_FALSE(json_string(data, field).empty()) << field << " in " << d.req.body;
      for (auto field : {"fromState", "reason"})
        EXPECT_TRUE(data.is_object() && data.as_object().contains(field)) << field;
    }
    std::vector<std::string> history_ids;
    for (const auto& h : hist)
      history_ids.push_back(json_string(h, "id"));
    EXPECT_EQ(delivered_ids, history_ids) << tur;
  }

  // The two manual-verification events, one per method, shaped per docs/API.md.
  std::map<std::string, std::string> methods; // token → method
  for (const auto& [id, f] : feed) {
    if (json_string(f.event, "type") != "cards#manual-provisioning-verification")
      continue;
    const auto& data = json_at(f.event, "data");
    for (auto field : {"cardId", "last4", "provisioningRequestedAt", "walletProvider",
                       "tokenUniqueReference", "verificationMethod"})
      EXPECT_FALSE(json_string(data, field).empty()) << field;
    methods[json_string(data, "tokenUniqueReference")] = json_string(data, "verificationMethod");
  }
  EXPECT_EQ(methods,
            (std::map<std::string, std::string>{{otp_tur, "SMS_OTP"}, {app_tur, "IN_APP"}}));
  EXPECT_EQ(feed.size(), transitions + 2);

  // The route lists each one delivered.
  for (const auto& [id, f] : feed) {
    const auto v = wait_state(id, "DELIVERED");
    const auto attempts = json_array(v, "data");
    ASSERT_FALSE(attempts.empty()) << id;
    EXPECT_EQ(json_string(attempts.back(), "outcome"), "DELIVERED");
    EXPECT_EQ(json_int(json_at(v, "state"), "attempts"),
              static_cast<std::int64_t>(attempts.size()));
  }
}

TEST_F(webhooks, failures_and_a_timeout_are_retried_then_listed_and_redelivery_works) {
  rx_->plan({500, 0, 503}); // then 200
  const auto card = new_card(demo_partner_key);
  const auto tur =
      json_string(push_token(demo_partner_key, json_string(card, "id")), "tokenUniqueReference");
  ASSERT_FALSE(tur.empty());
  const auto feed = feed_by_id();
  ASSERT_EQ(feed.size(), 2u); // REQUESTED, ACTIVE
  auto log = wait_all_delivered(feed);
  expect_signed_ordered_and_faithful(log, feed);

  std::string first; // the REQUESTED event: it takes the failures
  for (const auto& [id, f] : feed)
    if (first.empty() || f.seq < feed.at(first).seq)
      first = id;
  const auto bodies = bodies_of(log, first);
  ASSERT_EQ(bodies.size(), 4u) << "500, no answer, 503, 200";
  for (const auto& b : bodies)
    EXPECT_EQ(b, bodies.front()) << "every attempt sends the same body";

  auto v = wait_state(first, "DELIVERED");
  const auto attempts = json_array(v, "data");
  ASSERT_EQ(attempts.size(), 4u) << json::serialize(v);
  EXPECT_EQ(json_int(attempts[0], "status"), 500);
  EXPECT_TRUE(json_is_null(attempts[1], "status"));
  EXPECT_FALSE(json_string(attempts[1], "error").empty()) << "the timeout says why";
  EXPECT_EQ(json_int(attempts[2], "status"), 503);
  EXPECT_EQ(json_int(attempts[3], "status"), 200);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(json_int(attempts[i], "attempt"), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(json_string(attempts[i], "outcome"), i < 3 ? "FAILED" : "DELIVERED");
  }
  EXPECT_EQ(json_int(json_at(v, "state"), "attempts"), 4);
  EXPECT_TRUE(json_is_null(json_at(v, "state"), "nextAttemptAt"));

  // Redelivery: 202 once durable, the same webhook-id and body again,
  // freshly signed; the key's replay queues nothing more.
  auto again = api_->call("POST", "/v1/events/" + first + "/redeliver", demo_partner_key,
                          std::nullopt, {{"Idempotency-Key", "redo-" + first}});
  ASSERT_EQ(again.status, 202) << describe(again);
  EXPECT_EQ(json_string(again.json(), "status"), "PENDING");
  v = wait_state(first, "DELIVERED");
  EXPECT_EQ(json_int(json_at(v, "state"), "attempts"), 5) << json::serialize(v);
  log = rx_->log();
  const auto after = bodies_of(log, first);
  ASSERT_EQ(after.size(), 5u);
  EXPECT_EQ(after.back(), bodies.front());
  EXPECT_EQ(signature_problem(log.back().req, {secret_, old_secret_}), "");
  auto replay = api_->call("POST", "/v1/events/" + first + "/redeliver", demo_partner_key,
                           std::nullopt, {{"Idempotency-Key", "redo-" + first}});
  EXPECT_EQ(replay.status, 202);
  EXPECT_EQ(replay.header("idempotent-replayed"), "true");
  EXPECT_EQ(replay.body, again.body);
  EXPECT_EQ(json_int(json_at(deliveries(first).json(), "state"), "attempts"), 5);

  // Tenancy: another partner's view of this event is 404; a partner
  // without an endpoint cannot redeliver its own events.
  auto foreign = deliveries(first, legacy_partner_key);
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(json_string(foreign.json(), "code"), "event_not_found");
  const auto legacy_card = json_string(new_card(legacy_partner_key), "id");
  ASSERT_FALSE(push_token(legacy_partner_key, legacy_card).is_null());
  const auto legacy_feed = all_events(legacy_partner_key);
  ASSERT_FALSE(legacy_feed.empty());
  auto none =
      api_->call("POST", "/v1/events/" + json_string(legacy_feed.front(), "id") + "/redeliver",
                 legacy_partner_key);
  EXPECT_EQ(none.status, 409);
  EXPECT_EQ(json_string(none.json(), "code"), "no_webhook_endpoint");
}

TEST_F(webhooks, sigkill_with_deliveries_in_flight_loses_none_and_keeps_token_order) {
  // The receiver acknowledges three requests, then hangs on every one (the
  // server times them out after 1 s and retries): deliveries in flight.
  rx_->plan({200, 200, 200});
  rx_->hang_all(true);
  std::vector<std::pair<std::string, std::string>> tokens; // card, tur
  for (int i = 0; i < 4; ++i) {
    const auto card = json_string(new_card(demo_partner_key), "id");
    tokens.emplace_back(card,
                        json_string(push_token(demo_partner_key, card), "tokenUniqueReference"));
    ASSERT_FALSE(tokens.back().second.empty());
  }
  for (const auto& [card, tur] : tokens)
    ASSERT_EQ(transition(demo_partner_key, card, tur, "SUSPENDED").status, 201);
  for (const auto& [card, tur] : tokens)
    ASSERT_EQ(transition(demo_partner_key, card, tur, "ACTIVE").status, 201);

  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (rx_->hung() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  ASSERT_GE(rx_->hung(), 2u) << "deliveries must be in flight at the kill";
  const auto feed = feed_by_id(); // every event acknowledged before the kill
  ASSERT_EQ(feed.size(), 16u);
  const auto before_kill = rx_->log().size();
  const auto status = server_->process().kill();
  EXPECT_FALSE(status.exited) << status.describe();

  rx_->answer_all();
  api_.reset();
  ASSERT_EQ(server_->start(), "") << "restart after SIGKILL";
  api_ = std::make_unique<api>(server_->port());

  const auto after_feed = feed_by_id();
  for (const auto& [id, f] : feed)
    EXPECT_EQ(after_feed.count(id), 1u) << "acknowledged event " << id << " lost from the feed";
  const auto log = wait_all_delivered(after_feed);
  expect_signed_ordered_and_faithful(log, after_feed);

  std::set<std::string> distinct;
  std::size_t ok_deliveries = 0;
  for (const auto& d : log) {
    if (d.ok()) {
      ++ok_deliveries;
      distinct.insert(d.id());
    }
  }
  EXPECT_EQ(distinct.size(), after_feed.size());
  for (const auto& [id, f] : after_feed) {
    const auto v = wait_state(id, "DELIVERED");
    const auto attempts = json_array(v, "data");
    ASSERT_FALSE(attempts.empty()) << id;
    EXPECT_EQ(json_string(attempts.back(), "outcome"), "DELIVERED") << id;
    EXPECT_EQ(json_int(json_at(v, "state"), "attempts"), static_cast<std::int64_t>(attempts.size()))
        << id;
  }
  std::cout << "[ info ] " << after_feed.size() << " events; " << before_kill
            << " requests before the kill (" << rx_->hung() << " never answered); " << log.size()
            << " requests in all, " << ok_deliveries << " answered 2xx, "
            << (ok_deliveries - distinct.size()) << " duplicate deliveries\n";
}

} // namespace
} // namespace dwt::blackbox
