#include "dwt/persistence/group_commit.hpp"

#include <bit>
#include <cstdio>
#include <exception>
#include <optional>
#include <pthread.h>

#include "apply.hpp"
#include "lmdb_util.hpp"

namespace dwt::persistence {

namespace {

using clock_type = std::chrono::steady_clock;

std::size_t batch_bucket(std::size_t n) {
  // bucket i holds sizes in (2^(i-1), 2^i]
  auto b = static_cast<std::size_t>(std::bit_width(n > 0 ? n - 1 : 0));
  return b < batch_histogram_buckets ? b : batch_histogram_buckets - 1;
}

std::size_t latency_bucket(std::uint64_t us) {
  // bucket i holds latencies <= 2^(i+4) us
  auto b = static_cast<std::size_t>(std::bit_width(us > 0 ? (us - 1) >> 4 : 0));
  return b < latency_histogram_buckets ? b : latency_histogram_buckets - 1;
}

void run_completion(const completion& done, result<commit_ack> r) noexcept {
  if (!done)
    return;
  try {
    done(std::move(r));
  } catch (const std::exception& e) {
    // A throwing completion must not take the writer down with it.
    std::fprintf(stderr, "dwt::persistence: a write completion threw: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "dwt::persistence: a write completion threw\n");
  }
}

// The outcome of one attempt at a batch.
struct batch_outcome {
  std::vector<std::optional<result<commit_ack>>> units; // per unit, when no batch error
  std::optional<error> batch_error;                     // commit or map failure
  bool isolated = false;                                // redone unit by unit after a unit failed
};

/// The common case first: every unit applied straight into one write
/// transaction, without a nested transaction per unit (each costs LMDB an
/// allocation of its dirty-page list and a merge into the parent at its
/// commit). A unit that fails aborts the whole transaction, so nothing of
/// the batch is written, and the caller redoes the batch unit by unit
/// (isolated_batch) so that only the failing unit fails. apply_unit is a
/// function of the store and the unit alone, so the redo computes what this
/// attempt would have. nullopt: redo the batch isolated.
std::optional<batch_outcome> flat_batch(env& store, const std::vector<write_unit*>& units) {
  batch_outcome out;
  auto t = detail::txn::begin(store, nullptr, 0);
  if (!t) {
    out.batch_error = t.err();
    return out;
  }
  out.units.reserve(units.size());
  for (auto* unit : units) {
    auto r = detail::apply_unit(store, t->get(), *unit);
    if (!r) {
      if (r.code() == errc::map_full) {
        out.batch_error = r.err(); // as in isolated_batch: grow and retry, or fail all
        return out;                // t aborts on scope exit
      }
      return std::nullopt;
    }
    out.units.emplace_back(std::move(r));
  }
  if (auto c = t->commit("commit batch"); !c) {
    out.units.clear();
    out.batch_error = c.err();
  }
  return out;
}

/// Each unit in its own nested transaction under the batch's, so a unit
/// that fails is rolled back alone and the others still commit.
batch_outcome isolated_batch(env& store, const std::vector<write_unit*>& units) {
  batch_outcome out;
  auto parent = detail::txn::begin(store, nullptr, 0);
  if (!parent) {
    out.batch_error = parent.err();
    return out;
  }
  out.units.reserve(units.size());
  for (auto* unit : units) {
    auto child = detail::txn::begin(store, parent->get(), 0);
    if (!child) {
      out.batch_error = child.err();
      return out; // parent aborts on scope exit
    }
    auto r = detail::apply_unit(store, child->get(), *unit);
    if (!r) {
      child->abort();
      if (r.code() == errc::map_full) {
        // The batch as a whole does not fit: grow and retry, or fail all.
        out.batch_error = r.err();
        return out;
      }
      out.units.emplace_back(std::move(r));
      continue;
    }
    if (auto c = child->commit("commit unit"); !c) {
      if (c.code() == errc::map_full) {
        out.batch_error = c.err();
        return out;
      }
      out.units.emplace_back(c.err());
      continue;
    }
    out.units.emplace_back(std::move(r));
  }
  if (auto c = parent->commit("commit batch"); !c)
    out.batch_error = c.err();
  return out;
}

batch_outcome attempt_batch(env& store, const std::vector<write_unit*>& units) {
  if (auto flat = flat_batch(store, units))
    return std::move(*flat);
  auto out = isolated_batch(store, units);
  out.isolated = true;
  return out;
}

} // namespace

result<std::unique_ptr<group_commit_writer>>
group_commit_writer::start(env& store, group_commit_options options) {
  if (options.max_batch == 0)
    return fail(errc::invalid_argument, "group commit: max_batch must be positive");
  if (options.max_queued_units == 0)
    return fail(errc::invalid_argument, "group commit: max_queued_units must be positive");
  if (options.max_wait.count() < 0)
    return fail(errc::invalid_argument, "group commit: max_wait must not be negative");
  auto w = std::make_unique<group_commit_writer>(private_tag{}, store, options);
  try {
    w->thread_ = std::thread{[p = w.get()] {
      // Named for top/perf: the one thread that owns LMDB write transactions.
      pthread_setname_np(pthread_self(), "dwt.writer");
      p->run();
    }};
  } catch (const std::exception& e) {
    return fail(errc::internal,
                std::string{"group commit: cannot start the writer thread: "} + e.what());
  }
  return w;
}

group_commit_writer::group_commit_writer(private_tag, env& store, group_commit_options options)
    : env_(store), options_(options) {}

group_commit_writer::~group_commit_writer() {
  stop();
}

result<void> group_commit_writer::submit(write_unit unit, completion done) {
  bool wake = false;
  {
    std::lock_guard lk{queue_mutex_};
    if (stopping_)
      return fail(errc::closed, "group commit: the writer is stopping");
    if (queue_.size() >= options_.max_queued_units) {
      std::lock_guard slk{stats_mutex_};
      ++stats_.rejected_overloaded;
      return fail(errc::overloaded, "group commit: " + std::to_string(queue_.size()) +
                                        " units queued (max_queued_units)");
    }
    queue_.push_back(pending{std::move(unit), std::move(done)});
    wake = wake_at_ != 0 && queue_.size() >= wake_at_;
  }
  if (wake)
    queue_cv_.notify_one();
  return {};
}

void group_commit_writer::stop() {
  std::lock_guard stop_lk{stop_mutex_};
  {
    std::lock_guard lk{queue_mutex_};
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

group_commit_stats group_commit_writer::stats() const {
  std::lock_guard lk{stats_mutex_};
  return stats_;
}

std::size_t group_commit_writer::queue_depth() const {
  std::lock_guard lk{queue_mutex_};
  return queue_.size();
}

void group_commit_writer::run() {
  std::vector<pending> batch;
  batch.reserve(options_.max_batch);
  for (;;) {
    batch.clear();
    {
      std::unique_lock lk{queue_mutex_};
      wake_at_ = 1;
      queue_cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        wake_at_ = 0;
        return; // stopping and drained
      }
      auto take = [&] {
        while (!queue_.empty() && batch.size() < options_.max_batch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      };
      take();
      // Linger for stragglers only if configured; by default the batch is
      // whatever queued up during the previous commit. While lingering the
      // writer sleeps until the deadline or a full batch (wake_at_), not
      // until each new unit: a wake-up per unit cost a context switch each.
      if (options_.max_wait.count() > 0 && batch.size() < options_.max_batch && !stopping_) {
        auto deadline = clock_type::now() + options_.max_wait;
        wake_at_ = options_.max_batch - batch.size();
        (void)queue_cv_.wait_until(lk, deadline,
                                   [&] { return stopping_ || queue_.size() >= wake_at_; });
        take();
      }
      wake_at_ = 0;
    }
    process(batch);
  }
}

void group_commit_writer::process(std::vector<pending>& batch) {
  std::vector<write_unit*> units;
  units.reserve(batch.size());
  for (auto& p : batch)
    units.push_back(&p.unit);

  auto t0 = clock_type::now();
  auto out = attempt_batch(env_, units);
  bool grew = false;
  if (out.batch_error && out.batch_error->code == errc::map_full) {
    // No transaction is open now: the map may be resized.
    auto g = env_.grow();
    if (g) {
      grew = true;
      out = attempt_batch(env_, units);
    } else {
      out.batch_error->message += " (" + g.err().message + ")";
    }
  }
  auto us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - t0).count());

  std::uint64_t ok = 0;
  if (!out.batch_error) {
    for (auto& u : out.units)
      ok += u->has_value() ? 1 : 0;
  }
  {
    std::lock_guard lk{stats_mutex_};
    ++stats_.batches;
    stats_.units += batch.size();
    stats_.units_ok += ok;
    stats_.units_failed += batch.size() - ok;
    stats_.commit_failures += out.batch_error ? 1 : 0;
    stats_.batches_isolated += out.isolated ? 1 : 0;
    stats_.map_growths += grew ? 1 : 0;
    ++stats_.batch_sizes[batch_bucket(batch.size())];
    stats_.commit_latency_us_sum += us;
    stats_.commit_latency_us_max = std::max(stats_.commit_latency_us_max, us);
    ++stats_.commit_latency_us[latency_bucket(us)];
  }

  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (out.batch_error)
      run_completion(batch[i].done, *out.batch_error);
    else
      run_completion(batch[i].done, std::move(*out.units[i]));
  }
}

result<commit_ack> commit_now(env& store, const write_unit& unit) {
  for (int attempt = 0;; ++attempt) {
    std::optional<error> failure;
    {
      auto t = detail::txn::begin(store, nullptr, 0);
      if (!t)
        return t.err();
      auto r = detail::apply_unit(store, t->get(), unit);
      if (!r) {
        failure = r.err();
      } else if (auto c = t->commit("commit unit"); !c) {
        failure = c.err();
      } else {
        return r;
      }
    } // the transaction is closed here, so grow() may run
    if (failure->code != errc::map_full || attempt > 0)
      return *failure;
    if (auto g = store.grow(); !g) {
      failure->message += " (" + g.err().message + ")";
      return *failure;
    }
  }
}

} // namespace dwt::persistence
