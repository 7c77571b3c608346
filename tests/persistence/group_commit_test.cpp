// The group-commit writer: concurrency, per-unit validation inside a batch,
// outbox sequence numbers, back-pressure and shutdown.

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "common/time_scale.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"
#include "test_util.hpp"

namespace dwt::persistence {
namespace {

using namespace dwt::engine;
using test::temp_dir;

// Counts completions and lets a test wait for an expected number.
class completion_log {
public:
  completion make(std::string id) {
    return [this, id = std::move(id)](result<commit_ack> r) {
      std::lock_guard lk{m_};
      results_.emplace(id, std::move(r));
      order_.push_back(id);
      cv_.notify_all();
    };
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lk{m_};
    return cv_.wait_for(lk, dwt::test::scaled(std::chrono::seconds{60}),
                        [&] { return results_.size() >= n; });
  }
  const result<commit_ack>& at(const std::string& id) const { return results_.at(id); }
  std::size_t size() const {
    std::lock_guard lk{m_};
    return results_.size();
  }
  std::vector<std::string> order() const {
    std::lock_guard lk{m_};
    return order_;
  }

private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::map<std::string, result<commit_ack>> results_;
  std::vector<std::string> order_;
};

// A gate that a completion blocks on, so the writer stays busy while a test
// queues up the units of the next batch. (Blocking in a completion is what
// production code must never do; here it pins the batch composition.)
class writer_gate {
public:
  completion hold() {
    return [this](result<commit_ack>) {
      std::unique_lock lk{m_};
      held_ = true;
      cv_.notify_all();
      cv_.wait(lk, [&] { return open_; });
    };
  }
  void wait_held() {
    std::unique_lock lk{m_};
    cv_.wait(lk, [&] { return held_; });
  }
  void open() {
    std::lock_guard lk{m_};
    open_ = true;
    cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  bool held_ = false;
  bool open_ = false;
};

TEST(GroupCommit, ManyProducersAllAcknowledgedAndDurable) {
  temp_dir dir;
  constexpr int producers = 8;
  constexpr int per_producer = 400;
  std::map<std::string, std::uint64_t> seq_of_unit;
  {
    auto e = env::open(test::small_options(dir.path()));
    ASSERT_TRUE(e.has_value()) << e.err().message;
    // Declared before the writer so that it outlives it: on an early return
    // (a failed ASSERT) the writer's destructor still runs completions that
    // write into the log (found by TSan: heap-use-after-free).
    completion_log log;
    auto w = group_commit_writer::start(**e, {.max_batch = 64});
    ASSERT_TRUE(w.has_value()) << w.err().message;
    std::vector<std::thread> threads;
    std::atomic<int> submit_failures{0};
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([&, p] {
        for (int i = 0; i < per_producer; ++i) {
          auto ref = "DWT-" + std::to_string(p) + "-" + std::to_string(i);
          auto unit = test::provisioning_unit(ref, "card_" + std::to_string(p));
          unit.add_counter("provisioned");
          if (!(*w)->submit(std::move(unit), log.make(ref)))
            ++submit_failures;
        }
      });
    }
    for (auto& t : threads)
      t.join();
    ASSERT_EQ(submit_failures.load(), 0);
    ASSERT_TRUE(log.wait_for(producers * per_producer));
    for (const auto& id : log.order()) {
      const auto& r = log.at(id);
      ASSERT_TRUE(r.has_value()) << id << ": " << r.err().message;
      ASSERT_EQ(r->outbox_seqs.size(), 1u);
      seq_of_unit[id] = r->outbox_seqs[0];
    }
    // Completions run in commit order, so seqs must increase along it.
    std::uint64_t prev = 0;
    for (const auto& id : log.order()) {
      EXPECT_EQ(seq_of_unit[id], prev + 1) << id;
      prev = seq_of_unit[id];
    }
    auto stats = (*w)->stats();
    EXPECT_EQ(stats.units, static_cast<std::uint64_t>(producers * per_producer));
    EXPECT_EQ(stats.units_ok, stats.units);
    EXPECT_GE(stats.batches, 1u);
    EXPECT_LE(stats.batches, stats.units);
    std::uint64_t hist_total = 0;
    for (auto n : stats.batch_sizes)
      hist_total += n;
    EXPECT_EQ(hist_total, stats.batches);
    EXPECT_EQ(stats.batches_isolated, 0u) << "no unit failed: every batch in one transaction";
    (*w)->stop();
  }
  // Everything acknowledged is there after a reopen.
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value()) << e.err().message;
  auto r = reader::begin(**e);
  ASSERT_TRUE(r.has_value());
  for (const auto& [ref, seq] : seq_of_unit) {
    auto card = "card_" + ref.substr(4, ref.find('-', 4) - 4);
    auto tok = r->token(token_ref{ref});
    ASSERT_TRUE(tok.has_value()) << ref;
    EXPECT_EQ(*tok, test::sample_token(ref, card, 1));
    auto hist = r->history(token_ref{ref});
    ASSERT_TRUE(hist.has_value());
    ASSERT_EQ(hist->size(), 1u);
    EXPECT_EQ((*hist)[0].id, "tr-" + ref + "-0");
    auto ev = r->outbox_event_at(seq);
    ASSERT_TRUE(ev.has_value()) << seq;
    EXPECT_EQ(ev->event_id, "evt-" + ref);
    EXPECT_EQ(ev->seq, seq);
  }
  EXPECT_EQ(*r->last_outbox_seq(), static_cast<std::uint64_t>(producers * per_producer));
  EXPECT_EQ(*r->counter("provisioned"), static_cast<std::uint64_t>(producers * per_producer));
  EXPECT_EQ(*r->entries(db::outbox_pending), static_cast<std::size_t>(producers * per_producer));
  for (int p = 0; p < producers; ++p) {
    auto toks = r->tokens_of_card(card_id{"card_" + std::to_string(p)});
    ASSERT_TRUE(toks.has_value());
    EXPECT_EQ(toks->size(), static_cast<std::size_t>(per_producer));
  }
}

TEST(GroupCommit, FailingUnitFailsAloneInItsBatch) {
  temp_dir dir;
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value()) << e.err().message;
  ASSERT_TRUE(commit_now(**e, test::provisioning_unit("DWT-EXISTING", "card_1")).has_value());

