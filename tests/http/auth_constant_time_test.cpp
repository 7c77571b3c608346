// API key comparison does not leak where a guess differs (issue #8).
//
// Why no timing measurement: on two shared cores a statistical timing test
// either needs thresholds loose enough to prove nothing or flakes. The
// property is instead held by construction and checked here:
// 1. the presented key is hashed (SHA-256) first, so what is compared is a
//    fixed-length 32-byte digest whose prefix a client cannot steer;
// 2. the digests are compared with OpenSSL's CRYPTO_memcmp (constant time
//    in the length, no early exit on the first differing byte);
// 3. every configured key is compared, without leaving the loop at a match,
//    so the time does not reveal which principal (if any) matched.
// The behavioural tests pin the observable rules (equal-length keys that
// differ in one byte anywhere are refused; every principal is found among
// many); the source test fails if the comparison stops using
// CRYPTO_memcmp or gains an early exit.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "dwt/http/auth.hpp"

namespace dwt::http {
namespace {

/// Principals registered in the behavioural tests.
constexpr int principal_count = 64;

std::string key_of(int i) {
  std::string k = "partner-key-0000000000000000-";
  k += std::to_string(1000 + i);
  return k;
}

api_key_authenticator many_keys() {
  api_key_authenticator auth;
  for (int i = 0; i < principal_count; ++i)
    auth.add("p" + std::to_string(i), sha256(key_of(i)));
  return auth;
}

TEST(HttpAuthConstantTime, EveryPrincipalIsFoundAmongMany) {
  const auto auth = many_keys();
  for (int i = 0; i < principal_count; ++i) {
    const auto who = auth.authenticate_header("Bearer " + key_of(i));
    ASSERT_TRUE(who.has_value()) << i;
    EXPECT_EQ(*who, "p" + std::to_string(i));
  }
}

TEST(HttpAuthConstantTime, EqualLengthKeysDifferingInOneByteAreRefused) {
  const auto auth = many_keys();
  const std::string key = key_of(principal_count - 1);
  for (std::size_t pos : {std::size_t{0}, key.size() / 2, key.size() - 1}) {
    std::string guess = key;
    guess[pos] = guess[pos] == 'x' ? 'y' : 'x';
    ASSERT_EQ(guess.size(), key.size());
    EXPECT_FALSE(auth.authenticate_header("Bearer " + guess).has_value()) << pos;
  }
  // A prefix and an extension of a valid key are other keys.
  EXPECT_FALSE(auth.authenticate_header("Bearer " + key.substr(0, key.size() - 1)));
  EXPECT_FALSE(auth.authenticate_header("Bearer " + key + "0"));
  EXPECT_FALSE(auth.authenticate_header("Basic " + key));
}

TEST(HttpAuthConstantTime, ComparisonIsCryptoMemcmpOverEveryKeyWithoutEarlyExit) {
  std::ifstream in{std::string{DWT_SOURCE_DIR} + "/actors/http/src/auth.cpp"};
  ASSERT_TRUE(in) << "cannot read actors/http/src/auth.cpp";
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string src = buf.str();
  const auto begin = src.find("api_key_authenticator::authenticate_header");
  ASSERT_NE(begin, std::string::npos);
  const auto loop = src.find("for (const auto& entry : keys_)", begin);
  ASSERT_NE(loop, std::string::npos) << "the comparison loop changed: re-check constant time";
  const auto loop_end = src.find("\n  }\n", loop);
  ASSERT_NE(loop_end, std::string::npos);
  const std::string body = src.substr(loop, loop_end - loop);
  EXPECT_NE(body.find("CRYPTO_memcmp("), std::string::npos) << body;
  EXPECT_EQ(body.find("break"), std::string::npos) << "early exit in the key loop:\n" << body;
  EXPECT_EQ(body.find("return"), std::string::npos) << "early exit in the key loop:\n" << body;
  EXPECT_EQ(src.find("std::memcmp"), std::string::npos);
  EXPECT_EQ(src.find("== digest"), std::string::npos);
}

} // namespace
} // namespace dwt::http
