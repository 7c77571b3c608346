/// dwt-load: HTTP/1.1 load generator for dwt-server. See --help.
#include <cstdio>
#include <string>
#include <vector>

#include "driver.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const auto parsed = dwt::load::parse_options(args);
  if (parsed.help) {
    std::fputs(dwt::load::usage().c_str(), stdout);
    return dwt::load::exit_ok;
  }
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "dwt-load: %s\n", parsed.error.c_str());
    return dwt::load::exit_usage;
  }
  return dwt::load::run(parsed.opts);
}
