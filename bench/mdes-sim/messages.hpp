#pragma once
/// @file
/// The messages MDES sends an issuer (NETWORKS.md section 1, the public MDES
/// issuer documentation), built as JSON the way the network does: camelCase,
/// `requestId` on every request, card data field-level encrypted to the
/// issuer's public key (`networks::mdes::encrypt`, fingerprint = SPKI
/// SHA-256). Pure functions, no I/O; ids and codes come from an injected
/// `random_source`. Used by the simulator's flows, by dwt-load's
/// `--network mdes` scenarios and by the tests.
///
/// Threading: pure functions (a random_source is not thread-safe).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <caf/expected.hpp>

#include "dwt/engine/random.hpp"
#include "dwt/networks/mdes/fle.hpp"

namespace dwt::mdes_sim {

/// The card as the wallet captured it (the clear text of `cardInfo`).
struct card {
  std::string pan;
  std::string expiry_month = "12"; ///< "MM"
  std::string expiry_year = "31";  ///< "YY"
  std::string cardholder_name = "Sim Holder";
  /// Empty: no `securityCode` in the card data.
  std::string security_code;
  /// CARD_ON_FILE | CARD_ADDED_MANUALLY | CARD_ADDED_VIA_APPLICATION
  std::string source = "CARD_ADDED_MANUALLY";
};

/// ISO 8601 UTC with seconds and `Z`, e.g. "2026-12-07T21:30:00Z".
[[nodiscard]] std::string iso8601(std::chrono::system_clock::time_point t);

/// `cardInfo`'s clear text: accountNumber, expiryMonth, expiryYear, source,
/// cardholderName, securityCode (when set), dataValidUntilTimestamp.
[[nodiscard]] boost::json::object card_data(const card& c, std::string_view data_valid_until);

/// `cardInfo`: the card data encrypted to `issuer` (FLE object JSON).
[[nodiscard]] caf::expected<boost::json::object>
encrypt_card_info(const card& c, std::string_view data_valid_until,
                  const networks::mdes::fle_recipient& issuer, networks::mdes::key_wrap wrap,
                  engine::random_source& rng);

/// Fresh ids as MDES makes them, from `rng`.
struct id_source {
  engine::random_source& rng;
  /// "sim-" and 16 hex digits.
  [[nodiscard]] std::string request_id();
  /// 14 characters ("c" and 13 hex digits): the limit of `correlationId`.
  [[nodiscard]] std::string correlation_id();
  /// "DWSPMC" and 42 hex digits, the shape of MDES's token references.
  [[nodiscard]] std::string token_unique_reference();
  /// A `paymentAppInstanceId`: "pai-" and 24 hex digits.
  [[nodiscard]] std::string payment_app_instance_id();
  /// The network's activation code: `digits` decimal digits.
  [[nodiscard]] std::string activation_code(unsigned digits = 6);
  /// `n` lower-case hex digits.
  [[nodiscard]] std::string hex(std::size_t n);
};

/// What an authorizeService request says besides the card.
struct authorize_params {
  std::string request_id;
  std::string correlation_id;
  std::string token_requestor_id = "50110030273";
  /// MDES's wallet id (the example config maps 103 APPLE_PAY, 216 GOOGLE_PAY,
  /// 217 SAMSUNG_PAY); empty: absent.
  std::string wallet_id = "216";
  std::string payment_app_instance_id;
  /// `tokenRequestorDecisioningInfo.recommendedDecision`: APPROVED |
  /// DECLINED | REQUIRE_ADDITIONAL_AUTHENTICATION; empty: no decisioning
  /// info at all.
  std::string recommendation = "APPROVED";
  std::vector<std::string> recommendation_reasons;
  std::optional<std::uint64_t> device_score = 4;
  std::optional<std::uint64_t> account_score = 4;
  std::optional<std::uint64_t> active_token_count;
  std::string device_name = "Sim Phone";
  std::string form_factor = "PHONE";
  std::string token_type = "CLOUD";
};

/// The whole authorizeService body with `card_info` (from encrypt_card_info).
[[nodiscard]] boost::json::object authorize_service(const authorize_params& p,
                                                    boost::json::object card_info);

/// requestActivationMethods: {requestId, tokenUniqueReference, correlationId}.
[[nodiscard]] boost::json::object request_activation_methods(std::string_view request_id,
                                                             std::string_view tur,
                                                             std::string_view correlation_id);

/// One `{type, value}` activation method.
struct activation_method {
  std::string type;
  std::string value;
};

/// deliverActivationCode with the network's code.
[[nodiscard]] boost::json::object
deliver_activation_code(std::string_view request_id, std::string_view tur,
                        std::string_view correlation_id, std::string_view code,
                        std::string_view expiration, const activation_method& method);

/// notifyServiceActivated: the token now exists at the network under `tur`.
struct activated_params {
  std::string request_id;
  std::string tur;
  std::string correlation_id;
  std::string token_requestor_id = "50110030273";
  std::string wallet_id = "216";
  std::string payment_app_instance_id;
  std::string account_pan_suffix;
  std::string decision = "APPROVED";
  std::string decision_made_by = "ISSUER";
  std::string activated_at; ///< ISO 8601
  unsigned activation_attempts = 0;
  std::string token_type = "CLOUD";
};
[[nodiscard]] boost::json::object notify_service_activated(const activated_params& p);

/// One entry of notifyTokenUpdated's `tokens`.
struct token_status {
  std::string tur;
  /// INACTIVE | ACTIVE | SUSPENDED | DEACTIVATED
  std::string status;
  /// ISSUER | TOKEN_REQUESTOR | MOBILE_PIN_LOCKED | CARDHOLDER
  std::vector<std::string> suspended_by;
  std::string token_expiry = "1231"; ///< MMYY
};
/// notifyTokenUpdated; `reason` STATUS_UPDATE | REDIGITIZATION_COMPLETE |
/// DELETED_FROM_CONSUMER_APP.
[[nodiscard]] boost::json::object notify_token_updated(std::string_view request_id,
                                                       const std::vector<token_status>& tokens,
                                                       std::string_view reason = "STATUS_UPDATE");

/// dwt's reference of the token an authorizeService with this correlationId
/// made: `mdes-c-{correlationId}` (docs/API.md, "Mastercard MDES").
[[nodiscard]] std::string dwt_token_ref(std::string_view correlation_id);

/// The `status` and `suspendedBy` for a simple verb: "suspend" (by the
/// cardholder), "resume", "delete"; nullopt for another word.
[[nodiscard]] std::optional<token_status> status_for(std::string_view verb, std::string tur);

} // namespace dwt::mdes_sim
