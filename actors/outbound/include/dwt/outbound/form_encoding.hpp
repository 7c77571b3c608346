#pragma once
/// @file
/// `application/x-www-form-urlencoded` and URL path segment encoding.
///
/// Threading: pure functions.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dwt::outbound {

/// Percent-encodes every byte except the RFC 3986 unreserved characters
/// (A–Z a–z 0–9 - . _ ~); a space becomes "+" when `space_as_plus`.
[[nodiscard]] std::string percent_encode(std::string_view text, bool space_as_plus = false);

/// `name=value&name=value` with both sides form-encoded.
[[nodiscard]] std::string
form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

} // namespace dwt::outbound
