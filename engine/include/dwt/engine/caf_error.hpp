#pragma once
/// @file
/// Registers `dwt::engine::errc` as a CAF error code enum (category
/// `engine`). Only this header touches CAF; it needs CAF's core library for
/// `caf::error`, never its scheduler.

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include "dwt/engine/errc.hpp"

namespace dwt::engine {

/// The CAF error category of the engine module.
inline constexpr caf::atom_value error_category = caf::atom("engine");

/// Converts an engine error code to a `caf::error` (found by ADL).
[[nodiscard]] inline caf::error make_error(errc e) {
  return caf::error{static_cast<std::uint8_t>(e), error_category};
}

/// The same, with a human-readable context message.
[[nodiscard]] inline caf::error make_error(errc e, std::string context) {
  return caf::error{static_cast<std::uint8_t>(e), error_category,
                    caf::make_message(std::move(context))};
}

/// True if `err` belongs to the engine category.
[[nodiscard]] inline bool is_engine_error(const caf::error& err) noexcept {
  return err.category() == error_category;
}

} // namespace dwt::engine
