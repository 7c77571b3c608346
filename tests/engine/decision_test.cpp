#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dwt/engine/decision.hpp"
#include "dwt/engine/enums.hpp"
#include "dwt/engine/state_machine.hpp"
#include "test_util.hpp"

using namespace dwt::engine;
using namespace std::chrono_literals;
using dwt::engine::test::make_token;

namespace {

class decision_fixture : public ::testing::Test {
protected:
  void SetUp() override {
    products_ = {
        {"demo-debit", {{400000, 499999, 6}}, true},
        // Disabled product whose BINs overlap an enabled product.
        {"premium", {{450000, 459999, 6}}, false},
        // Disabled product whose BINs nobody else covers.
        {"legacy", {{500000, 509999, 6}}, false},
    };
    card_.id = card_id{"card_1"};
    card_.card_product = "demo-debit";
    card_.state = card_state::active;
    card_.expiry_month = 12;
    card_.expiry_year = 2030;
    partner_.onboarded_on = date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};
    in_.pan = "4111111111111111";
    in_.card = &card_;
    in_.partner = &partner_;
    in_.products = &products_;
    in_.sms_destination = "+447700900123";
    in_.recommendation = wallet_recommendation::green;
    in_.now = at(2026, 6, 15);
    in_.stated_expiry = card_expiry{12, 2030};
  }

  /// Midnight UTC of that day.
  [[nodiscard]] static timestamp at(int y, unsigned m, unsigned d) {
    return timestamp{std::chrono::sys_days{std::chrono::year_month_day{
        std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}}};
  }

  [[nodiscard]] decision_result run() const { return decide(in_, policy_); }

  std::vector<card_product> products_;
  card_record card_;
  partner_record partner_;
  decision_input in_;
  decision_policy policy_;
};

} // namespace

TEST_F(decision_fixture, green_approves) {
  const auto r = run();
  EXPECT_EQ(r.outcome, decision::approved);
  EXPECT_EQ(r.reason, errc::ok);
  EXPECT_TRUE(r.methods.empty());
}

TEST_F(decision_fixture, bin_not_enabled) {
  in_.pan = "5000001234567896"; // covered only by a disabled product
  EXPECT_EQ(run().reason, errc::bin_not_enabled);
  in_.pan = "6011111111111117"; // covered by nothing
  auto r = run();
  EXPECT_EQ(r.outcome, decision::declined);
  EXPECT_EQ(r.reason, errc::bin_not_enabled);
}

TEST_F(decision_fixture, product_not_enabled) {
  card_.card_product = "premium"; // the BIN is enabled via demo-debit, the product is not
  in_.pan = "4500001234567891";
  auto r = run();
  EXPECT_EQ(r.outcome, decision::declined);
  EXPECT_EQ(r.reason, errc::product_not_enabled);
  card_.card_product = "unknown-product";
  EXPECT_EQ(run().reason, errc::product_not_enabled);
  card_.card_product = "demo-debit";
  EXPECT_EQ(run().outcome, decision::approved);
}

TEST_F(decision_fixture, card_not_active) {
  card_.state = card_state::suspended;
  auto r = run();
  EXPECT_EQ(r.outcome, decision::declined);
  EXPECT_EQ(r.reason, errc::card_not_active);
  card_.state = card_state::terminated;
  EXPECT_EQ(run().reason, errc::card_not_active);
}

TEST_F(decision_fixture, token_cap_at_exactly_the_cap) {
  partner_.max_tokens_per_card = 25;
  in_.tokens_toward_cap = 24;
  EXPECT_EQ(run().outcome, decision::approved);
  in_.tokens_toward_cap = 25;
  auto r = run();
  EXPECT_EQ(r.outcome, decision::declined);
  EXPECT_EQ(r.reason, errc::token_cap_reached);
  in_.tokens_toward_cap = 26;
  EXPECT_EQ(run().reason, errc::token_cap_reached);
}

TEST_F(decision_fixture, token_cap_counts_active_and_suspended_not_requested_or_final) {
  partner_.max_tokens_per_card = 4; // configurable per partner
  std::vector<token_record> tokens;
  auto with_state = [](token_state s) {
    auto t = make_token();
    t.state = s;
    return t;
  };
  tokens.push_back(with_state(token_state::active));
  tokens.push_back(with_state(token_state::active));
  tokens.push_back(with_state(token_state::suspended));
  for (int i = 0; i < 10; ++i) {
    tokens.push_back(with_state(token_state::requested));
    tokens.push_back(with_state(token_state::terminated));
    tokens.push_back(with_state(token_state::request_declined));
  }
  in_.tokens_toward_cap = count_toward_cap(tokens);
  EXPECT_EQ(in_.tokens_toward_cap, 3U);
  EXPECT_EQ(run().outcome, decision::approved);
  tokens.push_back(with_state(token_state::suspended));
  in_.tokens_toward_cap = count_toward_cap(tokens);
  EXPECT_EQ(run().reason, errc::token_cap_reached);
}

