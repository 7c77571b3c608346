#pragma once
/// @file
/// The black-box harness around a real `dwt-server` process: a fresh
/// temporary directory with a TOML configuration, spawning the binary with
/// its stdout on a pipe (the listening line is parsed with a bounded wait)
/// and its stderr in a file, SIGTERM / SIGKILL / restart on the same data
/// directory, a reader for the development SMS sink, and a scanner that
/// looks for sensitive values in files and captured output.
///
/// Nothing here uses gtest: failures are returned as strings so the tests
/// decide how to report them. Threading: a `server_process` is driven by
/// one thread (its stdout reader runs on a private thread).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace dwt::blackbox {

/// The server binary under test (the build passes DWT_SERVER_BIN).
[[nodiscard]] std::filesystem::path server_binary();

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it
/// on destruction unless DWT_BLACKBOX_KEEP is set in the environment.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
  std::filesystem::path path_;
};

/// API keys written into every generated configuration.
inline constexpr std::string_view network_key = "bb-network-key-7c1e";
/// Onboarded 2025-06-01: SMS goes to the profile's phone.
inline constexpr std::string_view demo_partner_key = "bb-demo-partner-key-51aa";
/// Onboarded 2024-11-15, not migrated: SMS goes to the card's phone.
inline constexpr std::string_view legacy_partner_key = "bb-legacy-partner-key-9e02";
/// Onboarded 2025-06-01 with max_tokens_per_card = 2.
inline constexpr std::string_view capped_partner_key = "bb-capped-partner-key-33d0";
/// The enabled card product (BIN 400000-499999).
inline constexpr std::string_view card_product = "demo-debit";

/// Where one test's server keeps its files; all absolute, inside `root`.
struct server_layout {
  std::filesystem::path root;
  [[nodiscard]] std::filesystem::path config_file() const { return root / "dwt.toml"; }
  [[nodiscard]] std::filesystem::path data_dir() const { return root / "data"; }
  [[nodiscard]] std::filesystem::path sms_file() const { return root / "sms" / "sms.jsonl"; }
  [[nodiscard]] std::filesystem::path log_dir() const { return root / "logs"; }
};

/// Knobs of the generated configuration.
struct config_options {
  std::string durability = "sync";
  /// [listen] port (0: ephemeral).
  std::uint16_t listen_port = 0;
  /// Appended verbatim at the end of the file (extra tables).
  std::string extra_toml;
  /// Appended verbatim to the `[runtime]` table, e.g.
  /// `actor_idle_passivation_seconds = 1`.
  std::string runtime_toml;
  /// Appended verbatim right after the demo partner's `[[partners]]` keys,
  /// e.g. its `[partners.webhook]` sub-table.
  std::string demo_partner_toml;
};

/// The TOML text of a valid configuration for `layout`: listen
/// 127.0.0.1:0, the data dir, the file SMS sink, the network key, three
/// partners (demo 2025-06-01; legacy 2024-11-15 not migrated; capped with
/// max_tokens_per_card = 2), the demo-debit product over BIN
/// 400000-499999 and freshly generated development keys. No webhook
/// endpoint unless `options.demo_partner_toml` adds one.
[[nodiscard]] std::string make_config_text(const server_layout& layout,
                                           const config_options& options = {});

/// Writes `text` to `path` (creating parent directories). "" or an error.
[[nodiscard]] std::string write_file(const std::filesystem::path& path, std::string_view text);

/// How a process ended.
struct exit_status {
  bool exited = false; ///< normal exit (then `code` is meaningful)
  int code = -1;
  int signal = 0; ///< the terminating signal when !exited
  [[nodiscard]] std::string describe() const;
};

/// The sanitizer reports (AddressSanitizer, LeakSanitizer,
/// UndefinedBehaviorSanitizer, ThreadSanitizer) in a process's stderr
/// `text`, from the first report line on (bounded); "" when there is none.
[[nodiscard]] std::string sanitizer_reports(std::string_view text);

/// Called with the process's stderr report when a `server_process` whose
/// stderr holds a sanitizer report is destroyed. The black-box tests install
/// one that fails the current test (support.cpp): without it, a report from
/// a server that is SIGKILLed at the end of a test, or whose abort the test
/// does not look at, would go unnoticed. Default: none (reports are only in
/// the stderr file). Not thread-safe: set while no process is destroyed.
/// Returns the previous handler.
using sanitizer_report_handler = void (*)(const std::string& report);
sanitizer_report_handler set_sanitizer_report_handler(sanitizer_report_handler handler);

/// One running (or finished) `dwt-server` process.
class server_process {
public:
  server_process() = default;
  /// Kills the process (SIGKILL) if it still runs, and reaps it; then hands
  /// any sanitizer report in its stderr to the installed handler.
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  /// Spawns `binary args...` with the working directory `cwd`, stdin from
  /// /dev/null, stdout on a pipe, stderr appended to `stderr_file`, and the
  /// current environment plus `extra_env` ("NAME=value"). The child is
  /// SIGKILLed if the test process dies. "" or why it failed.
  [[nodiscard]] std::string spawn(const std::filesystem::path& binary,
                                  const std::vector<std::string>& args,
                                  const std::filesystem::path& cwd,
                                  const std::filesystem::path& stderr_file,
                                  const std::vector<std::string>& extra_env = {});

