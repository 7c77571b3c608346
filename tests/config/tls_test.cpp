// `[listen.tls]`: both files or neither; plain HTTP stays the default;
// `client_ca_file` makes it mutual TLS.
#include <string>

#include <gtest/gtest.h>

#include "dwt/config/load.hpp"
#include "support.hpp"

namespace dwt::config {
namespace {

using test::minimal_toml;
using test::no_env;

TEST(ConfigTls, AbsentMeansPlainHttp) {
  auto loaded = load_string(minimal_toml(), no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  EXPECT_FALSE(loaded->listen.tls.enabled());
  EXPECT_TRUE(loaded->listen.tls.cert_file.empty());
  EXPECT_TRUE(loaded->listen.tls.key_file.empty());
}

TEST(ConfigTls, BothFilesEnableTls) {
  auto loaded = load_string(minimal_toml() + "\n[listen]\nport = 0\n[listen.tls]\n"
                                             "cert_file = \"/etc/dwt/server.pem\"\n"
                                             "key_file = \"/etc/dwt/server.key\"\n",
                            no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  EXPECT_TRUE(loaded->listen.tls.enabled());
  EXPECT_EQ(loaded->listen.tls.cert_file, "/etc/dwt/server.pem");
  EXPECT_EQ(loaded->listen.tls.key_file, "/etc/dwt/server.key");
}

TEST(ConfigTls, ClientCaFileMakesItMutual) {
  const std::string tls = minimal_toml() + "\n[listen]\nport = 0\n[listen.tls]\n"
                                           "cert_file = \"/etc/dwt/server.pem\"\n"
                                           "key_file = \"/etc/dwt/server.key\"\n";
  auto server_only = load_string(tls, no_env());
  ASSERT_TRUE(server_only.has_value()) << server_only.error_value().message;
  EXPECT_FALSE(server_only->listen.tls.mutual());
  auto loaded = load_string(tls + "client_ca_file = \"/etc/dwt/network-ca.pem\"\n", no_env());
  ASSERT_TRUE(loaded.has_value()) << loaded.error_value().message;
  EXPECT_TRUE(loaded->listen.tls.mutual());
  EXPECT_EQ(loaded->listen.tls.client_ca_file, "/etc/dwt/network-ca.pem");
}

/// Loads `text`, expects failure with `code` and `fragment` in the message.
void expect_error(const std::string& text, errc code, std::string_view fragment) {
  auto loaded = load_string(text, no_env());
  ASSERT_FALSE(loaded.has_value()) << "accepted:\n" << text;
  EXPECT_EQ(loaded.error_value().code, code) << loaded.error_value().message;
  EXPECT_NE(loaded.error_value().message.find(fragment), std::string::npos)
      << loaded.error_value().message;
}

TEST(ConfigTls, HalfConfiguredIsRefused) {
  expect_error(minimal_toml() + "\n[listen.tls]\ncert_file = \"a.pem\"\n", errc::missing_key,
               "listen.tls.key_file");
  expect_error(minimal_toml() + "\n[listen.tls]\nkey_file = \"a.key\"\n", errc::missing_key,
               "listen.tls.cert_file");
  expect_error(minimal_toml() + "\n[listen.tls]\ncert_file = \"\"\nkey_file = \"a.key\"\n",
               errc::invalid_value, "listen.tls.cert_file");
  expect_error(minimal_toml() + "\n[listen.tls]\ncert_file = 3\nkey_file = \"a.key\"\n",
               errc::wrong_type, "listen.tls.cert_file");
  expect_error(minimal_toml() + "\n[listen.tls]\ncert_file = \"a.pem\"\nkey_file = \"a.key\"\n"
                                "client_ca_file = \"\"\n",
               errc::invalid_value, "listen.tls.client_ca_file");
}

TEST(ConfigTls, UnknownKeyIsRefused) {
  expect_error(minimal_toml() + "\n[listen.tls]\ncert_file = \"a.pem\"\nkey_file = \"a.key\"\n"
                                "min_version = \"1.0\"\n",
               errc::unknown_key, "listen.tls.min_version");
}

} // namespace
} // namespace dwt::config