TEST_F(decision_fixture, velocity) {
  policy_.velocity_limit = 10;
  in_.recent_requests = 9;
  EXPECT_EQ(run().outcome, decision::approved);
  in_.recent_requests = 10;
  auto r = run();
  EXPECT_EQ(r.outcome, decision::declined);
  EXPECT_EQ(r.reason, errc::velocity_exceeded);
}

TEST_F(decision_fixture, red_is_declined) {
  in_.recommendation = wallet_recommendation::red;
  auto r = run();
  EXPECT_EQ(r.outcome, decision::declined);
  EXPECT_EQ(r.reason, errc::wallet_risk_red);
  EXPECT_TRUE(r.methods.empty());
}

TEST_F(decision_fixture, yellow_steps_up_even_without_always_step_up) {
  policy_.always_step_up = false;
  in_.recommendation = wallet_recommendation::yellow;
  auto r = run();
  EXPECT_EQ(r.outcome, decision::require_verification);
  EXPECT_EQ(r.reason, errc::ok);
  const std::vector<offered_method> want{{verification_method::sms_otp, "+********0123"},
                                         {verification_method::in_app, ""}};
  EXPECT_EQ(r.methods, want);
}

TEST_F(decision_fixture, green_steps_up_when_policy_says_so) {
  policy_.always_step_up = true;
  auto r = run();
  EXPECT_EQ(r.outcome, decision::require_verification);
  EXPECT_EQ(r.methods.size(), 2U);
}

TEST_F(decision_fixture, no_destination_offers_only_in_app_or_declines) {
  in_.recommendation = wallet_recommendation::yellow;
  in_.sms_destination = std::nullopt;
  auto r = run();
  EXPECT_EQ(r.outcome, decision::require_verification);
  ASSERT_EQ(r.methods.size(), 1U);
  EXPECT_EQ(r.methods[0].type, verification_method::in_app);
  in_.sms_destination = std::string{};
  EXPECT_EQ(run().methods.size(), 1U);
  policy_.offer_in_app = false;
  r = run();
  EXPECT_EQ(r.outcome, decision::declined);
  EXPECT_EQ(r.reason, errc::no_sms_destination);
  EXPECT_TRUE(r.methods.empty());
  in_.sms_destination = "+15551234567";
  r = run();
  EXPECT_EQ(r.outcome, decision::require_verification);
  ASSERT_EQ(r.methods.size(), 1U);
  EXPECT_EQ(r.methods[0].type, verification_method::sms_otp);
  EXPECT_EQ(r.methods[0].destination_masked, "+*******4567");
}

TEST_F(decision_fixture, stated_expiry_must_be_the_cards) {
  // Issue #20: a card registered 12/2030 was approved for a request saying 11/2031.
  in_.stated_expiry = card_expiry{11, 2031};
  auto r = run();
  EXPECT_EQ(r.outcome, decision::declined);
  EXPECT_EQ(r.reason, errc::expiry_mismatch);
  in_.stated_expiry = card_expiry{12, 2031}; // same month, other year
  EXPECT_EQ(run().reason, errc::expiry_mismatch);
  in_.stated_expiry = card_expiry{12, 2030};
  EXPECT_EQ(run().outcome, decision::approved);
  in_.stated_expiry = std::nullopt; // push provisioning states none
  EXPECT_EQ(run().outcome, decision::approved);
}

TEST_F(decision_fixture, an_expired_card_is_declined_from_the_month_after_its_expiry) {
  in_.stated_expiry = std::nullopt;
  in_.now = at(2030, 12, 31) + std::chrono::hours{23} + std::chrono::minutes{59} +
            std::chrono::seconds{59} + std::chrono::milliseconds{999};
  EXPECT_EQ(run().outcome, decision::approved) << "valid through the last day of its month";
  in_.now = at(2031, 1, 1);
  auto r = run();
  EXPECT_EQ(r.outcome, decision::declined);
  EXPECT_EQ(r.reason, errc::card_expired);
  in_.stated_expiry = card_expiry{1, 2031}; // an expired card wins over a mismatch
  EXPECT_EQ(run().reason, errc::card_expired);
}

TEST_F(decision_fixture, a_live_token_for_the_same_wallet_and_device_is_declined) {
  in_.live_token_for_device = true;
  auto r = run();
  EXPECT_EQ(r.outcome, decision::declined);
  EXPECT_EQ(r.reason, errc::token_exists);
}

