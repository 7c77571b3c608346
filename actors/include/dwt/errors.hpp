#pragma once
/// @file
/// Errors of the runtime module and the one mapping from any `caf::error`
/// the engine produces (categories `engine`, `persist`, `runtime`) to the
/// stable API code and HTTP status used in problem+json answers.
///
/// Threading: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/atom.hpp>
#include <caf/error.hpp>

namespace dwt {

/// Errors of the actor runtime. Stable values: only append.
enum class runtime_errc : std::uint8_t {
  ok = 0,
  /// The engine is stopping or stopped; retry elsewhere or later (503).
  stopping = 1,
  /// Too much work queued; retry after a short delay (503 `overloaded`).
  overloaded = 2,
  /// Another call with the same idempotency key is being applied (409).
  idempotency_in_progress = 3,
  /// engine_options are inconsistent (start-up only).
  invalid_options = 4,
  /// An actor did not answer in time (504).
  timeout = 5,
  /// Unexpected internal failure (500).
  internal = 6,
  /// No outbox event of this partner has that id or seq (404).
  event_not_found = 7,
  /// The partner has no webhook endpoint configured (409).
  no_webhook_endpoint = 8,
  /// The token has no network command (404).
  network_command_not_found = 9,
  /// The token's latest network command is not FAILED (409).
  network_command_not_failed = 10,
  /// No network Customer Service URL is configured (409).
  no_network_dispatcher = 11,
};

inline constexpr caf::atom_value runtime_error_category = caf::atom("runtime");

[[nodiscard]] caf::error make_error(runtime_errc e);
[[nodiscard]] caf::error make_error(runtime_errc e, std::string context);
[[nodiscard]] std::string to_string(runtime_errc e);

/// What an API answer needs to know about an error.
struct error_info {
  std::string code;           ///< stable snake_case, e.g. "illegal_transition"
  std::uint16_t status = 500; ///< HTTP status
  std::string detail;         ///< human-readable, never secret material
};

/// Maps any error from the embedding API: engine errc (e.g. not-found 404,
/// illegal_transition / token_final 409, invalid_* 400/422), persistence
/// errc (overloaded 503, map_full 507, conflict 409, ...) and runtime_errc.
[[nodiscard]] error_info describe(const caf::error& err);

} // namespace dwt
