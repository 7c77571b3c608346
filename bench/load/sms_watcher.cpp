#include "sms_watcher.hpp"

#include <chrono>
#include <cstdio>
#include <memory>

#include <boost/json.hpp>

namespace dwt::load {

namespace {
/// Period of the file poll.
constexpr std::chrono::milliseconds poll_period{2};
/// Bytes read per poll at most.
constexpr std::size_t read_chunk = 1 << 20;

struct file_closer {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
} // namespace

std::optional<std::string> extract_otp(std::string_view body) {
  std::optional<std::string> found;
  std::size_t i = 0;
  while (i < body.size()) {
    if (body[i] < '0' || body[i] > '9') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < body.size() && body[j] >= '0' && body[j] <= '9')
      ++j;
    if (j - i == 6) {
      if (found)
        return std::nullopt; // ambiguous
      found = std::string{body.substr(i, 6)};
    }
    i = j;
  }
  return found;
}

sms_watcher::sms_watcher(std::string path)
    : path_(std::move(path)), thread_([this](std::stop_token st) { loop(st); }) {}

sms_watcher::~sms_watcher() {
  thread_.request_stop();
}

std::uint64_t sms_watcher::latest_seq(const std::string& phone) {
  std::lock_guard lock{mu_};
  auto it = latest_.find(phone);
  return it == latest_.end() ? 0 : it->second.seq;
}

std::optional<std::string> sms_watcher::code_after(const std::string& phone, std::uint64_t seq) {
  std::lock_guard lock{mu_};
  auto it = latest_.find(phone);
  if (it == latest_.end() || it->second.seq <= seq)
    return std::nullopt;
  return it->second.code;
}

void sms_watcher::consume_line(std::string_view line) {
  boost::json::error_code ec;
  auto v = boost::json::parse(line, ec);
  if (ec || !v.is_object())
    return;
  const auto* to = v.as_object().if_contains("to");
  const auto* body = v.as_object().if_contains("body");
  if (to == nullptr || body == nullptr || !to->is_string() || !body->is_string())
    return;
  auto code = extract_otp(body->as_string());
  if (!code)
    return;
  std::string phone{to->as_string()};
  std::lock_guard lock{mu_};
  auto it = latest_.find(phone);
  if (it == latest_.end() && latest_.size() >= max_tracked_phones)
    return;
  latest_[phone] = latest{++seq_, std::move(*code)};
}

void sms_watcher::loop(std::stop_token stop) {
  std::unique_ptr<std::FILE, file_closer> file;
  std::string pending;
  std::string chunk(read_chunk, '\0');
  bool skipping = false; // inside an over-long line
  while (!stop.stop_requested()) {
    if (!file)
      file.reset(std::fopen(path_.c_str(), "rb"));
    if (file) {
      std::clearerr(file.get());
      const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), file.get());
      std::size_t begin = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (chunk[i] != '\n')
          continue;
        if (!skipping) {
          pending.append(chunk, begin, i - begin);
          consume_line(pending);
        }
        pending.clear();
        skipping = false;
        begin = i + 1;
      }
      if (!skipping)
        pending.append(chunk, begin, n - begin);
      if (pending.size() > max_line_bytes) {
        pending.clear();
        skipping = true;
      }
      if (n == chunk.size())
        continue; // more to read at once
    }
    std::this_thread::sleep_for(poll_period);
  }
}

} // namespace dwt::load
