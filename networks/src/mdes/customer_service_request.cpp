/// Customer Service API requests: URLs and the PascalCase bodies.

#include <algorithm>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "../json_fields.hpp"
#include "dwt/engine/assert.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/mdes/customer_service.hpp"
#include "dwt/networks/oauth1.hpp"
#include "mmyy.hpp"

namespace dwt::networks::mdes {

namespace {

namespace cs_lim = customer_service_limits;

/// Checks one outgoing text field: required ones present, all within
/// their limit and free of control characters.
caf::error check_text(std::string_view name, std::string_view value, std::size_t max,
                      bool required) {
  if (value.empty())
    return required ? make_error(errc::missing_field, std::string{name} + " is required")
                    : caf::error{};
  if (value.size() > max)
    return make_error(errc::invalid_field,
                      std::string{name} + " is longer than " + std::to_string(max));
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return make_error(errc::invalid_field, std::string{name} + " has a control character");
  return {};
}

caf::error check_lifecycle(const token_lifecycle_request& r) {
  const struct {
    std::string_view name;
    const std::string& value;
    std::size_t max;
    bool required;
  } fields[] = {
      {"TokenUniqueReference", r.token_unique_reference, cs_lim::max_token_unique_reference, true},
      {"CommentText", r.comment_text, cs_lim::max_comment_text, false},
      {"ReasonCode", r.reason_code, cs_lim::max_reason_code, true},
      {"AuditInfo.UserId", r.audit.user_id, cs_lim::max_audit_field, true},
      {"AuditInfo.UserName", r.audit.user_name, cs_lim::max_audit_field, true},
      {"AuditInfo.Organization", r.audit.organization, cs_lim::max_audit_field, true},
      {"AuditInfo.Phone", r.audit.phone, cs_lim::max_audit_field, false},
  };
  for (const auto& f : fields)
    if (auto err = check_text(f.name, f.value, f.max, f.required))
      return err;
  return {};
}

/// The lifecycle members, in the order MDES documents them.
boost::json::object lifecycle_members(const token_lifecycle_request& r) {
  boost::json::object o;
  o["TokenUniqueReference"] = r.token_unique_reference;
  if (!r.comment_text.empty())
    o["CommentText"] = r.comment_text;
  o["ReasonCode"] = r.reason_code;
  boost::json::object audit;
  audit["UserId"] = r.audit.user_id;
  audit["UserName"] = r.audit.user_name;
  audit["Organization"] = r.audit.organization;
  if (!r.audit.phone.empty())
    audit["Phone"] = r.audit.phone;
  o["AuditInfo"] = std::move(audit);
  return o;
}

} // namespace

std::string_view path_of(cs_operation op) noexcept {
  switch (op) {
  case cs_operation::suspend:
    return "/csapi/v2/token/suspend";
  case cs_operation::unsuspend:
    return "/csapi/v2/token/unsuspend";
  case cs_operation::delete_token:
    return "/csapi/v2/token/delete";
  case cs_operation::update:
    return "/csapi/v2/token/update";
  case cs_operation::activate:
    return "/csapi/v2/token/activate";
  }
  return "";
}

std::string_view request_root(cs_operation op) noexcept {
  switch (op) {
  case cs_operation::suspend:
    return "TokenSuspendRequest";
  case cs_operation::unsuspend:
    return "TokenUnsuspendRequest";
  case cs_operation::delete_token:
    return "TokenDeleteRequest";
  case cs_operation::update:
    return "TokenUpdateRequest";
  case cs_operation::activate:
    return "TokenActivateRequest";
  }
  return "";
}

std::string_view response_root(cs_operation op) noexcept {
  switch (op) {
  case cs_operation::suspend:
    return "TokenSuspendResponse";
  case cs_operation::unsuspend:
    return "TokenUnsuspendResponse";
  case cs_operation::delete_token:
    return "TokenDeleteResponse";
  case cs_operation::update:
    return "TokenUpdateResponse";
  case cs_operation::activate:
    return "TokenActivateResponse";
  }
  return "";
}

caf::expected<std::string> cs_url(std::string_view base, cs_operation op) {
  if (base.size() > cs_lim::max_base_url)
    return make_error(errc::invalid_url, "the Customer Service API base URL is too long");
  if (base.find_first_of("?#") != std::string_view::npos)
    return make_error(errc::invalid_url,
                      "the Customer Service API base URL must not have a query or fragment");
  if (base.ends_with('/'))
    base.remove_suffix(1);
  std::string url{base};
  url += path_of(op);
  url += "?Format=JSON";
  // The signer must accept it: check it now, at configuration time.
  if (auto uri = oauth1::base_string_uri(url); !uri)
    return std::move(uri.error());
  return url;
}

caf::expected<std::string> render_cs_request(cs_operation op, const token_lifecycle_request& r) {
  DWT_ASSERT_MSG(op != cs_operation::update, "token/update has its own renderer");
  if (auto err = check_lifecycle(r))
    return err;
  boost::json::object body;
  body[request_root(op)] = lifecycle_members(r);
  return boost::json::serialize(body);
}

caf::expected<secret_bytes> render_cs_update_request(const token_update_request& r) {
  if (auto err = check_lifecycle(r.base))
    return err;
  const auto pan = r.new_account_pan.view();
  if (pan.empty() && r.expiration_date.empty())
    return make_error(errc::missing_field, "NewAccountPan or ExpirationDate is required");
  if (!pan.empty() && engine::pan::validate(pan) != engine::errc::ok)
    return make_error(errc::invalid_account_number,
                      "NewAccountPan is not 12-19 digits passing the Luhn check");
  if (!r.expiration_date.empty() && !detail::is_mmyy(r.expiration_date))
    return make_error(errc::invalid_expiry, "ExpirationDate must be MMYY");
  if (!r.account_pan_sequence_number.empty() &&
      (r.account_pan_sequence_number.size() > cs_lim::max_account_pan_sequence_number ||
       !detail::all_digits(r.account_pan_sequence_number)))
    return make_error(errc::invalid_field, "AccountPanSequenceNumber must be 1-3 digits");
  // Rendered by hand into a wiped buffer: a JSON DOM would copy the PAN
  // into heap blocks freed without wiping. Every other value is escaped by
  // Boost.JSON; the PAN is digits only.
  boost::json::object members = lifecycle_members(r.base);
  if (!r.expiration_date.empty())
    members["ExpirationDate"] = r.expiration_date;
  if (!r.account_pan_sequence_number.empty())
    members["AccountPanSequenceNumber"] = r.account_pan_sequence_number;
  const std::string rest = boost::json::serialize(members); // "{…}", never empty
  const std::string_view head = R"({"TokenUpdateRequest":)";
  const std::string_view pan_key = R"("NewAccountPan":")";
  std::size_t size = head.size() + rest.size() + 1;
  if (!pan.empty())
    size += pan_key.size() + pan.size() + 2; // `",`
  secret_bytes out{size};
  char* p = out.data();
  auto put = [&p](std::string_view s) { p = std::copy(s.begin(), s.end(), p); };
  put(head);
  put("{");
  if (!pan.empty()) {
    put(pan_key);
    put(pan);
    put("\",");
  }
  put(std::string_view{rest}.substr(1));
  put("}");
  DWT_ASSERT(p == out.data() + out.size());
  return out;
}

} // namespace dwt::networks::mdes
