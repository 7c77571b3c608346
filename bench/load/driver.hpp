#pragma once
/// \file
/// The load run: set-up, measured phase, read-back; prints and writes results.

#include "options.hpp"

namespace dwt::load {

/// Exit codes of dwt-load.
enum exit_code : int {
  exit_ok = 0,
  exit_verify_failed = 1, ///< something acknowledged is missing or wrong
  exit_usage = 2,
  exit_failure = 3 ///< could not resolve, write outputs, ...
};

/// Runs the load described by `opts` against a server; returns an exit code.
[[nodiscard]] int run(const options& opts);

} // namespace dwt::load
