/// @file
/// dwt-server: `dwt-server --config FILE [--listen HOST:PORT] [--data-dir DIR]`.
///
/// Exit codes: 0 after a graceful stop (SIGTERM / SIGINT), 2 for a usage or
/// configuration error (the loader's message names the key), 1 when the
/// engine or the listener cannot start. When ready it prints exactly one
/// line to stdout: `dwt-server listening on http://HOST:PORT` (`https://`
/// with `[listen.tls]`).

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <pthread.h>
#include <string>
#include <string_view>
#include <vector>

#include "dwt/config/load.hpp"
#include "dwt/server/cli.hpp"
#include "dwt/server/server_app.hpp"

namespace {

constexpr int exit_usage = 2;
constexpr int exit_failure = 1;

void error_line(const std::string& text) {
  std::fprintf(stderr, "dwt-server: %s\n", text.c_str());
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i)
    args.emplace_back(argv[i]);
  auto cli = dwt::server::parse_cli(args);
  if (!cli.options) {
    error_line(cli.error);
    error_line(dwt::server::usage());
    return exit_usage;
  }

  auto loaded = dwt::config::load_file(cli.options->config_path);
  if (!loaded) {
    error_line(cli.options->config_path + ": " + loaded.error_value().message);
    return exit_usage;
  }
  auto settings = std::move(loaded).value();
  if (cli.options->listen) {
    // --listen moves the listener; its [listen.tls] (HTTPS, mutual TLS)
    // stays as configured.
    settings.listen.host = cli.options->listen->host;
    settings.listen.port = cli.options->listen->port;
  }
  if (cli.options->data_dir)
    settings.data_dir = *cli.options->data_dir;

  // Block the stop signals before any thread starts, so every thread
  // inherits the mask and only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that disconnects must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  dwt::server::app_options app;
  // DWT_ENV=production refuses the public development keys (config/dev/)
  // and network routes without mutual TLS.
  const char* env = std::getenv("DWT_ENV"); // NOLINT(concurrency-mt-unsafe): no threads yet
  app.production = env != nullptr && std::string_view{env} == "production";
  auto started = dwt::server::server_app::start(settings, std::move(app));
  if (!started.app) {
    error_line(started.error);
    return exit_failure;
  }
  std::printf("dwt-server listening on %s\n", started.app->base_url().c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::fprintf(stderr, "dwt-server: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  started.app->stop();
  std::fprintf(stderr, "dwt-server: stopped\n");
  return 0;
}