  writer_gate gate;
  completion_log log;
  auto w = group_commit_writer::start(**e, {.max_batch = 16});
  ASSERT_TRUE(w.has_value());
  ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("warmup"), gate.hold()));
  gate.wait_held(); // the writer is now inside a completion: the next units queue up

  ASSERT_TRUE((*w)->submit(test::provisioning_unit("DWT-A", "card_1"), log.make("A")));
  {
    // put_if_absent on an existing token: conflict; its outbox append and
    // counter must not survive.
    write_unit u;
    u.add_counter("should-not-exist");
    u.append_outbox(test::sample_event("DWT-EXISTING", "evt-B"));
    u.put_token_if_absent(test::sample_token("DWT-EXISTING", "card_1", 1));
    ASSERT_TRUE((*w)->submit(std::move(u), log.make("B")));
  }
  {
    // Optimistic check against a stale history_count.
    write_unit u;
    u.expect_token_history_count(token_ref{"DWT-EXISTING"}, 5);
    u.put_token(test::sample_token("DWT-EXISTING", "card_1", 6));
    u.append_outbox(test::sample_event("DWT-EXISTING", "evt-C"));
    ASSERT_TRUE((*w)->submit(std::move(u), log.make("C")));
  }
  {
    // The right count: passes; history seq 1 is new.
    write_unit u;
    u.expect_token_history_count(token_ref{"DWT-EXISTING"}, 1);
    u.put_token(test::sample_token("DWT-EXISTING", "card_1", 2));
    u.append_history(1, test::sample_transition("DWT-EXISTING", "card_1", "tr-2"));
    u.append_outbox(test::sample_event("DWT-EXISTING", "evt-D"));
    ASSERT_TRUE((*w)->submit(std::move(u), log.make("D")));
  }
  {
    // Appending an existing history seq is a conflict (append-only).
    write_unit u;
    u.append_history(0, test::sample_transition("DWT-A", "card_1", "tr-dup"));
    ASSERT_TRUE((*w)->submit(std::move(u), log.make("E")));
  }
  ASSERT_TRUE((*w)->submit(test::provisioning_unit("DWT-F", "card_2"), log.make("F")));
  auto batches_before = (*w)->stats().batches;
  gate.open();
  ASSERT_TRUE(log.wait_for(6));
  EXPECT_EQ((*w)->stats().batches, batches_before + 1) << "the six units formed one batch";

  ASSERT_TRUE(log.at("A").has_value()) << log.at("A").err().message;
  ASSERT_FALSE(log.at("B").has_value());
  EXPECT_EQ(log.at("B").code(), errc::conflict);
  ASSERT_FALSE(log.at("C").has_value());
  EXPECT_EQ(log.at("C").code(), errc::conflict);
  EXPECT_NE(log.at("C").err().message.find("expected 5"), std::string::npos)
      << log.at("C").err().message;
  ASSERT_TRUE(log.at("D").has_value()) << log.at("D").err().message;
  ASSERT_FALSE(log.at("E").has_value());
  EXPECT_EQ(log.at("E").code(), errc::conflict);
  // The message is built only on a conflict (apply.cpp), and says which.
  EXPECT_EQ(log.at("E").err().message, "history 0 of token DWT-A exists");
  ASSERT_TRUE(log.at("F").has_value());

  // Seqs: existing unit took 1; A, D, F take 2, 3, 4 (no gaps for B and C).
  EXPECT_EQ(log.at("A")->outbox_seqs, std::vector<std::uint64_t>{2});
  EXPECT_EQ(log.at("D")->outbox_seqs, std::vector<std::uint64_t>{3});
  EXPECT_EQ(log.at("F")->outbox_seqs, std::vector<std::uint64_t>{4});

  (*w)->stop();
  auto r = reader::begin(**e);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r->counter("should-not-exist"), 0u);
  EXPECT_EQ(*r->counter("warmup"), 1u);
  EXPECT_EQ(r->token(token_ref{"DWT-EXISTING"})->history_count, 2u);
  auto hist = r->history(token_ref{"DWT-EXISTING"});
  ASSERT_TRUE(hist.has_value());
  ASSERT_EQ(hist->size(), 2u);
  EXPECT_EQ((*hist)[1].id, "tr-2");
  auto events = r->outbox_after(0, 100);
  ASSERT_TRUE(events.has_value());
  std::vector<std::string> ids;
  for (const auto& ev : *events)
    ids.push_back(ev.event_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"evt-DWT-EXISTING", "evt-DWT-A", "evt-D", "evt-DWT-F"}));
  auto stats = (*w)->stats();
  EXPECT_EQ(stats.units_failed, 3u);
  EXPECT_EQ(stats.batches_isolated, 1u) << "the failing batch is the one redone unit by unit";
}

