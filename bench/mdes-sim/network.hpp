#pragma once
/// @file
/// The simulator's network side: MDES calling a running dwt. `network`
/// sends each issuer service (authorizeService, requestActivationMethods,
/// deliverActivationCode, notifyServiceActivated, notifyTokenUpdated) under
/// the configured context root, authenticated like MDES is to dwt: the
/// network API key as `Authorization: Bearer` and, over HTTPS, the
/// network's client certificate for a mutual-TLS listener
/// (`network_options::tls`), and `provision` plays one whole tokenisation the way
/// MDES runs it (NETWORKS.md section 1):
///
///   authorizeService ──APPROVED──────────────────────────► notifyServiceActivated
///        │ REQUIRE_ADDITIONAL_AUTHENTICATION
///        ├─ SMS: requestActivationMethods → deliverActivationCode (the
///        │       network's code; the cardholder types it into the wallet,
///        │       the network checks it) ──────────────────► notifyServiceActivated
///        └─ in-app: the issuer's app approves (dwt's partner API) ──► notifyServiceActivated
///
/// Every exchange is kept (request and answer, verbatim) and handed to an
/// optional observer as it happens, so the CLI can print it.
///
/// Threading: one `network` per thread (it owns a connection and a random
/// source).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <caf/expected.hpp>

#include "dwt/engine/random.hpp"
#include "dwt/networks/mdes/fle.hpp"
#include "http_client.hpp"
#include "messages.hpp"

namespace dwt::mdes_sim {

struct network_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  /// `[networks.mdes] context_root` of the server.
  std::string context_root = "/mdes";
  /// `[network] api_key` of the server (the example config's development key).
  std::string network_key = "demo-network-key";
  /// The issuer's FLE public key (config/dev/ holds the development one).
  std::filesystem::path issuer_fle_public_key = "config/dev/mdes-issuer-fle.pub.pem";
  networks::mdes::key_wrap wrap = networks::mdes::key_wrap::oaep_sha256;
  std::chrono::milliseconds timeout{10000};
  /// HTTPS, with the network's client certificate for a mutual-TLS
  /// listener; nullopt: plain HTTP (`make run`).
  std::optional<tls_options> tls;
};

/// One request and its answer.
struct exchange {
  std::string service; ///< e.g. "authorizeService"
  std::string target;  ///< the path called
  std::string request; ///< the body sent
  http_result answer;
  /// The answer parsed (null when not JSON).
  boost::json::value answer_json;
  /// 200 with a JSON object.
  [[nodiscard]] bool ok() const noexcept { return answer.status == 200 && answer_json.is_object(); }
  /// A string member of the answer ("" when absent).
  [[nodiscard]] std::string field(std::string_view name) const;
};

/// How the cardholder passes a step-up.
enum class step_up {
  /// requestActivationMethods, then deliverActivationCode with the
  /// network's code (dwt sends it by SMS).
  sms,
  /// The issuer's app approves (`in_app_approval`); no code.
  in_app,
};

struct provision_options {
  mdes_sim::card card;
  /// The network's recommendation (authorize_params::recommendation).
  std::string recommendation = "APPROVED";
  std::string wallet_id = "216";
  step_up how = step_up::sms;
  /// For step_up::in_app: approves the token (named by dwt's reference) in
  /// the issuer's app; "" on success, else why not.
  std::function<std::string(const std::string& dwt_ref)> in_app_approval;
  /// How long the card data is good for (`dataValidUntilTimestamp`).
  std::chrono::seconds data_valid_for{600};
  /// How long the activation code is good for (`expirationDateTime`).
  std::chrono::seconds code_valid_for{600};
};

struct provision_result {
  std::string correlation_id;
  /// The network's tokenUniqueReference (sent from requestActivationMethods
  /// on; authorizeService has none).
  std::string tur;
  /// authorizeService's decision ("" when it was not answered).
  std::string decision;
  /// The code the network generated (sms step-up only); the cardholder
  /// would read it in the SMS.
  std::string activation_code;
  std::vector<exchange> steps;
  /// Every step answered as MDES expects and the token reached its end
  /// (ACTIVE after notifyServiceActivated, or a DECLINED decision).
  bool completed = false;
  std::string error;
};

class network {
public:
  using observer = std::function<void(const exchange&)>;

  /// Loads the issuer's key. Errors: the key file's (networks errc).
  [[nodiscard]] static caf::expected<network> make(network_options opts,
                                                   engine::random_source& rng);

  /// Called after every exchange (e.g. to print it).
  void set_observer(observer o) { observer_ = std::move(o); }

  [[nodiscard]] id_source ids() { return id_source{*rng_}; }

  /// POST {context_root}/{service} with `body`.
  exchange call(const std::string& service, const boost::json::object& body);

  /// authorizeService for `c` with `p` (cardInfo encrypted here).
  exchange authorize(const card& c, const authorize_params& p,
                     std::chrono::seconds data_valid_for = std::chrono::seconds{600});

  /// notifyTokenUpdated for the given tokens.
  exchange notify_token_updated(const std::vector<token_status>& tokens,
                                std::string_view reason = "STATUS_UPDATE");

  /// One whole tokenisation (see the file comment).
  provision_result provision(const provision_options& o);

  [[nodiscard]] const network_options& options() const noexcept { return opts_; }
  [[nodiscard]] const networks::mdes::fle_recipient& issuer() const noexcept { return *issuer_; }

private:
  network(network_options opts, networks::mdes::fle_recipient issuer, engine::random_source& rng);

  network_options opts_;
  std::optional<networks::mdes::fle_recipient> issuer_;
  engine::random_source* rng_;
  http_client client_;
  observer observer_;
};

} // namespace dwt::mdes_sim
