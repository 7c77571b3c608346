#pragma once
/// @file
/// The rule that turns a token transition into a durable network command
/// (issue #21): a token that came through MDES, moved by its partner
/// (PARTNER_API) or by its card (CARD_CASCADE), must reach the network:
/// ACTIVE → SUSPENDED asks `suspend`, SUSPENDED → ACTIVE `unsuspend`, any
/// move to TERMINATED `delete`, and the partner's REQUESTED → ACTIVE (its
/// in-app APPROVE) `activate`. The command is appended to the same write
/// unit as the transition, so it exists exactly when the transition does.
/// Transitions the network reported itself (NETWORK channel, or the
/// MDES notifyTokenUpdated route's `from_network` partner transitions)
/// never write one: no echo back to the network.
///
/// Threading: pure helpers, called on the actor's thread.

#include <optional>
#include <string>
#include <string_view>

#include "dwt/actors/network_sync.hpp"
#include "dwt/engine/types.hpp"
#include "dwt/persistence/records.hpp"
#include "dwt/persistence/write_unit.hpp"

namespace dwt::actors {

/// Event type of the webhook sent when a network command fails for good.
inline constexpr std::string_view network_sync_failed_event_type = "tokens#network-sync-failed";

/// The operation a transition from `before` to `after.state` by `by` asks
/// of the network, or nullopt (not an MDES token, another channel, or a
/// move the network need not hear about).
[[nodiscard]] std::optional<persistence::network_operation>
network_operation_for(engine::token_state before, const engine::token_record& after,
                      engine::channel by);

/// Appends the network command of that transition, if it asks for one.
/// `reason` is the transition's reason (sent as the comment; a known MDES
/// reason code, e.g. SUSPECTED_FRAUD, is sent as the reason code).
void add_network_command(persistence::write_unit& unit, engine::token_state before,
                         const engine::token_record& after, engine::channel by,
                         const std::string& reason, engine::timestamp now);

/// The MDES ReasonCode sent for a transition reason: the reason itself when
/// it names one of MDES's codes (any case), else CUSTOMER_REQUEST for the
/// partner's own changes and OTHER for a card cascade.
[[nodiscard]] std::string mdes_reason_code(std::string_view reason, engine::channel by);

/// The JSON `data` of the tokens#network-sync-failed webhook.
[[nodiscard]] std::string network_sync_failed_payload(const persistence::network_command& cmd);

} // namespace dwt::actors
