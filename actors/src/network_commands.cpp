/// @file
/// Network commands from token transitions (see network_commands.hpp).

#include "network_commands.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <boost/json.hpp>

namespace dwt::actors {

using persistence::network_operation;

std::optional<network_operation> network_operation_for(engine::token_state before,
                                                       const engine::token_record& after,
                                                       engine::channel by) {
  if (!after.network || after.network->network != engine::card_network::mdes)
    return std::nullopt;
  if (by != engine::channel::partner_api && by != engine::channel::card_cascade)
    return std::nullopt;
  using engine::token_state;
  if (after.state == token_state::terminated && before != token_state::terminated)
    return network_operation::delete_token;
  if (before == token_state::active && after.state == token_state::suspended)
    return network_operation::suspend;
  if (before == token_state::suspended && after.state == token_state::active)
    return network_operation::unsuspend;
  // The partner's in-app APPROVE of a token MDES asked it to verify.
  if (before == token_state::requested && after.state == token_state::active &&
      by == engine::channel::partner_api)
    return network_operation::activate;
  return std::nullopt;
}

std::string mdes_reason_code(std::string_view reason, engine::channel by) {
  // The reason codes of the Customer Service API's lifecycle calls.
  static constexpr std::array<std::string_view, 6> known{"SUSPECTED_FRAUD", "CUSTOMER_REQUEST",
                                                         "ACCOUNT_CLOSED",  "DEVICE_LOST",
                                                         "DEVICE_STOLEN",   "OTHER"};
  std::string upper;
  upper.reserve(reason.size());
  for (char c : reason)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (std::find(known.begin(), known.end(), upper) != known.end())
    return upper;
  return by == engine::channel::card_cascade ? "OTHER" : "CUSTOMER_REQUEST";
}

void add_network_command(persistence::write_unit& unit, engine::token_state before,
                         const engine::token_record& after, engine::channel by,
                         const std::string& reason, engine::timestamp now) {
  auto op = network_operation_for(before, after, by);
  if (!op)
    return;
  persistence::network_command cmd;
  cmd.token = after.ref;
  cmd.partner = after.partner;
  cmd.network = after.network->network;
  cmd.operation = *op;
  cmd.reason_code = mdes_reason_code(reason, by);
  cmd.comment = reason;
  cmd.status = persistence::network_sync_status::pending;
  cmd.created_at = now;
  cmd.updated_at = now;
  cmd.next_attempt_at = now;
  unit.append_network_command(std::move(cmd));
}

std::string_view to_string(network_operation op) noexcept {
  switch (op) {
  case network_operation::suspend:
    return "SUSPEND";
  case network_operation::unsuspend:
    return "UNSUSPEND";
  case network_operation::delete_token:
    return "DELETE";
  case network_operation::activate:
    return "ACTIVATE";
  }
  return "SUSPEND";
}

std::string_view to_string(persistence::network_sync_status s) noexcept {
  switch (s) {
  case persistence::network_sync_status::pending:
    return "PENDING";
  case persistence::network_sync_status::confirmed:
    return "CONFIRMED";
  case persistence::network_sync_status::failed:
    return "FAILED";
  }
  return "PENDING";
}

std::string network_sync_failed_payload(const persistence::network_command& cmd) {
  boost::json::object o;
  o["tokenUniqueReference"] = cmd.token.value;
  o["network"] = "MDES";
  o["operation"] = to_string(cmd.operation);
  o["status"] = to_string(cmd.status);
  o["attempts"] = cmd.attempts;
  boost::json::object err;
  err["source"] = cmd.error_source;
  err["reasonCode"] = cmd.error_reason_code;
  err["description"] = cmd.error_description;
  o["error"] = std::move(err);
  return boost::json::serialize(o);
}

} // namespace dwt::actors
