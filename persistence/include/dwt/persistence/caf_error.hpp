#pragma once
/// @file
/// Registers `dwt::persistence::errc` as a CAF error code enum (category
/// `persist`). Only this header touches CAF; it needs CAF's core library for
/// `caf::error`, never its scheduler.

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include "dwt/persistence/errc.hpp"
#include "dwt/persistence/result.hpp"

namespace dwt::persistence {

/// The CAF error category of the persistence module.
inline constexpr caf::atom_value error_category = caf::atom("persist");

/// Converts a persistence error code to a `caf::error` (found by ADL).
[[nodiscard]] inline caf::error make_error(errc e) {
  return caf::error{static_cast<std::uint8_t>(e), error_category};
}

/// The same, with a human-readable context message.
[[nodiscard]] inline caf::error make_error(errc e, std::string context) {
  return caf::error{static_cast<std::uint8_t>(e), error_category,
                    caf::make_message(std::move(context))};
}

/// Converts a persistence `error` (code + message) to a `caf::error`.
[[nodiscard]] inline caf::error to_caf_error(const error& e) {
  return make_error(e.code, e.message);
}

/// True if `err` belongs to the persistence category.
[[nodiscard]] inline bool is_persistence_error(const caf::error& err) noexcept {
  return err.category() == error_category;
}

} // namespace dwt::persistence
