/// @file
/// Micro-benchmarks of the pure engine core: the provisioning decision, a
/// state transition, OTP issue + verify, HMAC-SHA256 and the JSON renders of
/// a token and a webhook body. Inputs are built once, outside the loop.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/json/serialize.hpp>

#include "dwt/engine/crypto.hpp"
#include "dwt/engine/decision.hpp"
#include "dwt/engine/json.hpp"
#include "dwt/engine/otp.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/engine/state_machine.hpp"

namespace {

using namespace dwt::engine;

timestamp bench_now() {
  using namespace std::chrono;
  return timestamp{sys_days{year{2025} / June / day{1}}} + hours{12};
}

token_record sample_token() {
  token_record t;
  t.ref = token_ref{"DWTABCDEFGHIJKLMNOPQRSTUVWXYZ234"};
  t.card = card_id{"card_abcdefghijklmnopqrstuvwxyz"};
  t.partner = partner_id{"partner_demo"};
  t.wallet = wallet_provider::apple_pay;
  t.device = device_info{"device-1234", device_type::phone, "iPhone 15"};
  t.state = token_state::active;
  t.fulfillment = fulfillment_status::provisioned;
  t.last4 = "1111";
  t.token_last4 = "4242";
  t.created_at = bench_now();
  t.updated_at = bench_now();
  t.history_count = 2;
  return t;
}

void bm_decide(benchmark::State& state) {
  const std::vector<card_product> products{
      {"demo-debit", {{400000, 499999, 6}}, true},
      {"premium", {{510000, 519999, 6}}, true},
  };
  card_record card;
  card.card_product = "demo-debit";
  card.expiry_month = 12; // not expired at `in.now` (the epoch)
  card.expiry_year = 2030;
  partner_record partner;
  decision_input in;
  in.pan = "4111111111111111";
  in.card = &card;
  in.partner = &partner;
  in.products = &products;
  in.sms_destination = "+447700900123";
  in.tokens_toward_cap = 3;
  in.recommendation = wallet_recommendation::yellow;
  const decision_policy policy;
  for (auto _ : state) {
    auto r = decide(in, policy);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(bm_decide);

void bm_apply_transition(benchmark::State& state) {
  const auto token = sample_token();
  const auto now = bench_now();
  for (auto _ : state) {
    auto out = apply_transition(token, token_state::suspended, channel::partner_api,
                                "partner request", now, "tr_01");
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(bm_apply_transition);

void bm_otp_issue_verify(benchmark::State& state) {
  seeded_random rng{1};
  const token_ref ref{"DWTABCDEFGHIJKLMNOPQRSTUVWXYZ234"};
  const std::string key(32, 'k');
  const otp_policy policy;
  const auto now = bench_now();
  for (auto _ : state) {
    auto issued = issue_otp(ref, "+********0123", key, rng, now, policy);
    auto verdict = verify_otp(issued.challenge, issued.code, key, now, policy);
    benchmark::DoNotOptimize(verdict);
  }
}
BENCHMARK(bm_otp_issue_verify);

void bm_hmac_sha256(benchmark::State& state) {
  const std::string key(32, 'k');
  const std::string data(static_cast<std::size_t>(state.range(0)), 'd');
  for (auto _ : state) {
    auto mac = crypto::hmac_sha256(key, data);
    benchmark::DoNotOptimize(mac);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(bm_hmac_sha256)->Arg(32)->Arg(512)->Arg(4096);

void bm_json_token(benchmark::State& state) {
  const auto token = sample_token();
  for (auto _ : state) {
    auto text = boost::json::serialize(json::token(token));
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(bm_json_token);

/// The same bytes built on a stack arena, as the HTTP answers are.
void bm_json_token_scratch(benchmark::State& state) {
  const auto token = sample_token();
  for (auto _ : state) {
    auto text = json::scratch_serialize(
        [&](boost::json::storage_ptr sp) { return json::token(token, std::move(sp)); });
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(bm_json_token_scratch);

/// The suspension of sample_token() that the event benchmarks render;
/// nullopt (the benchmark is skipped) if the state machine refuses it.
std::optional<transition_record> sample_suspension(benchmark::State& state) {
  auto out = apply_transition(sample_token(), token_state::suspended, channel::network,
                              "device lost", bench_now(), "tr_02");
  if (!out) {
    state.SkipWithError("transition refused");
    return std::nullopt;
  }
  return out->record;
}

void bm_json_webhook_body(benchmark::State& state) {
  const auto token = sample_token();
  const auto record = sample_suspension(state);
  if (!record)
    return;
  for (auto _ : state) {
    auto body = json::webhook_body(json::transition_event_type, bench_now(),
                                   json::transition_event_data(*record, token.wallet));
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(bm_json_webhook_body);

/// A transition event's stored payload, built as actors/changes.cpp does.
void bm_json_event_payload_scratch(benchmark::State& state) {
  const auto token = sample_token();
  const auto record = sample_suspension(state);
  if (!record)
    return;
  for (auto _ : state) {
    auto payload = json::scratch_serialize([&](boost::json::storage_ptr sp) {
      return json::transition_event_data(*record, token.wallet, std::move(sp));
    });
    benchmark::DoNotOptimize(payload);
  }
}
BENCHMARK(bm_json_event_payload_scratch);

} // namespace

BENCHMARK_MAIN();
