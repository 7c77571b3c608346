// Round trips of every stored record type, and hostile input to every
// decoder: every truncation, trailing bytes, wrong tags, unknown versions,
// bad enum values, seeded random byte strings and seeded mutations.

#include <cstdint>
#include <random>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "dwt/persistence/codec.hpp"
#include "test_util.hpp"

namespace dwt::persistence {
namespace {

using namespace dwt::engine;
using test::at;
using test::expect_round_trip;

partner_record sample_partner() {
  partner_record p;
  p.id = partner_id{"partner_01J"};
  p.name = "Fintech Ltd \xC3\xA9";
  p.onboarded_on = date{std::chrono::year{2024}, std::chrono::month{11}, std::chrono::day{30}};
  p.sms_destination_migrated = true;
  p.max_tokens_per_card = 4'000'000'000u;
  return p;
}

profile_record sample_profile(bool with_email) {
  profile_record p;
  p.id = profile_id{"prof_1"};
  p.partner = partner_id{"partner_01J"};
  p.phone_number = "+447700900123";
  if (with_email)
    p.email = "a@example.com";
  p.created_at = at(-5); // before the epoch: zigzag must keep the sign
  p.updated_at = at(INT64_MAX);
  return p;
}

card_record sample_card(bool with_phone) {
  card_record c;
  c.id = card_id{"card_1"};
  c.profile = profile_id{"prof_1"};
  c.partner = partner_id{"partner_01J"};
  c.pan_hash = std::string(32, '\xAB');
  c.pan_hash[3] = '\0'; // raw bytes, including NUL
  c.last4 = "1234";
  c.pan_sealed = std::string(60, '\x01');
  c.expiry_month = 12;
  c.expiry_year = 2031;
  c.card_product = "demo-debit";
  c.type = card_type::physical;
  c.state = card_state::terminated;
  if (with_phone)
    c.phone_number = "+15550001111";
  c.created_at = at(1);
  c.updated_at = at(INT64_MIN);
  return c;
}

transition_record sample_transition_record(bool with_from) {
  auto t = test::sample_transition("DWT-REF", "card_1", "tr_1");
  if (!with_from)
    t.from_state.reset();
  t.to_state = token_state::request_declined;
  t.fulfillment = fulfillment_status::rejected;
  t.by = channel::system;
  return t;
}

verification_challenge sample_challenge() {
  verification_challenge c;
  c.token = token_ref{"DWT-REF"};
  c.method = verification_method::in_app;
  c.code_hash = std::string(32, '\x7F');
  c.destination_masked = "+44*******123";
  c.issued_at = at(1000);
  c.expires_at = at(601000);
  c.wrong_attempts = 2;
  c.resends = 255;
  return c;
}

outbox_event sample_outbox() {
  auto e = test::sample_event("DWT-REF", "evt_1");
  e.seq = UINT64_MAX;
  e.payload = std::string(5000, 'x'); // multi-byte length varint
  return e;
}

idempotency_record sample_idempotency() {
  idempotency_record r;
  r.partner = partner_id{"partner_01J"};
  r.key = std::string(255, 'k');
  r.request_fingerprint = std::string(32, '\0');
  r.http_status = 201;
  r.response_body = R"({"id":"card_1"})";
  r.created_at = at(10);
  r.expires_at = at(10 + 86'400'000);
  return r;
}

TEST(Codec, RoundTripsEveryRecordType) {
  expect_round_trip(sample_partner());
  expect_round_trip(partner_record{});
  expect_round_trip(sample_profile(true));
  expect_round_trip(sample_profile(false));
  expect_round_trip(sample_card(true));
  expect_round_trip(sample_card(false));
  expect_round_trip(test::sample_token("DWT-REF", "card_1", 0xFFFFFFFFu));
  expect_round_trip(token_record{});
  expect_round_trip(sample_transition_record(true));
  expect_round_trip(sample_transition_record(false));
  expect_round_trip(sample_challenge());
  expect_round_trip(sample_outbox());
  expect_round_trip(outbox_event{});
  expect_round_trip(sample_idempotency());
}

TEST(Codec, HeaderCarriesTagAndVersion) {
  auto bytes = codec::encode(sample_card(true));
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[0]),
            static_cast<std::uint8_t>(codec::record_tag::card));
  EXPECT_EQ(static_cast<std::uint8_t>(bytes[1]), codec::current_version);
}

