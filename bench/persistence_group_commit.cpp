// Group commit throughput: units per second by batch size (1, 16, 128,
// 1024) in `sync` and `nosync` durability, with several producer threads,
// against one commit per unit. A unit is what a provisioning request
// writes: token put + history append + outbox append.
//
// DWT_BENCH_PREFILL=N writes N units before timing (see prefill()).
// The store lives in a fresh directory under $TMPDIR (default /tmp), i.e.
// on the real disk unless TMPDIR points at a tmpfs; it is removed after each
// benchmark. Counters: units/s (items_per_second), mean batch size, commit
// latency in microseconds (apply + commit of one batch: mean, p50 and p99 as
// histogram bucket upper bounds, max), the mean submit-to-acknowledgement
// latency a producer sees (ack_us_mean), and the KiB handed to the kernel
// per unit (LMDB's page writes: the write volume). For the baseline,
// commit_us_mean is one unit's commit including the wait for LMDB's writer
// lock. Figures and the command: bench/README.md.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <semaphore>
#include <stdlib.h>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "dwt/persistence/group_commit.hpp"

namespace {

using namespace dwt;
using namespace dwt::persistence;

constexpr int producer_threads = 4;
constexpr int in_flight_per_producer = 512; // like 512 actors per thread awaiting acks
constexpr int units_per_iteration = 2048;   // one-commit-per-unit baseline

// Group commit: enough units per iteration that the pipeline drain at the
// end of each iteration (the last, small batches) is a small share of it.
int group_units_per_iteration(std::size_t max_batch) {
  return static_cast<int>(std::max<std::size_t>(units_per_iteration, 16 * max_batch));
}

// Upper bound (us) of the histogram bucket holding quantile q of the
// batch commit latencies (bucket i holds commits of <= 2^(i+4) us), capped
// at the largest latency seen: coarse, within a factor of two.
double latency_quantile_us(const group_commit_stats& s, double q) {
  std::uint64_t total = 0;
  for (auto c : s.commit_latency_us)
    total += c;
  if (total == 0)
    return 0;
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < latency_histogram_buckets; ++i) {
    seen += s.commit_latency_us[i];
    if (seen > rank)
      return static_cast<double>(std::min(std::uint64_t{16} << i, s.commit_latency_us_max));
  }
  return static_cast<double>(s.commit_latency_us_max);
}

