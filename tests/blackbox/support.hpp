#pragma once
/// @file
/// GoogleTest side of the black-box harness: the OpenAPI contract check of
/// every answer, an API wrapper over `http_client`, test data (Luhn-valid
/// PANs, phones, CVCs) and `blackbox_test`, a fixture that runs one fresh
/// `dwt-server` per test and, at the end, stops it gracefully and scans its
/// files and output for every PAN, CVC and OTP the test used.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "http_client.hpp"
#include "server_process.hpp"

namespace dwt::blackbox {

/// Problems of one answer against docs/openapi.yaml (empty: conforms). When
/// the testkit is not built, or the document cannot be loaded, the load
/// error is the single problem.
[[nodiscard]] std::vector<std::string>
contract_problems(std::string_view method, std::string_view target, const http_response& response);

/// Problems of a JSON text against one schema of docs/openapi.yaml's
/// components/schemas (e.g. "TransitionWebhook"); same rules as
/// `contract_problems`.
[[nodiscard]] std::vector<std::string> schema_problems(std::string_view schema_name,
                                                       std::string_view json_text);

/// The seed of this run: DWT_TEST_SEED when set, else random.
[[nodiscard]] std::uint64_t run_seed();

/// Appends the Luhn check digit to `partial` (digits only).
[[nodiscard]] std::string luhn_complete(std::string partial);

/// Generates unique test values from a seed.
class test_data {
public:
  explicit test_data(std::uint64_t seed) : rng_{seed} {}
  /// A 16-digit Luhn-valid PAN in BIN 400000-479999 (demo-debit), unique.
  [[nodiscard]] std::string pan();
  /// A 16-digit Luhn-valid PAN outside every configured BIN (5xxxxx).
  [[nodiscard]] std::string foreign_pan();
  /// A unique E.164 phone number, "+4477009" + 5 digits.
  [[nodiscard]] std::string phone();
  /// A unique 4-digit CVC.
  [[nodiscard]] std::string cvc();
  /// A short random id, e.g. for device ids and idempotency keys.
  [[nodiscard]] std::string id(std::string_view prefix);
  [[nodiscard]] std::mt19937_64& rng() noexcept { return rng_; }

private:
  [[nodiscard]] std::string digits(std::size_t n);
  std::mt19937_64 rng_;
  std::set<std::string> used_;
};

/// An API client whose every answer is checked against the OpenAPI document
/// (a transport failure or a non-conforming answer is a test failure; the
/// call still returns, with status 0 on transport failure).
class api {
public:
  explicit api(std::uint16_t port);
  /// One request. `body` is serialised as JSON when given.
  http_response call(std::string_view method, const std::string& target, std::string_view key,
                     const std::optional<boost::json::value>& body = std::nullopt,
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
  http_response get(const std::string& target, std::string_view key) {
    return call("GET", target, key);
  }
  http_response post(const std::string& target, std::string_view key,
                     const boost::json::value& body, const std::string& idempotency_key = {});
  [[nodiscard]] http_client& raw() noexcept { return client_; }

private:
  http_client client_;
};

/// Formats an answer for failure messages.
[[nodiscard]] std::string describe(const http_response& r);

/// The fixture: one fresh server per test, stopped gracefully (exit 0) and
/// scanned for secrets at the end.
class blackbox_test : public ::testing::Test {
protected:
  void SetUp() override;
  void TearDown() override;

  /// The configuration knobs of the server SetUp starts (default: none).
  [[nodiscard]] virtual config_options server_options() { return {}; }

  /// SIGTERM (expect exit 0) then start again on the same data directory.
  void restart();

  // --- the API (each expects the documented success status) -------------
  /// POST /v1/profiles → the profile id ("" on failure).
  std::string create_profile(std::string_view key, const std::string& phone);
  /// POST /v1/cards → the card (null on failure). The PAN is remembered as
  /// a secret.
  boost::json::value create_card(std::string_view key, const std::string& profile_id,
                                 const std::string& pan,
                                 const std::optional<std::string>& card_phone = std::nullopt);
  /// A profile and a card in one go → the card.
  boost::json::value new_card(std::string_view key, std::string* pan_out = nullptr,
                              std::string* profile_phone = nullptr,
                              const std::optional<std::string>& card_phone = std::nullopt);
  /// POST /network/v1/tokenization-requests → the 200 result (null on failure).
  boost::json::value tokenize(const std::string& pan, std::string_view recommendation,
                              std::string_view wallet = "APPLE_PAY", bool with_cvc = true);
  /// POST .../digital-wallet-tokens (push provisioning) → the 201 token.
  boost::json::value push_token(std::string_view key, const std::string& card_id,
                                std::string_view wallet = "GOOGLE_PAY");
  /// POST .../digital-wallet-token-transitions (any status).
  http_response transition(std::string_view key, const std::string& card_id, const std::string& tur,
                           std::string_view state);
  /// GET /v1/digital-wallet-tokens/{tur} → the token (null unless 200).
  boost::json::value get_token(std::string_view key, const std::string& tur);
  /// GET .../transitions → the list (empty unless 200).
  std::vector<boost::json::value> history(std::string_view key, const std::string& tur);
  /// The whole events feed, paged with `limit` (bounded).
  std::vector<boost::json::value> all_events(std::string_view key, int limit = 100);
  /// POST .../verification {method} (any status).
  http_response start_verification(const std::string& tur, std::string_view method);
  /// Reads the next SMS (bounded wait) and returns {to, the only 6-digit
  /// code}; the code is remembered as a secret. Fails the test when none
  /// arrives or the body does not hold exactly one six-digit number.
  std::pair<std::string, std::string> next_otp();

  /// Registers a value that must never appear in files or output.
  void remember_secret(const std::string& value, secret_value::match how, std::string label);

  std::unique_ptr<server_instance> server_;
  std::unique_ptr<api> api_;
  std::uint64_t seed_ = 0;
  std::unique_ptr<test_data> data_;
  std::vector<secret_value> secrets_;
  std::size_t sms_seen_ = 0;
};

/// Waits (bounded) for `p`, just spawned, to stop at start-up: expects exit
/// status 1, `key` named on stderr and no "listening" on stdout (kills it
/// and fails when it keeps running). Call it in ASSERT_NO_FATAL_FAILURE.
void expect_start_refused(server_process& p, const std::string& key);

} // namespace dwt::blackbox
