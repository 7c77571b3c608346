// Crash safety: a child process commits units continuously and reports each
// acknowledged unit; the parent SIGKILLs it at seeded random moments, then
// reopens the store and checks that every acknowledged unit is whole and no
// unit is partially applied. Several rounds share one data directory, so
// recovery after a crash is itself crashed into.

#include <chrono>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <random>
#include <set>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <unistd.h>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "dwt/persistence/reader.hpp"
#include "test_util.hpp"

#ifndef DWT_CRASH_CHILD
#error "DWT_CRASH_CHILD must name the crash helper executable"
#endif

extern char** environ;

namespace dwt::persistence {
namespace {

using namespace dwt::engine;
using clock_type = std::chrono::steady_clock;

struct child_run {
  std::map<std::uint64_t, std::uint64_t> acked; // unit n -> outbox seq
  bool killed = false;
  std::string error;
};

// Runs the child until `kill_after` has passed since its first acknowledged
// unit, collecting acknowledged units from its stdout. Counting from the
// first acknowledgement (not from start-up) keeps the kill inside the write
// loop however slow the build (sanitizers) or the disk; the whole run is
// still bounded (20 s to the first acknowledgement).
child_run run_and_kill(const std::string& dir, const std::string& prefix,
                       std::chrono::milliseconds kill_after) {
  child_run out;
  int fds[2];
  if (::pipe(fds) != 0) {
    out.error = "pipe failed";
    return out;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::string exe = DWT_CRASH_CHILD;
  std::vector<char*> argv{exe.data(), const_cast<char*>(dir.c_str()),
                          const_cast<char*>(prefix.c_str()), nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    out.error = "posix_spawn " + exe + " failed: " + std::to_string(rc);
    return out;
  }

  std::string buffer;
  bool ready = false;
  bool writing = false;                                         // the first unit was acknowledged
  auto deadline = clock_type::now() + std::chrono::seconds{20}; // until the first ack
  auto parse_lines = [&] {
    std::size_t pos;
    while ((pos = buffer.find('\n')) != std::string::npos) {
      auto line = buffer.substr(0, pos);
      buffer.erase(0, pos + 1);
      if (line == "ready") {
        ready = true;
        continue;
      }
      std::istringstream in{line};
      std::uint64_t n = 0;
      std::uint64_t seq = 0;
      if (in >> n >> seq) {
        out.acked[n] = seq;
        if (!writing) {
          writing = true;
          deadline = clock_type::now() + kill_after;
        }
      }
    }
  };
  char buf[65536];
  bool eof = false;
  while (!eof) {
    auto now = clock_type::now();
    if (now >= deadline)
      break;
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd p{fds[0], POLLIN, 0};
    int pr = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(wait_ms, 1)));
    if (pr > 0) {
      auto n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0)
        eof = true;
      else
        buffer.append(buf, static_cast<std::size_t>(n));
      parse_lines();
    }
  }
  ::kill(pid, SIGKILL);
  // Whatever the child wrote before it died was acknowledged: drain it.
  for (;;) {
    auto n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0)
      break;
    buffer.append(buf, static_cast<std::size_t>(n));
  }
  parse_lines();
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  out.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (!ready)
    out.error = "child never became ready (exit status " + std::to_string(status) + ")";
  else if (!writing)
    out.error = "child acknowledged nothing within 20 s";
  else if (!out.killed)
    out.error =
        "child exited by itself (status " + std::to_string(status) + "); see its stderr above";
  return out;
}

// Checks that unit `ref` is whole: token, history, outbox event, idempotency.
void expect_whole(const reader& r, const std::string& ref, std::uint64_t seq) {
  auto tok = r.token(token_ref{ref});
  ASSERT_TRUE(tok.has_value()) << ref << ": " << tok.err().message;
  EXPECT_EQ(tok->history_count, 1u);
  auto hist = r.history(token_ref{ref});
  ASSERT_TRUE(hist.has_value());
  ASSERT_EQ(hist->size(), 1u) << ref;
  EXPECT_EQ((*hist)[0].id, "tr-" + ref);
  auto ev = r.outbox_event_at(seq);
  ASSERT_TRUE(ev.has_value()) << ref << " seq " << seq;
  EXPECT_EQ(ev->event_id, "evt-" + ref);
  auto idem = r.idempotency(partner_id{"partner_crash"}, "idem-" + ref);
  ASSERT_TRUE(idem.has_value()) << ref;
}

TEST(CrashSafety, KilledWriterLosesNoAcknowledgedUnitAndLeavesNoPartialUnit) {
  test::temp_dir dir;
  const std::uint64_t seeds[] = {11, 23, 42, 1337, 90210};
  std::size_t total_acked = 0;
  for (std::size_t round = 0; round < std::size(seeds); ++round) {
    auto seed = seeds[round];
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng{seed};
    auto kill_after = std::chrono::milliseconds{rng() % 301}; // 0..300 ms after the first ack
    auto prefix = "R" + std::to_string(round);
    auto run = run_and_kill(dir.path().string(), prefix, kill_after);
    ASSERT_TRUE(run.error.empty()) << run.error;
    ASSERT_TRUE(run.killed);
    total_acked += run.acked.size();

    auto e = env::open(test::small_options(dir.path()));
    ASSERT_TRUE(e.has_value()) << e.err().message;
    auto r = reader::begin(**e);
    ASSERT_TRUE(r.has_value());

    // 1. Every acknowledged unit is present and whole.
    for (const auto& [n, seq] : run.acked)
      expect_whole(*r, prefix + "-" + std::to_string(n), seq);

    // 2. No partial unit anywhere: walk the whole outbox (all rounds); every
    //    event's unit is whole, and the per-kind counts agree, so there is no
    //    token, history entry or idempotency record without its event.
    auto events = r->outbox_after(0, SIZE_MAX);
    ASSERT_TRUE(events.has_value()) << events.err().message;
    std::uint64_t expect_seq = 1;
    for (const auto& ev : *events) {
      ASSERT_EQ(ev.seq, expect_seq) << "outbox seqs must be gap-free";
      ++expect_seq;
      ASSERT_EQ(ev.event_id.rfind("evt-", 0), 0u);
      expect_whole(*r, ev.event_id.substr(4), ev.seq);
    }
    EXPECT_EQ(*r->entries(db::tokens), events->size());
    EXPECT_EQ(*r->entries(db::history), events->size());
    EXPECT_EQ(*r->entries(db::idempotency), events->size());
    EXPECT_EQ(*r->entries(db::tokens_by_card), events->size());
    EXPECT_EQ(*r->entries(db::outbox_pending), events->size());
    EXPECT_GE(events->size(), total_acked);
    std::printf("[ crash    ] seed %llu: killed %lld ms after the first ack, "
                "%zu acknowledged, %zu stored\n",
                static_cast<unsigned long long>(seed), static_cast<long long>(kill_after.count()),
                run.acked.size(), events->size());
  }
  EXPECT_GT(total_acked, 0u) << "the child never acknowledged anything";
}

} // namespace
} // namespace dwt::persistence
