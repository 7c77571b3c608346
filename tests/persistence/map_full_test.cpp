// A full map: a clear errc::map_full, nothing acknowledged lost, writing
// resumes after reopening bigger; automatic growth up to the maximum; and
// the data directory stays readable by LMDB's own mdb_stat.

#include <cstdio>
#include <future>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"
#include "test_util.hpp"

namespace dwt::persistence {
namespace {

using namespace dwt::engine;
using test::temp_dir;

constexpr std::size_t one_mib = std::size_t{1} << 20;

write_unit big_unit(int i) {
  auto ref = "BIG-" + std::to_string(i);
  auto u = test::provisioning_unit(ref, "card_big");
  auto ev = test::sample_event(ref, "evt-big-" + std::to_string(i));
  ev.payload = std::string(4096, static_cast<char>('a' + i % 26));
  u.append_outbox(std::move(ev));
  return u;
}

// Submits one unit and waits for its completion.
result<commit_ack> submit_and_wait(group_commit_writer& w, write_unit u) {
  std::promise<result<commit_ack>> p;
  auto f = p.get_future();
  auto s = w.submit(std::move(u), [&p](result<commit_ack> r) { p.set_value(std::move(r)); });
  if (!s)
    return s.err();
  return f.get();
}

void expect_units_present(env& e, int count) {
  auto r = reader::begin(e);
  ASSERT_TRUE(r.has_value());
  for (int i = 0; i < count; ++i) {
    auto ref = "BIG-" + std::to_string(i);
    ASSERT_TRUE(r->token(token_ref{ref}).has_value()) << ref;
    ASSERT_EQ(r->history(token_ref{ref})->size(), 1u) << ref;
  }
  EXPECT_EQ(*r->last_outbox_seq(), static_cast<std::uint64_t>(2 * count));
}

TEST(MapFull, TinyMapFillsWithAClearErrorAndLosesNothing) {
  temp_dir dir;
  auto o = test::small_options(dir.path());
  o.map_size = one_mib;
  o.max_map_size = one_mib;
  o.mode = durability::nosync; // faster; the map limit is the same
  int acked = 0;
  {
    auto e = env::open(o);
    ASSERT_TRUE(e.has_value()) << e.err().message;
    auto w = group_commit_writer::start(**e);
    ASSERT_TRUE(w.has_value());
    error last{};
    for (int i = 0; i < 10'000; ++i) {
      auto r = submit_and_wait(**w, big_unit(i));
      if (!r) {
        last = r.err();
        break;
      }
      ++acked;
    }
    ASSERT_EQ(last.code, errc::map_full) << last.message;
    EXPECT_NE(last.message.find("max_map_size"), std::string::npos) << last.message;
    EXPECT_GT(acked, 50);
    // Still full, still a clean error (the writer keeps running).
    EXPECT_EQ(submit_and_wait(**w, big_unit(acked)).code(), errc::map_full);
    EXPECT_EQ(commit_now(**e, big_unit(acked)).code(), errc::map_full);
    EXPECT_GE((*w)->stats().commit_failures, 2u);
    expect_units_present(**e, acked);
  }
  // Reopen bigger: everything acknowledged is there, and writing resumes.
  o.map_size = 8 * one_mib;
  o.max_map_size = 8 * one_mib;
  auto e = env::open(o);
  ASSERT_TRUE(e.has_value()) << e.err().message;
  expect_units_present(**e, acked);
  auto w = group_commit_writer::start(**e);
  ASSERT_TRUE(w.has_value());
  for (int i = acked; i < acked + 20; ++i) {
    auto r = submit_and_wait(**w, big_unit(i));
    ASSERT_TRUE(r.has_value()) << r.err().message;
  }
  (*w)->stop();
  expect_units_present(**e, acked + 20);
}

TEST(MapFull, MapGrowsAutomaticallyUpToTheMaximum) {
  temp_dir dir;
  auto o = test::small_options(dir.path());
  o.map_size = one_mib;
  o.max_map_size = 64 * one_mib;
  o.mode = durability::nosync;
  constexpr int units = 1000; // ~8 MiB of payload
  {
    auto e = env::open(o);
    ASSERT_TRUE(e.has_value()) << e.err().message;
    auto w = group_commit_writer::start(**e, {.max_batch = 32});
    ASSERT_TRUE(w.has_value());
    std::atomic<int> ok{0};
    std::atomic<int> failed{0};
    for (int i = 0; i < units; ++i) {
      ASSERT_TRUE((*w)->submit(big_unit(i), [&](result<commit_ack> r) {
        if (r)
          ++ok;
        else
          ++failed;
      }));
    }
    (*w)->stop();
    EXPECT_EQ(ok.load(), units);
    EXPECT_EQ(failed.load(), 0);
    EXPECT_GE((*w)->stats().map_growths, 3u); // 1 -> 2 -> 4 -> 8+ MiB
    auto info = (*e)->info();
    EXPECT_GT(info.map_size, 4 * one_mib);
    EXPECT_LE(info.map_size, 64 * one_mib);
    EXPECT_EQ(info.map_growths, (*w)->stats().map_growths);
  }
  // Reopening with the small initial size keeps the grown map.
  auto e = env::open(o);
  ASSERT_TRUE(e.has_value()) << e.err().message;
  EXPECT_GT((*e)->info().map_size, 4 * one_mib);
  expect_units_present(**e, units);
}

TEST(MapFull, GrowthWaitsForOpenReadersThenGivesUp) {
  temp_dir dir;
  auto o = test::small_options(dir.path());
  o.map_size = one_mib;
  o.max_map_size = 16 * one_mib;
  o.mode = durability::nosync;
  o.grow_wait = std::chrono::milliseconds{50};
  auto e = env::open(o);
  ASSERT_TRUE(e.has_value()) << e.err().message;
  auto w = group_commit_writer::start(**e);
  ASSERT_TRUE(w.has_value());
  auto held = reader::begin(**e);
  ASSERT_TRUE(held.has_value());
  // While a reader is open the map cannot be resized: the batch fails.
  int i = 0;
  result<commit_ack> r = fail(errc::internal, "not run");
  for (; i < 10'000; ++i) {
    r = submit_and_wait(**w, big_unit(i));
    if (!r)
      break;
  }
  ASSERT_EQ(r.code(), errc::map_full);
  EXPECT_NE(r.err().message.find("stayed open"), std::string::npos) << r.err().message;
  EXPECT_EQ((*w)->stats().map_growths, 0u);
  // Once the reader is gone, writing goes on (the pages the old snapshot
  // pinned are reusable, and the map grows when that is not enough).
  held = fail(errc::closed, "released");
  for (int j = i; j < i + 400; ++j) {
    auto again = submit_and_wait(**w, big_unit(j));
    ASSERT_TRUE(again.has_value()) << j << ": " << again.err().message;
  }
  EXPECT_GE((*w)->stats().map_growths, 1u);
}

TEST(MdbStat, ReadsTheStoreDirectory) {
  if (!std::filesystem::exists("/usr/bin/mdb_stat"))
    GTEST_SKIP() << "/usr/bin/mdb_stat (lmdb-utils) is not installed";
  temp_dir dir;
  {
    auto e = env::open(test::small_options(dir.path()));
    ASSERT_TRUE(e.has_value()) << e.err().message;
    ASSERT_TRUE(commit_now(**e, test::provisioning_unit("TOK", "card")).has_value());
  }
  auto cmd = "/usr/bin/mdb_stat -a '" + dir.path().string() + "' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, pipe))
    output.append(buf, n);
  int status = ::pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  for (std::size_t i = 0; i < db_count; ++i) {
    auto name = std::string{db_name(static_cast<db>(i))};
    EXPECT_NE(output.find("Status of " + name + "\n"), std::string::npos)
        << name << " missing from:\n"
        << output;
  }
}

} // namespace
} // namespace dwt::persistence
