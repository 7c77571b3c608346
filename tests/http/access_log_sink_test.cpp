// The buffered access log sink: lines are written in batches, whole and in
// order; a batch is written when the buffer is full, when its first line is
// flush_interval old, and when the last copy of the sink is destroyed; each
// write ends on a line and fits one atomic pipe write (PIPE_BUF).
#include <chrono>
#include <climits>
#include <fcntl.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <sys/socket.h>

#include "common/time_scale.hpp"
#include "dwt/http/access_log.hpp"

namespace dwt::http {
namespace {

using namespace std::chrono_literals;

/// A pipe whose read end never blocks; both ends closed at scope exit.
class pipe_pair {
public:
  pipe_pair() {
    EXPECT_EQ(::pipe(fds_), 0);
    EXPECT_EQ(::fcntl(fds_[0], F_SETFL, O_NONBLOCK), 0);
  }
  pipe_pair(const pipe_pair&) = delete;
  pipe_pair& operator=(const pipe_pair&) = delete;
  ~pipe_pair() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  [[nodiscard]] int write_end() const { return fds_[1]; }

  /// Everything readable now, without waiting.
  std::string read_now() {
    std::string out;
    char buf[4096];
    for (;;) {
      const auto n = ::read(fds_[0], buf, sizeof buf);
      if (n <= 0)
        return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }

  /// Reads until `want` bytes arrived or the suites' bounded wait gives up.
  std::string read_at_least(std::size_t want) {
    std::string out;
    (void)dwt::test::eventually([&] {
      out += read_now();
      return out.size() >= want;
    });
    return out;
  }

private:
  int fds_[2] = {-1, -1};
};

TEST(HttpAccessLogSink, HoldsLinesUntilDestroyedThenWritesThemInOrder) {
  pipe_pair p;
  {
    auto sink = buffered_fd_log_sink(
        p.write_end(), {.max_buffer_bytes = 1 << 20, .flush_interval = std::chrono::hours{1}});
    sink("first");
    sink("second");
    auto copy = sink; // the state is shared: only the last copy flushes
    sink = nullptr;
    copy("third");
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(p.read_now(), "") << "a line was written before its batch was due";
  }
  EXPECT_EQ(p.read_now(), "first\nsecond\nthird\n");
}

TEST(HttpAccessLogSink, AFullBufferIsWrittenAtOnce) {
  pipe_pair p;
  auto sink = buffered_fd_log_sink(
      p.write_end(), {.max_buffer_bytes = 32, .flush_interval = std::chrono::hours{1}});
  sink("0123456789");
  sink("0123456789");
  EXPECT_EQ(p.read_now(), "") << "22 of 32 bytes: not full yet";
  sink("0123456789"); // 33 bytes: full
  EXPECT_EQ(p.read_at_least(33), "0123456789\n0123456789\n0123456789\n");
  sink("next");
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(p.read_now(), "") << "a new batch started: it waits again";
}

TEST(HttpAccessLogSink, ALineWaitsAtMostTheFlushInterval) {
  pipe_pair p;
  auto sink =
      buffered_fd_log_sink(p.write_end(), {.max_buffer_bytes = 1 << 20,
                                           .flush_interval = std::chrono::milliseconds{10}});
  sink("lonely");
  // Written by the flusher while the sink is alive and nothing else arrives.
  EXPECT_EQ(p.read_at_least(7), "lonely\n");
  sink("again"); // the flusher went back to sleep and wakes for a new batch
  EXPECT_EQ(p.read_at_least(6), "again\n");
}

TEST(HttpAccessLogSink, ConcurrentWritersKeepLinesWholeAndInTheirOrder) {
  constexpr int threads = 4;
  constexpr int per_thread = 400;
  pipe_pair p;
  {
    auto sink = buffered_fd_log_sink(
        p.write_end(), {.max_buffer_bytes = 256, .flush_interval = std::chrono::milliseconds{2}});
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t)
      writers.emplace_back([&sink, t] {
        for (int i = 0; i < per_thread; ++i)
          sink("w" + std::to_string(t) + ":" + std::to_string(i));
      });
    for (auto& w : writers)
      w.join();
  } // ~14 KiB in all: fits the pipe without a reader
  const std::string text = p.read_now();
  std::vector<int> next(threads, 0);
  std::size_t lines = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto end = text.find('\n', pos);
    ASSERT_NE(end, std::string::npos) << "the last line is cut";
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ASSERT_EQ(line[0], 'w') << line;
    const auto colon = line.find(':');
    ASSERT_NE(colon, std::string::npos) << line;
    const int t = std::stoi(line.substr(1, colon - 1));
    ASSERT_TRUE(t >= 0 && t < threads) << line;
    EXPECT_EQ(std::stoi(line.substr(colon + 1)), next[t]) << "out of order or torn: " << line;
    next[t] = std::stoi(line.substr(colon + 1)) + 1;
    ++lines;
  }
  EXPECT_EQ(lines, static_cast<std::size_t>(threads * per_thread));
}

/// Reads every message of a SOCK_SEQPACKET socket that is readable now: one
/// message per write of the peer, so the writes' boundaries are kept.
std::vector<std::string> messages_now(int fd) {
  std::vector<std::string> out;
  std::string buf(1 << 17, '\0');
  for (;;) {
    const auto n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n <= 0)
      return out;
    out.emplace_back(buf.data(), static_cast<std::size_t>(n));
  }
}

TEST(HttpAccessLogSink, EveryWriteEndsOnALineAndFitsOneAtomicPipeWrite) {
  int fds[2] = {-1, -1};
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds), 0);
  std::string expected;
  const std::string long_line(PIPE_BUF + 100, 'x'); // longer than one atomic write
  {
    auto sink = buffered_fd_log_sink(
        fds[1], {.max_buffer_bytes = 1 << 20, .flush_interval = std::chrono::hours{1}});
    for (int i = 0; i < 200; ++i) { // ~14 KiB of ordinary lines
      std::string line = "line " + std::to_string(i) + " " + std::string(60, 'a' + i % 26);
      sink(line);
      expected += line + "\n";
      if (i == 100) {
        sink(long_line);
        expected += long_line + "\n";
      }
    }
  } // the last copy is gone: the whole batch is written now
  const auto writes = messages_now(fds[0]);
  ::close(fds[0]);
  ::close(fds[1]);
  ASSERT_GE(writes.size(), 4U) << "a 27 KiB batch went out in too few writes";
  std::string joined;
  std::size_t long_writes = 0;
  for (const auto& w : writes) {
    ASSERT_FALSE(w.empty());
    EXPECT_EQ(w.back(), '\n') << "a write ends inside a line";
    if (w.size() > PIPE_BUF) {
      ++long_writes;
      EXPECT_EQ(w, long_line + "\n") << "only the one over-long line may exceed PIPE_BUF";
    }
    joined += w;
  }
  EXPECT_EQ(long_writes, 1U);
  EXPECT_EQ(joined, expected) << "lines lost, duplicated or out of order";
}

} // namespace
} // namespace dwt::http
