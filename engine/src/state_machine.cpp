#include "dwt/engine/state_machine.hpp"

#include <algorithm>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/caf_error.hpp"

namespace dwt::engine {

namespace {

[[nodiscard]] constexpr bool is_issuer_or_network(channel by) noexcept {
  return by == channel::partner_api || by == channel::card_cascade || by == channel::network;
}

/// Who may resume a SUSPENDED token.
[[nodiscard]] constexpr bool may_resume(channel suspended_by, channel by) noexcept {
  if (suspended_by == channel::network) // a wallet/device suspension
    return by == channel::network || by == channel::partner_api;
  // An issuer suspension (partner API or card cascade): only that party.
  // A SUSPENDED token marked as suspended by the system cannot arise from
  // the table; nobody resumes it (it may still be terminated).
  return (suspended_by == channel::partner_api || suspended_by == channel::card_cascade) &&
         by == suspended_by;
}

/// Fulfillment after moving to `target`: set once, never reverted.
[[nodiscard]] constexpr fulfillment_status next_fulfillment(fulfillment_status current,
                                                            token_state target) noexcept {
  if (current != fulfillment_status::pending)
    return current;
  switch (target) {
  case token_state::active:
    return fulfillment_status::provisioned;
  case token_state::request_declined:
  case token_state::terminated:
    return fulfillment_status::rejected;
  default:
    return current;
  }
}

} // namespace

errc check_transition(const token_record& token, token_state target, channel by) noexcept {
  if (is_final(token.state))
    return errc::token_final;
  switch (token.state) {
  case token_state::requested:
    switch (target) {
    case token_state::active:
      return by == channel::network || by == channel::partner_api || by == channel::system
                 ? errc::ok
                 : errc::illegal_transition;
    case token_state::terminated:
      return by == channel::card_cascade ? errc::ok : errc::illegal_transition;
    case token_state::request_declined:
      return by == channel::partner_api || by == channel::system || by == channel::network
                 ? errc::ok
                 : errc::illegal_transition;
    default:
      return errc::illegal_transition;
    }
  case token_state::active:
    switch (target) {
    case token_state::suspended:
    case token_state::terminated:
      return is_issuer_or_network(by) ? errc::ok : errc::illegal_transition;
    default:
      return errc::illegal_transition;
    }
  case token_state::suspended:
    switch (target) {
    case token_state::active:
      return may_resume(token.suspended_by, by) ? errc::ok : errc::resume_not_allowed;
    case token_state::terminated:
      return is_issuer_or_network(by) ? errc::ok : errc::illegal_transition;
    default:
      return errc::illegal_transition;
    }
  default:
    return errc::illegal_transition;
  }
}

caf::expected<transition_outcome> apply_transition(const token_record& token, token_state target,
                                                   channel by, std::string reason, timestamp now,
                                                   std::string transition_id) {
  if (const auto e = check_transition(token, target, by); e != errc::ok)
    return make_error(e);
  transition_outcome out{token, {}};
  auto& t = out.token;
  t.state = target;
  t.fulfillment = next_fulfillment(token.fulfillment, target);
  t.suspended_by = target == token_state::suspended ? by : channel::system;
  t.updated_at = now;
  t.history_count = token.history_count + 1;
  auto& r = out.record;
  r.id = std::move(transition_id);
  r.token = token.ref;
  r.card = token.card;
  r.from_state = token.state;
  r.to_state = target;
  r.fulfillment = t.fulfillment;
  r.reason = std::move(reason);
  r.by = by;
  r.created_at = now;
  return out;
}

transition_outcome record_creation(token_record token, channel by, std::string reason,
                                   timestamp now, std::string transition_id) {
  DWT_ASSERT(token.state == token_state::requested);
  DWT_ASSERT(token.fulfillment == fulfillment_status::pending);
  DWT_ASSERT(token.history_count == 0);
  token.created_at = now;
  token.updated_at = now;
  token.history_count = 1;
  transition_record r;
  r.id = std::move(transition_id);
  r.token = token.ref;
  r.card = token.card;
  r.from_state = std::nullopt;
  r.to_state = token_state::requested;
  r.fulfillment = fulfillment_status::pending;
  r.reason = std::move(reason);
  r.by = by;
  r.created_at = now;
  return transition_outcome{std::move(token), std::move(r)};
}

std::optional<token_state> cascade_target(const token_record& token,
                                          card_state new_card_state) noexcept {
  switch (new_card_state) {
  case card_state::suspended:
    if (token.state == token_state::active)
      return token_state::suspended;
    return std::nullopt;
  case card_state::active:
    if (token.state == token_state::suspended && token.suspended_by == channel::card_cascade)
      return token_state::active;
    return std::nullopt;
  case card_state::terminated:
    if (!is_final(token.state))
      return token_state::terminated;
    return std::nullopt;
  }
  return std::nullopt;
}

errc check_card_allows(token_state target, card_state card) noexcept {
  if (target == token_state::active && card != card_state::active)
    return errc::card_not_active;
  return errc::ok;
}

errc check_card_transition(card_state from, card_state to) noexcept {
  if (from == card_state::terminated)
    return errc::card_final;
  if (from == to)
    return errc::illegal_transition;
  return errc::ok;
}

std::size_t count_toward_cap(const std::vector<token_record>& tokens) noexcept {
  return static_cast<std::size_t>(std::count_if(tokens.begin(), tokens.end(), [](const auto& t) {
    return t.state == token_state::active || t.state == token_state::suspended;
  }));
}

} // namespace dwt::engine
