#include "dwt/networks/mdes/notify_service_activated.hpp"

#include "../json_fields.hpp"
#include "device_info_parse.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/mdes/fle_json.hpp"
#include "mmyy.hpp"

namespace dwt::networks::mdes {

namespace {

namespace nsa_lim = notify_service_activated_limits;

caf::error digits_only(std::string_view value, std::string_view name) {
  if (!value.empty() && !detail::all_digits(value))
    return make_error(errc::invalid_field, std::string{name} + " must be digits");
  return {};
}

caf::error read_card_and_token(const boost::json::object& obj, card_and_token& out) {
  const boost::json::object* c = nullptr;
  if (auto err = detail::read_object(obj, "cardAndToken", c))
    return err;
  if (c == nullptr)
    return {};
  constexpr std::string_view path = "cardAndToken";
  const struct {
    std::string_view name;
    std::size_t max;
    std::string* target;
  } fields[] = {
      {"tokenUniqueReference", nsa_lim::max_token_unique_reference, &out.token_unique_reference},
      {"panUniqueReference", nsa_lim::max_pan_unique_reference, &out.pan_unique_reference},
      {"accountPanSuffix", nsa_lim::max_suffix, &out.account_pan_suffix},
      {"tokenPanSuffix", nsa_lim::max_suffix, &out.token_pan_suffix},
      {"tokenExpiry", 4, &out.token_expiry},
  };
  for (const auto& f : fields)
    if (auto err = detail::read_text(*c, f.name, f.max, *f.target, path))
      return err;
  if (auto err = digits_only(out.account_pan_suffix, "cardAndToken.accountPanSuffix"))
    return err;
  if (auto err = digits_only(out.token_pan_suffix, "cardAndToken.tokenPanSuffix"))
    return err;
  if (!out.token_expiry.empty() && !detail::is_mmyy(out.token_expiry))
    return make_error(errc::invalid_field, "cardAndToken.tokenExpiry must be MMYY");
  if (c->contains("encryptedData")) {
    auto fle = parse_fle_object(*c);
    if (!fle)
      return make_error(code_of(fle.error()),
                        "cardAndToken: " + std::string{describe(code_of(fle.error()))});
    out.encrypted = std::move(*fle);
  }
  return {};
}

caf::error read_top_level(const boost::json::object& obj, notify_service_activated_request& out) {
  const struct {
    std::string_view name;
    std::size_t max;
    std::string* target;
  } fields[] = {
      {"tokenRequestorId", nsa_lim::max_token_requestor_id, &out.token_requestor_id},
      {"correlationId", nsa_lim::max_correlation_id, &out.correlation_id},
      {"walletId", nsa_lim::max_wallet_id, &out.wallet_id},
      {"paymentAppInstanceId", nsa_lim::max_payment_app_instance_id, &out.payment_app_instance_id},
      {"accountPanSuffix", nsa_lim::max_suffix, &out.account_pan_suffix},
      {"decision", nsa_lim::max_enum_text, &out.decision},
      {"decisionMadeBy", nsa_lim::max_enum_text, &out.decision_made_by},
  };
  for (const auto& f : fields)
    if (auto err = detail::read_text(obj, f.name, f.max, *f.target))
      return err;
  if (auto err = digits_only(out.token_requestor_id, "tokenRequestorId"))
    return err;
  if (auto err = digits_only(out.account_pan_suffix, "accountPanSuffix"))
    return err;
  std::optional<std::string> type;
  if (auto err = detail::read_string(obj, "tokenType", nsa_lim::max_enum_text, type))
    return err;
  out.type = parse_token_type(type);
  if (auto err = detail::read_date_time(obj, "serviceRequestDateTime", out.service_request_time))
    return err;
  if (auto err = detail::read_date_time(obj, "tokenActivatedDateTime", out.token_activated_time))
    return err;
  if (auto err = detail::read_count(obj, "numberOfActivationAttempts", nsa_lim::max_count,
                                    out.number_of_activation_attempts))
    return err;
  if (auto err = detail::read_count(obj, "numberOfActiveTokens", nsa_lim::max_count,
                                    out.number_of_active_tokens))
    return err;
  return detail::read_count(obj, "tokenAssuranceLevel", nsa_lim::max_assurance_level,
                            out.token_assurance_level);
}

} // namespace

caf::expected<notify_service_activated_request>
parse_notify_service_activated_request(std::string_view body) {
  boost::json::value v;
  if (auto err = detail::parse_message(body, nsa_lim::max_body_bytes, "notifyServiceActivated", v))
    return err;
  const auto& obj = v.get_object();
  notify_service_activated_request out;
  if (auto err =
          detail::read_required_string(obj, "requestId", nsa_lim::max_request_id, out.request_id))
    return err;
  if (auto err = read_card_and_token(obj, out.card))
    return err;
  // Also accepted at the top level; cardAndToken's wins.
  if (out.card.token_unique_reference.empty())
    if (auto err =
            detail::read_text(obj, "tokenUniqueReference", nsa_lim::max_token_unique_reference,
                              out.card.token_unique_reference))
      return err;
  if (out.card.token_unique_reference.empty())
    return make_error(errc::missing_field, "cardAndToken.tokenUniqueReference is required");
  if (auto err = detail::read_device_info(obj, out.device))
    return err;
  if (auto err = read_top_level(obj, out))
    return err;
  if (out.card.account_pan_suffix.empty())
    out.card.account_pan_suffix = out.account_pan_suffix;
  return out;
}

} // namespace dwt::networks::mdes
