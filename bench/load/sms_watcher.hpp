#pragma once
/// \file
/// Follows the server's development SMS sink (one {"to","body","sentAt"}
/// JSON object per line) and keeps the latest OTP per destination.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace dwt::load {

/// The only run of exactly six digits in `body`, if there is exactly one.
[[nodiscard]] std::optional<std::string> extract_otp(std::string_view body);

/// A thread polling the file; readers ask for codes newer than a sequence.
class sms_watcher {
public:
  /// Most destinations remembered; messages to further ones are ignored.
  static constexpr std::size_t max_tracked_phones = 1'000'000;
  /// Longest line kept; longer ones are skipped.
  static constexpr std::size_t max_line_bytes = 64 * 1024;

  explicit sms_watcher(std::string path);
  ~sms_watcher();
  sms_watcher(const sms_watcher&) = delete;
  sms_watcher& operator=(const sms_watcher&) = delete;

  /// Sequence number of the latest message to `phone` (0: none yet).
  [[nodiscard]] std::uint64_t latest_seq(const std::string& phone);
  /// The code of the latest message to `phone` if it is newer than `seq`.
  [[nodiscard]] std::optional<std::string> code_after(const std::string& phone, std::uint64_t seq);
  /// Parses one line of the sink (exposed for tests).
  void consume_line(std::string_view line);

private:
  void loop(std::stop_token stop);

  struct latest {
    std::uint64_t seq = 0;
    std::string code;
  };
  std::string path_;
  std::mutex mu_;
  std::unordered_map<std::string, latest> latest_;
  std::uint64_t seq_ = 0;
  std::jthread thread_;
};

} // namespace dwt::load