TEST_F(decision_fixture, eligibility_is_the_decision_without_the_wallets_risk) {
  in_.recommendation = wallet_recommendation::red;
  EXPECT_EQ(check_eligibility(in_, policy_), errc::ok);
  EXPECT_EQ(run().reason, errc::wallet_risk_red);
  card_.state = card_state::suspended;
  EXPECT_EQ(check_eligibility(in_, policy_), errc::card_not_active);
  EXPECT_EQ(run().reason, errc::card_not_active);
}

TEST_F(decision_fixture, rules_apply_in_order_first_decline_wins) {
  in_.recommendation = wallet_recommendation::red;
  in_.recent_requests = 100;
  in_.tokens_toward_cap = 100;
  in_.live_token_for_device = true;
  in_.stated_expiry = card_expiry{1, 2029};
  in_.now = at(2031, 2, 1);
  card_.state = card_state::suspended;
  in_.pan = "6011111111111117";
  EXPECT_EQ(run().reason, errc::bin_not_enabled);
  in_.pan = "4111111111111111";
  EXPECT_EQ(run().reason, errc::card_not_active);
  card_.state = card_state::active;
  EXPECT_EQ(run().reason, errc::card_expired);
  in_.now = at(2026, 2, 1);
  EXPECT_EQ(run().reason, errc::expiry_mismatch);
  in_.stated_expiry = card_expiry{12, 2030};
  EXPECT_EQ(run().reason, errc::token_exists);
  in_.live_token_for_device = false;
  EXPECT_EQ(run().reason, errc::token_cap_reached);
  in_.tokens_toward_cap = 0;
  EXPECT_EQ(run().reason, errc::velocity_exceeded);
  in_.recent_requests = 0;
  EXPECT_EQ(run().reason, errc::wallet_risk_red);
}

TEST_F(decision_fixture, find_product_returns_the_enabled_covering_product) {
  const auto* p = find_product(products_, "4500001234567891");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "demo-debit");
  EXPECT_EQ(find_product(products_, "5000001234567896"), nullptr);
  EXPECT_EQ(find_product(products_, "6011111111111117"), nullptr);
  EXPECT_EQ(find_product({}, "4111111111111111"), nullptr);
}

TEST(engine_decision, is_expired_at_the_end_of_the_expiry_month) {
  const auto day = [](int y, unsigned m, unsigned d) {
    return timestamp{std::chrono::sys_days{std::chrono::year_month_day{
        std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}}};
  };
  EXPECT_FALSE(is_expired({2, 2028}, day(2028, 2, 29) + std::chrono::hours{23}));
  EXPECT_TRUE(is_expired({2, 2028}, day(2028, 3, 1)));
  EXPECT_FALSE(is_expired({12, 2030}, day(2030, 12, 31)));
  EXPECT_TRUE(is_expired({12, 2030}, day(2031, 1, 1)));
  EXPECT_TRUE(is_expired({0, 2030}, day(2020, 1, 1))) << "no such month";
  EXPECT_TRUE(is_expired({13, 2030}, day(2020, 1, 1)));
}

TEST(engine_decision, product_covers_its_own_ranges_whether_enabled_or_not) {
  const card_product debit{"demo-debit", {{400000, 499999, 6}}, true};
  const card_product off{"off", {{510000, 519999, 6}, {530000, 530999, 6}}, false};
  EXPECT_TRUE(product_covers(debit, "4111111111111111"));
  EXPECT_FALSE(product_covers(debit, "5555555555554444")) << "issue #20's card";
  EXPECT_TRUE(product_covers(off, "5100000000000008"));
  EXPECT_TRUE(product_covers(off, "5305000000000000"));
  EXPECT_FALSE(product_covers(off, "4111111111111111"));
  EXPECT_FALSE(product_covers(card_product{}, "4111111111111111"));
}

TEST(engine_decision, find_live_token_matches_wallet_device_and_a_non_final_state) {
  std::vector<token_record> tokens;
  auto add = [&](const char* ref, wallet_provider w, const char* device, token_state s) {
    auto t = make_token();
    t.ref = token_ref{ref};
    t.wallet = w;
    t.device.id = device;
    t.state = s;
    tokens.push_back(t);
  };
  add("T1", wallet_provider::apple_pay, "d1", token_state::terminated);
  add("T2", wallet_provider::apple_pay, "d1", token_state::request_declined);
  add("T3", wallet_provider::google_pay, "d1", token_state::active);
  add("T4", wallet_provider::apple_pay, "d2", token_state::active);
  EXPECT_EQ(find_live_token(tokens, wallet_provider::apple_pay, "d1"), nullptr);
  for (auto s : {token_state::requested, token_state::active, token_state::suspended}) {
    auto with = tokens;
    auto t = make_token();
    t.ref = token_ref{"T5"};
    t.wallet = wallet_provider::apple_pay;
    t.device.id = "d1";
    t.state = s;
    with.push_back(t);
    const auto* found = find_live_token(with, wallet_provider::apple_pay, "d1");
    ASSERT_NE(found, nullptr) << to_string(s);
    EXPECT_EQ(found->ref.value, "T5");
  }
}

