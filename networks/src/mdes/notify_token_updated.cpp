#include "dwt/networks/mdes/notify_token_updated.hpp"

#include <algorithm>

#include <boost/json/array.hpp>

#include "../json_fields.hpp"
#include "dwt/networks/caf_error.hpp"
#include "mmyy.hpp"

namespace dwt::networks::mdes {

namespace {

namespace ntu_lim = notify_token_updated_limits;

caf::error read_token_update(const boost::json::object& t, std::size_t index, token_update& out) {
  const std::string path = "tokens[" + std::to_string(index) + "]";
  if (auto err = detail::read_required_string(t, "tokenUniqueReference",
                                              ntu_lim::max_token_unique_reference,
                                              out.token_unique_reference, path))
    return err;
  std::string status;
  if (auto err = detail::read_required_string(t, "status", ntu_lim::max_enum_text, status, path))
    return err;
  out.status = parse_token_status(status);
  std::vector<std::string> parties;
  if (auto err = detail::read_string_array(t, "suspendedBy", ntu_lim::max_suspended_by,
                                           ntu_lim::max_enum_text, parties, path))
    return err;
  for (const auto& p : parties)
    out.suspended_by.push_back(parse_suspending_party(p));
  if (auto err = detail::read_text(t, "tokenExpiry", 4, out.token_expiry, path))
    return err;
  if (!out.token_expiry.empty() && !detail::is_mmyy(out.token_expiry))
    return make_error(errc::invalid_field, path + ".tokenExpiry must be MMYY");
  return {};
}

caf::error read_tokens(const boost::json::object& obj, std::vector<token_update>& out) {
  const auto* v = obj.if_contains("tokens");
  if (v == nullptr || v->is_null())
    return make_error(errc::missing_field, "tokens is required");
  const auto* arr = v->if_array();
  if (arr == nullptr)
    return make_error(errc::invalid_field, "tokens must be an array");
  if (arr->empty())
    return make_error(errc::missing_field, "tokens must name at least one token");
  if (arr->size() > ntu_lim::max_tokens)
    return make_error(errc::invalid_field,
                      "tokens has more than " + std::to_string(ntu_lim::max_tokens) + " items");
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* t = (*arr)[i].if_object();
    if (t == nullptr)
      return make_error(errc::invalid_field, "tokens items must be objects");
    token_update u;
    if (auto err = read_token_update(*t, i, u))
      return err;
    out.push_back(std::move(u));
  }
  return {};
}

} // namespace

token_status parse_token_status(std::string_view s) noexcept {
  if (s == "INACTIVE")
    return token_status::inactive;
  if (s == "ACTIVE")
    return token_status::active;
  if (s == "SUSPENDED")
    return token_status::suspended;
  if (s == "DEACTIVATED")
    return token_status::deactivated;
  return token_status::other;
}

std::string_view to_string(token_status s) noexcept {
  switch (s) {
  case token_status::inactive:
    return "INACTIVE";
  case token_status::active:
    return "ACTIVE";
  case token_status::suspended:
    return "SUSPENDED";
  case token_status::deactivated:
    return "DEACTIVATED";
  case token_status::other:
    break;
  }
  return "OTHER";
}

suspending_party parse_suspending_party(std::string_view s) noexcept {
  if (s == "ISSUER")
    return suspending_party::issuer;
  if (s == "TOKEN_REQUESTOR")
    return suspending_party::token_requestor;
  if (s == "MOBILE_PIN_LOCKED")
    return suspending_party::mobile_pin_locked;
  if (s == "CARDHOLDER")
    return suspending_party::cardholder;
  return suspending_party::other;
}

std::string_view to_string(suspending_party p) noexcept {
  switch (p) {
  case suspending_party::issuer:
    return "ISSUER";
  case suspending_party::token_requestor:
    return "TOKEN_REQUESTOR";
  case suspending_party::mobile_pin_locked:
    return "MOBILE_PIN_LOCKED";
  case suspending_party::cardholder:
    return "CARDHOLDER";
  case suspending_party::other:
    break;
  }
  return "OTHER";
}

token_update_reason parse_token_update_reason(std::optional<std::string_view> s) noexcept {
  if (!s)
    return token_update_reason::unspecified;
  if (*s == "STATUS_UPDATE")
    return token_update_reason::status_update;
  if (*s == "REDIGITIZATION_COMPLETE")
    return token_update_reason::redigitization_complete;
  if (*s == "DELETED_FROM_CONSUMER_APP")
    return token_update_reason::deleted_from_consumer_app;
  return token_update_reason::other;
}

std::string_view to_string(token_update_reason r) noexcept {
  switch (r) {
  case token_update_reason::status_update:
    return "STATUS_UPDATE";
  case token_update_reason::redigitization_complete:
    return "REDIGITIZATION_COMPLETE";
  case token_update_reason::deleted_from_consumer_app:
    return "DELETED_FROM_CONSUMER_APP";
  case token_update_reason::unspecified:
  case token_update_reason::other:
    break;
  }
  return "";
}

caf::expected<notify_token_updated_request>
parse_notify_token_updated_request(std::string_view body) {
  boost::json::value v;
  if (auto err = detail::parse_message(body, ntu_lim::max_body_bytes, "notifyTokenUpdated", v))
    return err;
  const auto& obj = v.get_object();
  notify_token_updated_request out;
  if (auto err =
          detail::read_required_string(obj, "requestId", ntu_lim::max_request_id, out.request_id))
    return err;
  if (auto err = read_tokens(obj, out.tokens))
    return err;
  std::optional<std::string> reason;
  if (auto err = detail::read_string(obj, "reasonCode", ntu_lim::max_enum_text, reason))
    return err;
  out.reason = parse_token_update_reason(reason);
  return out;
}

std::optional<token_update_target> target_of(const token_update& t, token_update_reason reason) {
  token_update_target out;
  switch (t.status) {
  case token_status::inactive:
    out.state = engine::token_state::requested;
    break;
  case token_status::active:
    out.state = engine::token_state::active;
    break;
  case token_status::suspended: {
    out.state = engine::token_state::suspended;
    const bool issuer_only =
        !t.suspended_by.empty() &&
        std::all_of(t.suspended_by.begin(), t.suspended_by.end(),
                    [](suspending_party p) { return p == suspending_party::issuer; });
    out.by = issuer_only ? engine::channel::partner_api : engine::channel::network;
    break;
  }
  case token_status::deactivated:
    out.state = engine::token_state::terminated;
    break;
  case token_status::other:
    return std::nullopt;
  }
  out.reason = "MDES";
  if (const auto r = to_string(reason); !r.empty()) {
    out.reason += ' ';
    out.reason += r;
  }
  out.reason += ": ";
  out.reason += to_string(t.status);
  if (t.status == token_status::suspended && !t.suspended_by.empty()) {
    out.reason += " by ";
    for (std::size_t i = 0; i < t.suspended_by.size(); ++i) {
      if (i > 0)
        out.reason += ", ";
      out.reason += to_string(t.suspended_by[i]);
    }
  }
  return out;
}

} // namespace dwt::networks::mdes
