#include <cstdio>
#include <ctime>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "dwt/engine/crypto.hpp"
#include "dwt/engine/json.hpp"
#include "dwt/engine/random.hpp"
#include "test_util.hpp"

using namespace dwt::engine;
namespace bj = boost::json;
using dwt::engine::test::at;
using dwt::engine::test::make_token;

namespace {

std::set<std::string> keys_of(const bj::object& o) {
  std::set<std::string> keys;
  for (const auto& kv : o)
    keys.emplace(kv.key());
  return keys;
}

std::string str(const bj::value& v) {
  const auto* s = v.if_string();
  return s ? std::string{s->data(), s->size()} : std::string{"<not a string>"};
}

transition_record sample_transition() {
  transition_record r;
  r.id = "tr_abc";
  r.token = token_ref{"DWTREF"};
  r.card = card_id{"card_1"};
  r.from_state = token_state::requested;
  r.to_state = token_state::active;
  r.fulfillment = fulfillment_status::provisioned;
  r.reason = "OTP verified";
  r.by = channel::network;
  r.created_at = at(2025, 6, 1, 9, 8, 7, 6);
  return r;
}

/// Every object, array and string in `v` (and `v` itself) uses `sp`'s
/// resource; the first path that does not, or "" if all do.
std::string first_foreign_storage(const bj::value& v, const bj::storage_ptr& sp,
                                  const std::string& path = "$") {
  if (v.storage().get() != sp.get())
    return path;
  if (const auto* o = v.if_object()) {
    for (const auto& kv : *o)
      if (auto bad = first_foreign_storage(kv.value(), sp, path + "." + std::string{kv.key()});
          !bad.empty())
        return bad;
  } else if (const auto* a = v.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i)
      if (auto bad = first_foreign_storage((*a)[i], sp, path + "[" + std::to_string(i) + "]");
          !bad.empty())
        return bad;
  } else if (const auto* str = v.if_string()) {
    if (str->storage().get() != sp.get())
      return path;
  }
  return "";
}

} // namespace