TEST(GroupCommit, OpenReadersDoNotBlockTheWriter) {
  temp_dir dir;
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value()) << e.err().message;
  ASSERT_TRUE(commit_now(**e, test::provisioning_unit("DWT-OLD", "card_1")).has_value());
  // Snapshots held open for the whole test, one of them on another thread.
  auto held = reader::begin(**e);
  ASSERT_TRUE(held.has_value());
  std::optional<result<reader>> held_elsewhere;
  std::thread{[&] { held_elsewhere.emplace(reader::begin(**e)); }}.join();
  ASSERT_TRUE(held_elsewhere->has_value());

  completion_log log;
  auto w = group_commit_writer::start(**e, {.max_batch = 32});
  ASSERT_TRUE(w.has_value());
  constexpr int units = 200;
  for (int i = 0; i < units; ++i)
    ASSERT_TRUE((*w)->submit(test::provisioning_unit("DWT-NEW-" + std::to_string(i), "card_2"),
                             log.make(std::to_string(i))));
  // Every unit is acknowledged although the readers never ended.
  ASSERT_TRUE(log.wait_for(units)) << "the writer is blocked by open readers";
  for (int i = 0; i < units; ++i)
    ASSERT_TRUE(log.at(std::to_string(i)).has_value()) << log.at(std::to_string(i)).err().message;

  // The held snapshots still show the old state; a new one shows the new.
  for (const reader* r : {&*held, &**held_elsewhere}) {
    EXPECT_EQ(*r->last_outbox_seq(), 1u);
    EXPECT_EQ(r->token(token_ref{"DWT-NEW-0"}).code(), errc::not_found);
    EXPECT_TRUE(r->token(token_ref{"DWT-OLD"}).has_value());
  }
  auto fresh = reader::begin(**e);
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(*fresh->last_outbox_seq(), static_cast<std::uint64_t>(units + 1));
  EXPECT_TRUE(fresh->token(token_ref{"DWT-NEW-199"}).has_value());
  (*w)->stop();
}

