// Actor runtime benchmarks (see bench/README.md, section Actors):
// - BM_PushProvisioning: durable push-provisioning flows/s through
//   engine_host (real scheduler, group commit with fsync, LMDB on /tmp),
//   `batch` calls in flight at once.
// - BM_LiveActorMemory: resident bytes per live token actor (activated by a
//   read), from /proc/self/statm.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <latch>
#include <limits>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include "dwt/dwt.hpp"
#include "dwt/engine/pan.hpp"

namespace {

using namespace dwt;
using namespace dwt::engine;

struct bench_engine {
  std::filesystem::path dir;
  std::unique_ptr<engine_host> host;
  std::vector<card_id> cards;

  explicit bench_engine(std::size_t n_cards, persistence::durability mode) {
    dir =
        std::filesystem::temp_directory_path() / ("dwt_bench_actors_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    engine_options o;
    o.data_dir = dir;
    o.store.map_size = std::size_t{1} << 30;
    o.store.mode = mode;
    partner_record p;
    p.id = partner_id{"bench"};
    p.onboarded_on = date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};
    p.max_tokens_per_card = 1'000'000;
    o.partners = {p};
    // Many pushes per card: neither the cap nor the velocity rule (which
    // push provisioning runs since issue #20) is what this measures.
    o.decision.velocity_limit = std::numeric_limits<std::uint32_t>::max();
    card_product prod{"debit", {bin_range{400000, 499999, 6}}, true};
    o.products = {prod};
    o.pan_hash_key = std::string(32, 'h');
    o.pan_encryption_key = std::string(32, 'e');
    o.otp_key = std::string(32, 'o');
    auto counter = std::make_shared<std::atomic<std::uint64_t>>(0);
    o.random = [counter] { return std::make_unique<seeded_random>(counter->fetch_add(1)); };
    host = std::move(*engine_host::start(std::move(o)));
    std::promise<caf::expected<profile_record>> pp;
    host->create_profile(partner_id{"bench"}, {"+447700900123", std::nullopt}, std::nullopt,
                         [&](auto r) { pp.set_value(std::move(r)); });
    auto prof = pp.get_future().get();
    for (std::size_t i = 0; i < n_cards; ++i) {
      std::string pan = "4" + std::string(14 - std::to_string(i).size(), '0') + std::to_string(i);
      pan += pan::luhn_check_digit(pan);
      card_register req{prof->id, pan, 12, 2035, "debit", card_type::virtual_card, std::nullopt};
      std::promise<caf::expected<card_record>> pc;
      host->register_card(partner_id{"bench"}, req, std::nullopt,
                          [&](auto r) { pc.set_value(std::move(r)); });
      cards.push_back(pc.get_future().get()->id);
    }
  }
  ~bench_engine() {
    host->stop();
    std::filesystem::remove_all(dir);
  }
};

std::size_t rss_bytes() {
  std::ifstream in{"/proc/self/statm"};
  std::size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

void BM_PushProvisioning(benchmark::State& state) {
  bench_engine eng{64, persistence::durability::sync};
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::uint64_t n = 0, failed = 0;
  for (auto _ : state) {
    std::latch done{static_cast<std::ptrdiff_t>(batch)};
    std::atomic<std::uint64_t> bad{0};
    for (std::size_t i = 0; i < batch; ++i) {
      eng.host->push_provision(partner_id{"bench"}, eng.cards[(n + i) % eng.cards.size()],
                               wallet_provider::apple_pay,
                               device_info{"d" + std::to_string(n + i), device_type::phone, "x"},
                               std::nullopt, [&](caf::expected<token_record> r) {
                                 if (!r)
                                   bad.fetch_add(1);
                                 done.count_down();
                               });
    }
    done.wait();
    n += batch;
    failed += bad.load();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.counters["failed"] = static_cast<double>(failed);
  state.counters["avg_batch"] =
      static_cast<double>(eng.host->stats().commit.units) /
      std::max<double>(1, static_cast<double>(eng.host->stats().commit.batches));
}
BENCHMARK(BM_PushProvisioning)
    ->Arg(1)
    ->Arg(64)
    ->Arg(256)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_LiveActorMemory(benchmark::State& state) {
  const auto tokens = static_cast<std::size_t>(state.range(0));
  bench_engine eng{16, persistence::durability::nosync};
  std::vector<token_ref> refs;
  {
    std::latch done{static_cast<std::ptrdiff_t>(tokens)};
    std::mutex m;
    for (std::size_t i = 0; i < tokens; ++i)
      eng.host->push_provision(partner_id{"bench"}, eng.cards[i % eng.cards.size()],
                               wallet_provider::apple_pay,
                               device_info{"d" + std::to_string(i), device_type::phone, "x"},
                               std::nullopt, [&](caf::expected<token_record> r) {
                                 if (r) {
                                   std::lock_guard<std::mutex> g{m};
                                   refs.push_back(r->ref);
                                 }
                                 done.count_down();
                               });
    done.wait();
  }
  // Push provisioning goes through the card actors only: no token actor
  // is live yet. Activate each by reading it and measure the RSS growth.
  double per_actor = 0;
  for (auto _ : state) {
    auto before = rss_bytes();
    auto live_before = eng.host->stats().live_tokens;
    std::latch done{static_cast<std::ptrdiff_t>(refs.size())};
    for (const auto& r : refs)
      eng.host->get_token_network(r, [&](caf::expected<token_record>) { done.count_down(); });
    done.wait();
    auto live = eng.host->stats().live_tokens - live_before;
    auto after = rss_bytes();
    per_actor =
        live > 0 ? static_cast<double>(after - std::min(after, before)) / static_cast<double>(live)
                 : 0;
    // Iterations(1): a second pass would find the actors live already.
  }
  state.counters["tokens"] = static_cast<double>(refs.size());
  state.counters["bytes_per_live_actor"] = per_actor;
}

} // namespace

BENCHMARK(BM_LiveActorMemory)->Arg(2000)->Iterations(1)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
