/// Key and certificate loading: the development keys load, and every kind
/// of wrong file is a clear errc (never a passphrase prompt, never a crash).

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "dwt/networks/secret.hpp"
#include "support.hpp"

namespace dwt::networks {
namespace {

using test::code;

/// PEM of a freshly generated key of `type` ("RSA" with `bits`, or "EC").
std::string generated_pem(const char* type, unsigned bits, bool private_key) {
  pkey_ptr key{std::string_view{type} == "RSA"
                   ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits))
                   : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  EXPECT_NE(key, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  if (private_key)
    PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  else
    PEM_write_bio_PUBKEY(bio, key.get());
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out{data, static_cast<std::size_t>(n)};
  BIO_free(bio);
  return out;
}

TEST(Keys, TheDevelopmentKeysLoad) {
  for (const char* name : {"mdes-issuer-fle", "mdes-network-fle", "mdes-oauth"}) {
    auto priv = load_private_key(test::dev_key(std::string{name} + ".key.pem"));
    auto pub = load_public_key(test::dev_key(std::string{name} + ".pub.pem"));
    ASSERT_TRUE(static_cast<bool>(priv)) << name;
    ASSERT_TRUE(static_cast<bool>(pub)) << name;
    EXPECT_EQ(EVP_PKEY_get_bits(priv->get()), 2048) << name;
    EXPECT_TRUE(same_public_key(**priv, **pub)) << name;
    EXPECT_EQ(spki_der(**priv), spki_der(**pub));
  }
  // Three different key pairs.
  auto a = load_public_key(test::dev_key("mdes-issuer-fle.pub.pem"));
  auto b = load_public_key(test::dev_key("mdes-network-fle.pub.pem"));
  auto c = load_public_key(test::dev_key("mdes-oauth.pub.pem"));
  EXPECT_FALSE(same_public_key(**a, **b));
  EXPECT_FALSE(same_public_key(**a, **c));
  EXPECT_FALSE(same_public_key(**b, **c));
}

TEST(Keys, TheFingerprintMatchesOpenSslsCommandLine) {
  // `openssl pkey -pubin -in mdes-issuer-fle.pub.pem -outform DER | sha256sum`
  // (config/dev/README.md); python3-cryptography agrees (fle_kat_test).
  auto pub = load_public_key(test::dev_key("mdes-issuer-fle.pub.pem"));
  ASSERT_TRUE(static_cast<bool>(pub));
  EXPECT_EQ(sha256_hex(spki_der(**pub)),
            "d28abf78e7ebafbcc2287dd6c30245550172d43ee96df73fc2c086665abe81ae");
}

TEST(Keys, MissingFileOrNotPem) {
  EXPECT_EQ(code(load_private_key("/nonexistent/key.pem")), errc::key_load_failed);
  EXPECT_EQ(code(private_key_from_pem("not a key")), errc::key_load_failed);
  EXPECT_EQ(code(public_key_from_pem("")), errc::key_load_failed);
  EXPECT_EQ(code(certificate_from_pem(test::read_file(test::dev_key("mdes-oauth.pub.pem")))),
            errc::key_load_failed);
  // A public key is not a private key, and the other way round.
  EXPECT_EQ(code(private_key_from_pem(test::read_file(test::dev_key("mdes-oauth.pub.pem")))),
            errc::key_load_failed);
}

TEST(Keys, AnEncryptedPrivateKeyIsRefusedWithoutPrompting) {
  auto key = load_private_key(test::dev_key("mdes-oauth.key.pem"));
  ASSERT_TRUE(static_cast<bool>(key));
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio, key->get(), EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                          const_cast<char*>("passphrase")),
            1);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  const std::string pem{data, static_cast<std::size_t>(n)};
  BIO_free(bio);
  ASSERT_NE(pem.find("ENCRYPTED"), std::string::npos);
  EXPECT_EQ(code(private_key_from_pem(pem)), errc::key_load_failed);
}

TEST(Keys, OnlyRsaOfAcceptedSizes) {
  EXPECT_EQ(code(private_key_from_pem(generated_pem("EC", 0, true))), errc::unsupported_key);
  EXPECT_EQ(code(public_key_from_pem(generated_pem("EC", 0, false))), errc::unsupported_key);
  EXPECT_EQ(code(private_key_from_pem(generated_pem("RSA", 1024, true))), errc::unsupported_key);
  EXPECT_EQ(code(public_key_from_pem(generated_pem("RSA", 1024, false))), errc::unsupported_key);
}

TEST(Keys, OversizeFilesAreRefusedBeforeParsing) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("dwt_big_pem_" + std::to_string(::getpid()) + ".pem");
  {
    std::ofstream f{path, std::ios::binary | std::ios::trunc};
    f << std::string(max_pem_bytes + 1, 'A');
  }
  EXPECT_EQ(code(load_private_key(path)), errc::payload_too_large);
  std::filesystem::remove(path);
  EXPECT_EQ(code(private_key_from_pem(std::string(max_pem_bytes + 1, 'A'))),
            errc::payload_too_large);
}

TEST(Keys, CertificatesLoadAndNameTheirKey) {
  auto cert = load_certificate(test::vectors_dir() / "mdes-issuer-fle.cert.pem");
  ASSERT_TRUE(static_cast<bool>(cert));
  auto pub = load_public_key(test::dev_key("mdes-issuer-fle.pub.pem"));
  EXPECT_TRUE(same_public_key(*certificate_key(**cert), **pub));
  EXPECT_NE(certificate_der(**cert), spki_der(**pub));
}

TEST(SecretBytes, HoldsMovesShrinksAndCompares) {
  auto s = secret_bytes::copy_of("5555555555554444");
  EXPECT_EQ(s.size(), 16U);
  EXPECT_TRUE(s.equals("5555555555554444"));
  EXPECT_FALSE(s.equals("5555555555554445"));
  const char* storage = s.data();
  s.shrink_to(4);
  EXPECT_EQ(s.view(), "5555");
  // The cut-off bytes were wiped in place (the capacity is still ours).
  EXPECT_EQ(std::string(storage + 4, 12), std::string(12, '\0'));
  secret_bytes moved = std::move(s);
  EXPECT_EQ(moved.view(), "5555");
  EXPECT_TRUE(s.empty()); // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(s.capacity(), 0U);
  moved.clear();
  EXPECT_TRUE(moved.empty());
  EXPECT_TRUE(secret_bytes{}.view().empty());
}

} // namespace
} // namespace dwt::networks
