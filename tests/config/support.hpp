#pragma once
// Helpers shared by the configuration tests.
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include "dwt/config/load.hpp"

namespace dwt::config::test {

inline std::string example_path() {
  return std::string{DWT_SOURCE_DIR} + "/config/dwt.example.toml";
}

/// Options whose environment is exactly `vars`.
inline load_options env_of(std::map<std::string, std::string> vars) {
  load_options o;
  o.getenv = [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end())
      return std::nullopt;
    return it->second;
  };
  return o;
}

inline load_options no_env() {
  return env_of({});
}

inline std::string sha256(const std::string& s) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  return std::string(reinterpret_cast<const char*>(md), sizeof md);
}

/// The smallest valid configuration (required sections only).
inline std::string minimal_toml() {
  return R"(
[network]
api_key = "net"
[keys]
pan_hash_key = "hex:0000000000000000000000000000000000000000000000000000000000000001"
pan_encryption_key = "hex:0000000000000000000000000000000000000000000000000000000000000002"
otp_key = "hex:0000000000000000000000000000000000000000000000000000000000000003"
)";
}

/// A partner block; `extra` is appended inside the partner table.
inline std::string partner_toml(const std::string& extra = "") {
  return "\n[[partners]]\nid = \"p1\"\napi_key = \"k1\"\nonboarded_on = 2025-06-01\n" + extra +
         "\n";
}

/// Loads `text`, expects failure with `code`, and that the message contains
/// every fragment.
inline void expect_error(const std::string& text, errc code,
                         std::initializer_list<std::string_view> fragments) {
  auto loaded = load_string(text, no_env());
  ASSERT_FALSE(loaded.has_value()) << "accepted:\n" << text;
  const error& e = loaded.error_value();
  EXPECT_EQ(e.code, code) << e.message;
  for (auto f : fragments)
    EXPECT_NE(e.message.find(f), std::string::npos) << "'" << f << "' not in: " << e.message;
}

} // namespace dwt::config::test
