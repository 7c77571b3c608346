// call_deadlines: the one watchdog that bounds engine_host calls instead of
// a CAF request timeout per call (actors/src/call_deadlines.hpp).

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "call_deadlines.hpp"
#include "common/time_scale.hpp"

using namespace dwt::actors;
using namespace std::chrono_literals;

namespace {

struct probe final : expirable {
  int expired = 0;
  void expire() override { ++expired; }
};

using clock_type = call_deadlines::clock;

} // namespace

TEST(CallDeadlines, ExpiresOnlyCallsDueAndNotRemoved) {
  call_deadlines d;
  auto t0 = clock_type::time_point{} + 1h;
  auto a = std::make_shared<probe>();
  auto b = std::make_shared<probe>();
  auto c = std::make_shared<probe>();
  (void)d.add(a, t0);
  auto tb = d.add(b, t0 + 1s);
  (void)d.add(c, t0 + 2s);
  EXPECT_EQ(d.size(), 3u);
  d.remove(tb); // answered in time
  EXPECT_EQ(d.expire_due(t0 - 1ms), 0u);
  EXPECT_EQ(a->expired, 0);
  EXPECT_EQ(d.expire_due(t0 + 1500ms), 1u);
  EXPECT_EQ(a->expired, 1);
  EXPECT_EQ(b->expired, 0);
  EXPECT_EQ(c->expired, 0);
  EXPECT_EQ(d.size(), 1u);
  // Expired once: a later sweep does not call it again.
  EXPECT_EQ(d.expire_due(t0 + 2s), 1u);
  EXPECT_EQ(a->expired, 1);
  EXPECT_EQ(c->expired, 1);
  EXPECT_EQ(d.size(), 0u);
  d.remove(tb); // removing twice, or after expiry, is harmless
}

TEST(CallDeadlines, AnEarlierDueRegisteredLaterKeepsTheOrder) {
  // Two threads compute their deadlines, then race for the mutex.
  call_deadlines d;
  auto t0 = clock_type::time_point{} + 1h;
  auto later = std::make_shared<probe>();
  auto earlier = std::make_shared<probe>();
  (void)d.add(later, t0 + 1ms);
  (void)d.add(earlier, t0);
  EXPECT_EQ(d.expire_due(t0), 0u); // it waits for the one ahead of it
  EXPECT_EQ(d.expire_due(t0 + 1ms), 2u);
  EXPECT_EQ(later->expired, 1);
  EXPECT_EQ(earlier->expired, 1);
}

TEST(CallDeadlines, ForgetsCallsThatAreGone) {
  call_deadlines d;
  auto t0 = clock_type::time_point{} + 1h;
  {
    auto gone = std::make_shared<probe>();
    (void)d.add(gone, t0);
  }
  auto alive = std::make_shared<probe>();
  (void)d.add(alive, t0);
  // Only live calls are expired (and counted); both entries are dropped.
  EXPECT_EQ(d.expire_due(t0), 1u);
  EXPECT_EQ(alive->expired, 1);
  EXPECT_EQ(d.size(), 0u);
}

TEST(CallDeadlines, ExpireMayRegisterAnotherCall) {
  // expire() runs the caller's callback, which may start a new call.
  struct chaining final : expirable {
    call_deadlines* d = nullptr;
    std::shared_ptr<probe> next = std::make_shared<probe>();
    void expire() override { (void)d->add(next, clock_type::time_point{} + 5h); }
  };
  call_deadlines d;
  auto c = std::make_shared<chaining>();
  c->d = &d;
  (void)d.add(c, clock_type::time_point{} + 1h);
  EXPECT_EQ(d.expire_due(clock_type::time_point{} + 2h), 1u);
  EXPECT_EQ(d.size(), 1u);
}

TEST(CallDeadlines, WatchdogActorExpiresDueCalls) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto d = std::make_shared<call_deadlines>();
  struct flag final : expirable {
    std::atomic<int> expired{0};
    void expire() override { expired.fetch_add(1); }
  };
  auto due = std::make_shared<flag>();
  auto later = std::make_shared<flag>();
  (void)d->add(due, clock_type::now());
  (void)d->add(later, clock_type::now() + 1h);
  auto wd = spawn_call_watchdog(sys, d, 5ms);
  EXPECT_TRUE(dwt::test::eventually([&] { return due->expired.load() == 1; }, 5s, 5ms));
  EXPECT_EQ(later->expired.load(), 0);
  EXPECT_EQ(d->size(), 1u);
  caf::anon_send_exit(wd, caf::exit_reason::user_shutdown);
}
