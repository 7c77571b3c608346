// The webhook delivery routes in process: GET /v1/events/{eventId}/deliveries
// (attempts + state) and POST /v1/events/{eventId}/redeliver (202,
// idempotent), against a real loopback receiver (outbound/test_receiver.hpp)
// configured as partner p1's endpoint; p2 has none. Retries use a short
// schedule ([webhooks] initial_backoff_ms = 20) so they happen at once.
// Every answer is checked against docs/openapi.yaml by the client.

#include <thread>

#include "outbound/test_receiver.hpp"
#include "support.hpp"

namespace dwt_server_test {
namespace {

using dwt::outbound::testing::reply;
using dwt::outbound::testing::test_receiver;

/// A development secret (32 bytes, base64), used only by these tests.
constexpr const char* whsec = "whsec_MfKQ9r8GKYqrWLf6Y8H7UJ2hwtmWZ4sYQzj0BV6wX0c=";

/// Bounded polling; a broken dispatcher fails the test, never hangs it.
constexpr auto wait_limit = 15s;

class Webhooks : public server_fixture {
protected:
  void SetUp() override {
    receiver_ = std::make_unique<test_receiver>();
    start_with(3);
  }

  /// Starts the server with p1's endpoint at the receiver and a schedule of
  /// `max_attempts` attempts.
  void start_with(unsigned max_attempts) {
    auto text = test_config(dir_.path);
    const std::string p2 = "[[partners]]\nid = \"p2\"";
    const auto at = text.find(p2);
    ASSERT_NE(at, std::string::npos);
    text.insert(at, "[partners.webhook]\nurl = \"" + receiver_->url() + "\"\nsecret = \"" + whsec +
                        "\"\n");
    text += "[webhooks]\ntimeout_ms = 2000\ninitial_backoff_ms = 20\nmax_backoff_ms = 40\n"
            "max_attempts = " +
            std::to_string(max_attempts) + "\n";
    start_server(text);
  }

  void TearDown() override {
    server_fixture::TearDown();
    receiver_.reset();
  }

  /// The ids of every event in the partner's feed, oldest first.
  std::vector<std::string> event_ids(const char* key = p1_key) {
    auto a = get("/v1/events?limit=1000", key);
    EXPECT_EQ(a.status, 200u) << a.body;
    std::vector<std::string> out;
    if (const auto* data = a.obj().if_contains("data"))
      for (const auto& e : data->as_array())
        out.emplace_back(e.as_object().at("id").as_string());
    return out;
  }

  answer deliveries(const std::string& id, const char* key = p1_key) {
    return get("/v1/events/" + id + "/deliveries", key);
  }

  /// Polls the deliveries route until the state's status is `status`;
  /// returns the last answer.
  answer wait_status(const std::string& id, const std::string& status) {
    const auto deadline = std::chrono::steady_clock::now() + wait_limit;
    answer a;
    do {
      a = deliveries(id);
      // The route reads the attempt list in a snapshot before the state's
      // (routes_webhooks.cpp), so the list may lag the state: wait until it
      // holds every attempt the state counts.
      if (a.status == 200 && state_of(a).at("status").as_string() == status &&
          static_cast<std::int64_t>(attempts_of(a).size()) == state_of(a).at("attempts").as_int64())
        return a;
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < deadline);
    ADD_FAILURE() << id << " never reached " << status << ": " << a.body;
    return a;
  }

  static const json::object& state_of(const answer& a) {
    static const json::object empty;
    const auto* st = a.obj().if_contains("state");
    return st != nullptr && st->is_object() ? st->as_object() : empty;
  }
  static const json::array& attempts_of(const answer& a) {
    static const json::array empty;
    const auto* d = a.obj().if_contains("data");
    return d != nullptr && d->is_array() ? d->as_array() : empty;
  }

  /// Requests the receiver got carrying `webhook-id: id`.
  std::size_t received(const std::string& id) const {
    std::size_t n = 0;
    for (const auto& r : receiver_->requests())
      n += r.header("webhook-id") == id ? 1 : 0;
    return n;
  }

