#include "fault_support.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

namespace dwt::blackbox {

std::string with_keys(std::string text, std::string_view section_header, std::string_view lines) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    const auto end = nl == std::string::npos ? text.size() : nl;
    if (std::string_view{text}.substr(pos, end - pos) == section_header) {
      std::string insert{lines};
      if (!insert.empty() && insert.back() != '\n')
        insert.push_back('\n');
      if (nl == std::string::npos)
        text.push_back('\n');
      text.insert(end + 1, insert);
      return text;
    }
    if (nl == std::string::npos)
      break;
    pos = nl + 1;
  }
  return text;
}

std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  if (const auto at = text.find(from); at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

std::uint64_t raise_open_files_limit(std::uint64_t wanted) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return 0;
  if (lim.rlim_cur < wanted) {
    lim.rlim_cur = std::min<rlim_t>(static_cast<rlim_t>(wanted), lim.rlim_max);
    (void)::setrlimit(RLIMIT_NOFILE, &lim);
    (void)::getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur;
}

std::optional<double> metric_value(std::string_view text, std::string_view name) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos)
      nl = text.size();
    const auto line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.starts_with(name) || line.size() <= name.size())
      continue;
    const char next = line[name.size()];
    if (next != ' ' && next != '{')
      continue;
    const auto sp = line.rfind(' ');
    const std::string value{line.substr(sp + 1)};
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (end != value.c_str())
      return v;
  }
  return std::nullopt;
}

raw_socket::~raw_socket() {
  close();
}

raw_socket::raw_socket(raw_socket&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

raw_socket& raw_socket::operator=(raw_socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void raw_socket::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

std::string raw_socket::connect(std::uint16_t port) {
  close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    return std::string{"socket: "} + std::strerror(errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    std::string why = std::string{"connect: "} + std::strerror(errno);
    close();
    return why;
  }
  const int one = 1;
  (void)::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return {};
}

bool raw_socket::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string raw_socket::read_until_close(std::chrono::milliseconds timeout, bool& closed) {
  closed = false;
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (fd_ >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      break;
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      closed = true;
      break;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

bool raw_socket::wait_closed(std::chrono::milliseconds timeout) {
  bool closed = false;
  (void)read_until_close(timeout, closed);
  return closed;
}

void configured_test::SetUp() {
  seed_ = run_seed() ^
          std::hash<std::string>{}(::testing::UnitTest::GetInstance()->current_test_info()->name());
  RecordProperty("seed", std::to_string(seed_));
  data_ = std::make_unique<test_data>(seed_);
  server_ = std::make_unique<server_instance>();
  const auto generated = read_file(server_->layout().config_file());
  const auto edited = edit_config_text(generated);
  ASSERT_EQ(server_->rewrite_config(edited), "") << "rewriting the configuration";
  const auto err = server_->start();
  ASSERT_EQ(err, "") << "dwt-server did not start";
  api_ = std::make_unique<api>(server_->port());
}

} // namespace dwt::blackbox