  /// Waits (bounded) for `dwt-server listening on http://HOST:PORT`. ""
  /// when seen; otherwise why not (timeout, early exit with its status,
  /// a malformed line), including the server's stderr.
  [[nodiscard]] std::string wait_ready(std::chrono::milliseconds timeout);

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const std::string& host() const noexcept { return host_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  /// True while the process has not been reaped.
  [[nodiscard]] bool running();

  /// Sends a signal (no-op once reaped).
  void signal(int sig);
  /// Waits up to `timeout` for the process to end; nullopt if it still runs.
  [[nodiscard]] std::optional<exit_status> wait_exit(std::chrono::milliseconds timeout);
  /// SIGTERM, then waits up to `timeout`; on timeout SIGKILLs (and still
  /// returns nullopt so the caller can fail).
  [[nodiscard]] std::optional<exit_status> terminate(std::chrono::milliseconds timeout);
  /// SIGKILL and reap.
  exit_status kill();

  /// Everything the process wrote on stdout so far.
  [[nodiscard]] std::string stdout_text() const;
  /// The stderr file's current content.
  [[nodiscard]] std::string stderr_text() const;
  /// The exit status once reaped.
  [[nodiscard]] const std::optional<exit_status>& status() const noexcept { return status_; }

private:
  bool try_reap(bool block);
  void reader_loop(int fd);

  pid_t pid_ = -1;
  std::optional<exit_status> status_;
  std::filesystem::path stderr_file_;
  std::string host_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string stdout_;
  bool stdout_eof_ = false;
  std::thread reader_;
};

/// A running server with its layout: starts, stops and restarts
/// `dwt-server` over one temporary directory. Each start's stdout and
/// stderr are kept under `layout().log_dir()` (for the secret scan).
class server_instance {
public:
  /// Makes a temporary directory and writes the generated configuration.
  explicit server_instance(const config_options& options = {});
  ~server_instance();
  server_instance(const server_instance&) = delete;
  server_instance& operator=(const server_instance&) = delete;

  /// Starts the server (`--config FILE` plus `extra_args`) and waits for the
  /// listening line. "" or the reason (with stderr).
  [[nodiscard]] std::string start(const std::vector<std::string>& extra_args = {},
                                  std::chrono::milliseconds timeout = std::chrono::seconds{20});
  /// SIGTERM and wait; "" when it exited with code 0 in time, else why not.
  [[nodiscard]] std::string stop_graceful(std::chrono::milliseconds timeout = std::chrono::seconds{
                                              15});
  /// SIGKILL and reap.
  void kill();
  /// `stop_graceful` then `start` on the same directory.
  [[nodiscard]] std::string restart(const std::vector<std::string>& extra_args = {});

  [[nodiscard]] const server_layout& layout() const noexcept { return layout_; }
  [[nodiscard]] server_process& process() noexcept { return *process_; }
  [[nodiscard]] bool has_process() const noexcept { return process_ != nullptr; }
  [[nodiscard]] std::uint16_t port() const noexcept { return process_ ? process_->port() : 0; }
  /// Replaces the configuration file's text (for the next start).
  [[nodiscard]] std::string rewrite_config(std::string_view text);
  /// Environment entries ("NAME=value") added for every later start.
  void set_extra_env(std::vector<std::string> env) { extra_env_ = std::move(env); }
  /// How many times the server was started.
  [[nodiscard]] int starts() const noexcept { return starts_; }

private:
  void save_stdout();

  temp_dir dir_;
  server_layout layout_;
  std::unique_ptr<server_process> process_;
  std::vector<std::string> extra_env_;
  int starts_ = 0;
};

/// One line of the SMS sink file.
struct sms_message {
  std::string to;
  std::string body;
  std::string sent_at;
};

/// Every complete, parseable line of the sink file (missing file: none).
/// A line that is not a JSON object with string `to` and `body` is reported
/// in `error` (if given) and skipped.
[[nodiscard]] std::vector<sms_message> read_sms(const std::filesystem::path& file,
                                                std::string* error = nullptr);

/// Polls (bounded) until the sink holds more than `already_seen` messages;
/// returns the new ones (empty on timeout).
[[nodiscard]] std::vector<sms_message> wait_for_sms(const std::filesystem::path& file,
                                                    std::size_t already_seen,
                                                    std::chrono::milliseconds timeout);

/// The six-digit runs of digits in `body` (an SMS with exactly one is valid).
[[nodiscard]] std::vector<std::string> six_digit_numbers(std::string_view body);

/// A value that must never be written anywhere.
struct secret_value {
  enum class match {
    anywhere, ///< any occurrence (long values: PANs)
    isolated, ///< a digit run not adjacent to other digits (OTP codes)
    labelled, ///< isolated and quoted or within 32 bytes after "cvc" (CVCs)
  };
  std::string value;
  match how = match::anywhere;
  std::string label; ///< for reports, e.g. "PAN of card 3"
};

/// Where a secret was found.
struct secret_hit {
  std::string where; ///< file path
  std::size_t offset = 0;
  std::string label;
  std::string context; ///< printable bytes around the hit
};

/// Scans every regular file under `root` (recursively) for `secrets`;
/// files in `otp_exempt` (the SMS sink: the code's legitimate channel) are
/// scanned only for secrets that are not OTP codes (`match::isolated`).
[[nodiscard]] std::vector<secret_hit>
scan_for_secrets(const std::filesystem::path& root, const std::vector<secret_value>& secrets,
                 const std::vector<std::filesystem::path>& otp_exempt = {});

/// Scans one in-memory text (e.g. captured output) the same way.
[[nodiscard]] std::vector<secret_hit> scan_text(std::string_view where, std::string_view bytes,
                                                const std::vector<secret_value>& secrets);

/// Reads a whole file ("" when missing).
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

} // namespace dwt::blackbox