TEST(engine_json, rfc3339_format) {
  EXPECT_EQ(json::rfc3339(at(2026, 11, 22, 20, 50, 3, 123)), "2026-11-22T20:50:03.123Z");
  EXPECT_EQ(json::rfc3339(from_millis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(json::rfc3339(from_millis(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(json::rfc3339(at(2024, 2, 29, 23, 59, 59, 999)), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(json::rfc3339(at(2025, 1, 2, 3, 4, 5, 60)), "2025-01-02T03:04:05.060Z");
}

TEST(engine_json, rfc3339_parse_accepted_forms) {
  const auto t = at(2026, 11, 22, 20, 50, 3, 123);
  EXPECT_EQ(json::parse_rfc3339("2026-11-22T20:50:03.123Z"), t);
  EXPECT_EQ(json::parse_rfc3339("2026-11-22T20:50:03.123+00:00"), t);
  EXPECT_EQ(json::parse_rfc3339("2026-11-22T20:50:03Z"), at(2026, 11, 22, 20, 50, 3));
  EXPECT_EQ(json::parse_rfc3339("2026-11-22T20:50:03+00:00"), at(2026, 11, 22, 20, 50, 3));
  EXPECT_EQ(json::parse_rfc3339("2026-11-22T20:50:03.1Z"), at(2026, 11, 22, 20, 50, 3, 100));
  EXPECT_EQ(json::parse_rfc3339("2026-11-22T20:50:03.123456Z"), t);
}

TEST(engine_json, rfc3339_parse_rejects) {
  for (std::string_view bad :
       {"", "2026-11-22", "2026-11-22T20:50:03", "2026-11-22 20:50:03Z", "2026-11-22t20:50:03Z",
        "2026-11-22T20:50:03.Z", "2026-11-22T20:50:03.123+01:00", "2026-11-22T20:50:03.123z",
        "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
        "2026-11-22T24:00:00Z", "2026-11-22T23:60:00Z", "2026-11-22T23:59:60Z",
        "2026-11-22T20:50:03.123Z ", "x2026-11-22T20:50:03Z", "2026-1-22T20:50:03Z",
        "2026-11-22T20:50:03.1234567890Z"})
    EXPECT_FALSE(json::parse_rfc3339(bad)) << bad;
}

TEST(engine_json, format_rfc3339_agrees_with_libc_and_clamps) {
  EXPECT_EQ(json::format_rfc3339(at(2026, 11, 22, 20, 50, 3, 123)).view(),
            "2026-11-22T20:50:03.123Z");
  // Clamped to the four-digit years at both ends.
  EXPECT_EQ(json::format_rfc3339(from_millis(std::numeric_limits<std::int64_t>::min())).view(),
            "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(json::format_rfc3339(from_millis(std::numeric_limits<std::int64_t>::max())).view(),
            "9999-12-31T23:59:59.999Z");
  // The digits are written by hand: check them against libc's calendar
  // and printf (an independent formatter) anywhere from 1970 to 9999.
  seeded_random rng{7};
  for (int i = 0; i < 1000; ++i) {
    const auto ms = static_cast<std::int64_t>(rng.uniform(253402300799999ULL));
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    ASSERT_NE(gmtime_r(&secs, &tm), nullptr);
    char want[80]; // room for any int the format could print
    std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms % 1000));
    ASSERT_EQ(json::format_rfc3339(from_millis(ms)).view(), want) << ms;
    ASSERT_EQ(json::rfc3339(from_millis(ms)), want) << ms;
  }
}

TEST(engine_json, rfc3339_round_trips) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    seeded_random rng{seed};
    for (int i = 0; i < 1000; ++i) {
      // Anywhere from 1970 to 9999.
      const auto ms = static_cast<std::int64_t>(rng.uniform(253402300799999ULL));
      const auto t = from_millis(ms);
      const auto text = json::rfc3339(t);
      ASSERT_EQ(json::parse_rfc3339(text), t) << "seed " << seed << " " << text;
    }
  }
}

TEST(engine_json, profile_shape) {
  profile_record p;
  p.id = profile_id{"prof_1"};
  p.partner = partner_id{"partner_1"};
  p.phone_number = "+447700900123";
  p.created_at = at(2025, 1, 1);
  p.updated_at = at(2025, 1, 2);
  auto o = json::profile(p);
  EXPECT_EQ(keys_of(o),
            (std::set<std::string>{"id", "phoneNumber", "email", "createdAt", "updatedAt"}));
  EXPECT_TRUE(o.at("email").is_null());
  EXPECT_EQ(str(o.at("phoneNumber")), "+447700900123");
  EXPECT_EQ(str(o.at("updatedAt")), "2025-01-02T00:00:00.000Z");
  p.email = "a@example.com";
  EXPECT_EQ(str(json::profile(p).at("email")), "a@example.com");
}

TEST(engine_json, card_shape_never_contains_the_pan) {
  const std::string pan = "4111111111111111";
  seeded_random rng{1};
  card_record c;
  c.id = card_id{"card_1"};
  c.profile = profile_id{"prof_1"};
  c.partner = partner_id{"partner_1"};
  c.pan_hash = crypto::hmac_sha256("k", pan);
  c.last4 = "1111";
  c.pan_sealed = *crypto::aes256_gcm_seal(std::string(32, 'k'), pan, "card_1", rng);
  c.expiry_month = 9;
  c.expiry_year = 2029;
  c.card_product = "demo-debit";
  c.type = card_type::physical;
  c.state = card_state::suspended;
  c.phone_number = "+447700900123";
  auto o = json::card(c);
  EXPECT_EQ(keys_of(o),
            (std::set<std::string>{"id", "profileId", "last4", "expiryMonth", "expiryYear",
                                   "cardProduct", "type", "state", "createdAt", "updatedAt"}));
  EXPECT_EQ(str(o.at("type")), "PHYSICAL");
  EXPECT_EQ(str(o.at("state")), "SUSPENDED");
  EXPECT_EQ(o.at("expiryMonth").to_number<int>(), 9);
  EXPECT_EQ(o.at("expiryYear").to_number<int>(), 2029);
  const auto text = bj::serialize(o);
  EXPECT_EQ(text.find(pan), std::string::npos);
  EXPECT_EQ(text.find("411111"), std::string::npos);
  EXPECT_EQ(text.find(crypto::hex_encode(c.pan_hash)), std::string::npos);
  EXPECT_EQ(text.find(crypto::base64_encode(c.pan_hash)), std::string::npos);
  EXPECT_EQ(text.find(crypto::base64_encode(c.pan_sealed)), std::string::npos);
  EXPECT_EQ(text.find("pan"), std::string::npos);
}

TEST(engine_json, device_and_token_shapes) {
  auto t = make_token("DWTREF", "card_9");
  t.state = token_state::active;
  t.fulfillment = fulfillment_status::provisioned;
  t.wallet = wallet_provider::samsung_pay;
  t.device = device_info{"dev-7", device_type::watch, "Galaxy Watch"};
  auto d = json::device(t.device);
  EXPECT_EQ(keys_of(d), (std::set<std::string>{"id", "type", "name"}));
  EXPECT_EQ(str(d.at("type")), "WATCH");
  auto o = json::token(t);
  EXPECT_EQ(keys_of(o), (std::set<std::string>{"tokenUniqueReference", "cardId", "walletProvider",
                                               "device", "state", "fulfillmentStatus", "last4",
                                               "tokenLast4", "createdAt", "updatedAt"}));
  EXPECT_EQ(str(o.at("tokenUniqueReference")), "DWTREF");
  EXPECT_EQ(str(o.at("cardId")), "card_9");
  EXPECT_EQ(str(o.at("walletProvider")), "SAMSUNG_PAY");
  EXPECT_EQ(str(o.at("state")), "ACTIVE");
  EXPECT_EQ(str(o.at("fulfillmentStatus")), "PROVISIONED");
  EXPECT_EQ(str(o.at("last4")), "1111");
  EXPECT_EQ(str(o.at("tokenLast4")), "4242");
  EXPECT_EQ(o.at("device").as_object(), d);
}

TEST(engine_json, transition_shape) {
  auto r = sample_transition();
  auto o = json::transition(r);
  EXPECT_EQ(keys_of(o),
            (std::set<std::string>{"id", "tokenUniqueReference", "cardId", "fromState", "state",
                                   "fulfillmentStatus", "reason", "channel", "createdAt"}));
  EXPECT_EQ(str(o.at("fromState")), "REQUESTED");
  EXPECT_EQ(str(o.at("state")), "ACTIVE");
  EXPECT_EQ(str(o.at("fulfillmentStatus")), "PROVISIONED");
  EXPECT_EQ(str(o.at("channel")), "NETWORK");
  EXPECT_EQ(str(o.at("reason")), "OTP verified");
  EXPECT_EQ(str(o.at("createdAt")), "2025-06-01T09:08:07.006Z");
  r.from_state = std::nullopt;
  EXPECT_TRUE(json::transition(r).at("fromState").is_null());
}

TEST(engine_json, transition_event_data_adds_wallet_provider) {
  auto o = json::transition_event_data(sample_transition(), wallet_provider::apple_pay);
  auto want = keys_of(json::transition(sample_transition()));
  want.insert("walletProvider");
  EXPECT_EQ(keys_of(o), want);
  EXPECT_EQ(str(o.at("walletProvider")), "APPLE_PAY");
}

TEST(engine_json, manual_verification_event_data_shape) {
  auto t = make_token("DWTREF", "card_9");
  t.created_at = at(2025, 6, 1, 1, 2, 3, 4);
  auto o = json::manual_verification_event_data(t, verification_method::in_app);
  EXPECT_EQ(keys_of(o),
            (std::set<std::string>{"cardId", "last4", "provisioningRequestedAt", "walletProvider",
                                   "tokenUniqueReference", "verificationMethod"}));
  EXPECT_EQ(str(o.at("provisioningRequestedAt")), "2025-06-01T01:02:03.004Z");
  EXPECT_EQ(str(o.at("verificationMethod")), "IN_APP");
  EXPECT_EQ(str(o.at("walletProvider")), "GOOGLE_PAY");
  EXPECT_EQ(str(o.at("last4")), "1111");
}

TEST(engine_json, webhook_body_shape) {
  const auto data = json::transition_event_data(sample_transition(), wallet_provider::apple_pay);
  const auto body =
      json::webhook_body(json::transition_event_type, at(2025, 6, 1, 9, 8, 7, 999), data);
  boost::system::error_code ec;
  auto v = bj::parse(body, ec);
  ASSERT_FALSE(ec) << body;
  ASSERT_TRUE(v.is_object());
  const auto& o = v.as_object();
  EXPECT_EQ(keys_of(o), (std::set<std::string>{"type", "timestamp", "data"}));
  EXPECT_EQ(str(o.at("type")), "DigitalWalletTokenTransition");
  EXPECT_EQ(str(o.at("timestamp")), "2025-06-01T09:08:07.999Z");
  EXPECT_EQ(o.at("data").as_object(), data);
  EXPECT_EQ(json::manual_verification_event_type, "cards#manual-provisioning-verification");
  // Deterministic bytes: rendering twice gives the same body.
  EXPECT_EQ(body,
            json::webhook_body(json::transition_event_type, at(2025, 6, 1, 9, 8, 7, 999), data));
}

TEST(engine_json, builders_use_the_storage_they_are_given) {
  bj::monotonic_resource arena;
  const bj::storage_ptr sp{&arena};
  auto t = make_token("DWTREF", "card_9");
  t.created_at = at(2025, 6, 1, 1, 2, 3, 4);
  t.updated_at = at(2025, 6, 2);
  profile_record p;
  p.id = profile_id{"prof_0123456789abcdefghijklmnop"};
  p.phone_number = "+447700900123";
  p.email = "someone.with.a.long.address@example.com";
  card_record c;
  c.id = card_id{"card_0123456789abcdefghijklmnop"};
  c.profile = p.id;
  c.last4 = "1111";
  c.card_product = "demo-debit-with-a-long-name";
  const std::vector<std::pair<std::string, bj::value>> built{
      {"profile", json::profile(p, sp)},
      {"card", json::card(c, sp)},
      {"device", json::device(t.device, sp)},
      {"token", json::token(t, sp)},
      {"transition", json::transition(sample_transition(), sp)},
      {"transition_event_data",
       json::transition_event_data(sample_transition(), wallet_provider::apple_pay, sp)},
      {"manual_verification_event_data",
       json::manual_verification_event_data(t, verification_method::in_app, sp)},
  };
  const std::vector<bj::value> on_heap{
      json::profile(p),
      json::card(c),
      json::device(t.device),
      json::token(t),
      json::transition(sample_transition()),
      json::transition_event_data(sample_transition(), wallet_provider::apple_pay),
      json::manual_verification_event_data(t, verification_method::in_app),
  };
  for (std::size_t i = 0; i < built.size(); ++i) {
    const auto& [name, v] = built[i];
    EXPECT_EQ(first_foreign_storage(v, sp), "") << name;
    EXPECT_EQ(bj::serialize(v), bj::serialize(on_heap[i])) << name;
    EXPECT_NE(on_heap[i].storage().get(), sp.get()) << name;
  }
}

network_identity sample_network() {
  network_identity n;
  n.network = card_network::mdes;
  n.correlation_id = "corr1";
  n.token_requestor_id = "50110030273";
  n.wallet_id = "103";
  n.payment_app_instance_id = "pai-1";
  n.token_type = "CLOUD";
  n.device_name = "My Phone";
  n.os_version = "14";
  n.risk.recommended_decision = "APPROVED";
  n.risk.device_score = 4;
  n.risk.recommendation_reasons = {"LONG_ACCOUNT_TENURE"};
  n.risk.cvc_result = "NOT_PROCESSED";
  n.risk.data_valid_until = at(2031, 1, 2, 3, 4, 5, 6);
  return n;
}

TEST(engine_json, token_shows_the_network_identity_only_when_set) {
  auto t = make_token("mdes-c-corr1", "card_9");
  EXPECT_FALSE(json::token(t).contains("network"));
  t.network = sample_network();
  const auto o = json::token(t);
  ASSERT_TRUE(o.contains("network"));
  const auto& n = o.at("network").as_object();
  // Empty members are omitted: no TUR until the network names the token.
  EXPECT_EQ(keys_of(n),
            (std::set<std::string>{"network", "correlationId", "tokenRequestorId", "walletId",
                                   "paymentAppInstanceId", "tokenType", "device", "risk"}));
  EXPECT_EQ(str(n.at("network")), "MDES");
  EXPECT_EQ(keys_of(n.at("device").as_object()), (std::set<std::string>{"name", "osVersion"}));
  const auto& r = n.at("risk").as_object();
  EXPECT_EQ(keys_of(r),
            (std::set<std::string>{"recommendedDecision", "deviceScore", "recommendationReasons",
                                   "cvcResponse", "dataValidUntil"}));
  EXPECT_EQ(r.at("deviceScore").to_number<std::int64_t>(), 4);
  EXPECT_EQ(str(r.at("recommendationReasons").as_array().at(0)), "LONG_ACCOUNT_TENURE");
  EXPECT_EQ(str(r.at("dataValidUntil")), "2031-01-02T03:04:05.006Z");
  t.network->token_unique_reference = "DWSPMC1";
  t.network->token_expiry = "0931";
  const auto bound = json::token(t).at("network").as_object();
  EXPECT_EQ(str(bound.at("tokenUniqueReference")), "DWSPMC1");
  EXPECT_EQ(str(bound.at("tokenExpiry")), "0931");
}

TEST(engine_json, transition_event_data_of_a_network_token_names_the_network) {
  auto t = make_token("mdes-c-corr1", "card_9");
  const auto plain = json::transition_event_data(sample_transition(), t);
  EXPECT_EQ(plain, json::transition_event_data(sample_transition(), t.wallet));
  t.network = sample_network();
  auto o = json::transition_event_data(sample_transition(), t);
  ASSERT_TRUE(o.contains("network"));
  EXPECT_EQ(keys_of(o.at("network").as_object()), (std::set<std::string>{"network"}));
  t.network->token_unique_reference = "DWSPMC1";
  o = json::transition_event_data(sample_transition(), t);
  EXPECT_EQ(str(o.at("network").at("network")), "MDES");
  EXPECT_EQ(str(o.at("network").at("tokenUniqueReference")), "DWSPMC1");
  // Built on the storage it is given, like every builder.
  bj::monotonic_resource arena;
  const bj::storage_ptr sp{&arena};
  EXPECT_EQ(first_foreign_storage(json::transition_event_data(sample_transition(), t, sp), sp), "");
  EXPECT_EQ(first_foreign_storage(json::token(t, sp), sp), "");
}

TEST(engine_json, scratch_serialize_renders_the_same_bytes_past_its_stack_buffer) {
  const auto t = make_token("DWTREF", "card_9");
  EXPECT_EQ(json::scratch_serialize([&](bj::storage_ptr sp) { return json::token(t, sp); }),
            bj::serialize(json::token(t)));
  // Forty tokens are far past scratch_bytes: the arena spills to the heap.
  bj::array heap_list;
  for (int i = 0; i < 40; ++i)
    heap_list.emplace_back(json::token(make_token("DWTREF" + std::to_string(i), "card_9")));
  const auto text = json::scratch_serialize([&](bj::storage_ptr sp) {
    bj::array list(sp);
    for (int i = 0; i < 40; ++i)
      list.emplace_back(json::token(make_token("DWTREF" + std::to_string(i), "card_9"), sp));
    return list;
  });
  EXPECT_GT(text.size(), json::scratch_bytes);
  EXPECT_EQ(text, bj::serialize(heap_list));
}
