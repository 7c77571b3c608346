/// @file
/// dwt-server with `DWT_ENV=production` and mutual TLS: network routes
/// without `[listen.tls] client_ca_file`, or the public development TLS
/// material of config/dev/ (under any file name), stop the start with exit 1
/// and a message naming the key; a listener with mutual TLS and
/// non-development material starts (and says https://).

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support.hpp"

namespace dwt::blackbox {
namespace {

std::string repo_file(std::string_view path) {
  return std::string{DWT_SOURCE_DIR} + "/" + std::string{path};
}

std::string tls_table(const std::string& cert, const std::string& key, const std::string& ca) {
  std::string t = "\n[listen.tls]\ncert_file = \"" + cert + "\"\nkey_file = \"" + key + "\"\n";
  if (!ca.empty())
    t += "client_ca_file = \"" + ca + "\"\n";
  return t;
}

/// Runs dwt-server with DWT_ENV=production on the test configuration plus
/// `extra_toml`; expects exit 1 with `key` and "DWT_ENV=production" on
/// stderr (`key` empty: expects it to start and stops it).
void expect_production_start(const std::string& extra_toml, const std::string& key) {
  temp_dir run;
  server_layout layout{run.path()};
  config_options o;
  o.extra_toml = extra_toml;
  ASSERT_EQ(write_file(layout.config_file(), make_config_text(layout, o)), "");
  server_process p;
  ASSERT_EQ(p.spawn(server_binary(), {"--config", layout.config_file().string()}, run.path(),
                    layout.log_dir() / "stderr.log", {"DWT_ENV=production"}),
            "");
  if (key.empty()) {
    EXPECT_EQ(p.wait_ready(std::chrono::seconds{20}), "") << p.stderr_text();
    EXPECT_NE(p.stdout_text().find("https://"), std::string::npos) << p.stdout_text();
    EXPECT_TRUE(p.terminate(std::chrono::seconds{15}).has_value());
    return;
  }
  ASSERT_NO_FATAL_FAILURE(expect_start_refused(p, key));
  EXPECT_NE(p.stderr_text().find("DWT_ENV=production"), std::string::npos) << p.stderr_text();
}

TEST(mtls_startup, production_refuses_network_routes_without_mutual_tls) {
  // The test configuration sets the network key: plain HTTP is refused.
  expect_production_start({}, "listen.tls.client_ca_file");
  // HTTPS without client certificates too.
  expect_production_start(tls_table(repo_file("tests/outbound/tls/server.pem"),
                                    repo_file("tests/outbound/tls/server.key"), {}),
                          "listen.tls.client_ca_file");
  // Mutual TLS with material that is not the development one starts.
  expect_production_start(tls_table(repo_file("tests/outbound/tls/server.pem"),
                                    repo_file("tests/outbound/tls/server.key"),
                                    repo_file("tests/http/mtls/other-ca.pem")),
                          {});
}

TEST(mtls_startup, production_refuses_the_development_tls_material) {
  temp_dir dir;
  const auto cert = dir.path() / "server.pem";
  const auto key = dir.path() / "server.key";
  std::filesystem::copy_file(repo_file("config/dev/tls-server.pem"), cert);
  std::filesystem::copy_file(repo_file("config/dev/tls-server.key.pem"), key);
  expect_production_start(
      tls_table(cert.string(), key.string(), repo_file("tests/http/mtls/other-ca.pem")),
      "listen.tls.cert_file");
  expect_production_start(tls_table(repo_file("tests/outbound/tls/server.pem"),
                                    repo_file("tests/outbound/tls/server.key"),
                                    repo_file("config/dev/tls-ca.pem")),
                          "listen.tls.client_ca_file");
}

TEST(mtls_startup, listen_on_the_command_line_keeps_the_configured_tls) {
  // --listen moves the listener; it must not drop [listen.tls] and serve
  // plain HTTP to a network that expects mutual TLS.
  temp_dir run;
  server_layout layout{run.path()};
  config_options o;
  o.extra_toml = tls_table(repo_file("tests/outbound/tls/server.pem"),
                           repo_file("tests/outbound/tls/server.key"),
                           repo_file("tests/http/mtls/other-ca.pem"));
  ASSERT_EQ(write_file(layout.config_file(), make_config_text(layout, o)), "");
  server_process p;
  ASSERT_EQ(p.spawn(server_binary(),
                    {"--config", layout.config_file().string(), "--listen", "127.0.0.1:0"},
                    run.path(), layout.log_dir() / "stderr.log", {}),
            "");
  EXPECT_EQ(p.wait_ready(std::chrono::seconds{20}), "") << p.stderr_text();
  EXPECT_NE(p.stdout_text().find("https://127.0.0.1:"), std::string::npos) << p.stdout_text();
  EXPECT_TRUE(p.terminate(std::chrono::seconds{15}).has_value());
}

} // namespace
} // namespace dwt::blackbox
