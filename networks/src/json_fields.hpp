#pragma once
/// @file
/// Lenient field readers for network messages (internal): unknown fields
/// are ignored by not being asked for; an absent field or JSON null is
/// "absent"; a present field of the wrong type or beyond its length limit
/// is invalid_field naming the field (never its value).
///
/// Threading: pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <caf/error.hpp>

#include "dwt/engine/types.hpp"

namespace dwt::networks::detail {

/// The string at `name`, absent → nullopt. Errors: not a string, longer
/// than `max_len` (invalid_field).
caf::error read_string(const boost::json::object& obj, std::string_view name, std::size_t max_len,
                       std::optional<std::string>& out, std::string_view path = {});

/// The same, required (missing_field when absent or empty).
caf::error read_required_string(const boost::json::object& obj, std::string_view name,
                                std::size_t max_len, std::string& out, std::string_view path = {});

/// A non-negative integer given as a JSON number or a decimal string
/// (networks send both); at most `max`.
caf::error read_count(const boost::json::object& obj, std::string_view name, std::uint64_t max,
                      std::optional<std::uint64_t>& out, std::string_view path = {});

/// The object at `name`, nullptr when absent; invalid_field when not an object.
caf::error read_object(const boost::json::object& obj, std::string_view name,
                       const boost::json::object*& out, std::string_view path = {});

/// An array of strings, each ≤ `max_len`, at most `max_items`.
caf::error read_string_array(const boost::json::object& obj, std::string_view name,
                             std::size_t max_items, std::size_t max_len,
                             std::vector<std::string>& out, std::string_view path = {});

/// An optional string read into `out` (left unchanged when absent).
caf::error read_text(const boost::json::object& obj, std::string_view name, std::size_t max_len,
                     std::string& out, std::string_view path = {});

/// An optional ISO 8601 date-time (time.hpp); invalid_field when present
/// but not one.
caf::error read_date_time(const boost::json::object& obj, std::string_view name,
                          std::optional<engine::timestamp>& out, std::string_view path = {});

/// Parses a message body of at most `max_bytes` into `out` (JSON depth
/// bounded). Errors: payload_too_large, invalid_json (not JSON or not an
/// object), both naming `what`.
caf::error parse_message(std::string_view body, std::size_t max_bytes, std::string_view what,
                         boost::json::value& out);

/// "path.name" for error messages.
std::string field_path(std::string_view path, std::string_view name);

/// True if every character of `s` is a decimal digit (and `s` is not empty).
bool all_digits(std::string_view s) noexcept;

} // namespace dwt::networks::detail
