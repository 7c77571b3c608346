/// MDES field-level encryption: every refusal is a clear errc, the key
/// ring finds keys by every fingerprint variant in either case and holds
/// several (rotation), and encryption draws its key and IV from the
/// injected source.

#include <algorithm>
#include <cctype>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "dwt/engine/crypto.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/networks/mdes/card_info.hpp"
#include "dwt/networks/mdes/fle.hpp"
#include "dwt/networks/mdes/fle_json.hpp"
#include "support.hpp"

namespace dwt::networks::mdes {
namespace {

using test::code;

/// A committed vector by name (python-made, see fle_kat_test.cpp).
struct known_vector {
  std::string plaintext;
  fle_object fle;
};

known_vector committed(std::string_view name) {
  const auto doc = boost::json::parse(test::read_file(test::vectors_dir() / "fle_vectors.json"));
  for (const auto& v : doc.at("vectors").as_array()) {
    if (v.at("name").as_string() != name)
      continue;
    auto fle = parse_fle_object(v.at("fle").as_object());
    EXPECT_TRUE(static_cast<bool>(fle));
    return {std::string{v.at("plaintext").as_string()}, fle ? std::move(*fle) : fle_object{}};
  }
  ADD_FAILURE() << "no vector " << name;
  return {};
}

/// Flips the lowest bit of the hex digit at `i`.
std::string flip(std::string hex, std::size_t i) {
  const int v = std::isdigit(static_cast<unsigned char>(hex[i])) ? hex[i] - '0' : hex[i] - 'a' + 10;
  hex[i] = "0123456789abcdef"[v ^ 1];
  return hex;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

class FleDecrypt : public ::testing::Test {
protected:
  fle_key_ring ring_ = test::issuer_ring();
  known_vector v_ = committed("SHA256-aes256-iv");
};

TEST_F(FleDecrypt, TheUntouchedVectorDecrypts) {
  auto plain = decrypt(v_.fle, ring_);
  ASSERT_TRUE(static_cast<bool>(plain));
  EXPECT_EQ(plain->view(), v_.plaintext);
}

TEST_F(FleDecrypt, UnknownFingerprintIsRefused) {
  v_.fle.public_key_fingerprint = std::string(64, 'a');
  EXPECT_EQ(code(decrypt(v_.fle, ring_)), errc::unknown_key_fingerprint);
  v_.fle.public_key_fingerprint = std::string(40, 'b');
  EXPECT_EQ(code(decrypt(v_.fle, ring_)), errc::unknown_key_fingerprint);
  // A prefix of the right fingerprint is not a match.
  v_.fle.public_key_fingerprint = ring_.fingerprints(0).spki_sha256.substr(0, 62);
  EXPECT_EQ(code(decrypt(v_.fle, ring_)), errc::unknown_key_fingerprint);
}

TEST_F(FleDecrypt, EveryFingerprintVariantInEitherCaseFindsTheKey) {
  const auto& f = ring_.fingerprints(0);
  for (const auto& print : {f.spki_sha256, f.spki_sha1, f.certificate_sha256, f.certificate_sha1}) {
    for (const auto& spelled : {print, upper(print)}) {
      v_.fle.public_key_fingerprint = spelled;
      auto plain = decrypt(v_.fle, ring_);
      ASSERT_TRUE(static_cast<bool>(plain)) << spelled;
      EXPECT_EQ(plain->view(), v_.plaintext);
    }
  }
}

TEST_F(FleDecrypt, WithoutACertificateOnlyTheKeyFingerprintsAreKnown) {
  const auto ring = test::issuer_ring(false);
  v_.fle.public_key_fingerprint = ring_.fingerprints(0).certificate_sha256;
  EXPECT_EQ(code(decrypt(v_.fle, ring)), errc::unknown_key_fingerprint);
  v_.fle.public_key_fingerprint = ring_.fingerprints(0).spki_sha1;
  EXPECT_TRUE(static_cast<bool>(decrypt(v_.fle, ring)));
}

TEST_F(FleDecrypt, TamperedEncryptedKeyFailsToUnwrap) {
  for (std::size_t i :
       {std::size_t{0}, v_.fle.encrypted_key.size() / 2, v_.fle.encrypted_key.size() - 1}) {
    auto fle = v_.fle;
    fle.encrypted_key = flip(fle.encrypted_key, i);
    const auto e = code(decrypt(fle, ring_));
    EXPECT_EQ(e, errc::unwrap_failed) << i;
    EXPECT_TRUE(is_decryption_failure(e));
  }
  // Truncated: not one RSA block.
  auto fle = v_.fle;
  fle.encrypted_key.resize(fle.encrypted_key.size() - 2);
  EXPECT_EQ(code(decrypt(fle, ring_)), errc::unwrap_failed);
}

TEST_F(FleDecrypt, TamperedLastBlockFailsThePadding) {
  // The last ciphertext block's padding check catches a change in the
  // block before it (CBC), here the second-to-last block's last byte.
  auto& data = v_.fle.encrypted_data;
  const auto e =
      code(decrypt({v_.fle.public_key_fingerprint, v_.fle.encrypted_key,
                    v_.fle.oaep_hashing_algorithm, v_.fle.iv, flip(data, data.size() - 33)},
                   ring_));
  EXPECT_EQ(e, errc::decrypt_failed);
  EXPECT_TRUE(is_decryption_failure(e));
  // Not a whole number of blocks.
  v_.fle.encrypted_data.resize(data.size() - 2);
  EXPECT_EQ(code(decrypt(v_.fle, ring_)), errc::decrypt_failed);
}

TEST_F(FleDecrypt, TamperedEarlierDataOrIvIsCaughtByTheCardInfoParse) {
  // CBC has no integrity: a change before the last blocks decrypts to other
  // bytes. The card-data parser is the next check, with its own errc.
  auto tampered = v_.fle;
  tampered.iv = flip(*tampered.iv, 1); // flips a bit of the first byte, '{'
  auto plain = decrypt(tampered, ring_);
  ASSERT_TRUE(static_cast<bool>(plain));
  EXPECT_NE(plain->view(), v_.plaintext);
  EXPECT_EQ(code(parse_card_info(plain->view())), errc::invalid_json);
}

TEST_F(FleDecrypt, WrongIvLengthIsBadIv) {
  v_.fle.iv = v_.fle.iv->substr(0, 30);
  EXPECT_EQ(code(decrypt(v_.fle, ring_)), errc::bad_iv);
  v_.fle.iv = std::string(34, '0');
  EXPECT_EQ(code(decrypt(v_.fle, ring_)), errc::bad_iv);
}

TEST_F(FleDecrypt, AbsentIvMeansZeros) {
  // The committed zero-IV vectors omit the field; an explicit zero IV is
  // the same thing.
  auto z = committed("SHA512-aes192-zero-iv");
  ASSERT_FALSE(z.fle.iv.has_value());
  z.fle.iv = std::string(32, '0');
  auto plain = decrypt(z.fle, ring_);
  ASSERT_TRUE(static_cast<bool>(plain));
  EXPECT_EQ(plain->view(), z.plaintext);
}

TEST_F(FleDecrypt, BadHexInAnyFieldIsBadHex) {
  auto a = v_.fle;
  a.encrypted_key[5] = 'g';
  EXPECT_EQ(code(decrypt(a, ring_)), errc::bad_hex);
  auto b = v_.fle;
  b.encrypted_data += "0"; // odd length
  EXPECT_EQ(code(decrypt(b, ring_)), errc::bad_hex);
  auto c = v_.fle;
  (*c.iv)[0] = 'x';
  EXPECT_EQ(code(decrypt(c, ring_)), errc::bad_hex);
  auto d = v_.fle;
  d.public_key_fingerprint[63] = 'z';
  EXPECT_EQ(code(decrypt(d, ring_)), errc::bad_hex);
}

TEST_F(FleDecrypt, OversizeFieldsAreRefusedBeforeDecoding) {
  auto a = v_.fle;
  a.encrypted_data = std::string(fle_limits::max_encrypted_data_hex + 2, '0');
  EXPECT_EQ(code(decrypt(a, ring_)), errc::payload_too_large);
  auto b = v_.fle;
  b.encrypted_key = std::string(fle_limits::max_encrypted_key_hex + 2, '0');
  EXPECT_EQ(code(decrypt(b, ring_)), errc::payload_too_large);
  auto c = v_.fle;
  c.public_key_fingerprint = std::string(fle_limits::max_fingerprint_hex + 2, '0');
  EXPECT_EQ(code(decrypt(c, ring_)), errc::payload_too_large);
  // The JSON reader bounds them too.
  boost::json::object obj = to_json(v_.fle);
  obj["encryptedData"] = std::string(fle_limits::max_encrypted_data_hex + 2, '0');
  EXPECT_EQ(code(parse_fle_object(obj)), errc::payload_too_large);
}

TEST_F(FleDecrypt, WrongOrUnsupportedOaepHashName) {
  for (const char* name : {"SHA1", "SHA384", "MD5", "", "SHA256 ", "sha-2"}) {
    v_.fle.oaep_hashing_algorithm = name;
    EXPECT_EQ(code(decrypt(v_.fle, ring_)), errc::unsupported_oaep_hash) << name;
  }
  // A supported name that is not the one used: the unwrap fails.
  v_.fle.oaep_hashing_algorithm = "SHA512";
  EXPECT_EQ(code(decrypt(v_.fle, ring_)), errc::unwrap_failed);
  v_.fle.oaep_hashing_algorithm.reset(); // PKCS#1 v1.5
  EXPECT_EQ(code(decrypt(v_.fle, ring_)), errc::unwrap_failed);
}

TEST(FleOaepNames, AcceptedSpellings) {
  EXPECT_EQ(*parse_oaep_hash("SHA256"), key_wrap::oaep_sha256);
  EXPECT_EQ(*parse_oaep_hash("sha-256"), key_wrap::oaep_sha256);
  EXPECT_EQ(*parse_oaep_hash("SHA512"), key_wrap::oaep_sha512);
  EXPECT_EQ(*parse_oaep_hash("Sha-512"), key_wrap::oaep_sha512);
  EXPECT_EQ(*parse_oaep_hash(std::nullopt), key_wrap::pkcs1_v15);
  EXPECT_EQ(oaep_hash_name(key_wrap::oaep_sha256), std::optional<std::string_view>{"SHA256"});
  EXPECT_EQ(oaep_hash_name(key_wrap::pkcs1_v15), std::nullopt);
}

TEST_F(FleDecrypt, MissingFieldsAreNamed) {
  auto a = v_.fle;
  a.encrypted_key.clear();
  EXPECT_EQ(code(decrypt(a, ring_)), errc::missing_field);
  auto b = v_.fle;
  b.encrypted_data.clear();
  EXPECT_EQ(code(decrypt(b, ring_)), errc::missing_field);
  auto c = v_.fle;
  c.public_key_fingerprint.clear();
  EXPECT_EQ(code(decrypt(c, ring_)), errc::missing_field);
  boost::json::object obj = to_json(v_.fle);
  obj.erase("encryptedKey");
  EXPECT_EQ(code(parse_fle_object(obj)), errc::missing_field);
  obj = to_json(v_.fle);
  obj["iv"] = 7;
  EXPECT_EQ(code(parse_fle_object(obj)), errc::invalid_field);
}

TEST_F(FleDecrypt, ParsedFromJsonIgnoringOtherMembers) {
  boost::json::object obj = to_json(v_.fle);
  obj["panUniqueReference"] = "FPAN123";
  auto fle = parse_fle_object(obj);
  ASSERT_TRUE(static_cast<bool>(fle));
  auto plain = decrypt(*fle, ring_);
  ASSERT_TRUE(static_cast<bool>(plain));
  EXPECT_EQ(plain->view(), v_.plaintext);
}

TEST(FleKeyRing, RotationHoldsSeveralKeysAndPicksByFingerprint) {
  fle_key_ring ring;
  ASSERT_FALSE(ring.add_pem_files(test::dev_key("mdes-issuer-fle.key.pem")));
  ASSERT_FALSE(ring.add_pem_files(test::dev_key("mdes-network-fle.key.pem")));
  EXPECT_EQ(ring.size(), 2U);
  engine::seeded_random rng{7};
  for (const char* name : {"mdes-issuer-fle.pub.pem", "mdes-network-fle.pub.pem"}) {
    auto to = fle_recipient::from_pem_file(test::dev_key(name));
    ASSERT_TRUE(static_cast<bool>(to));
    auto fle = encrypt("hello", *to, key_wrap::oaep_sha256, rng);
    ASSERT_TRUE(static_cast<bool>(fle));
    auto plain = decrypt(*fle, ring);
    ASSERT_TRUE(static_cast<bool>(plain)) << name;
    EXPECT_EQ(plain->view(), "hello");
  }
  // The other key of the ring cannot unwrap what was sent to the first.
  auto to = fle_recipient::from_pem_file(test::dev_key("mdes-issuer-fle.pub.pem"));
  auto fle = encrypt("hello", *to, key_wrap::oaep_sha256, rng);
  fle->public_key_fingerprint = ring.fingerprints(1).spki_sha256;
  EXPECT_EQ(code(decrypt(*fle, ring)), errc::unwrap_failed);
}

TEST(FleKeyRing, TheSameKeyTwiceConflicts) {
  fle_key_ring ring;
  ASSERT_FALSE(ring.add_pem_files(test::dev_key("mdes-issuer-fle.key.pem")));
  auto err = ring.add_pem_files(test::dev_key("mdes-issuer-fle.key.pem"));
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_EQ(code_of(err), errc::key_ring_conflict);
  EXPECT_EQ(ring.size(), 1U);
}

TEST(FleKeyRing, ACertificateOfAnotherKeyIsRefused) {
  fle_key_ring ring;
  auto err = ring.add_pem_files(test::dev_key("mdes-network-fle.key.pem"),
                                test::vectors_dir() / "mdes-issuer-fle.cert.pem");
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_EQ(code_of(err), errc::key_load_failed);
  EXPECT_EQ(ring.size(), 0U);
}

TEST(FleKeyRing, APublicKeyFileIsNotAPrivateKey) {
  fle_key_ring ring;
  auto err = ring.add_pem_files(test::dev_key("mdes-issuer-fle.pub.pem"));
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_EQ(code_of(err), errc::key_load_failed);
}

TEST(FleKeyRing, APublicKeyIsNotAdded) {
  fle_key_ring ring;
  auto pub = load_public_key(test::dev_key("mdes-issuer-fle.pub.pem"));
  ASSERT_TRUE(static_cast<bool>(pub));
  auto err = ring.add(std::move(*pub));
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_EQ(code_of(err), errc::key_load_failed);
  EXPECT_EQ(ring.size(), 0U);
}

TEST(FleKeyRing, OnlyWholeHexDigestsAreLookedUp) {
  const auto ring = test::issuer_ring();
  const auto& f = ring.fingerprints(0);
  EXPECT_NE(ring.find(f.spki_sha256), nullptr);
  EXPECT_EQ(ring.find(""), nullptr);
  EXPECT_EQ(ring.find(f.spki_sha256 + "00"), nullptr);
  EXPECT_EQ(ring.find(f.spki_sha1.substr(0, 39)), nullptr);
  EXPECT_EQ(ring.find(std::string(64, 'z')), nullptr);
}

TEST(FleEncrypt, KeyAndIvComeFromTheInjectedSource) {
  auto to = fle_recipient::from_pem_file(test::dev_key("mdes-network-fle.pub.pem"));
  ASSERT_TRUE(static_cast<bool>(to));
  engine::seeded_random a{42};
  engine::seeded_random b{42};
  auto x = encrypt("same plaintext", *to, key_wrap::oaep_sha512, a);
  auto y = encrypt("same plaintext", *to, key_wrap::oaep_sha512, b);
  ASSERT_TRUE(static_cast<bool>(x) && static_cast<bool>(y));
  // Same AES key and IV: same data; the OAEP seed (OpenSSL's) differs.
  EXPECT_EQ(x->iv, y->iv);
  EXPECT_EQ(x->encrypted_data, y->encrypted_data);
  EXPECT_NE(x->encrypted_key, y->encrypted_key);
  EXPECT_EQ(x->oaep_hashing_algorithm, std::optional<std::string>{"SHA512"});
  // The IV is the source's bytes after the 32-byte key.
  engine::seeded_random c{42};
  std::string expect(48, '\0');
  c.fill(std::as_writable_bytes(std::span{expect.data(), expect.size()}));
  EXPECT_EQ(*x->iv, engine::crypto::hex_encode(std::string_view{expect}.substr(32)));
  // And the network's key holder decrypts it.
  fle_key_ring ring;
  ASSERT_FALSE(ring.add_pem_files(test::dev_key("mdes-network-fle.key.pem")));
  auto plain = decrypt(*x, ring);
  ASSERT_TRUE(static_cast<bool>(plain));
  EXPECT_EQ(plain->view(), "same plaintext");
}

TEST(FleEncrypt, OversizePlaintextIsRefused) {
  auto to = fle_recipient::from_pem_file(test::dev_key("mdes-network-fle.pub.pem"));
  ASSERT_TRUE(static_cast<bool>(to));
  engine::seeded_random rng{1};
  const std::string big(fle_limits::max_plaintext_bytes + 1, 'x');
  EXPECT_EQ(code(encrypt(big, *to, key_wrap::oaep_sha256, rng)), errc::payload_too_large);
  const std::string fits(fle_limits::max_plaintext_bytes, 'x');
  auto fle = encrypt(fits, *to, key_wrap::oaep_sha256, rng);
  ASSERT_TRUE(static_cast<bool>(fle));
  EXPECT_LE(fle->encrypted_data.size(), fle_limits::max_encrypted_data_hex);
}

TEST(FleEncrypt, RecipientFingerprintKinds) {
  auto key = load_public_key(test::dev_key("mdes-issuer-fle.pub.pem"));
  ASSERT_TRUE(static_cast<bool>(key));
  const auto prints = fingerprints_of(**key);
  auto sha1 = fle_recipient::from_public_key(std::move(*key), fingerprint_kind::spki_sha1);
  ASSERT_TRUE(static_cast<bool>(sha1));
  EXPECT_EQ(sha1->fingerprint(), prints.spki_sha1);
  auto cert = load_certificate(test::vectors_dir() / "mdes-issuer-fle.cert.pem");
  ASSERT_TRUE(static_cast<bool>(cert));
  auto by_cert =
      fle_recipient::from_certificate(std::move(*cert), fingerprint_kind::certificate_sha256);
  ASSERT_TRUE(static_cast<bool>(by_cert));
  const auto ring = test::issuer_ring();
  EXPECT_EQ(by_cert->fingerprint(), ring.fingerprints(0).certificate_sha256);
  // A certificate fingerprint without a certificate is a caller's mistake.
  auto again = load_public_key(test::dev_key("mdes-issuer-fle.pub.pem"));
  EXPECT_EQ(
      code(fle_recipient::from_public_key(std::move(*again), fingerprint_kind::certificate_sha1)),
      errc::invalid_field);
}

} // namespace
} // namespace dwt::networks::mdes
