#pragma once
/// @file
/// The command line of `dwt-server`:
/// `dwt-server --config FILE [--listen HOST:PORT] [--data-dir DIR]`.
///
/// Threading: pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwt/config/settings.hpp"

namespace dwt::server {

struct cli_options {
  std::string config_path;
  std::optional<config::listen_settings> listen;
  std::optional<std::string> data_dir;
};

/// The parsed command line, or `error` (usage problem) when not `ok`.
struct cli_result {
  std::optional<cli_options> options;
  std::string error;
};

/// Parses the arguments after the program name.
[[nodiscard]] cli_result parse_cli(const std::vector<std::string_view>& args);

/// `HOST:PORT` (`[v6]:PORT` for IPv6), port 0-65535; nullopt otherwise.
[[nodiscard]] std::optional<config::listen_settings> parse_listen(std::string_view text);

/// The usage text.
[[nodiscard]] std::string usage();

} // namespace dwt::server
