/// Known-answer tests of MDES field-level encryption against an
/// independent implementation (Debian's python3-cryptography, through
/// vectors/fle_vectors.py): the committed vectors it produced, fresh ones
/// it encrypts now, our encryption decrypted by it, and its fingerprints.

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "dwt/engine/random.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"
#include "dwt/networks/mdes/card_info.hpp"
#include "dwt/networks/mdes/fle.hpp"
#include "dwt/networks/mdes/fle_json.hpp"
#include "support.hpp"

namespace dwt::networks::mdes {
namespace {

using test::code;

boost::json::object load_vectors() {
  return boost::json::parse(test::read_file(test::vectors_dir() / "fle_vectors.json")).as_object();
}

fle_object fle_from(const boost::json::value& v) {
  auto fle = parse_fle_object(v.as_object());
  EXPECT_TRUE(static_cast<bool>(fle));
  return fle ? std::move(*fle) : fle_object{};
}

TEST(FleKnownAnswer, CommittedVectorsDecryptToTheirPlaintext) {
  const auto ring = test::issuer_ring();
  const auto vectors = load_vectors();
  const auto& list = vectors.at("vectors").as_array();
  ASSERT_EQ(list.size(), 19U);
  std::size_t by_wrap[3] = {};
  for (const auto& v : list) {
    const auto& obj = v.as_object();
    SCOPED_TRACE(std::string{obj.at("name").as_string()});
    const auto fle = fle_from(obj.at("fle"));
    auto wrap = parse_oaep_hash(fle.oaep_hashing_algorithm);
    ASSERT_TRUE(static_cast<bool>(wrap));
    ++by_wrap[static_cast<int>(*wrap)];
    auto plain = decrypt(fle, ring);
    ASSERT_TRUE(static_cast<bool>(plain)) << to_string(code(plain));
    EXPECT_EQ(plain->view(), std::string_view{obj.at("plaintext").as_string()});
    // The card data vectors parse into the card they describe.
    if (plain->view().starts_with("{")) {
      auto card = parse_card_info(plain->view());
      ASSERT_TRUE(static_cast<bool>(card)) << to_string(card.error());
      EXPECT_EQ(card->account_number.view(), "5555555555554444");
      EXPECT_EQ(card->security_code.view(), "123");
      EXPECT_EQ(card->expiry_year, 2029U);
    }
  }
  // Every key wrap is covered (PKCS#1 v1.5, OAEP-SHA256, OAEP-SHA512).
  EXPECT_EQ(by_wrap[static_cast<int>(key_wrap::pkcs1_v15)], 6U);
  EXPECT_EQ(by_wrap[static_cast<int>(key_wrap::oaep_sha256)], 7U);
  EXPECT_EQ(by_wrap[static_cast<int>(key_wrap::oaep_sha512)], 6U);
}

TEST(FleKnownAnswer, CommittedFingerprintsEqualOurs) {
  const auto ring = test::issuer_ring();
  const auto expected = load_vectors().at("fingerprints").as_object();
  ASSERT_EQ(ring.size(), 1U);
  const auto& f = ring.fingerprints(0);
  EXPECT_EQ(f.spki_sha256, expected.at("spkiSha256").as_string());
  EXPECT_EQ(f.spki_sha1, expected.at("spkiSha1").as_string());
  EXPECT_EQ(f.certificate_sha256, expected.at("certificateSha256").as_string());
  EXPECT_EQ(f.certificate_sha1, expected.at("certificateSha1").as_string());
}

TEST(FleKnownAnswer, FingerprintsComputedNowByPythonEqualOurs) {
  const auto ring = test::issuer_ring();
  auto r = test::run_vectors_script(
      "fingerprints --pub '" + test::dev_key("mdes-issuer-fle.pub.pem").string() + "' --cert '" +
      (test::vectors_dir() / "mdes-issuer-fle.cert.pem").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto py = boost::json::parse(r.out).as_object();
  const auto& f = ring.fingerprints(0);
  EXPECT_EQ(f.spki_sha256, py.at("spkiSha256").as_string());
  EXPECT_EQ(f.spki_sha1, py.at("spkiSha1").as_string());
  EXPECT_EQ(f.certificate_sha256, py.at("certificateSha256").as_string());
  EXPECT_EQ(f.certificate_sha1, py.at("certificateSha1").as_string());
}

TEST(FleKnownAnswer, AnAuthorizeServiceRequestWithCardInfoEncryptedByPython) {
  // The whole inbound path of this module: envelope, FLE, card data.
  const std::string card = R"({"accountNumber":"5204740000001002","expiryMonth":"03",)"
                           R"("expiryYear":"30","securityCode":"4321","newField":1})";
  auto r = test::run_vectors_script(
      "encrypt --pub '" + test::dev_key("mdes-issuer-fle.pub.pem").string() + "' --wrap SHA512",
      card);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  boost::json::object body;
  body["requestId"] = "req-1";
  body["correlationId"] = "corr-1";
  boost::json::object card_info = boost::json::parse(r.out).as_object();
  card_info["panUniqueReference"] = "FPAN-1";
  body["cardInfo"] = std::move(card_info);
  auto request = parse_authorize_service_request(boost::json::serialize(body));
  ASSERT_TRUE(static_cast<bool>(request)) << to_string(request.error());
  EXPECT_EQ(request->pan_unique_reference, "FPAN-1");
  const auto ring = test::issuer_ring();
  auto plain = decrypt(request->card_info, ring);
  ASSERT_TRUE(static_cast<bool>(plain)) << to_string(plain.error());
  auto info = parse_card_info(plain->view());
  ASSERT_TRUE(static_cast<bool>(info)) << to_string(info.error());
  EXPECT_EQ(info->account_number.view(), "5204740000001002");
  EXPECT_EQ(info->expiry_month, 3U);
  EXPECT_EQ(info->expiry_year, 2030U);
  EXPECT_EQ(info->security_code.view(), "4321");
}

struct fresh_case {
  const char* wrap;
  int aes_bits;
  bool iv;
};

class FleFreshFromPython : public ::testing::TestWithParam<fresh_case> {};

TEST_P(FleFreshFromPython, WeDecryptWhatPythonEncryptsNow) {
  const auto c = GetParam();
  const std::string plaintext = R"({"accountNumber":"5204740000001002","expiryMonth":"12",)"
                                R"("expiryYear":"31","note":"fresh \u00e9 vector"})";
  auto r = test::run_vectors_script(std::string{"encrypt --pub '"} +
                                        test::dev_key("mdes-issuer-fle.pub.pem").string() +
                                        "' --wrap " + c.wrap + " --aes-bits " +
                                        std::to_string(c.aes_bits) + (c.iv ? "" : " --no-iv"),
                                    plaintext);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto fle = fle_from(boost::json::parse(r.out));
  EXPECT_EQ(fle.iv.has_value(), c.iv);
  const auto ring = test::issuer_ring(false);
  auto plain = decrypt(fle, ring);
  ASSERT_TRUE(static_cast<bool>(plain)) << to_string(code(plain));
  EXPECT_EQ(plain->view(), plaintext);
}

INSTANTIATE_TEST_SUITE_P(Wraps, FleFreshFromPython,
                         ::testing::Values(fresh_case{"SHA256", 256, true},
                                           fresh_case{"SHA512", 128, true},
                                           fresh_case{"PKCS1", 192, false}),
                         [](const auto& p) {
                           return std::string{p.param.wrap} + "_aes" +
                                  std::to_string(p.param.aes_bits) +
                                  (p.param.iv ? "_iv" : "_zero_iv");
                         });

class FleOursToPython : public ::testing::TestWithParam<key_wrap> {};

TEST_P(FleOursToPython, PythonDecryptsWhatWeEncrypt) {
  auto to = fle_recipient::from_pem_file(test::dev_key("mdes-network-fle.pub.pem"));
  ASSERT_TRUE(static_cast<bool>(to));
  engine::secure_random rng;
  // Several sizes: empty, one byte short of a block, a whole block.
  for (const std::string& plaintext :
       {std::string{}, std::string(15, 'x'), std::string(16, 'y'),
        std::string{
            R"({"tokenUniqueReference":"DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45"})"}}) {
    auto fle = encrypt(plaintext, *to, GetParam(), rng);
    ASSERT_TRUE(static_cast<bool>(fle));
    EXPECT_EQ(fle->public_key_fingerprint, to->fingerprint());
    auto r = test::run_vectors_script("decrypt --key '" +
                                          test::dev_key("mdes-network-fle.key.pem").string() + "'",
                                      boost::json::serialize(to_json(*fle)));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    std::string hex;
    for (unsigned char ch : plaintext) {
      static constexpr char digits[] = "0123456789abcdef";
      hex += digits[ch >> 4];
      hex += digits[ch & 15];
    }
    EXPECT_EQ(r.out, hex + "\n");
  }
}

INSTANTIATE_TEST_SUITE_P(Wraps, FleOursToPython,
                         ::testing::Values(key_wrap::oaep_sha256, key_wrap::oaep_sha512,
                                           key_wrap::pkcs1_v15),
                         [](const auto& p) {
                           return std::string{oaep_hash_name(p.param).value_or("PKCS1")};
                         });

} // namespace
} // namespace dwt::networks::mdes
