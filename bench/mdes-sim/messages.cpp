#include "messages.hpp"

#include <array>
#include <ctime>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "dwt/networks/mdes/fle_json.hpp"

namespace dwt::mdes_sim {

namespace json = boost::json;

namespace {

/// Sets the optional member `key` only when `value` is given (not empty):
/// MDES leaves absent optional fields out.
void put_if_set(json::object& o, std::string_view key, std::string_view value) {
  if (!value.empty())
    o[key] = value;
}

} // namespace

std::string iso8601(std::chrono::system_clock::time_point t) {
  const auto tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::array<char, 32> buf{};
  const auto n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf.data(), n);
}

json::object card_data(const card& c, std::string_view data_valid_until) {
  json::object o{{"accountNumber", c.pan},
                 {"expiryMonth", c.expiry_month},
                 {"expiryYear", c.expiry_year},
                 {"source", c.source},
                 {"cardholderName", c.cardholder_name}};
  put_if_set(o, "securityCode", c.security_code);
  put_if_set(o, "dataValidUntilTimestamp", data_valid_until);
  return o;
}

caf::expected<json::object> encrypt_card_info(const card& c, std::string_view data_valid_until,
                                              const networks::mdes::fle_recipient& issuer,
                                              networks::mdes::key_wrap wrap,
                                              engine::random_source& rng) {
  // The clear text holds the PAN: it lives only in this string, which is
  // encrypted and dropped here.
  auto plain = json::serialize(card_data(c, data_valid_until));
  auto fle = networks::mdes::encrypt(plain, issuer, wrap, rng);
  std::fill(plain.begin(), plain.end(), '\0');
  if (!fle)
    return fle.error();
  return networks::mdes::to_json(*fle);
}

std::string id_source::hex(std::size_t n) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(digits[rng.uniform(16)]);
  return out;
}

std::string id_source::request_id() {
  return "sim-" + hex(16);
}

std::string id_source::correlation_id() {
  return "c" + hex(13);
}

std::string id_source::token_unique_reference() {
  return "DWSPMC" + hex(42);
}

std::string id_source::payment_app_instance_id() {
  return "pai-" + hex(24);
}

std::string id_source::activation_code(unsigned digits) {
  std::string out;
  for (unsigned i = 0; i < digits; ++i)
    out.push_back(static_cast<char>('0' + rng.uniform(10)));
  return out;
}

json::object authorize_service(const authorize_params& p, json::object card_info) {
  json::object body{{"requestId", p.request_id},
                    {"services", json::array{"DIGITIZATION"}},
                    {"cardInfo", std::move(card_info)},
                    {"tokenRequestorId", p.token_requestor_id},
                    {"tokenType", p.token_type}};
  put_if_set(body, "correlationId", p.correlation_id);
  put_if_set(body, "walletId", p.wallet_id);
  put_if_set(body, "paymentAppInstanceId", p.payment_app_instance_id);
  if (p.active_token_count)
    body["activeTokenCount"] = *p.active_token_count;
  body["deviceInfo"] = json::object{{"deviceName", p.device_name},
                                    {"formFactor", p.form_factor},
                                    {"osName", "ANDROID"},
                                    {"paymentTypes", json::array{"NFC"}}};
  if (!p.recommendation.empty()) {
    json::object d{{"recommendedDecision", p.recommendation},
                   {"recommendationStandardVersion", "2"}};
    if (p.device_score)
      d["deviceScore"] = *p.device_score;
    if (p.account_score)
      d["accountScore"] = *p.account_score;
    json::array reasons;
    for (const auto& r : p.recommendation_reasons)
      reasons.emplace_back(r);
    d["recommendationReasons"] = std::move(reasons);
    body["tokenRequestorDecisioningInfo"] = std::move(d);
  }
  return body;
}

json::object request_activation_methods(std::string_view request_id, std::string_view tur,
                                        std::string_view correlation_id) {
  json::object body{{"requestId", request_id}, {"tokenUniqueReference", tur}};
  put_if_set(body, "correlationId", correlation_id);
  return body;
}

json::object deliver_activation_code(std::string_view request_id, std::string_view tur,
                                     std::string_view correlation_id, std::string_view code,
                                     std::string_view expiration, const activation_method& method) {
  json::object body{{"requestId", request_id},
                    {"tokenUniqueReference", tur},
                    {"activationCode", code},
                    {"activationMethod", {{"type", method.type}, {"value", method.value}}}};
  put_if_set(body, "correlationId", correlation_id);
  put_if_set(body, "expirationDateTime", expiration);
  return body;
}

json::object notify_service_activated(const activated_params& p) {
  json::object card_and_token{{"tokenUniqueReference", p.tur}};
  put_if_set(card_and_token, "accountPanSuffix", p.account_pan_suffix);
  json::object body{{"requestId", p.request_id},
                    {"cardAndToken", std::move(card_and_token)},
                    {"tokenRequestorId", p.token_requestor_id},
                    {"decision", p.decision},
                    {"decisionMadeBy", p.decision_made_by},
                    {"numberOfActivationAttempts", p.activation_attempts},
                    {"tokenType", p.token_type}};
  put_if_set(body, "correlationId", p.correlation_id);
  put_if_set(body, "walletId", p.wallet_id);
  put_if_set(body, "paymentAppInstanceId", p.payment_app_instance_id);
  put_if_set(body, "accountPanSuffix", p.account_pan_suffix);
  if (!p.activated_at.empty()) {
    body["serviceRequestDateTime"] = p.activated_at;
    body["tokenActivatedDateTime"] = p.activated_at;
  }
  return body;
}

json::object notify_token_updated(std::string_view request_id,
                                  const std::vector<token_status>& tokens,
                                  std::string_view reason) {
  json::array list;
  for (const auto& t : tokens) {
    json::array by;
    for (const auto& s : t.suspended_by)
      by.emplace_back(s);
    list.push_back(json::object{{"tokenUniqueReference", t.tur},
                                {"status", t.status},
                                {"suspendedBy", std::move(by)},
                                {"tokenExpiry", t.token_expiry}});
  }
  return json::object{
      {"requestId", request_id}, {"tokens", std::move(list)}, {"reasonCode", reason}};
}

std::string dwt_token_ref(std::string_view correlation_id) {
  return "mdes-c-" + std::string{correlation_id};
}

std::optional<token_status> status_for(std::string_view verb, std::string tur) {
  token_status t;
  t.tur = std::move(tur);
  if (verb == "suspend") {
    t.status = "SUSPENDED";
    t.suspended_by = {"CARDHOLDER"};
  } else if (verb == "resume") {
    t.status = "ACTIVE";
  } else if (verb == "delete") {
    t.status = "DEACTIVATED";
  } else {
    return std::nullopt;
  }
  return t;
}

} // namespace dwt::mdes_sim