class bench_dir {
public:
  bench_dir() {
    auto base = std::filesystem::temp_directory_path() / "dwt-bench-persist-XXXXXX";
    std::string pattern = base.string();
    if (::mkdtemp(pattern.data()) == nullptr)
      std::abort();
    path_ = pattern;
  }
  ~bench_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  bench_dir(const bench_dir&) = delete;
  bench_dir& operator=(const bench_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

// Units written before timing starts (env DWT_BENCH_PREFILL, default 0),
// so every configuration is measured against a store of the same size:
// random-key inserts get slower as the B-trees grow.
std::uint64_t prefill_units() {
  const char* v = std::getenv("DWT_BENCH_PREFILL");
  return v == nullptr ? 0 : std::strtoull(v, nullptr, 10);
}

write_unit make_unit(std::mt19937_64& rng, std::uint64_t n);

std::unique_ptr<env> open_env(const bench_dir& dir, durability mode);

// Fills the store quickly (nosync, big batches), then syncs it.
void prefill(const bench_dir& dir) {
  auto count = prefill_units();
  if (count == 0)
    return;
  auto e = open_env(dir, durability::nosync);
  auto w = group_commit_writer::start(*e, {.max_batch = 1024});
  if (!w)
    std::abort();
  std::mt19937_64 rng{0xF111};
  std::counting_semaphore<4096> window{4096};
  std::atomic<std::uint64_t> failures{0};
  for (std::uint64_t i = 0; i < count; ++i) {
    window.acquire();
    if (!(*w)->submit(make_unit(rng, i), [&](result<commit_ack> r) {
          if (!r)
            ++failures;
          window.release();
        }))
      std::abort();
  }
  (*w)->stop(); // drains; every completion has run when stop returns
  if (failures.load() != 0 || !e->sync())
    std::abort();
}

std::unique_ptr<env> open_env(const bench_dir& dir, durability mode) {
  env_options o;
  o.directory = dir.path();
  o.map_size = std::size_t{1} << 30;
  o.max_map_size = std::size_t{16} << 30;
  o.mode = mode;
  auto e = env::open(o);
  if (!e) {
    std::fprintf(stderr, "open: %s\n", e.err().message.c_str());
    std::abort();
  }
  return std::move(*e);
}

// Realistic sizes: ~29-char token refs (random, so inserts land anywhere in
// the tree), a ~500-byte JSON webhook payload.
write_unit make_unit(std::mt19937_64& rng, std::uint64_t n) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string ref = "DWT";
  for (int i = 0; i < 29; ++i)
    ref.push_back(alphabet[rng() % 32]);
  std::string card = "card_" + std::to_string(rng() % 100000);
  auto now = engine::from_millis(1'750'000'000'000 + static_cast<std::int64_t>(n));

  engine::token_record t;
  t.ref = engine::token_ref{ref};
  t.card = engine::card_id{card};
  t.partner = engine::partner_id{"partner_01JBENCH"};
  t.wallet = engine::wallet_provider::apple_pay;
  t.device = {"device-" + std::to_string(rng()), engine::device_type::phone, "iPhone 15"};
  t.state = engine::token_state::active;
  t.fulfillment = engine::fulfillment_status::provisioned;
  t.last4 = "4242";
  t.token_last4 = "9876";
  t.created_at = now;
  t.updated_at = now;
  t.history_count = 1;

  engine::transition_record h;
  h.id = "tr_" + std::to_string(rng());
  h.token = t.ref;
  h.card = t.card;
  h.from_state = engine::token_state::requested;
  h.to_state = engine::token_state::active;
  h.fulfillment = engine::fulfillment_status::provisioned;
  h.reason = "verification passed";
  h.by = engine::channel::network;
  h.created_at = now;

  outbox_event ev;
  ev.event_id = "evt_" + std::to_string(rng());
  ev.partner = t.partner;
  ev.token = t.ref;
  ev.type = "DigitalWalletTokenTransition";
  ev.created_at = now;
  ev.payload = R"({"type":"DigitalWalletTokenTransition","timestamp":"2025-06-15T10:00:00.000Z",)"
               R"("data":{"id":")" +
               h.id + R"(","tokenUniqueReference":")" + ref + R"(","cardId":")" + card +
               R"(","fromState":"REQUESTED","state":"ACTIVE","fulfillmentStatus":"PROVISIONED",)"
               R"("reason":"verification passed","channel":"NETWORK",)"
               R"("createdAt":"2025-06-15T10:00:00.000Z","walletProvider":"APPLE_PAY",)"
               R"("device":{"id":"device","type":"PHONE","name":"iPhone 15"},)"
               R"("last4":"4242","tokenLast4":"9876"}})";

  write_unit u;
  u.put_token(std::move(t));
  u.append_history(0, std::move(h));
  u.append_outbox(std::move(ev));
  return u;
}

// Bytes this process has handed to write(2)/pwrite(2) so far (Linux
// /proc/self/io `wchar`), to report the write volume per unit; 0 elsewhere.
std::uint64_t bytes_written() {
  std::FILE* f = std::fopen("/proc/self/io", "r");
  if (f == nullptr)
    return 0;
  char line[128];
  std::uint64_t value = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "wchar:", 6) == 0)
      value = std::strtoull(line + 6, nullptr, 10);
  }
  std::fclose(f);
  return value;
}

