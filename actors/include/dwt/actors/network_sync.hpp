#pragma once
/// @file
/// The API and webhook spellings of a network command's operation and of
/// its networkSync status, shared by the server's rendering of GET token
/// and the dispatcher's tokens#network-sync-failed payload (defined in
/// actors/src/network_commands.cpp).
///
/// Threading: pure functions.

#include <string_view>

#include "dwt/persistence/records.hpp"

namespace dwt::actors {

/// "SUSPEND" / "UNSUSPEND" / "DELETE" / "ACTIVATE" (API and webhook).
[[nodiscard]] std::string_view to_string(persistence::network_operation op) noexcept;
/// "PENDING" / "CONFIRMED" / "FAILED".
[[nodiscard]] std::string_view to_string(persistence::network_sync_status s) noexcept;

} // namespace dwt::actors
