#pragma once
/// @file
/// Parsing JSON that holds secrets (decrypted card data) so that every byte
/// of the DOM and of the parser's scratch space lives in one buffer, wiped
/// when done (internal). A plain boost::json::parse would leave copies of
/// the PAN and the security code in freed heap memory.
///
/// Threading: pure functions.

#include <cstddef>
#include <functional>
#include <string_view>

#include <boost/json/object.hpp>
#include <caf/error.hpp>

namespace dwt::networks::detail {

/// Bytes of arena per byte of JSON text, plus a fixed floor. Measured with
/// Boost 1.81: the densest text ("0," repeated: a value per two bytes, the
/// parser's stack growing by doubling inside a never-freeing arena) needs
/// 36.5 bytes per byte of text; objects, strings and nested arrays need
/// less (24-28). A DOM beyond the arena is refused, never spilled.
inline constexpr std::size_t secret_arena_factor = 40;
inline constexpr std::size_t secret_arena_floor = 8192;

/// Parses `text` (at most `max_bytes`) into an object in a wiped arena and
/// calls `visit` with it; what `visit` returns is returned. Errors:
/// payload_too_large (text or DOM beyond its bound), invalid_json (not
/// JSON, or not an object).
caf::error visit_secret_json(std::string_view text, std::size_t max_bytes,
                             const std::function<caf::error(const boost::json::object&)>& visit);

} // namespace dwt::networks::detail
