#pragma once
/// @file
/// `deviceInfo`, as authorizeService and notifyServiceActivated carry it
/// (internal).
///
/// Threading: pure functions.

#include <optional>

#include <boost/json/object.hpp>
#include <caf/error.hpp>

#include "dwt/networks/mdes/authorize_service.hpp"

namespace dwt::networks::detail {

/// Reads `obj.deviceInfo` into `out` (nullopt when absent), each text
/// field within authorize_service_limits::max_device_text. Errors:
/// invalid_field naming the field.
caf::error read_device_info(const boost::json::object& obj, std::optional<mdes::device_info>& out);

} // namespace dwt::networks::detail
