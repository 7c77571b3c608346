// Mutual TLS for the network routes of dwt-server (`[listen.tls]
// client_ca_file`), in-process over real TLS on loopback: /network/v1 and
// /mdes need a client certificate signed by the configured CA (403
// `client_certificate_required` / MDES `CLIENT_CERTIFICATE_REQUIRED`
// without one), a certificate of another CA never gets an answer, the
// partner API needs none; and with DWT_ENV=production (`app_options::
// production`) network routes without mutual TLS, or the public
// development TLS keys of config/dev/, stop the start naming the key.
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

#include "../common/tls_test_client.hpp"
#include "support.hpp"

namespace dwt_server_test {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

std::string dev(std::string_view name) {
  return std::string{DWT_SOURCE_DIR} + "/config/dev/" + std::string{name};
}
std::string repo(std::string_view path) {
  return std::string{DWT_SOURCE_DIR} + "/" + std::string{path};
}

/// `[listen.tls]` with these files (appended to the test configuration).
std::string tls_toml(const std::string& cert, const std::string& key, const std::string& ca) {
  std::string t = "\n[listen.tls]\ncert_file = \"" + cert + "\"\nkey_file = \"" + key + "\"\n";
  if (!ca.empty())
    t += "client_ca_file = \"" + ca + "\"\n";
  return t;
}

std::string dev_mtls_toml() {
  return tls_toml(dev("tls-server.pem"), dev("tls-server.key.pem"), dev("tls-ca.pem"));
}

std::string mdes_toml() {
  return "\n[networks.mdes]\nenabled = true\nissuer_fle_keys = [\"" +
         dev("mdes-issuer-fle.key.pem") + "\"]\nnetwork_fle_public_key = \"" +
         dev("mdes-network-fle.pub.pem") + "\"\n";
}

/// A TLS client of the development server certificate, presenting a
/// client certificate when given; answers are checked against
/// docs/openapi.yaml like those of `client`.
class tls_client : public dwt::test::tls_test_client {
public:
  tls_client(std::uint16_t port, const std::string& cert = {}, const std::string& key = {})
      : tls_test_client(port, dev("tls-ca.pem"), op_limit, cert, key) {}

  [[nodiscard]] beast::error_code error() const { return ec_; }

  /// One request; `answered` false (and no OpenAPI check) when the
  /// connection failed before an answer was read.
  answer request(std::string_view method, const std::string& target, const std::string& body,
                 const char* key, bool* answered = nullptr) {
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "localhost");
    if (key != nullptr)
      req.set(bhttp::field::authorization, std::string{"Bearer "} + key);
    if (!body.empty())
      req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    beast::error_code ec;
    beast::get_lowest_layer(stream_).expires_after(op_limit);
    bhttp::async_write(stream_, req, [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    bhttp::response<bhttp::string_body> res;
    if (!ec) {
      bhttp::async_read(stream_, buffer_, res, [&](beast::error_code e, std::size_t) { ec = e; });
      run();
    }
    if (answered != nullptr)
      *answered = !ec;
    else
      EXPECT_FALSE(ec) << method << " " << target << ": " << ec.message();
    answer a;
    if (ec)
      return a;
    a.status = res.result_int();
    a.content_type = std::string{res[bhttp::field::content_type]};
    a.body = res.body();
    boost::system::error_code parse_ec;
    if (!a.body.empty())
      a.value = json::parse(a.body, parse_ec);
    expect_documented(method, target, a);
    return a;
  }
};

/// dwt-server over mutual TLS with the development material and MDES on.
class server_mtls : public server_fixture {
protected:
  void SetUp() override {}

  void start_mtls() {
    ASSERT_NO_FATAL_FAILURE(start_app(test_config(dir_.path) + dev_mtls_toml() + mdes_toml()));
    EXPECT_EQ(app_->base_url().substr(0, 8), "https://");
  }

