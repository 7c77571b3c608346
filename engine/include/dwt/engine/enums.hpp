#pragma once
/// @file
/// API spellings of the engine's enumerations: `to_string` gives the
/// SCREAMING_SNAKE form used on the wire (e.g. "REQUEST_DECLINED",
/// "APPLE_PAY", "SMS_OTP"); `parse_<enum>` accepts exactly that spelling and
/// returns nullopt otherwise (case-sensitive: the API is).
///
/// Threading: pure functions.

#include <optional>
#include <string_view>

#include "dwt/engine/types.hpp"

namespace dwt::engine {

[[nodiscard]] std::string_view to_string(token_state x) noexcept;
[[nodiscard]] std::string_view to_string(fulfillment_status x) noexcept;
[[nodiscard]] std::string_view to_string(card_state x) noexcept;
[[nodiscard]] std::string_view to_string(card_type x) noexcept;
[[nodiscard]] std::string_view to_string(wallet_provider x) noexcept;
[[nodiscard]] std::string_view to_string(device_type x) noexcept;
[[nodiscard]] std::string_view to_string(wallet_recommendation x) noexcept;
[[nodiscard]] std::string_view to_string(channel x) noexcept;
[[nodiscard]] std::string_view to_string(verification_method x) noexcept;
[[nodiscard]] std::string_view to_string(decision x) noexcept;
[[nodiscard]] std::string_view to_string(network_event x) noexcept;
[[nodiscard]] std::string_view to_string(activation x) noexcept;
/// "NONE", "MDES", "VTS".
[[nodiscard]] std::string_view to_string(card_network x) noexcept;

[[nodiscard]] std::optional<token_state> parse_token_state(std::string_view s) noexcept;
[[nodiscard]] std::optional<card_state> parse_card_state(std::string_view s) noexcept;
[[nodiscard]] std::optional<card_type> parse_card_type(std::string_view s) noexcept;
[[nodiscard]] std::optional<wallet_provider> parse_wallet_provider(std::string_view s) noexcept;
[[nodiscard]] std::optional<device_type> parse_device_type(std::string_view s) noexcept;
[[nodiscard]] std::optional<wallet_recommendation>
parse_wallet_recommendation(std::string_view s) noexcept;
[[nodiscard]] std::optional<verification_method>
parse_verification_method(std::string_view s) noexcept;
[[nodiscard]] std::optional<network_event> parse_network_event(std::string_view s) noexcept;
[[nodiscard]] std::optional<activation> parse_activation(std::string_view s) noexcept;
[[nodiscard]] std::optional<card_network> parse_card_network(std::string_view s) noexcept;
/// Parses "PENDING", "PROVISIONED", "REJECTED" (e.g. for stored records).
[[nodiscard]] std::optional<fulfillment_status>
parse_fulfillment_status(std::string_view s) noexcept;
/// Parses "NETWORK", "PARTNER_API", "CARD_CASCADE", "SYSTEM".
[[nodiscard]] std::optional<channel> parse_channel(std::string_view s) noexcept;
/// Parses "APPROVED", "REQUIRE_VERIFICATION", "DECLINED".
[[nodiscard]] std::optional<decision> parse_decision(std::string_view s) noexcept;

} // namespace dwt::engine
