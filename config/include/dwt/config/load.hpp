#pragma once
/// @file
/// Loading the TOML configuration into `settings` (settings.hpp).
///
/// Every problem is reported as `key.path: what is wrong`, e.g.
/// `partners[0].onboarded_on: expected a date like 2025-06-01`. Unknown keys
/// are errors. Secrets named by `*_env` keys are read from the environment
/// through `load_options::getenv`; a variable that is not set is an error
/// naming it. No exception escapes.
///
/// Threading: the functions are reentrant. The default environment look-up
/// calls `std::getenv`, which must not race with `setenv` in other threads.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dwt/config/result.hpp"
#include "dwt/config/settings.hpp"

namespace dwt::config {

/// Looks up an environment variable; nullopt when it is not set.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment (`std::getenv`).
[[nodiscard]] std::optional<std::string> process_env(const std::string& name);

struct load_options {
  /// Where `*_env` secrets are read from.
  env_lookup getenv = process_env;
};

/// Parses and validates configuration text. `source_name` prefixes syntax
/// error messages (e.g. the file name).
[[nodiscard]] result<settings> load_string(std::string_view text, const load_options& options = {},
                                           std::string_view source_name = "config");

/// Reads and loads a file.
[[nodiscard]] result<settings> load_file(const std::filesystem::path& path,
                                         const load_options& options = {});

} // namespace dwt::config