  std::unique_ptr<tls_client> network_client() {
    return std::make_unique<tls_client>(app_->port(), dev("tls-network-client.pem"),
                                        dev("tls-network-client.key.pem"));
  }
};

TEST_F(server_mtls, NetworkRoutesNeedAClientCertificateOfTheCa) {
  start_mtls();
  ASSERT_TRUE(app_);
  // The partner API over the same TLS listener needs no client certificate.
  tls_client partner{app_->port()};
  ASSERT_FALSE(partner.error()) << partner.error().message();
  auto prof = partner.request("POST", "/v1/profiles",
                              s(json::object{{"phoneNumber", "+447700900123"}}), p1_key);
  ASSERT_EQ(prof.status, 201u) << prof.body;
  const auto pan = make_pan("489537", 1);
  auto card = partner.request("POST", "/v1/cards",
                              s(json::object{{"profileId", prof.str("id")},
                                             {"pan", pan},
                                             {"expiryMonth", 12},
                                             {"expiryYear", 2030},
                                             {"cardProduct", "demo-debit"},
                                             {"type", "VIRTUAL"}}),
                              p1_key);
  ASSERT_EQ(card.status, 201u) << card.body;

  // Without a client certificate: refused before the key is looked at (the
  // right key does not help), nothing is created.
  auto refused =
      partner.request("POST", "/network/v1/tokenization-requests",
                      tokenization_body(pan, "GREEN", "dev-1", "tur-mtls-1"), network_key);
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_EQ(refused.code(), "client_certificate_required");
  auto none = partner.request("GET", "/v1/digital-wallet-tokens/tur-mtls-1", {}, p1_key);
  EXPECT_EQ(none.status, 404u) << none.body;
  auto mdes_refused = partner.request("POST", "/mdes/authorizeService",
                                      s(json::object{{"requestId", "r-1"}}), network_key);
  EXPECT_EQ(mdes_refused.status, 403u) << mdes_refused.body;
  EXPECT_EQ(mdes_refused.str("errorCode"), "CLIENT_CERTIFICATE_REQUIRED");
  EXPECT_EQ(mdes_refused.str("responseId"), "r-1");

  // With the network's certificate: served as before (the key still counts).
  auto network = network_client();
  ASSERT_FALSE(network->error()) << network->error().message();
  auto decided =
      network->request("POST", "/network/v1/tokenization-requests",
                       tokenization_body(pan, "GREEN", "dev-1", "tur-mtls-1"), network_key);
  EXPECT_EQ(decided.status, 200u) << decided.body;
  EXPECT_EQ(decided.str("decision"), "APPROVED") << decided.body;
  auto no_key = network->request("GET", "/network/v1/tokens/tur-mtls-1", {}, nullptr);
  EXPECT_EQ(no_key.status, 401u) << no_key.body;
  auto mdes_bad = network->request("POST", "/mdes/authorizeService", "{}", network_key);
  EXPECT_EQ(mdes_bad.status, 400u) << mdes_bad.body; // past the certificate, the body's turn
}

TEST_F(server_mtls, CertificateOfAnotherCaGetsNoAnswer) {
  start_mtls();
  ASSERT_TRUE(app_);
  {
    tls_client foreign{app_->port(), repo("tests/http/mtls/other-client.pem"),
                       repo("tests/http/mtls/other-client.key.pem")};
    if (!foreign.error()) { // TLS 1.3: the refusal arrives after the client's handshake
      bool answered = true;
      auto a = foreign.request("GET", "/network/v1/tokens/x", {}, network_key, &answered);
      EXPECT_FALSE(answered) << a.status << " " << a.body;
    }
  }
  auto network = network_client();
  ASSERT_FALSE(network->error()) << network->error().message();
  EXPECT_EQ(network->request("GET", "/network/v1/tokens/x", {}, network_key).status, 404u);
}

TEST_F(server_mtls, PlainHttpConfigurationIsUnchanged) {
  // The test configuration (plain HTTP, network key): network routes are
  // served without any certificate, as before.
  server_fixture::SetUp();
  ASSERT_TRUE(app_);
  EXPECT_EQ(app_->base_url().substr(0, 7), "http://");
  auto a = get("/network/v1/tokens/x", network_key);
  EXPECT_EQ(a.status, 404u) << a.body;
  EXPECT_EQ(a.code(), "token_not_found");
}

/// Starts in production with `extra` appended; the error ("" when it started).
std::string production_start(const std::filesystem::path& dir, const std::string& extra) {
  auto loaded = dwt::config::load_string(test_config(dir) + extra);
  if (!loaded)
    return "config: " + loaded.error_value().message;
  dwt::server::app_options o;
  o.access_log = dwt::http::null_log_sink();
  o.production = true;
  auto started = dwt::server::server_app::start(loaded.value(), std::move(o));
  if (started.app) {
    started.app->stop();
    return {};
  }
  return started.error.empty() ? "refused without a reason" : started.error;
}

TEST(server_mtls_production, NetworkRoutesWithoutMutualTlsAreRefused) {
  temp_dir dir;
  // Plain HTTP with the network key configured.
  auto plain = production_start(dir.path, {});
  EXPECT_NE(plain.find("listen.tls.client_ca_file"), std::string::npos) << plain;
  EXPECT_NE(plain.find("DWT_ENV=production"), std::string::npos) << plain;
  // TLS without client certificates.
  auto server_only =
      production_start(dir.path, tls_toml(repo("tests/outbound/tls/server.pem"),
                                          repo("tests/outbound/tls/server.key"), {}));
  EXPECT_NE(server_only.find("listen.tls.client_ca_file"), std::string::npos) << server_only;
  // Mutual TLS with material that is not the development one: starts.
  EXPECT_EQ(production_start(dir.path, tls_toml(repo("tests/outbound/tls/server.pem"),
                                                repo("tests/outbound/tls/server.key"),
                                                repo("tests/http/mtls/other-ca.pem"))),
            "");
}

TEST(server_mtls_production, DevelopmentTlsKeysAreRefused) {
  temp_dir dir;
  // The development server key, even under another file name.
  const auto cert = dir.path / "server.pem";
  const auto key = dir.path / "server.key";
  std::filesystem::copy_file(dev("tls-server.pem"), cert);
  std::filesystem::copy_file(dev("tls-server.key.pem"), key);
  auto dev_server = production_start(
      dir.path, tls_toml(cert.string(), key.string(), repo("tests/http/mtls/other-ca.pem")));
  EXPECT_NE(dev_server.find("listen.tls.cert_file"), std::string::npos) << dev_server;
  EXPECT_NE(dev_server.find("development key"), std::string::npos) << dev_server;
  // The development client CA.
  auto dev_ca = production_start(dir.path, tls_toml(repo("tests/outbound/tls/server.pem"),
                                                    repo("tests/outbound/tls/server.key"),
                                                    dev("tls-ca.pem")));
  EXPECT_NE(dev_ca.find("listen.tls.client_ca_file"), std::string::npos) << dev_ca;
  EXPECT_NE(dev_ca.find("development key"), std::string::npos) << dev_ca;
  // Without DWT_ENV=production the development material is fine.
  auto loaded = dwt::config::load_string(test_config(dir.path) + dev_mtls_toml());
  ASSERT_TRUE(loaded) << loaded.error_value().message;
  dwt::server::app_options o;
  o.access_log = dwt::http::null_log_sink();
  auto started = dwt::server::server_app::start(loaded.value(), std::move(o));
  EXPECT_TRUE(started.app) << started.error;
}

} // namespace
} // namespace dwt_server_test
