#pragma once
/// @file
/// Internal: finds a key repeated inside one JSON object. Boost.JSON keeps
/// the last of two equal keys, so `{"pan":"a","pan":"b"}` would silently
/// read as "b"; the body reader refuses such a body instead.
///
/// Threading: pure function.

#include <optional>
#include <string>
#include <string_view>

namespace dwt::http::detail {

/// The dotted path (e.g. "device.id") of the first key that repeats within
/// its object, or nullopt when none does or `text` is not valid JSON (the
/// normal parse reports that).
[[nodiscard]] std::optional<std::string> first_duplicate_key(std::string_view text);

} // namespace dwt::http::detail
