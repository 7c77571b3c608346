/// @file
/// The development SMS sink: one `{"to","body","sentAt"}` JSON line per
/// message, appended to a file created with mode 0600.

#include <cerrno>
#include <fcntl.h>
#include <mutex>
#include <system_error>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <sys/stat.h>

#include "dwt/engine/json.hpp"
#include "dwt/sms.hpp"

namespace dwt {
namespace {

class file_sms_sink final : public sms_gateway {
public:
  explicit file_sms_sink(std::filesystem::path path) : path_(std::move(path)) {}

  void send(sms_message msg, std::function<void(bool accepted)> done) override {
    boost::json::object line;
    line["to"] = msg.to;
    line["body"] = msg.body;
    line["sentAt"] = engine::json::rfc3339(msg.sent_at);
    auto text = boost::json::serialize(line);
    text += '\n';
    bool ok = append(text);
    if (done)
      done(ok);
  }

private:
  bool append(const std::string& text) {
    std::lock_guard<std::mutex> guard{mutex_};
    std::error_code ec;
    if (path_.has_parent_path())
      std::filesystem::create_directories(path_.parent_path(), ec);
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
      return false;
    std::size_t off = 0;
    bool ok = true;
    while (off < text.size()) {
      auto n = ::write(fd, text.data() + off, text.size() - off);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        ok = false;
        break;
      }
      off += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return ok;
  }

  std::filesystem::path path_;
  std::mutex mutex_;
};

} // namespace

std::shared_ptr<sms_gateway> make_file_sms_sink(std::filesystem::path path) {
  return std::make_shared<file_sms_sink>(std::move(path));
}

} // namespace dwt
