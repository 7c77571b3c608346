#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "../json_fields.hpp"
#include "device_info_parse.hpp"
#include "dwt/engine/hex.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"
#include "dwt/networks/mdes/fle_json.hpp"

namespace dwt::networks::mdes {

namespace {

namespace as_lim = authorize_service_limits;
using detail::read_count;
using detail::read_object;
using detail::read_string;
using detail::read_string_array;

/// An optional string read into `out` (left empty when absent).
caf::error text(const boost::json::object& obj, std::string_view name, std::size_t max,
                std::string& out, std::string_view path = {}) {
  std::optional<std::string> v;
  if (auto err = read_string(obj, name, max, v, path))
    return err;
  if (v)
    out = std::move(*v);
  return {};
}

bool all_hex(std::string_view s) noexcept {
  return std::all_of(s.begin(), s.end(), [](char c) { return engine::hex::digit_value(c) >= 0; });
}

caf::error read_decisioning(const boost::json::object& obj, authorize_service_request& out) {
  // The newer name wins when a message carries both.
  std::string_view name = "tokenRequestorDecisioningInfo";
  const boost::json::object* d = nullptr;
  if (auto err = read_object(obj, name, d))
    return err;
  if (d == nullptr) {
    name = "walletProviderDecisioningInfo";
    if (auto err = read_object(obj, name, d))
      return err;
  }
  if (d == nullptr)
    return {};
  decisioning_info info;
  if (auto err =
          text(*d, "recommendedDecision", as_lim::max_enum_text, info.recommended_decision, name))
    return err;
  if (auto err = text(*d, "recommendationStandardVersion", as_lim::max_recommendation_version,
                      info.recommendation_standard_version, name))
    return err;
  if (auto err = read_count(*d, "deviceScore", as_lim::max_score, info.device_score, name))
    return err;
  if (auto err = read_count(*d, "accountScore", as_lim::max_score, info.account_score, name))
    return err;
  if (auto err =
          read_count(*d, "phoneNumberScore", as_lim::max_score, info.phone_number_score, name))
    return err;
  if (auto err = read_string_array(*d, "recommendationReasons", as_lim::max_recommendation_reasons,
                                   as_lim::max_enum_text, info.recommendation_reasons, name))
    return err;
  out.decisioning = std::move(info);
  return {};
}

caf::error read_card_info_fle(const boost::json::object& obj, authorize_service_request& out) {
  const boost::json::object* card = nullptr;
  if (auto err = read_object(obj, "cardInfo", card))
    return err;
  if (card == nullptr)
    return make_error(errc::missing_field, "cardInfo is required");
  auto fle = parse_fle_object(*card);
  if (!fle)
    return make_error(code_of(fle.error()),
                      "cardInfo: " + std::string{describe(code_of(fle.error()))});
  out.card_info = std::move(*fle);
  return text(*card, "panUniqueReference", as_lim::max_pan_unique_reference,
              out.pan_unique_reference, "cardInfo");
}

caf::error read_identifiers(const boost::json::object& obj, authorize_service_request& out) {
  if (auto err =
          detail::read_required_string(obj, "requestId", as_lim::max_request_id, out.request_id))
    return err;
  if (auto err = text(obj, "correlationId", as_lim::max_correlation_id, out.correlation_id))
    return err;
  if (auto err =
          text(obj, "tokenRequestorId", as_lim::max_token_requestor_id, out.token_requestor_id))
    return err;
  if (!out.token_requestor_id.empty() && !detail::all_digits(out.token_requestor_id))
    return make_error(errc::invalid_field, "tokenRequestorId must be digits");
  if (auto err = text(obj, "walletId", as_lim::max_wallet_id, out.wallet_id))
    return err;
  if (auto err = text(obj, "paymentAppInstanceId", as_lim::max_payment_app_instance_id,
                      out.payment_app_instance_id))
    return err;
  if (auto err = text(obj, "accountIdHash", as_lim::max_account_id_hash, out.account_id_hash))
    return err;
  if (!all_hex(out.account_id_hash))
    return make_error(errc::invalid_field, "accountIdHash must be hex");
  if (auto err = text(obj, "mobileNumberSuffix", as_lim::max_mobile_number_suffix,
                      out.mobile_number_suffix))
    return err;
  if (!out.mobile_number_suffix.empty() && !detail::all_digits(out.mobile_number_suffix))
    return make_error(errc::invalid_field, "mobileNumberSuffix must be digits");
  return {};
}

} // namespace

token_type parse_token_type(std::optional<std::string_view> s) noexcept {
  if (!s)
    return token_type::unspecified;
  if (*s == "EMBEDDED_SE")
    return token_type::embedded_se;
  if (*s == "CLOUD")
    return token_type::cloud;
  if (*s == "STATIC")
    return token_type::static_token;
  return token_type::other;
}

std::string_view to_string(token_type t) noexcept {
  switch (t) {
  case token_type::embedded_se:
    return "EMBEDDED_SE";
  case token_type::cloud:
    return "CLOUD";
  case token_type::static_token:
    return "STATIC";
  case token_type::unspecified:
  case token_type::other:
    break;
  }
  return "";
}

caf::expected<authorize_service_request>
parse_authorize_service_request(const boost::json::object& obj) {
  authorize_service_request out;
  if (auto err = read_identifiers(obj, out))
    return err;
  if (auto err = read_string_array(obj, "services", as_lim::max_services, as_lim::max_enum_text,
                                   out.services))
    return err;
  if (auto err = read_card_info_fle(obj, out))
    return err;
  if (auto err = read_count(obj, "activeTokenCount", as_lim::max_active_token_count,
                            out.active_token_count))
    return err;
  if (auto err = detail::read_device_info(obj, out.device))
    return err;
  if (auto err = read_decisioning(obj, out))
    return err;
  std::optional<std::string> type;
  if (auto err = read_string(obj, "tokenType", as_lim::max_enum_text, type))
    return err;
  out.type = parse_token_type(type);
  return out;
}

caf::expected<authorize_service_request> parse_authorize_service_request(std::string_view body) {
  if (body.size() > as_lim::max_body_bytes)
    return make_error(errc::payload_too_large, "authorizeService body larger than its limit");
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 16;
  const auto value = boost::json::parse(body, ec, {}, opts);
  if (ec)
    return make_error(errc::invalid_json, "authorizeService body is not JSON");
  const auto* obj = value.if_object();
  if (obj == nullptr)
    return make_error(errc::invalid_json, "authorizeService body is not a JSON object");
  return parse_authorize_service_request(*obj);
}

} // namespace dwt::networks::mdes
