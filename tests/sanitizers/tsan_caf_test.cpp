/// Checks the TSan annotations of CAF (tsan_caf_annotations.cpp) both ways,
/// in a DWT_TSAN build: CAF's real happens-before edges (a message and its
/// answer, between actors on different threads, an actor's teardown) give
/// no report, and a real race between two actors is still reported, so the
/// annotations cannot hide what TSan is there to find. Each scenario runs
/// in a child process (this binary re-executed) because a TSan report ends
/// the process that has it.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <unistd.h>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <sys/wait.h>

namespace {

constexpr const char* scenario_env = "DWT_TSAN_CAF_SCENARIO";
constexpr int tsan_exit_code = 66;
constexpr int rounds = 50;

/// Plain memory touched by the scenarios, deliberately not atomic.
struct shared_data {
  int value = 0;
  std::string text;
};

shared_data& shared() {
  static shared_data data;
  return data;
}

/// main -> a (own thread) -> b (own thread) -> main, each step reading and
/// writing `shared()` without a lock: ordered only by the messages.
int run_ordered() {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto b = sys.spawn<caf::detached>(
      [](caf::event_based_actor*, int) -> caf::behavior {
        return {[](int x) {
          shared().value += x;
          shared().text += 'b';
          return shared().value;
        }};
      },
      0);
  auto a = sys.spawn<caf::detached>(
      [](caf::event_based_actor* self, caf::actor next) -> caf::behavior {
        return {[self, next](int x) {
          shared().value += x;
          shared().text += 'a';
          return self->delegate(next, x);
        }};
      },
      b);
  caf::scoped_actor self{sys};
  for (int i = 0; i < rounds; ++i) {
    shared().value += 1;
    shared().text += 'm';
    self->request(a, caf::infinite, 1).receive([](int) {}, [](caf::error&) { std::abort(); });
  }
  // Both actors are torn down on their own threads while main still reads.
  self->send_exit(a, caf::exit_reason::user_shutdown);
  self->send_exit(b, caf::exit_reason::user_shutdown);
  return shared().value == 3 * rounds && shared().text.size() == 3u * rounds ? 0 : 1;
}

/// Two actors on their own threads write the same int with no message
/// between them: a real race that TSan must report.
int run_race() {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto writer = [](caf::event_based_actor* self, int) -> caf::behavior {
    return {[self](int n) {
      for (int i = 0; i < n; ++i)
        ++shared().value;
      self->quit();
    }};
  };
  auto a = sys.spawn<caf::detached>(writer, 0);
  auto b = sys.spawn<caf::detached>(writer, 0);
  caf::anon_send(a, 10000);
  caf::anon_send(b, 10000);
  return 0;
}

struct child_result {
  int status = -1;
  std::string stderr_text;
};

/// Runs this binary again with `scenario`; its exit status and stderr.
child_result run_child(const std::string& scenario) {
  const auto self_path = std::filesystem::read_symlink("/proc/self/exe");
  const auto log = std::filesystem::temp_directory_path() /
                   ("dwt_tsan_caf_" + scenario + "_" + std::to_string(getpid()) + ".log");
  const pid_t pid = fork();
  if (pid == 0) {
    if (std::freopen(log.c_str(), "w", stderr) == nullptr)
      _exit(126);
    setenv(scenario_env, scenario.c_str(), 1);
    // Keeps the caller's options (the suppressions file of make tsan).
    const char* inherited = std::getenv("TSAN_OPTIONS");
    const std::string opts = std::string{inherited ? inherited : ""} +
                             " halt_on_error=1 exitcode=" + std::to_string(tsan_exit_code);
    setenv("TSAN_OPTIONS", opts.c_str(), 1);
    execl(self_path.c_str(), self_path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  child_result result;
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid)
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream in{log};
  result.stderr_text.assign(std::istreambuf_iterator<char>{in}, {});
  std::filesystem::remove(log);
  return result;
}

#if defined(__SANITIZE_THREAD__)
constexpr bool under_tsan = true;
#else
constexpr bool under_tsan = false;
#endif

TEST(TsanCaf, MessageEdgesBetweenThreadsAreNotReported) {
  if (!under_tsan)
    GTEST_SKIP() << "needs a DWT_TSAN build";
  const auto child = run_child("ordered");
  EXPECT_EQ(child.status, 0) << child.stderr_text;
  EXPECT_EQ(child.stderr_text.find("ThreadSanitizer"), std::string::npos) << child.stderr_text;
}

TEST(TsanCaf, RaceBetweenTwoActorsIsStillReported) {
  if (!under_tsan)
    GTEST_SKIP() << "needs a DWT_TSAN build";
  const auto child = run_child("race");
  EXPECT_EQ(child.status, tsan_exit_code) << child.stderr_text;
  EXPECT_NE(child.stderr_text.find("WARNING: ThreadSanitizer: data race"), std::string::npos)
      << child.stderr_text;
  // The report names the racing line of this file, not CAF's internals.
  EXPECT_NE(child.stderr_text.find("tsan_caf_test.cpp"), std::string::npos) << child.stderr_text;
}

} // namespace

int main(int argc, char** argv) {
  if (const char* scenario = std::getenv(scenario_env)) {
    const std::string_view name{scenario};
    if (name == "ordered")
      return run_ordered();
    if (name == "race")
      return run_race();
    return 2;
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
