#pragma once
/// @file
/// Registers `dwt::networks::errc` as a CAF error code enum (category
/// `networks`, distinct from `engine`, `persist`, `runtime` and CAF's
/// `system`). Only this header touches CAF; it needs CAF's core library for
/// `caf::error`, never its scheduler. An actor system that should render
/// these errors by name calls
/// `cfg.add_error_category(networks::error_category, networks::render_error)`
/// (CAF 0.17.6's `add_error_category<T>` template does not compile: its
/// lambda does not match `error_renderer`).

#include <cstdint>
#include <string>
#include <utility>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include "dwt/networks/errc.hpp"

namespace dwt::networks {

/// The CAF error category of the networks module.
inline constexpr caf::atom_value error_category = caf::atom("networks");

/// Converts a networks error code to a `caf::error` (found by ADL, so
/// `caf::expected<T>` also accepts a bare `errc`).
[[nodiscard]] inline caf::error make_error(errc e) {
  return caf::error{static_cast<std::uint8_t>(e), error_category};
}

/// The same, with a human-readable context message (never secret material:
/// field names and sizes, not values).
[[nodiscard]] inline caf::error make_error(errc e, std::string context) {
  return caf::error{static_cast<std::uint8_t>(e), error_category,
                    caf::make_message(std::move(context))};
}

/// True if `err` belongs to the networks category.
[[nodiscard]] inline bool is_networks_error(const caf::error& err) noexcept {
  return err.category() == error_category;
}

/// The networks errc that `err` holds (`errc::ok` when `err` is empty).
/// Only meaningful when `!err || is_networks_error(err)`.
[[nodiscard]] inline errc code_of(const caf::error& err) noexcept {
  return static_cast<errc>(err.code());
}

/// CAF's error renderer for the category: "networks: unwrap_failed" plus
/// the context in parentheses when there is one.
[[nodiscard]] inline std::string render_error(std::uint8_t code, caf::atom_value,
                                              const caf::message& context) {
  std::string out = "networks: ";
  out += to_code(static_cast<errc>(code));
  if (!context.empty()) {
    out += " (";
    out += caf::to_string(context);
    out += ')';
  }
  return out;
}

} // namespace dwt::networks