TEST(engine_decision, network_card_is_the_earliest_live_registration) {
  EXPECT_EQ(network_card({}), nullptr);
  auto card = [](const char* id, std::int64_t created, card_state s) {
    card_record c;
    c.id = card_id{id};
    c.created_at = from_millis(created);
    c.state = s;
    return c;
  };
  std::vector<card_record> cards{card("card_b", 200, card_state::active),
                                 card("card_a", 100, card_state::suspended),
                                 card("card_c", 100, card_state::active)};
  ASSERT_NE(network_card(cards), nullptr);
  EXPECT_EQ(network_card(cards)->id.value, "card_a") << "earliest, then the smaller id";
  cards[1].state = card_state::terminated;
  EXPECT_EQ(network_card(cards)->id.value, "card_c") << "a terminated card gives way";
  for (auto& c : cards)
    c.state = card_state::terminated;
  EXPECT_EQ(network_card(cards)->id.value, "card_a") << "all terminated: the earliest";
}

TEST(engine_decision_death, null_inputs_are_programmer_errors) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  decision_input in;
  EXPECT_DEATH((void)decide(in, decision_policy{}), "card != nullptr");
}

namespace {

partner_record onboarded(int y, unsigned m, unsigned d, bool migrated = false) {
  partner_record p;
  p.onboarded_on = date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  p.sms_destination_migrated = migrated;
  return p;
}

const std::optional<std::string> profile_phone{"+447700900111"};
const std::optional<std::string> card_phone{"+447700900222"};

} // namespace

TEST(engine_decision, sms_destination_cutover_2025_03_01) {
  EXPECT_EQ(profile_phone_cutover,
            (date{std::chrono::year{2025}, std::chrono::March, std::chrono::day{1}}));
  // Before the cutover: the card's phone.
  EXPECT_EQ(sms_destination(onboarded(2025, 2, 28), profile_phone, card_phone), card_phone);
  EXPECT_EQ(sms_destination(onboarded(2020, 1, 1), profile_phone, card_phone), card_phone);
  // On and after: the profile's phone.
  EXPECT_EQ(sms_destination(onboarded(2025, 3, 1), profile_phone, card_phone), profile_phone);
  EXPECT_EQ(sms_destination(onboarded(2025, 3, 2), profile_phone, card_phone), profile_phone);
  // Migrated partners onboarded before: the profile's phone.
  EXPECT_EQ(sms_destination(onboarded(2025, 2, 28, true), profile_phone, card_phone),
            profile_phone);
  EXPECT_EQ(sms_destination(onboarded(2025, 3, 1, true), profile_phone, card_phone), profile_phone);
}

TEST(engine_decision, sms_destination_absent_or_empty_is_nullopt) {
  // No fallback to the other phone: the rule picks one source.
  EXPECT_EQ(sms_destination(onboarded(2025, 2, 28), profile_phone, std::nullopt), std::nullopt);
  EXPECT_EQ(sms_destination(onboarded(2025, 2, 28), profile_phone, std::string{}), std::nullopt);
  EXPECT_EQ(sms_destination(onboarded(2025, 3, 1), std::nullopt, card_phone), std::nullopt);
  EXPECT_EQ(sms_destination(onboarded(2025, 3, 1), std::string{}, card_phone), std::nullopt);
}

TEST(engine_decision, mask_phone) {
  EXPECT_EQ(mask_phone("+447700900123"), "+********0123");
  EXPECT_EQ(mask_phone("+15551234567"), "+*******4567");
  EXPECT_EQ(mask_phone("447700900123"), "********0123");
  EXPECT_EQ(mask_phone("+1234"), "+1234");
  EXPECT_EQ(mask_phone("123"), "123");
  EXPECT_EQ(mask_phone(""), "");
  const auto masked = mask_phone("+447700900123");
  EXPECT_EQ(masked.find("4477"), std::string::npos);
}

TEST(engine_decision, is_e164) {
  EXPECT_TRUE(is_e164("+447700900123"));
  EXPECT_TRUE(is_e164("+12345678"));          // 8 digits
  EXPECT_TRUE(is_e164("+123456789012345"));   // 15 digits
  EXPECT_FALSE(is_e164("+1234567"));          // 7 digits
  EXPECT_FALSE(is_e164("+1234567890123456")); // 16 digits
  EXPECT_FALSE(is_e164("447700900123"));
  EXPECT_FALSE(is_e164("+047700900123"));
  EXPECT_FALSE(is_e164("+44770090012a"));
  EXPECT_FALSE(is_e164("+44 7700900123"));
  EXPECT_FALSE(is_e164("+"));
  EXPECT_FALSE(is_e164(""));
}
