/// @file
/// The command line of dwt-server (cli.hpp).

#include "dwt/server/cli.hpp"

#include <charconv>

namespace dwt::server {

std::string usage() {
  return "usage: dwt-server --config FILE [--listen HOST:PORT] [--data-dir DIR]";
}

std::optional<config::listen_settings> parse_listen(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return std::nullopt; // IPv6 needs brackets
  }
  if (host.empty() || port.empty() || port.size() > 5)
    return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value > 65535)
    return std::nullopt;
  config::listen_settings out;
  out.host = std::string{host};
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

cli_result parse_cli(const std::vector<std::string_view>& args) {
  cli_options o;
  bool have_config = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto arg = args[i];
    std::string_view value;
    std::string_view name = arg;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (arg == "--config" || arg == "--listen" || arg == "--data-dir") {
      if (i + 1 >= args.size())
        return {std::nullopt, std::string{arg} + " needs a value"};
      value = args[++i];
    }
    if (name == "--config") {
      if (value.empty())
        return {std::nullopt, "--config needs a file"};
      o.config_path = std::string{value};
      have_config = true;
    } else if (name == "--listen") {
      auto l = parse_listen(value);
      if (!l)
        return {std::nullopt, "--listen: expected HOST:PORT (port 0-65535)"};
      o.listen = std::move(*l);
    } else if (name == "--data-dir") {
      if (value.empty())
        return {std::nullopt, "--data-dir needs a directory"};
      o.data_dir = std::string{value};
    } else {
      return {std::nullopt, "unknown argument: " + std::string{arg}};
    }
  }
  if (!have_config)
    return {std::nullopt, "--config FILE is required"};
  return {std::move(o), {}};
}

} // namespace dwt::server