  std::unique_ptr<test_receiver> receiver_;
};

TEST_F(Webhooks, DeliveredEventsListOneDeliveredAttempt) {
  push(card(make_pan("411111", 1)));
  const auto ids = event_ids();
  ASSERT_EQ(ids.size(), 2u); // REQUESTED, ACTIVE
  for (const auto& id : ids) {
    auto a = wait_status(id, "DELIVERED");
    const auto& st = state_of(a);
    EXPECT_EQ(st.at("attempts").as_int64(), 1);
    EXPECT_TRUE(st.at("nextAttemptAt").is_null());
    ASSERT_EQ(attempts_of(a).size(), 1u) << a.body;
    const auto& at = attempts_of(a)[0].as_object();
    EXPECT_EQ(at.at("attempt").as_int64(), 1);
    EXPECT_EQ(at.at("status").as_int64(), 200);
    EXPECT_TRUE(at.at("error").is_null());
    EXPECT_EQ(at.at("outcome").as_string(), "DELIVERED");
    EXPECT_EQ(received(id), 1u);
  }
}

TEST_F(Webhooks, FailuresAreListedThenTheDelivery) {
  receiver_->script(500, 2);
  push(card(make_pan("411111", 2)));
  const auto ids = event_ids();
  ASSERT_FALSE(ids.empty());
  // The token's first event takes the two failures (per-token order: the
  // second waits for it).
  auto a = wait_status(ids.front(), "DELIVERED");
  const auto& list = attempts_of(a);
  ASSERT_EQ(list.size(), 3u) << a.body;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& at = list[i].as_object();
    EXPECT_EQ(at.at("attempt").as_int64(), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(at.at("status").as_int64(), i < 2 ? 500 : 200);
    EXPECT_EQ(at.at("outcome").as_string(), i < 2 ? "FAILED" : "DELIVERED");
  }
  EXPECT_EQ(state_of(a).at("attempts").as_int64(), 3);
  EXPECT_EQ(received(ids.front()), 3u);
}

TEST_F(Webhooks, DeadLetteredThenRedeliveredOnceWithAnIdempotencyKey) {
  receiver_->set_default(reply{503, "{}", false});
  push(card(make_pan("411111", 3)));
  const auto ids = event_ids();
  ASSERT_EQ(ids.size(), 2u);
  auto dead = wait_status(ids[0], "DEAD_LETTERED");
  EXPECT_EQ(state_of(dead).at("attempts").as_int64(), 3);
  EXPECT_TRUE(state_of(dead).at("nextAttemptAt").is_null());
  for (const auto& at : attempts_of(dead))
    EXPECT_EQ(at.as_object().at("outcome").as_string(), "FAILED");
  // Dead-lettering released the token's next event; it dies the same way.
  wait_status(ids[1], "DEAD_LETTERED");

  receiver_->set_default(reply{200, "{}", false});
  const std::vector<std::pair<std::string, std::string>> key{{"Idempotency-Key", "redo-1"}};
  auto first = post("/v1/events/" + ids[0] + "/redeliver", {}, p1_key, key);
  ASSERT_EQ(first.status, 202u) << first.body;
  EXPECT_EQ(first.str("status"), "PENDING");
  EXPECT_EQ(first.obj().at("attempts").as_int64(), 3);
  EXPECT_FALSE(first.obj().at("nextAttemptAt").is_null());
  EXPECT_TRUE(first.header("Idempotent-Replayed").empty());

  auto done = wait_status(ids[0], "DELIVERED");
  ASSERT_EQ(attempts_of(done).size(), 4u) << done.body;
  EXPECT_EQ(attempts_of(done)[3].as_object().at("attempt").as_int64(), 4);
  EXPECT_EQ(attempts_of(done)[3].as_object().at("outcome").as_string(), "DELIVERED");

  // The replay answers the stored 202 and queues nothing: still DELIVERED.
  auto replay = post("/v1/events/" + ids[0] + "/redeliver", {}, p1_key, key);
  EXPECT_EQ(replay.status, 202u);
  EXPECT_EQ(replay.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(replay.body, first.body);
  auto after = deliveries(ids[0]);
  EXPECT_EQ(state_of(after).at("status").as_string(), "DELIVERED");
  EXPECT_EQ(state_of(after).at("attempts").as_int64(), 4);

  // The same key with another body is refused.
  auto reused = post("/v1/events/" + ids[0] + "/redeliver", R"({"x":1})", p1_key, key);
  EXPECT_EQ(reused.status, 422u);
  EXPECT_EQ(reused.code(), "idempotency_key_reused");

  // Without a key, a redelivery of the other dead event.
  auto plain = post("/v1/events/" + ids[1] + "/redeliver", {}, p1_key);
  EXPECT_EQ(plain.status, 202u) << plain.body;
  wait_status(ids[1], "DELIVERED");
}

TEST_F(Webhooks, RedeliveringADeliveredEventSendsItAgain) {
  receiver_->set_default(reply{200, "{}", false});
  push(card(make_pan("411111", 4)));
  const auto ids = event_ids();
  ASSERT_FALSE(ids.empty());
  wait_status(ids[0], "DELIVERED");
  auto again = post("/v1/events/" + ids[0] + "/redeliver", {}, p1_key);
  ASSERT_EQ(again.status, 202u) << again.body;
  // The 202 comes once the PENDING state is durable, so DELIVERED again
  // means the new round's attempt was recorded.
  auto done = wait_status(ids[0], "DELIVERED");
  EXPECT_EQ(state_of(done).at("attempts").as_int64(), 2) << done.body;
  EXPECT_EQ(received(ids[0]), 2u);
}

TEST_F(Webhooks, OtherPartnersAndUnknownEventsAreNotFound) {
  push(card(make_pan("411111", 5)));
  const auto ids = event_ids();
  ASSERT_FALSE(ids.empty());
  for (const auto& target :
       {"/v1/events/" + ids[0] + "/deliveries", std::string{"/v1/events/evt_unknown/deliveries"}}) {
    auto a = get(target, p2_key);
    EXPECT_EQ(a.status, 404u) << target;
    EXPECT_EQ(a.code(), "event_not_found") << target;
  }
  auto unknown = get("/v1/events/evt_unknown/deliveries", p1_key);
  EXPECT_EQ(unknown.status, 404u);
  EXPECT_EQ(unknown.code(), "event_not_found");
  for (const auto& target :
       {"/v1/events/" + ids[0] + "/redeliver", std::string{"/v1/events/evt_unknown/redeliver"}}) {
    auto a = post(target, {}, p2_key);
    EXPECT_EQ(a.status, 404u) << target;
    EXPECT_EQ(a.code(), "event_not_found") << target;
  }
  auto mine = post("/v1/events/evt_unknown/redeliver", {}, p1_key);
  EXPECT_EQ(mine.status, 404u);
  EXPECT_EQ(mine.code(), "event_not_found");
}

TEST_F(Webhooks, PartnerWithoutEndpointSeesFeedOnlyAndCannotRedeliver) {
  push(card(make_pan("411111", 6), p2_key), p2_key);
  const auto ids = event_ids(p2_key);
  ASSERT_EQ(ids.size(), 2u);
  auto a = deliveries(ids[0], p2_key);
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_TRUE(attempts_of(a).empty());
  EXPECT_EQ(state_of(a).at("status").as_string(), "FEED_ONLY");
  EXPECT_EQ(state_of(a).at("attempts").as_int64(), 0);
  EXPECT_TRUE(state_of(a).at("nextAttemptAt").is_null());
  // Nothing waits for delivery: the gauge is back to 0.
  auto m = get("/metrics", nullptr);
  EXPECT_NE(m.body.find("\ndwt_outbox_pending 0\n"), std::string::npos) << m.body;
  auto r = post("/v1/events/" + ids[0] + "/redeliver", {}, p2_key);
  EXPECT_EQ(r.status, 409u);
  EXPECT_EQ(r.code(), "no_webhook_endpoint");
  EXPECT_EQ(receiver_->request_count(), 0u);
}

TEST_F(Webhooks, KeysAndIdempotencyKeysAreChecked) {
  push(card(make_pan("411111", 7)));
  const auto ids = event_ids();
  ASSERT_FALSE(ids.empty());
  const auto target = "/v1/events/" + ids[0] + "/deliveries";
  EXPECT_EQ(get(target, nullptr).status, 401u);
  EXPECT_EQ(get(target, network_key).status, 401u);
  EXPECT_EQ(post("/v1/events/" + ids[0] + "/redeliver", {}, nullptr).status, 401u);
  auto bad = post("/v1/events/" + ids[0] + "/redeliver", {}, p1_key,
                  {{"Idempotency-Key", std::string(256, 'k')}});
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.code(), "invalid_idempotency_key");
  auto wrong_method = http().request("DELETE", target, {}, p1_key);
  EXPECT_EQ(wrong_method.status, 405u);
}

} // namespace
} // namespace dwt_server_test