// Runs `check(bytes)` for one encoded sample of each type.
template <class F>
void for_each_sample(F&& check) {
  check(codec::encode(sample_partner()), std::type_identity<partner_record>{});
  check(codec::encode(sample_profile(true)), std::type_identity<profile_record>{});
  check(codec::encode(sample_card(true)), std::type_identity<card_record>{});
  check(codec::encode(test::sample_token("DWT-REF", "card_1", 7)),
        std::type_identity<token_record>{});
  check(codec::encode(sample_transition_record(true)), std::type_identity<transition_record>{});
  check(codec::encode(sample_challenge()), std::type_identity<verification_challenge>{});
  check(codec::encode(sample_outbox()), std::type_identity<outbox_event>{});
  check(codec::encode(sample_idempotency()), std::type_identity<idempotency_record>{});
}

TEST(Codec, EveryTruncationIsRejected) {
  std::size_t checked = 0;
  for_each_sample([&](const std::string& bytes, auto type) {
    using T = typename decltype(type)::type;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      auto r = codec::decode<T>(std::string_view{bytes}.substr(0, n));
      ASSERT_FALSE(r.has_value()) << "prefix of " << n << " bytes decoded";
      EXPECT_EQ(r.code(), errc::corrupt_record) << "prefix of " << n << " bytes";
      ++checked;
    }
  });
  EXPECT_GT(checked, 5000u);
}

TEST(Codec, TrailingBytesAreRejected) {
  for_each_sample([](const std::string& bytes, auto type) {
    using T = typename decltype(type)::type;
    auto r = codec::decode<T>(bytes + '\0');
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.code(), errc::corrupt_record);
    EXPECT_NE(r.err().message.find("trailing"), std::string::npos) << r.err().message;
  });
}

TEST(Codec, WrongTagIsRejected) {
  auto token_bytes = codec::encode(test::sample_token("DWT-REF", "card_1"));
  auto r = codec::decode<card_record>(token_bytes);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.code(), errc::corrupt_record);
}

TEST(Codec, UnknownVersionIsRejected) {
  for_each_sample([](std::string bytes, auto type) {
    using T = typename decltype(type)::type;
    bytes[1] = static_cast<char>(codec::current_version + 1);
    auto r = codec::decode<T>(bytes);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.code(), errc::unsupported_version);
  });
}

TEST(Codec, BadEnumValueIsRejected) {
  // A token whose ids are empty: tag, version, three empty strings, then
  // the wallet enum byte.
  auto bytes = codec::encode(token_record{});
  ASSERT_EQ(bytes[5], static_cast<char>(wallet_provider::apple_pay));
  bytes[5] = 3; // no such wallet
  auto r = codec::decode<token_record>(bytes);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.code(), errc::corrupt_record);
}

TEST(Codec, LengthPastTheEndIsRejected) {
  auto bytes = codec::encode(partner_record{});
  // bytes[2] is the id's length (0): claim 100 bytes.
  bytes[2] = 100;
  auto r = codec::decode<partner_record>(bytes);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.code(), errc::corrupt_record);
}

TEST(Codec, OverlongVarintIsRejected) {
  std::string bytes;
  bytes.push_back(static_cast<char>(codec::record_tag::outbox_event));
  bytes.push_back(static_cast<char>(codec::current_version));
  bytes.append(11, '\xFF'); // seq varint that never ends within 64 bits
  auto r = codec::decode<outbox_event>(bytes);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.code(), errc::corrupt_record);
}

// A decode that succeeds on hostile input must still produce a value that
// encodes and decodes to itself (no half-initialised garbage).
template <class T>
void check_hostile(std::string_view bytes, std::size_t& accepted) {
  auto r = codec::decode<T>(bytes);
  if (!r.has_value()) {
    EXPECT_TRUE(r.code() == errc::corrupt_record || r.code() == errc::unsupported_version);
    return;
  }
  ++accepted;
  auto again = codec::decode<T>(codec::encode(*r));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *r);
}

