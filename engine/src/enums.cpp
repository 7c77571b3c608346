#include "dwt/engine/enums.hpp"

#include <array>
#include <cstddef>

namespace dwt::engine {

namespace {

constexpr std::array<std::string_view, 5> token_state_names{"REQUESTED", "ACTIVE", "SUSPENDED",
                                                            "TERMINATED", "REQUEST_DECLINED"};
constexpr std::array<std::string_view, 3> fulfillment_names{"PENDING", "PROVISIONED", "REJECTED"};
constexpr std::array<std::string_view, 3> card_state_names{"ACTIVE", "SUSPENDED", "TERMINATED"};
constexpr std::array<std::string_view, 2> card_type_names{"VIRTUAL", "PHYSICAL"};
constexpr std::array<std::string_view, 3> wallet_names{"APPLE_PAY", "GOOGLE_PAY", "SAMSUNG_PAY"};
constexpr std::array<std::string_view, 4> device_names{"PHONE", "WATCH", "TABLET", "OTHER"};
constexpr std::array<std::string_view, 3> recommendation_names{"GREEN", "YELLOW", "RED"};
constexpr std::array<std::string_view, 4> channel_names{"NETWORK", "PARTNER_API", "CARD_CASCADE",
                                                        "SYSTEM"};
constexpr std::array<std::string_view, 2> method_names{"SMS_OTP", "IN_APP"};
constexpr std::array<std::string_view, 3> decision_names{"APPROVED", "REQUIRE_VERIFICATION",
                                                         "DECLINED"};
constexpr std::array<std::string_view, 3> network_event_names{"DEVICE_LOST", "DEVICE_FOUND",
                                                              "DELETED_FROM_WALLET"};
constexpr std::array<std::string_view, 2> activation_names{"APPROVE", "DECLINE"};
constexpr std::array<std::string_view, 3> card_network_names{"NONE", "MDES", "VTS"};

template <class Enum, std::size_t N>
[[nodiscard]] std::string_view name_of(const std::array<std::string_view, N>& names,
                                       Enum x) noexcept {
  const auto i = static_cast<std::size_t>(x);
  return i < N ? names[i] : std::string_view{"UNKNOWN"};
}

template <class Enum, std::size_t N>
[[nodiscard]] std::optional<Enum> parse_of(const std::array<std::string_view, N>& names,
                                           std::string_view s) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s)
      return static_cast<Enum>(i);
  return std::nullopt;
}

} // namespace

std::string_view to_string(token_state x) noexcept {
  return name_of(token_state_names, x);
}
std::string_view to_string(fulfillment_status x) noexcept {
  return name_of(fulfillment_names, x);
}
std::string_view to_string(card_state x) noexcept {
  return name_of(card_state_names, x);
}
std::string_view to_string(card_type x) noexcept {
  return name_of(card_type_names, x);
}
std::string_view to_string(wallet_provider x) noexcept {
  return name_of(wallet_names, x);
}
std::string_view to_string(device_type x) noexcept {
  return name_of(device_names, x);
}
std::string_view to_string(wallet_recommendation x) noexcept {
  return name_of(recommendation_names, x);
}
std::string_view to_string(channel x) noexcept {
  return name_of(channel_names, x);
}
std::string_view to_string(verification_method x) noexcept {
  return name_of(method_names, x);
}
std::string_view to_string(decision x) noexcept {
  return name_of(decision_names, x);
}
std::string_view to_string(network_event x) noexcept {
  return name_of(network_event_names, x);
}
std::string_view to_string(activation x) noexcept {
  return name_of(activation_names, x);
}
std::string_view to_string(card_network x) noexcept {
  return name_of(card_network_names, x);
}

std::optional<token_state> parse_token_state(std::string_view s) noexcept {
  return parse_of<token_state>(token_state_names, s);
}
std::optional<fulfillment_status> parse_fulfillment_status(std::string_view s) noexcept {
  return parse_of<fulfillment_status>(fulfillment_names, s);
}
std::optional<card_state> parse_card_state(std::string_view s) noexcept {
  return parse_of<card_state>(card_state_names, s);
}
std::optional<card_type> parse_card_type(std::string_view s) noexcept {
  return parse_of<card_type>(card_type_names, s);
}
std::optional<wallet_provider> parse_wallet_provider(std::string_view s) noexcept {
  return parse_of<wallet_provider>(wallet_names, s);
}
std::optional<device_type> parse_device_type(std::string_view s) noexcept {
  return parse_of<device_type>(device_names, s);
}
std::optional<wallet_recommendation> parse_wallet_recommendation(std::string_view s) noexcept {
  return parse_of<wallet_recommendation>(recommendation_names, s);
}
std::optional<channel> parse_channel(std::string_view s) noexcept {
  return parse_of<channel>(channel_names, s);
}
std::optional<verification_method> parse_verification_method(std::string_view s) noexcept {
  return parse_of<verification_method>(method_names, s);
}
std::optional<decision> parse_decision(std::string_view s) noexcept {
  return parse_of<decision>(decision_names, s);
}
std::optional<network_event> parse_network_event(std::string_view s) noexcept {
  return parse_of<network_event>(network_event_names, s);
}
std::optional<activation> parse_activation(std::string_view s) noexcept {
  return parse_of<activation>(activation_names, s);
}
std::optional<card_network> parse_card_network(std::string_view s) noexcept {
  return parse_of<card_network>(card_network_names, s);
}

} // namespace dwt::engine
