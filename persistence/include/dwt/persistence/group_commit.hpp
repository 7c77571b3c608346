#pragma once
/// @file
/// Group commit: one dedicated writer thread owns every LMDB write
/// transaction of the store. Producers (actors, on any thread) `submit`
/// write units; the writer takes a batch, applies its units in one write
/// transaction, commits it once (one fsync for the whole batch in `sync`
/// mode) and then runs every unit's completion. A unit that fails (a
/// conflict) fails alone: the batch is then redone with each unit in a
/// nested transaction of the batch's, so only the failing unit is rolled
/// back (`batches_isolated` counts these redos).
///
/// Batching is sized by load: while a commit is in flight new units queue
/// up, and the next batch takes all of them (up to max_batch) without
/// waiting. The writer only lingers (at most max_wait) when the queue ran
/// dry before max_batch was reached and max_wait > 0.
///
/// Threading: `submit`, `stats`, `queue_depth` and `stop` are thread-safe.
/// Completions run on the writer thread, one after another, after the
/// batch's commit: they must be quick and must never block (in particular
/// never wait for another unit's completion).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "dwt/persistence/env.hpp"
#include "dwt/persistence/result.hpp"
#include "dwt/persistence/write_unit.hpp"

namespace dwt::persistence {

/// Tuning of the writer.
struct group_commit_options {
  /// Most units per write transaction.
  std::size_t max_batch = 1024;
  /// Longest time the writer lingers for more units once the queue ran dry
  /// before max_batch was reached. 0 (the default) commits at once; the
  /// commit's own latency is then the batching window.
  std::chrono::microseconds max_wait{0};
  /// Most units waiting in the queue (the back-pressure limit): beyond it
  /// `submit` refuses with errc::overloaded instead of blocking.
  std::size_t max_queued_units = 65536;
};

/// Upper bounds of the batch-size histogram buckets: 1, 2, 4, ..., 1024,
/// then everything above.
inline constexpr std::size_t batch_histogram_buckets = 12;
/// Upper bounds (microseconds) of the commit-latency histogram buckets:
/// 16, 32, ..., 2^(4+n-1), then everything above.
inline constexpr std::size_t latency_histogram_buckets = 20;

/// Counters of the writer, for /metrics. A snapshot.
struct group_commit_stats {
  std::uint64_t batches = 0;         ///< committed (or failed) batches
  std::uint64_t units = 0;           ///< units taken by the writer
  std::uint64_t units_ok = 0;        ///< units acknowledged ok
  std::uint64_t units_failed = 0;    ///< units completed with an error
  std::uint64_t commit_failures = 0; ///< parent commits that failed
  /// Batches redone unit by unit, each in a nested transaction, because a
  /// unit failed when the batch was applied in one transaction.
  std::uint64_t batches_isolated = 0;
  std::uint64_t map_growths = 0;         ///< successful automatic map growths
  std::uint64_t rejected_overloaded = 0; ///< submits refused: queue full
  /// batch_sizes[i] counts batches of size <= 2^i (last bucket: larger).
  std::uint64_t batch_sizes[batch_histogram_buckets] = {};
  /// Parent transaction apply+commit latency, microseconds.
  std::uint64_t commit_latency_us_sum = 0;
  std::uint64_t commit_latency_us_max = 0;
  /// commit_latency_us[i] counts commits of <= 2^(i+4) us (last: larger).
  std::uint64_t commit_latency_us[latency_histogram_buckets] = {};
};

/// The single writer of an environment.
class group_commit_writer {
public:
  /// Starts the writer thread on `store` (which must outlive the writer).
  /// Errors: errc::invalid_argument (max_batch or max_queued_units is 0),
  /// errc::internal (the thread could not be started).
  [[nodiscard]] static result<std::unique_ptr<group_commit_writer>>
  start(env& store, group_commit_options options = {});

  /// Calls stop().
  ~group_commit_writer();
  group_commit_writer(const group_commit_writer&) = delete;
  group_commit_writer& operator=(const group_commit_writer&) = delete;

  /// Queues a unit; `done` is called exactly once, on the writer thread,
  /// if and only if submit returns success. Never blocks on I/O.
  /// Errors (then `done` is not called): errc::overloaded (the queue holds
  /// max_queued_units already), errc::closed (stop() was called).
  [[nodiscard]] result<void> submit(write_unit unit, completion done);

  /// Stops accepting units, lets the writer commit everything queued, then
  /// joins the thread. Idempotent; must not be called from a completion.
  void stop();

  /// A snapshot of the counters. Thread-safe.
  [[nodiscard]] group_commit_stats stats() const;

  /// Units queued and not yet taken by the writer. Thread-safe.
  [[nodiscard]] std::size_t queue_depth() const;

  [[nodiscard]] const group_commit_options& options() const noexcept { return options_; }

private:
  struct pending {
    write_unit unit;
    completion done;
  };

  struct private_tag {};

public:
  /// Use `start`; this constructor is public only for std::make_unique.
  group_commit_writer(private_tag, env& store, group_commit_options options);

private:
  void run();
  void process(std::vector<pending>& batch);

  env& env_;
  group_commit_options options_;

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<pending> queue_;
  bool stopping_ = false;
  /// How many queued units wake the writer (guarded by queue_mutex_): 1
  /// while it waits for work, the rest of its batch while it lingers, 0
  /// (never) while it commits. A submit notifies only when the queue
  /// reaches it, so a lingering writer is not woken by every unit.
  std::size_t wake_at_ = 0;

  mutable std::mutex stats_mutex_;
  group_commit_stats stats_;

  std::mutex stop_mutex_;
  std::thread thread_;
};

/// Applies one unit in its own write transaction on the calling thread and
/// commits it (no batching). For tools, tests, bootstrap and the
/// one-commit-per-unit baseline; LMDB serialises it with the writer.
/// Never call it from a completion or while holding a reader.
/// On MDB_MAP_FULL it grows the map (if max_map_size allows) and retries
/// once, like the writer.
/// Errors: those of the unit's operations (errc::conflict,
/// errc::invalid_argument, errc::corrupt_record), errc::map_full,
/// errc::io_error, errc::internal.
[[nodiscard]] result<commit_ack> commit_now(env& store, const write_unit& unit);

} // namespace dwt::persistence