TEST(Codec, RandomBytesNeverCrash) {
  const std::uint64_t seed = 0xD17'5EED;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng{seed};
  std::size_t accepted = 0;
  std::size_t rejected_total = 0;
  for (int i = 0; i < 10'000; ++i) {
    std::string bytes(rng() % 96, '\0');
    for (auto& c : bytes)
      c = static_cast<char>(rng());
    // Half the inputs get a valid header so the field parsers are reached.
    if (i % 2 == 0 && bytes.size() >= 2) {
      bytes[0] = static_cast<char>(1 + rng() % 8);
      bytes[1] = static_cast<char>(codec::current_version);
    }
    auto before = accepted;
    check_hostile<partner_record>(bytes, accepted);
    check_hostile<profile_record>(bytes, accepted);
    check_hostile<card_record>(bytes, accepted);
    check_hostile<token_record>(bytes, accepted);
    check_hostile<transition_record>(bytes, accepted);
    check_hostile<verification_challenge>(bytes, accepted);
    check_hostile<outbox_event>(bytes, accepted);
    check_hostile<idempotency_record>(bytes, accepted);
    rejected_total += 8 - (accepted - before);
  }
  // Random bytes essentially never form a whole record.
  EXPECT_GT(rejected_total, 79'000u);
}

TEST(Codec, MutatedRecordsNeverCrash) {
  const std::uint64_t seed = 20250601;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng{seed};
  std::size_t accepted = 0;
  for (int round = 0; round < 1'000; ++round) {
    for_each_sample([&](std::string bytes, auto type) {
      using T = typename decltype(type)::type;
      auto flips = 1 + rng() % 4;
      for (std::uint64_t f = 0; f < flips; ++f)
        bytes[rng() % bytes.size()] = static_cast<char>(rng());
      check_hostile<T>(bytes, accepted);
    });
  }
  SUCCEED() << accepted << " mutated inputs still decoded";
}

token_record sample_network_token() {
  auto t = test::sample_token("mdes-c-corr1", "card_1", 3);
  network_identity n;
  n.network = card_network::mdes;
  n.token_unique_reference = "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45";
  n.pan_unique_reference = "FWSPMC000000000159f71f703d2141efaf04dd26803f922b";
  n.correlation_id = "corr1";
  n.token_requestor_id = "50110030273";
  n.wallet_id = "216";
  n.payment_app_instance_id = "92de9357a535b2c21a3566e1c0b6d8d2";
  n.token_type = "CLOUD";
  n.token_expiry = "0930";
  n.device_name = "Kim's phone";
  n.serial_number = "SN-1";
  n.form_factor = "PHONE";
  n.iso_device_type = "6";
  n.os_name = "ANDROID";
  n.os_version = "14";
  n.risk.recommended_decision = "APPROVED";
  n.risk.recommendation_standard_version = "2";
  n.risk.device_score = 5;
  n.risk.account_score = 0;
  n.risk.recommendation_reasons = {"LONG_ACCOUNT_TENURE", "GOOD_ACTIVITY_HISTORY"};
  n.risk.active_token_count = 2;
  n.risk.cvc_result = "NOT_PROCESSED";
  n.risk.data_valid_until = at(1'700'000'000'000);
  n.risk.card_source = "CARD_ON_FILE";
  t.network = std::move(n);
  return t;
}

TEST(Codec, TokenNetworkIdentityRoundTrips) {
  expect_round_trip(sample_network_token());
  auto partial = sample_network_token();
  partial.network->risk = network_risk{};
  partial.network->token_unique_reference.clear();
  expect_round_trip(partial);
}

TEST(Codec, TokenWithoutNetworkKeepsItsOldEncoding) {
  // Records written before issue #21 carry no network section and must
  // decode unchanged; a token without a network is still encoded so.
  auto plain = test::sample_token("DWT-REF", "card_1", 7);
  auto with = plain;
  with.network = network_identity{};
  auto a = codec::encode(plain);
  auto b = codec::encode(with);
  ASSERT_LT(a.size(), b.size());
  EXPECT_EQ(b.substr(0, a.size()), a);
  auto decoded = codec::decode<token_record>(a);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_FALSE(decoded->network.has_value());
}

TEST(Codec, TruncatedNetworkSectionIsRejected) {
  auto plain = codec::encode(test::sample_token("mdes-c-corr1", "card_1", 3));
  auto bytes = codec::encode(sample_network_token());
  // Every cut inside the network section (after its marker byte) fails.
  for (std::size_t n = plain.size() + 1; n < bytes.size(); ++n) {
    auto r = codec::decode<token_record>(std::string_view{bytes}.substr(0, n));
    ASSERT_FALSE(r.has_value()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(r.code(), errc::corrupt_record);
  }
  // A bad network enum value or marker is refused.
  auto bad = bytes;
  bad[plain.size() + 1] = 3; // no such card network
  EXPECT_FALSE(codec::decode<token_record>(bad).has_value());
  auto marker = bytes;
  marker[plain.size()] = 2; // not the network section's marker
  EXPECT_FALSE(codec::decode<token_record>(marker).has_value());
  EXPECT_FALSE(codec::decode<token_record>(bytes + '\0').has_value());
}

} // namespace
} // namespace dwt::persistence
