#include <boost/json/array.hpp>

#include "dwt/networks/mdes/authorize_service.hpp"

namespace dwt::networks::mdes {

std::string_view to_string(decision d) noexcept {
  switch (d) {
  case decision::approved:
    return "APPROVED";
  case decision::declined:
    return "DECLINED";
  case decision::require_additional_authentication:
    return "REQUIRE_ADDITIONAL_AUTHENTICATION";
  }
  return "DECLINED";
}

std::string_view to_string(activation_method_type t) noexcept {
  switch (t) {
  case activation_method_type::text_to_cardholder_number:
    return "TEXT_TO_CARDHOLDER_NUMBER";
  case activation_method_type::email_to_cardholder_address:
    return "EMAIL_TO_CARDHOLDER_ADDRESS";
  case activation_method_type::cardholder_to_call_automated_number:
    return "CARDHOLDER_TO_CALL_AUTOMATED_NUMBER";
  case activation_method_type::cardholder_to_call_manned_number:
    return "CARDHOLDER_TO_CALL_MANNED_NUMBER";
  case activation_method_type::cardholder_to_visit_website:
    return "CARDHOLDER_TO_VISIT_WEBSITE";
  case activation_method_type::cardholder_to_use_mobile_app:
    return "CARDHOLDER_TO_USE_MOBILE_APP";
  case activation_method_type::issuer_to_call_cardholder_number:
    return "ISSUER_TO_CALL_CARDHOLDER_NUMBER";
  }
  return "";
}

std::optional<activation_method_type> parse_activation_method_type(std::string_view s) noexcept {
  for (auto t : {activation_method_type::text_to_cardholder_number,
                 activation_method_type::email_to_cardholder_address,
                 activation_method_type::cardholder_to_call_automated_number,
                 activation_method_type::cardholder_to_call_manned_number,
                 activation_method_type::cardholder_to_visit_website,
                 activation_method_type::cardholder_to_use_mobile_app,
                 activation_method_type::issuer_to_call_cardholder_number})
    if (to_string(t) == s)
      return t;
  return std::nullopt;
}

std::string_view to_string(cvc_response c) noexcept {
  switch (c) {
  case cvc_response::match:
    return "MATCH";
  case cvc_response::invalid:
    return "INVALID";
  case cvc_response::not_processed:
    return "NOT_PROCESSED";
  }
  return "NOT_PROCESSED";
}

boost::json::object to_json(const authorize_service_response& r) {
  boost::json::object out;
  auto put = [&out](std::string_view name, std::string_view value) {
    if (!value.empty())
      out[name] = value;
  };
  put("responseId", r.response_id);
  put("decision", to_string(r.result));
  if (!r.activation_methods.empty()) {
    boost::json::array methods;
    for (const auto& m : r.activation_methods) {
      boost::json::object o;
      o["type"] = to_string(m.type);
      if (!m.value.empty())
        o["value"] = m.value;
      methods.push_back(std::move(o));
    }
    out["activationMethods"] = std::move(methods);
  }
  put("panSequenceNumber", r.pan_sequence_number);
  put("issuerProductConfigId", r.issuer_product_config_id);
  if (r.cvc)
    out["cvcResponse"] = to_string(*r.cvc);
  put("avsResponse", r.avs_response);
  if (!r.services.empty()) {
    boost::json::array services;
    for (const auto& s : r.services)
      services.emplace_back(s);
    out["services"] = std::move(services);
  }
  put("tokenRequestorId", r.token_requestor_id);
  return out;
}

} // namespace dwt::networks::mdes