TEST(GroupCommit, QueueLimitAnswersOverloaded) {
  temp_dir dir;
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value());
  writer_gate gate;
  completion_log log;
  auto w = group_commit_writer::start(**e, {.max_batch = 8, .max_queued_units = 4});
  ASSERT_TRUE(w.has_value());
  ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("n"), gate.hold()));
  gate.wait_held();
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("n"), log.make(std::to_string(i))));
  bool called = false;
  auto refused =
      (*w)->submit(write_unit{}.add_counter("n"), [&](result<commit_ack>) { called = true; });
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.code(), errc::overloaded);
  EXPECT_EQ((*w)->queue_depth(), 4u);
  gate.open();
  ASSERT_TRUE(log.wait_for(4));
  (*w)->stop();
  EXPECT_FALSE(called);
  EXPECT_EQ((*w)->stats().rejected_overloaded, 1u);
  auto r = reader::begin(**e);
  EXPECT_EQ(*r->counter("n"), 5u);
}

TEST(GroupCommit, StopDrainsTheQueueThenRefuses) {
  temp_dir dir;
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value());
  completion_log log;
  auto w = group_commit_writer::start(**e, {.max_batch = 4});
  ASSERT_TRUE(w.has_value());
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("n"), log.make(std::to_string(i))));
  (*w)->stop();
  EXPECT_EQ(log.size(), 200u);
  auto late = (*w)->submit(write_unit{}.add_counter("n"), {});
  EXPECT_EQ(late.code(), errc::closed);
  (*w)->stop(); // idempotent
  auto r = reader::begin(**e);
  EXPECT_EQ(*r->counter("n"), 200u);
}

TEST(GroupCommit, LingerCollectsStragglers) {
  temp_dir dir;
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value());
  completion_log log;
  auto w = group_commit_writer::start(
      **e, {.max_batch = 1000, .max_wait = std::chrono::microseconds{200'000}});
  ASSERT_TRUE(w.has_value());
  ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("n"), log.make("first")));
  ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("n"), log.make("second")));
  ASSERT_TRUE(log.wait_for(2));
  (*w)->stop();
  EXPECT_EQ(*reader::begin(**e)->counter("n"), 2u);
}

TEST(GroupCommit, LingerWaitsForStragglersUntilTheBatchIsFull) {
  // max_wait far longer than the test: the writer, having taken the first
  // unit, must wait for the next two and commit all three as one batch
  // (with max_wait 0 the first unit could be committed alone). The batch is
  // committed as soon as it holds max_batch units, not when max_wait ends.
  temp_dir dir;
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value());
  completion_log log;
  auto w = group_commit_writer::start(
      **e, {.max_batch = 3, .max_wait = std::chrono::microseconds{std::chrono::minutes{10}}});
  ASSERT_TRUE(w.has_value());
  ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("n"), log.make("first")));
  while ((*w)->queue_depth() != 0) // the writer took the first unit and lingers
    std::this_thread::yield();
  EXPECT_EQ(log.size(), 0u);
  ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("n"), log.make("second")));
  ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("n"), log.make("third")));
  ASSERT_TRUE(log.wait_for(3));
  auto stats = (*w)->stats();
  EXPECT_EQ(stats.batches, 1u);
  EXPECT_EQ(stats.batch_sizes[2], 1u) << "one batch of 3 (bucket 3..4)";
  EXPECT_EQ(*reader::begin(**e)->counter("n"), 3u);
  (*w)->stop();
}

TEST(GroupCommit, InvalidOptionsAreRefused) {
  temp_dir dir;
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(group_commit_writer::start(**e, {.max_batch = 0}).code(), errc::invalid_argument);
  EXPECT_EQ(group_commit_writer::start(**e, {.max_queued_units = 0}).code(),
            errc::invalid_argument);
}

TEST(GroupCommit, ThrowingCompletionDoesNotStopTheWriter) {
  temp_dir dir;
  auto e = env::open(test::small_options(dir.path()));
  ASSERT_TRUE(e.has_value());
  auto w = group_commit_writer::start(**e);
  ASSERT_TRUE(w.has_value());
  ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("n"),
                           [](result<commit_ack>) { throw std::runtime_error{"boom"}; }));
  std::promise<bool> ok;
  ASSERT_TRUE((*w)->submit(write_unit{}.add_counter("n"),
                           [&](result<commit_ack> r) { ok.set_value(r.has_value()); }));
  EXPECT_TRUE(ok.get_future().get());
  (*w)->stop();
}

} // namespace
} // namespace dwt::persistence
