// Webhook dispatcher benchmarks (issue #6), through engine_host with a real
// LMDB directory and a real loopback HTTP receiver (tests/outbound/
// test_receiver.hpp, one io thread, answers 200 at once):
//
// - BM_webhook_drain: a backlog of N outbox events (over N/10 tokens, so
//   per-token order is in force) is written before the engine starts; time
//   from start until all N are delivered (and recorded). Items = events delivered, i.e.
//   deliveries/s including the durable attempt record of each.
// - BM_webhook_burst_lag: the engine runs; a burst of push provisionings
//   (2 events each) is acknowledged; the counter `lag_ms` is the time from
//   the last acknowledgement until every event is delivered (outbox lag
//   after a burst).
//
// Args: {events or pushes, durability (0 sync, 1 nosync), concurrency per
// endpoint}. Short on purpose (DWT_BENCH_WEBHOOK_SCALE multiplies sizes).

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <boost/json/serialize.hpp>

#include "dwt/dwt.hpp"
#include "dwt/engine/json.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/outbound/webhook_sender.hpp"
#include "dwt/persistence/env.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "outbound/test_receiver.hpp"

namespace {

using namespace std::chrono_literals;
using dwt::outbound::testing::test_receiver;

std::int64_t scale() {
  const char* s = std::getenv("DWT_BENCH_WEBHOOK_SCALE");
  return s != nullptr ? std::max<std::int64_t>(1, std::atoll(s)) : 1;
}

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    static std::atomic<int> n{0};
    path = std::filesystem::temp_directory_path() /
           ("dwt_bench_wh_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

dwt::engine_options options(const std::filesystem::path& dir, bool nosync, std::size_t conc) {
  using namespace dwt::engine;
  dwt::engine_options o;
  o.data_dir = dir;
  o.store.map_size = std::size_t{256} << 20;
  o.store.max_map_size = std::size_t{4} << 30;
  o.store.mode = nosync ? dwt::persistence::durability::nosync : dwt::persistence::durability::sync;
  o.scheduler_threads = 2;
  partner_record p;
  p.id = partner_id{"p1"};
  p.name = "Bench";
  p.onboarded_on = date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};
  p.max_tokens_per_card = 1'000'000;
  o.partners = {p};
  // Many pushes per card: neither the cap nor the velocity rule (which
  // push provisioning runs since issue #20) is what this measures.
  o.decision.velocity_limit = std::numeric_limits<std::uint32_t>::max();
  card_product debit;
  debit.name = "demo-debit";
  debit.bins = {bin_range{400000, 499999, 6}};
  debit.tokenization_enabled = true;
  o.products = {debit};
  o.pan_hash_key = std::string(32, 'h');
  o.pan_encryption_key = std::string(32, 'e');
  o.otp_key = std::string(32, 'o');
  o.dispatcher.max_concurrent_per_endpoint = conc;
  o.dispatcher.poll_interval = 100ms;
  return o;
}

/// Waits until the dispatcher has counted `target` deliveries.
bool wait_delivered(dwt::engine_host& host, std::uint64_t target,
                    std::chrono::seconds limit = 120s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (host.stats().webhooks.delivered >= target)
      return true;
    std::this_thread::sleep_for(200us);
  }
  return false;
}

