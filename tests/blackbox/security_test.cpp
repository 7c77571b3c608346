/// @file
/// Sensitive data never reaches the disk or the logs: after a full run
/// (cards, tokenisations with CVCs, SMS OTPs right and wrong, restarts),
/// every byte of the data directory and of the server's captured stdout and
/// stderr is scanned for the PANs, CVCs and OTP codes used (the fixture's
/// TearDown does the scan; every other fixture test gets it too). The
/// scanner itself is tested first, so the check can fail.

#include "support.hpp"

#include <boost/json/serialize.hpp>

#include <iomanip>
#include <sstream>

namespace dwt::blackbox {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST(secret_scanner, finds_planted_values_and_ignores_lookalikes) {
  temp_dir dir;
  const std::string pan = "4111111111111111";
  ASSERT_EQ(write_file(dir.path() / "a" / "leak.bin",
                       std::string{"\x01\x02"} + pan + std::string{"\0\0", 2} +
                           "{\"code\":\"493027\"} cvc=7391;"),
            "");
  ASSERT_EQ(write_file(dir.path() / "quiet.log",
                       "id 1493027999 at 17:39:10.7391 last4 \"7391x\" 41111111111"), "");
  const std::vector<secret_value> secrets{
      {pan, secret_value::match::anywhere, "PAN"},
      {"493027", secret_value::match::isolated, "OTP"},
      {"7391", secret_value::match::labelled, "CVC"},
  };
  const auto hits = scan_for_secrets(dir.path(), secrets);
  ASSERT_EQ(hits.size(), 3U);
  for (const auto& h : hits)
    EXPECT_NE(h.where.find("leak.bin"), std::string::npos) << h.label << " in " << h.where;
  EXPECT_EQ(scan_text("q", "\"7391\"", secrets).size(), 1U) << "a quoted CVC is a hit";
  // The OTP-exempt file (the SMS sink) is still scanned for PANs.
  const auto exempt = scan_for_secrets(dir.path(), secrets, {dir.path() / "a" / "leak.bin"});
  ASSERT_EQ(exempt.size(), 2U);
}

using security = blackbox_test;

TEST_F(security, no_pan_cvc_or_otp_in_data_or_output_after_a_full_run) {
  std::vector<std::string> turs;
  std::vector<std::string> codes;
  for (auto key : {demo_partner_key, legacy_partner_key}) {
    const auto card_phone = data_->phone();
    std::string pan;
    const auto card = new_card(key, &pan, nullptr, card_phone);
    const auto card_id = json_string(card, "id");
    ASSERT_FALSE(card_id.empty());
    for (int i = 0; i < 2; ++i) {
      const auto res = tokenize(pan, "YELLOW", "APPLE_PAY", /*with_cvc=*/true);
      const auto tur = json_string(res, "tokenUniqueReference");
      ASSERT_FALSE(tur.empty());
      ASSERT_EQ(start_verification(tur, "SMS_OTP").status, 202);
      auto code = next_otp().second;
      ASSERT_EQ(code.size(), 6U);
      // A wrong code (also a secret: codes typed by the cardholder).
      std::ostringstream wrong;
      wrong << std::setw(6) << std::setfill('0')
            << (std::stoi(code) + 1 + static_cast<int>(data_->rng()() % 1000)) % 1000000;
      remember_secret(wrong.str(), secret_value::match::isolated, "wrong OTP");
      auto bad = api_->post("/network/v1/tokens/" + tur + "/verification/otp", network_key,
                            {{"code", wrong.str()}});
      EXPECT_EQ(bad.status, 422) << describe(bad);
      if (i == 1) {
        // A resend issues a new code; the old one must not be logged either.
        ASSERT_EQ(api_->call("POST", "/network/v1/tokens/" + tur + "/verification/resend",
                             network_key)
                      .status,
                  202);
        code = next_otp().second;
      }
      auto ok = api_->post("/network/v1/tokens/" + tur + "/verification/otp", network_key,
                           {{"code", code}});
      EXPECT_EQ(ok.status, 200) << describe(ok);
      codes.push_back(code);
      turs.push_back(tur);
    }
    EXPECT_FALSE(push_token(key, card_id).is_null());
    EXPECT_EQ(json_string(tokenize(pan, "GREEN"), "decision"), "APPROVED");
    // Malformed and refused requests carrying a PAN are not logged either.
    const auto bad_pan = data_->pan();
    remember_secret(bad_pan, secret_value::match::anywhere, "PAN in a refused request");
    auto refused = api_->post("/v1/cards", key,
                              {{"profileId", "prof_unknown"}, {"pan", bad_pan},
                               {"expiryMonth", 13}, {"expiryYear", 2031},
                               {"cardProduct", card_product}, {"type", "VIRTUAL"}});
    EXPECT_GE(refused.status, 400) << describe(refused);
  }
  restart();
  for (const auto& tur : turs)
    EXPECT_EQ(json_string(api_->get("/network/v1/tokens/" + tur, network_key).json(), "state"),
              "ACTIVE");
  // Sanity: the scan sees real data (the store is not empty, and the SMS
  // sink, the OTP's legitimate channel, does hold the codes).
  std::uintmax_t data_bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(server_->layout().data_dir()))
    data_bytes += e.is_regular_file() ? e.file_size() : 0;
  EXPECT_GT(data_bytes, 0U);
  std::vector<secret_value> otps;
  for (const auto& c : codes)
    otps.push_back({c, secret_value::match::isolated, "OTP"});
  EXPECT_EQ(scan_text("sms", read_file(server_->layout().sms_file()), otps).size(), codes.size());
  // TearDown stops the server and scans data dir, stdout and stderr.
}

} // namespace
} // namespace dwt::blackbox