// Args: max_batch, durability (0 sync, 1 nosync).
void BM_GroupCommit(benchmark::State& state) {
  auto max_batch = static_cast<std::size_t>(state.range(0));
  auto mode = state.range(1) == 0 ? durability::sync : durability::nosync;
  bench_dir dir;
  prefill(dir);
  auto e = open_env(dir, mode);
  auto w = group_commit_writer::start(*e, {.max_batch = max_batch});
  if (!w)
    std::abort();
  std::atomic<std::uint64_t> failures{0};
  // Everything a completion touches outlives the whole benchmark: the
  // writer thread may still be inside a completion when a producer returns.
  std::vector<std::unique_ptr<std::counting_semaphore<in_flight_per_producer>>> windows;
  for (int p = 0; p < producer_threads; ++p)
    windows.push_back(
        std::make_unique<std::counting_semaphore<in_flight_per_producer>>(in_flight_per_producer));
  std::mutex done_mutex;
  std::condition_variable done_cv;
  std::uint64_t acked = 0;
  std::uint64_t n = 0;
  std::atomic<std::uint64_t> ack_ns{0}; // submit -> completion, summed
  const int per_iteration = group_units_per_iteration(max_batch);
  auto written_before = bytes_written();
  for (auto _ : state) {
    std::vector<std::thread> producers;
    for (int p = 0; p < producer_threads; ++p) {
      producers.emplace_back([&, p, base = n] {
        std::mt19937_64 rng{base * 31 + static_cast<std::uint64_t>(p)};
        auto& window = *windows[static_cast<std::size_t>(p)];
        for (int i = 0; i < per_iteration / producer_threads; ++i) {
          window.acquire();
          auto unit = make_unit(rng, base + static_cast<std::uint64_t>(i));
          auto t0 = std::chrono::steady_clock::now();
          auto s = (*w)->submit(std::move(unit), [&, t0](result<commit_ack> r) {
            ack_ns +=
                static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                               std::chrono::steady_clock::now() - t0)
                                               .count());
            if (!r)
              ++failures;
            window.release();
            std::lock_guard lk{done_mutex};
            ++acked;
            done_cv.notify_one();
          });
          if (!s)
            std::abort();
        }
      });
    }
    for (auto& t : producers)
      t.join();
    n += static_cast<std::uint64_t>(per_iteration);
    std::unique_lock lk{done_mutex};
    done_cv.wait(lk, [&] { return acked == n; });
  }
  auto written = bytes_written() - written_before;
  auto stats = (*w)->stats();
  (*w)->stop();
  if (failures.load() != 0)
    state.SkipWithError("units failed");
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["batch_mean"] = static_cast<double>(stats.units) /
                                 static_cast<double>(std::max<std::uint64_t>(stats.batches, 1));
  state.counters["commit_us_mean"] = static_cast<double>(stats.commit_latency_us_sum) /
                                     static_cast<double>(std::max<std::uint64_t>(stats.batches, 1));
  state.counters["commit_us_p50"] = latency_quantile_us(stats, 0.50);
  state.counters["commit_us_p99"] = latency_quantile_us(stats, 0.99);
  state.counters["commit_us_max"] = static_cast<double>(stats.commit_latency_us_max);
  // What a producer waits for: queueing + its batch's apply and commit.
  state.counters["ack_us_mean"] = static_cast<double>(ack_ns.load()) / 1000.0 /
                                  static_cast<double>(std::max<std::uint64_t>(n, 1));
  state.counters["kib_written_per_unit"] =
      static_cast<double>(written) / 1024.0 / static_cast<double>(std::max<std::uint64_t>(n, 1));
  state.SetLabel(std::string{to_string(mode)});
}

// The baseline: every producer commits each unit in its own write
// transaction (LMDB serialises them), i.e. one durable commit per unit.
// Arg: durability.
void BM_CommitPerUnit(benchmark::State& state) {
  auto mode = state.range(0) == 0 ? durability::sync : durability::nosync;
  bench_dir dir;
  prefill(dir);
  auto e = open_env(dir, mode);
  std::atomic<std::uint64_t> failures{0};
  std::atomic<std::uint64_t> latency_ns{0};
  std::atomic<std::uint64_t> latency_max_ns{0};
  std::uint64_t n = 0;
  auto written_before = bytes_written();
  for (auto _ : state) {
    std::vector<std::thread> producers;
    for (int p = 0; p < producer_threads; ++p) {
      producers.emplace_back([&, p, base = n] {
        std::mt19937_64 rng{base * 31 + static_cast<std::uint64_t>(p)};
        for (int i = 0; i < units_per_iteration / producer_threads; ++i) {
          auto u = make_unit(rng, base + static_cast<std::uint64_t>(i));
          auto t0 = std::chrono::steady_clock::now();
          if (!commit_now(*e, u))
            ++failures;
          auto ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                   std::chrono::steady_clock::now() - t0)
                                                   .count());
          latency_ns += ns;
          auto prev = latency_max_ns.load();
          while (ns > prev && !latency_max_ns.compare_exchange_weak(prev, ns)) {
          }
        }
      });
    }
    for (auto& t : producers)
      t.join();
    n += units_per_iteration;
  }
  if (failures.load() != 0)
    state.SkipWithError("units failed");
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["batch_mean"] = 1;
  // Includes the wait for LMDB's writer lock behind the other producers.
  state.counters["commit_us_mean"] = static_cast<double>(latency_ns.load()) / 1000.0 /
                                     static_cast<double>(std::max<std::uint64_t>(n, 1));
  state.counters["commit_us_max"] = static_cast<double>(latency_max_ns.load()) / 1000.0;
  state.counters["kib_written_per_unit"] = static_cast<double>(bytes_written() - written_before) /
                                           1024.0 /
                                           static_cast<double>(std::max<std::uint64_t>(n, 1));
  state.SetLabel(std::string{to_string(mode)});
}

} // namespace

BENCHMARK(BM_CommitPerUnit)
    ->ArgName("nosync")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GroupCommit)
    ->ArgNames({"max_batch", "nosync"})
    ->ArgsProduct({{1, 16, 128, 1024}, {0, 1}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
