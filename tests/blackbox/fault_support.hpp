#pragma once
/// @file
/// Harness pieces for the fault and security tests: a fixture whose server
/// starts from an edited configuration text, TOML text edits, raw TCP
/// sockets (half requests, idle connections, plain bytes on a TLS port),
/// the file-descriptor limit and Prometheus text look-ups.
///
/// Threading: a `raw_socket` belongs to one thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "support.hpp"

namespace dwt::blackbox {

/// `text` with `lines` inserted right after the first line equal to
/// `section_header` (e.g. "[http]"); unchanged when there is none.
[[nodiscard]] std::string with_keys(std::string text, std::string_view section_header,
                                    std::string_view lines);

/// `text` with the first `from` replaced by `to`; unchanged when absent.
[[nodiscard]] std::string replace_once(std::string text, std::string_view from,
                                       std::string_view to);

/// Raises this process's soft limit of open files to at least `wanted`
/// (bounded by the hard limit). Returns the soft limit now in force.
std::uint64_t raise_open_files_limit(std::uint64_t wanted);

/// The value of the first sample of `name` (exact name, optionally with
/// labels starting with `{`) in a Prometheus text exposition.
[[nodiscard]] std::optional<double> metric_value(std::string_view text, std::string_view name);

/// One blocking TCP connection to 127.0.0.1 with bounded operations.
class raw_socket {
public:
  raw_socket() = default;
  ~raw_socket();
  raw_socket(raw_socket&& other) noexcept;
  raw_socket& operator=(raw_socket&& other) noexcept;
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  /// Connects; "" or why not.
  [[nodiscard]] std::string connect(std::uint16_t port);
  /// Sends every byte; false on error.
  bool send_all(std::string_view bytes);
  /// Reads what arrives until the peer closes or `timeout` passes; sets
  /// `closed` when the peer closed (EOF or reset).
  [[nodiscard]] std::string read_until_close(std::chrono::milliseconds timeout, bool& closed);
  /// Waits up to `timeout` for the peer to close the connection (bytes
  /// that arrive meanwhile are discarded); true when it did.
  [[nodiscard]] bool wait_closed(std::chrono::milliseconds timeout);
  [[nodiscard]] int fd() const noexcept { return fd_; }
  void close();

private:
  int fd_ = -1;
};

/// A `blackbox_test` whose server starts from the generated configuration
/// as edited by `edit_config_text` (e.g. small limits, another SMS sink).
class configured_test : public blackbox_test {
protected:
  void SetUp() override;
  /// Edits the generated configuration text before the first start.
  virtual std::string edit_config_text(std::string text) { return text; }
};

} // namespace dwt::blackbox
