#include <string>

#include <gtest/gtest.h>

#include "dwt/engine/crypto.hpp"
#include "dwt/engine/random.hpp"
#include "test_util.hpp"

namespace crypto = dwt::engine::crypto;
using dwt::engine::test::unhex;

namespace {

std::string hmac_hex(std::string_view key, std::string_view data) {
  return crypto::hex_encode(crypto::hmac_sha256(key, data));
}

} // namespace

// RFC 4231, HMAC-SHA-256 outputs.
TEST(engine_crypto, hmac_sha256_rfc4231_case1) {
  EXPECT_EQ(hmac_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(engine_crypto, hmac_sha256_rfc4231_case2) {
  EXPECT_EQ(hmac_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(engine_crypto, hmac_sha256_rfc4231_case3) {
  EXPECT_EQ(hmac_hex(std::string(20, '\xaa'), std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

TEST(engine_crypto, hmac_sha256_rfc4231_case4) {
  EXPECT_EQ(hmac_hex(unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                     std::string(50, '\xcd')),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

TEST(engine_crypto, hmac_sha256_rfc4231_case6) {
  EXPECT_EQ(
      hmac_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(engine_crypto, hmac_sha256_rfc4231_case7) {
  EXPECT_EQ(hmac_hex(std::string(131, '\xaa'),
                     "This is a test using a larger than block-size key and a larger than "
                     "block-size data. The key needs to be hashed before being used by the "
                     "HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(engine_crypto, hmac_with_empty_key_and_data_is_defined) {
  // HMAC-SHA256("", "") is a well-known value.
  EXPECT_EQ(hmac_hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(engine_crypto, sha256_known_answers) {
  EXPECT_EQ(crypto::hex_encode(crypto::sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(crypto::hex_encode(crypto::sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(engine_crypto, constant_time_equal_compares_content_and_length) {
  EXPECT_TRUE(crypto::constant_time_equal("", ""));
  EXPECT_TRUE(crypto::constant_time_equal("abc", "abc"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "abd"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "ab"));
  EXPECT_FALSE(crypto::constant_time_equal("", "a"));
  EXPECT_FALSE(crypto::constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16
// (AES-256, 96-bit IV, 60-byte plaintext, 20-byte AAD); also NIST CAVP.
namespace gcm16 {
const std::string key = unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
const std::string iv = unhex("cafebabefacedbaddecaf888");
const std::string plaintext =
    unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
          "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
const std::string aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
const std::string ciphertext =
    unhex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
          "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662");
const std::string tag = unhex("76fc6ece0f4e1768cddf8853bb2d551b");
} // namespace gcm16

TEST(engine_crypto, aes256_gcm_known_answer_mcgrew_viega_case16) {
  auto sealed =
      crypto::aes256_gcm_seal_with_nonce(gcm16::key, gcm16::iv, gcm16::plaintext, gcm16::aad);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(crypto::hex_encode(*sealed),
            crypto::hex_encode(gcm16::iv + gcm16::ciphertext + gcm16::tag));
  auto opened = crypto::aes256_gcm_open(gcm16::key, *sealed, gcm16::aad);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, gcm16::plaintext);
}

TEST(engine_crypto, aes256_gcm_known_answer_empty_plaintext) {
  // McGrew & Viega test case 13: zero key, zero IV, no data.
  auto sealed =
      crypto::aes256_gcm_seal_with_nonce(std::string(32, '\0'), std::string(12, '\0'), "", "");
  ASSERT_TRUE(sealed);
  EXPECT_EQ(crypto::hex_encode(sealed->substr(12)), "530f8afbc74536b9a963b4f1c4cb738b");
  auto opened = crypto::aes256_gcm_open(std::string(32, '\0'), *sealed, "");
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->empty());
}

TEST(engine_crypto, aes256_gcm_open_rejects_tampering_wrong_key_aad_truncation) {
  const std::string sealed = gcm16::iv + gcm16::ciphertext + gcm16::tag;
  ASSERT_TRUE(crypto::aes256_gcm_open(gcm16::key, sealed, gcm16::aad));
  // Every single flipped bit, in nonce, ciphertext and tag, is detected.
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(crypto::aes256_gcm_open(gcm16::key, bad, gcm16::aad)) << "byte " << i;
  }
  std::string wrong_key = gcm16::key;
  wrong_key[31] = static_cast<char>(wrong_key[31] ^ 0x80);
  EXPECT_FALSE(crypto::aes256_gcm_open(wrong_key, sealed, gcm16::aad));
  EXPECT_FALSE(crypto::aes256_gcm_open(gcm16::key, sealed, gcm16::aad + "x"));
  EXPECT_FALSE(crypto::aes256_gcm_open(gcm16::key, sealed, ""));
  for (std::size_t n = 0; n < sealed.size(); ++n)
    EXPECT_FALSE(crypto::aes256_gcm_open(gcm16::key, sealed.substr(0, n), gcm16::aad)) << n;
  EXPECT_FALSE(crypto::aes256_gcm_open(gcm16::key, sealed + "x", gcm16::aad));
  EXPECT_FALSE(crypto::aes256_gcm_open(gcm16::key.substr(0, 16), sealed, gcm16::aad));
}

TEST(engine_crypto, aes256_gcm_seal_rejects_bad_key_and_nonce_sizes) {
  dwt::engine::seeded_random rng{1};
  EXPECT_FALSE(crypto::aes256_gcm_seal(std::string(31, 'k'), "x", "", rng));
  EXPECT_FALSE(crypto::aes256_gcm_seal(std::string(33, 'k'), "x", "", rng));
  EXPECT_FALSE(
      crypto::aes256_gcm_seal_with_nonce(std::string(32, 'k'), std::string(11, 'n'), "x", ""));
}

TEST(engine_crypto, aes256_gcm_seal_round_trips_with_fresh_nonces) {
  dwt::engine::seeded_random rng{42};
  const std::string key(32, 'K');
  auto a = crypto::aes256_gcm_seal(key, "4111111111111111", "card_1", rng);
  auto b = crypto::aes256_gcm_seal(key, "4111111111111111", "card_1", rng);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 12U + 16U + 16U);
  EXPECT_NE(*a, *b) << "nonce reuse";
  EXPECT_EQ(crypto::aes256_gcm_open(key, *a, "card_1"), "4111111111111111");
  EXPECT_EQ(crypto::aes256_gcm_open(key, *b, "card_1"), "4111111111111111");
  EXPECT_EQ(a->find("4111111111111111"), std::string::npos);
}

TEST(engine_crypto, base64_rfc4648_vectors) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, enc] : cases) {
    EXPECT_EQ(crypto::base64_encode(plain), enc);
    EXPECT_EQ(crypto::base64_decode(enc), plain);
  }
  EXPECT_EQ(crypto::base64_encode("\xfb\xff"), "+/8=");
}

TEST(engine_crypto, base64_rejects_invalid_input) {
  for (std::string_view bad :
       {"Zg=", "Zg", "Z===", "Zm9v!A==", "Zg==Zg==", "=Zg=", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n"})
    EXPECT_FALSE(crypto::base64_decode(bad)) << bad;
}

TEST(engine_crypto, base64_and_hex_round_trip_all_bytes) {
  dwt::engine::seeded_random rng{7};
  for (std::size_t len = 0; len < 70; ++len) {
    std::string data(len, '\0');
    for (auto& c : data)
      c = static_cast<char>(rng.uniform(256));
    EXPECT_EQ(crypto::base64_decode(crypto::base64_encode(data)), data) << len;
    EXPECT_EQ(crypto::hex_decode(crypto::hex_encode(data)), data) << len;
  }
}

TEST(engine_crypto, hex_encoding_and_rejection) {
  EXPECT_EQ(crypto::hex_encode(std::string("\x00\x0f\xa5\xff", 4)), "000fa5ff");
  EXPECT_EQ(crypto::hex_decode("000FA5ff"), std::string("\x00\x0f\xa5\xff", 4));
  EXPECT_FALSE(crypto::hex_decode("abc"));
  EXPECT_FALSE(crypto::hex_decode("zz"));
  EXPECT_FALSE(crypto::hex_decode("0g"));
  EXPECT_EQ(crypto::hex_decode(""), std::string{});
}
