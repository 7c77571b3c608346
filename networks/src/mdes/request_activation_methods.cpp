#include "dwt/networks/mdes/request_activation_methods.hpp"

#include <boost/json/array.hpp>

#include "../json_fields.hpp"
#include "dwt/engine/assert.hpp"
#include "dwt/networks/caf_error.hpp"

namespace dwt::networks::mdes {

caf::expected<request_activation_methods_request>
parse_request_activation_methods_request(std::string_view body) {
  namespace lim = request_activation_methods_limits;
  boost::json::value v;
  if (auto err = detail::parse_message(body, lim::max_body_bytes, "requestActivationMethods", v))
    return err;
  const auto& obj = v.get_object();
  request_activation_methods_request out;
  if (auto err =
          detail::read_required_string(obj, "requestId", lim::max_request_id, out.request_id))
    return err;
  const struct {
    std::string_view name;
    std::size_t max;
    std::string* target;
  } fields[] = {
      {"tokenUniqueReference", lim::max_token_unique_reference, &out.token_unique_reference},
      {"panUniqueReference", lim::max_pan_unique_reference, &out.pan_unique_reference},
      {"correlationId", lim::max_correlation_id, &out.correlation_id},
      {"paymentAppInstanceId", lim::max_payment_app_instance_id, &out.payment_app_instance_id},
      {"tokenRequestorId", lim::max_token_requestor_id, &out.token_requestor_id},
      {"walletId", lim::max_wallet_id, &out.wallet_id},
  };
  for (const auto& f : fields)
    if (auto err = detail::read_text(obj, f.name, f.max, *f.target))
      return err;
  if (!out.token_requestor_id.empty() && !detail::all_digits(out.token_requestor_id))
    return make_error(errc::invalid_field, "tokenRequestorId must be digits");
  if (out.token_unique_reference.empty() && out.correlation_id.empty())
    return make_error(errc::missing_field, "tokenUniqueReference or correlationId is required");
  return out;
}

boost::json::object to_json(const request_activation_methods_response& r) {
  DWT_ASSERT(r.activation_methods.size() <= request_activation_methods_limits::max_methods);
  boost::json::object out;
  if (!r.response_id.empty())
    out["responseId"] = r.response_id;
  boost::json::array methods;
  for (const auto& m : r.activation_methods) {
    boost::json::object o;
    o["type"] = to_string(m.type);
    if (!m.value.empty())
      o["value"] = m.value;
    methods.push_back(std::move(o));
  }
  out["activationMethods"] = std::move(methods);
  return out;
}

} // namespace dwt::networks::mdes