void BM_webhook_drain(benchmark::State& state) {
  const auto events = static_cast<std::size_t>(state.range(0) * scale());
  const bool nosync = state.range(1) != 0;
  const auto conc = static_cast<std::size_t>(state.range(2));
  test_receiver rx;
  std::size_t delivered = 0;
  for (auto _ : state) {
    state.PauseTiming();
    temp_dir dir;
    auto o = options(dir.path, nosync, conc);
    o.webhooks = {dwt::webhook_endpoint_config{dwt::engine::partner_id{"p1"}, rx.url(), {secret}}};
    {
      auto store_options = o.store;
      store_options.directory = dir.path;
      auto env = dwt::persistence::env::open(store_options);
      if (!env) {
        state.SkipWithError("cannot open store");
        return;
      }
      dwt::persistence::write_unit unit;
      unit.put_partner(o.partners.front());
      for (std::size_t i = 0; i < events; ++i) {
        dwt::persistence::outbox_event ev;
        ev.event_id = "evt_" + std::to_string(i);
        ev.partner = dwt::engine::partner_id{"p1"};
        ev.token = dwt::engine::token_ref{
            "tok_" + std::to_string(i % std::max<std::size_t>(1, events / 10))};
        ev.type = "DigitalWalletTokenTransition";
        ev.created_at = dwt::engine::from_millis(1'767'225'600'000);
        ev.payload = R"({"tokenUniqueReference":")" + ev.token.value + R"(","toState":"ACTIVE"})";
        unit.append_outbox(std::move(ev));
      }
      if (!dwt::persistence::commit_now(**env, unit)) {
        state.SkipWithError("cannot write the backlog");
        return;
      }
    }
    state.ResumeTiming();
    auto host = dwt::engine_host::start(std::move(o));
    if (!host || !wait_delivered(**host, events)) {
      state.SkipWithError("not drained");
      return;
    }
    delivered += (*host)->stats().webhooks.delivered;
    state.PauseTiming();
    (*host)->stop();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
  state.counters["deliveries_per_s"] =
      benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_webhook_drain)
    ->ArgNames({"events", "nosync", "conc"})
    ->Args({2000, 0, 8})
    ->Args({2000, 1, 8})
    ->Args({2000, 1, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

void BM_webhook_burst_lag(benchmark::State& state) {
  const auto pushes = static_cast<std::size_t>(state.range(0) * scale());
  const bool nosync = state.range(1) != 0;
  const auto conc = static_cast<std::size_t>(state.range(2));
  test_receiver rx;
  double lag_ms_total = 0;
  std::int64_t iterations = 0;
  std::int64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    temp_dir dir;
    auto o = options(dir.path, nosync, conc);
    o.webhooks = {dwt::webhook_endpoint_config{dwt::engine::partner_id{"p1"}, rx.url(), {secret}}};
    auto host = dwt::engine_host::start(std::move(o));
    if (!host) {
      state.SkipWithError("cannot start");
      return;
    }
    auto& h = **host;
    // One profile and card per 20 pushes (the card's token cap is high).
    std::vector<dwt::engine::card_id> cards;
    for (std::size_t c = 0; c * 20 < pushes; ++c) {
      std::atomic<bool> done{false};
      dwt::engine::profile_id prof;
      h.create_profile(dwt::engine::partner_id{"p1"}, dwt::profile_create{"+447700900123", {}}, {},
                       [&](caf::expected<dwt::engine::profile_record> r) {
                         if (r)
                           prof = r->id;
                         done = true;
                       });
      while (!done)
        std::this_thread::sleep_for(100us);
      dwt::card_register req;
      req.profile = prof;
      std::string digits =
          "4000" + std::string(11 - std::to_string(c).size(), '0') + std::to_string(c);
      req.pan = digits + dwt::engine::pan::luhn_check_digit(digits);
      req.expiry_month = 12;
      req.expiry_year = 2030;
      req.card_product = "demo-debit";
      done = false;
      h.register_card(dwt::engine::partner_id{"p1"}, req, {},
                      [&](caf::expected<dwt::engine::card_record> r) {
                        if (r)
                          cards.push_back(r->id);
                        done = true;
                      });
      while (!done)
        std::this_thread::sleep_for(100us);
    }
    const auto before = h.stats().webhooks.delivered;
    state.ResumeTiming();
    std::atomic<std::size_t> acked{0};
    for (std::size_t i = 0; i < pushes; ++i)
      h.push_provision(dwt::engine::partner_id{"p1"}, cards[i % cards.size()],
                       dwt::engine::wallet_provider::google_pay,
                       dwt::engine::device_info{"dev-" + std::to_string(i),
                                                dwt::engine::device_type::phone, "Phone"},
                       {}, [&](caf::expected<dwt::engine::token_record>) { acked.fetch_add(1); });
    while (acked.load() < pushes)
      std::this_thread::sleep_for(100us);
    const auto acked_at = std::chrono::steady_clock::now();
    if (!wait_delivered(h, before + 2 * pushes)) {
      state.SkipWithError("burst not drained");
      return;
    }
    lag_ms_total +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - acked_at)
            .count();
    ++iterations;
    events += static_cast<std::int64_t>(h.stats().webhooks.delivered - before);
    state.PauseTiming();
    h.stop();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(events);
  state.counters["lag_ms"] =
      lag_ms_total / static_cast<double>(std::max<std::int64_t>(1, iterations));
  state.counters["events"] =
      static_cast<double>(events) / static_cast<double>(std::max<std::int64_t>(1, iterations));
}
BENCHMARK(BM_webhook_burst_lag)
    ->ArgNames({"pushes", "nosync", "conc"})
    ->Args({500, 0, 8})
    ->Args({500, 1, 8})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

// The body of one DigitalWalletTokenTransition delivery from its stored
// outbox event (what the dispatcher does per attempt, before signing).
void BM_webhook_body(benchmark::State& state) {
  dwt::engine::token_record token;
  token.ref = dwt::engine::token_ref{"DWT0123456789ABCDEFGHIJKLMNOPQRS"};
  token.card = dwt::engine::card_id{"crd_0123456789abcdefghijklmn"};
  token.wallet = dwt::engine::wallet_provider::apple_pay;
  dwt::engine::transition_record rec;
  rec.id = "tr_0123456789abcdefghij";
  rec.token = token.ref;
  rec.card = token.card;
  rec.from_state = dwt::engine::token_state::requested;
  rec.to_state = dwt::engine::token_state::active;
  rec.fulfillment = dwt::engine::fulfillment_status::provisioned;
  rec.reason = "push provisioning";
  rec.by = dwt::engine::channel::partner_api;
  rec.created_at = dwt::engine::timestamp{std::chrono::milliseconds{1'764'000'000'123}};
  dwt::persistence::outbox_event ev;
  ev.event_id = "evt_0123456789abcdefghijklmn";
  ev.type = std::string{dwt::engine::json::transition_event_type};
  ev.created_at = rec.created_at;
  ev.payload = boost::json::serialize(dwt::engine::json::transition_event_data(rec, token.wallet));
  for (auto _ : state) {
    auto body = dwt::outbound::webhook_body(ev);
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(BM_webhook_body);

} // namespace

BENCHMARK_MAIN();
