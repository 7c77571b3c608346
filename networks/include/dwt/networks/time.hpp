#pragma once
/// @file
/// ISO 8601 / RFC 3339 date-times as networks send them:
/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, e.g.
/// "2026-12-07T18:00:00.000Z" or "2017-08-30T10:31:25-04:00". Fractions
/// beyond milliseconds are truncated. The engine's parse_rfc3339 is
/// stricter (UTC only), as dwt's own API is.
///
/// Threading: pure functions.

#include <optional>
#include <string_view>

#include "dwt/engine/types.hpp"

namespace dwt::networks {

/// The instant `text` names, or nullopt when it is not of the form above.
[[nodiscard]] std::optional<engine::timestamp> parse_iso8601(std::string_view text) noexcept;

} // namespace dwt::networks
