#include "dwt/networks/mdes/deliver_activation_code.hpp"

#include <algorithm>

#include "../json_fields.hpp"
#include "../secret_json.hpp"
#include "dwt/networks/caf_error.hpp"

namespace dwt::networks::mdes {

namespace {

namespace dac_lim = deliver_activation_code_limits;

/// Copies the code straight from the wiped arena into a secret buffer (a
/// std::string on the way would leave a copy in freed memory).
caf::error read_activation_code(const boost::json::object& obj, secret_bytes& out) {
  const auto* v = obj.if_contains("activationCode");
  if (v == nullptr || v->is_null())
    return make_error(errc::missing_field, "activationCode is required");
  const auto* s = v->if_string();
  if (s == nullptr)
    return make_error(errc::invalid_field, "activationCode must be a string");
  if (s->empty())
    return make_error(errc::missing_field, "activationCode is required");
  if (s->size() > dac_lim::max_activation_code)
    return make_error(errc::invalid_field, "activationCode is longer than " +
                                               std::to_string(dac_lim::max_activation_code) +
                                               " characters");
  if (!std::all_of(s->begin(), s->end(), [](char c) { return c >= 0x20 && c <= 0x7e; }))
    return make_error(errc::invalid_field, "activationCode must be printable ASCII");
  out = secret_bytes::copy_of(std::string_view{s->data(), s->size()});
  return {};
}

caf::error read_delivery_method(const boost::json::object& obj,
                                std::optional<delivery_method>& out) {
  const boost::json::object* m = nullptr;
  if (auto err = detail::read_object(obj, "activationMethod", m))
    return err;
  if (m == nullptr)
    return {};
  delivery_method method;
  std::string type;
  if (auto err = detail::read_text(*m, "type", authorize_service_limits::max_enum_text, type,
                                   "activationMethod"))
    return err;
  method.type = parse_activation_method_type(type);
  if (auto err = detail::read_text(*m, "value", dac_lim::max_method_value, method.value,
                                   "activationMethod"))
    return err;
  out = std::move(method);
  return {};
}

caf::error read_deliver_activation_code(const boost::json::object& obj,
                                        deliver_activation_code_request& out) {
  if (auto err =
          detail::read_required_string(obj, "requestId", dac_lim::max_request_id, out.request_id))
    return err;
  if (auto err = detail::read_required_string(obj, "tokenUniqueReference",
                                              dac_lim::max_token_unique_reference,
                                              out.token_unique_reference))
    return err;
  if (auto err =
          detail::read_text(obj, "correlationId", dac_lim::max_correlation_id, out.correlation_id))
    return err;
  if (auto err = read_activation_code(obj, out.activation_code))
    return err;
  if (auto err = detail::read_date_time(obj, "expirationDateTime", out.expiration))
    return err;
  if (auto err = read_delivery_method(obj, out.method))
    return err;
  return detail::read_string_array(obj, "reasonCodes", dac_lim::max_reason_codes,
                                   dac_lim::max_reason_code, out.reason_codes);
}

} // namespace

caf::expected<deliver_activation_code_request>
parse_deliver_activation_code_request(std::string_view body) {
  if (body.size() > dac_lim::max_body_bytes)
    return make_error(errc::payload_too_large, "deliverActivationCode body larger than its limit");
  deliver_activation_code_request out;
  auto err = detail::visit_secret_json(
      body, dac_lim::max_body_bytes,
      [&out](const boost::json::object& obj) { return read_deliver_activation_code(obj, out); });
  if (err)
    return err;
  return out;
}

} // namespace dwt::networks::mdes
