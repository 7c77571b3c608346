#include "driver.hpp"

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include "dwt/engine/random.hpp"
#include "dwt/networks/mdes/fle_key_ring.hpp"
#include "gauge.hpp"
#include "histogram.hpp"
#include "messages.hpp"
#include "pan.hpp"
#include "report.hpp"
#include "schedule.hpp"
#include "sms_watcher.hpp"

namespace dwt::load {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using asio::awaitable;
using asio::use_awaitable;

namespace {

/// Longest honoured Retry-After.
constexpr std::chrono::seconds max_backoff{5};
/// Back-off after a 429/503 without Retry-After.
constexpr std::chrono::milliseconds default_backoff{100};
/// Largest answer body read.
constexpr std::size_t max_body_bytes = 1 << 20;
/// Longest wait for an OTP SMS to appear in the sink.
constexpr std::chrono::seconds sms_wait{10};
/// Period of the SMS look-up while waiting.
constexpr std::chrono::milliseconds sms_poll{5};
/// How often --await-zero reads the target's /metrics (the settle time is
/// known to within this).
constexpr std::chrono::milliseconds settle_poll{20};
/// Per-second buckets kept beyond duration + drain.
constexpr std::size_t extra_seconds = 5;
/// Most flows one connection runs in one phase (a bound, never reached).
constexpr std::uint64_t max_flows_per_connection = 1'000'000'000;
/// Random picks when looking for a token to suspend/resume/terminate.
constexpr int lifecycle_picks = 8;
/// Precision bits of the per-second latency histograms (~3 %).
constexpr unsigned second_precision = 5;
/// --network mdes: `dataValidUntilTimestamp` of the card data, from when the
/// card is made (longer than any run).
constexpr std::chrono::hours mdes_card_data_validity{24};

enum class kind : std::size_t {
  create_profile,
  create_card,
  push_provision,
  tokenize,
  verification,
  otp,
  activation,
  transition,
  get,
  authorize_service,
  activation_methods,
  notify_activated,
  notify_updated,
  count
};
constexpr std::size_t kind_count = static_cast<std::size_t>(kind::count);
constexpr std::array<const char*, kind_count> kind_names{
    "create_profile",    "create_card",        "push_provision",
    "tokenize",          "verification",       "otp",
    "activation",        "transition",         "get",
    "authorize_service", "activation_methods", "notify_activated",
    "notify_updated"};

/// True if a 2xx answer to this kind acknowledges a durable change.
constexpr bool changes_state(kind k) {
  return k != kind::get && k != kind::verification;
}

/// One second of one I/O thread.
struct second_stats {
  counters c;
  histogram latency{second_precision};
};

/// What one I/O thread measured; locked by the progress reporter once per tick.
struct recorder {
  std::mutex mu;
  histogram all;
  std::array<counters, kind_count> kind_counters{};
  std::array<histogram, kind_count> kind_latency{};
  counters totals;
  std::vector<second_stats> seconds;
  std::uint64_t setup_requests = 0;
  std::uint64_t sms_timeouts = 0;
};

/// Which part of the run a request belongs to.
enum class phase { setup, measured, verify };

/// Shared by every connection.
struct run_state {
  options opt;
  schedule sched;
  std::uint64_t total_slots = 0;
  tcp::endpoint endpoint;
  steady::time_point start;
  steady::time_point end;      ///< start + duration
  steady::time_point hard_end; ///< end + drain (open loop)
  std::atomic<std::uint64_t> next_slot{0};
  std::atomic<std::uint64_t> next_phone{0};
  std::uint32_t phone_prefix = 0;
  sms_watcher* sms = nullptr;
  /// --network mdes: the issuer's FLE key (shared const: OpenSSL 3 keys may
  /// be used from several threads).
  const networks::mdes::fle_recipient* mdes_issuer = nullptr;
};

struct card_entry {
  std::string id;
  std::string pan;
  std::string phone;
  std::size_t partner = 0;
  unsigned used = 0; ///< tokens created on it
  /// --network mdes: `cardInfo`, the card data encrypted to the issuer once
  /// when the card is made and sent with every authorizeService for it
  /// (the client's encryption is kept out of the measured requests; the
  /// server decrypts it on every one).
  json::object card_info;
};

struct token_entry {
  std::string ref;
  std::size_t card = 0;
  std::string state;       ///< last acknowledged
  std::string maybe_state; ///< an unanswered change that may have happened
  bool mdes = false;       ///< made over MDES: the network changes it (notifyTokenUpdated)
};

/// Outcome of one request.
struct answer {
  enum class what { answered, failed, stopped } outcome = what::failed;
  unsigned status = 0;
  json::value body;
};

std::string field(const json::value& v, std::string_view key) {
  if (const auto* o = v.if_object())
    if (const auto* f = o->if_contains(key))
      if (const auto* s = f->if_string())
        return std::string{s->data(), s->size()};
  return {};
}

std::string fmt_count(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  std::string s = buf;
  std::string out;
  const std::size_t neg = !s.empty() && s[0] == '-' ? 1 : 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > neg && (s.size() - i) % 3 == 0)
      out.push_back(',');
    out.push_back(s[i]);
  }
  return out;
}

/// One keep-alive connection and the cards and tokens it owns (no other
/// connection touches them, so the expected state of each is known).
class connection {
public:
  connection(asio::io_context& ioc, run_state& run, recorder& rec, std::size_t index,
             std::uint64_t seed)
      : run_(run), rec_(rec), index_(index), stream_(ioc), timer_(ioc), rng_(seed) {}

  awaitable<void> setup() {
    for (unsigned i = 0; i < run_.opt.setup_cards; ++i) {
      const bool created = co_await new_card(phase::setup);
      if (!created)
        break;
    }
  }

  awaitable<void> measure() {
    done_ = false;
    const auto& w = run_.opt.weights;
    for (std::uint64_t n = 0; n < max_flows_per_connection && !done_; ++n) {
      switch (run_.opt.scenario) {
      case scenario_kind::get:
        co_await flow_get();
        break;
      case scenario_kind::provision:
        co_await flow_push();
        break;
      case scenario_kind::tokenize:
        co_await flow_tokenize();
        break;
      case scenario_kind::mix: {
        std::uniform_int_distribution<unsigned> pick{0, w.sum() - 1};
        unsigned x = pick(rng_);
        if (x < w.push) {
          co_await flow_push();
          break;
        }
        x -= w.push;
        if (x < w.manual_otp) {
          co_await flow_manual(verification_kind::otp);
          break;
        }
        x -= w.manual_otp;
        if (x < w.inapp_approve) {
          co_await flow_manual(verification_kind::approve);
          break;
        }
        x -= w.inapp_approve;
        if (x < w.inapp_decline) {
          co_await flow_manual(verification_kind::decline);
          break;
        }
        x -= w.inapp_decline;
        if (x < w.lifecycle) {
          co_await flow_lifecycle();
          break;
        }
        co_await new_card(phase::measured);
        break;
      }
      }
    }
  }

  /// Reads back every owned card and token.
  awaitable<void> verify(verify_summary& out) {
    for (const auto& c : cards_) {
      ++out.cards_checked;
      auto a = co_await call(bhttp::verb::get, "/v1/cards/" + c.id, {}, partner_key(c.partner),
                             kind::create_card, phase::verify);
      check(out, a, "card " + c.id, field(a.body, "id") == c.id, "");
    }
    for (const auto& t : tokens_) {
      ++out.tokens_checked;
      auto a =
          co_await call(bhttp::verb::get, "/v1/digital-wallet-tokens/" + t.ref, {},
                        partner_key(cards_[t.card].partner), kind::push_provision, phase::verify);
      const auto state = field(a.body, "state");
      const bool ok = state == t.state || (!t.maybe_state.empty() && state == t.maybe_state);
      check(out, a, "token " + t.ref, ok,
            "state " + state + ", acknowledged " + t.state +
                (t.maybe_state.empty() ? "" : " (or unanswered " + t.maybe_state + ")"));
    }
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    connected_ = false;
  }

private:
  enum class verification_kind { otp, approve, decline };

  const std::string& partner_key(std::size_t p) const { return run_.opt.partner_keys[p]; }

  static void check(verify_summary& out, const answer& a, const std::string& what, bool ok,
                    const std::string& detail) {
    auto example = [&](const std::string& s) {
      if (out.examples.size() < verify_summary::max_examples)
        out.examples.push_back(s);
    };
    if (a.outcome != answer::what::answered || a.status >= 500 || a.status == 429) {
      ++out.unreadable;
      example(what + ": unreadable (status " + std::to_string(a.status) + ")");
    } else if (a.status == 404) {
      ++out.missing;
      example(what + ": missing (404)");
    } else if (a.status != 200 || !ok) {
      ++out.wrong;
      example(what + ": status " + std::to_string(a.status) + " " + detail);
    } else {
      ++out.matched;
    }
  }

  std::string idem_key() {
    std::uniform_int_distribution<std::uint64_t> d;
    char buf[48];
    std::snprintf(buf, sizeof buf, "load-%zu-%016llx", index_,
                  static_cast<unsigned long long>(d(rng_)));
    return buf;
  }

  /// One request and its answer, paced by the schedule when measured.
  awaitable<answer> exchange(bhttp::verb verb, const std::string& target, const std::string& body,
                             const std::string& key, kind k, phase ph, const std::string& idem) {
    answer a;
    beast::error_code ec;
    const auto& opt = run_.opt;
    if (backoff_until_ > steady::now()) {
      timer_.expires_at(backoff_until_);
      co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    steady::time_point due = steady::now();
    if (ph == phase::measured) {
      if (opt.mode == run_mode::closed) {
        if (due >= run_.end) {
          done_ = true;
          a.outcome = answer::what::stopped;
          co_return a;
        }
      } else {
        const auto slot = run_.next_slot.fetch_add(1, std::memory_order_relaxed);
        if (slot >= run_.total_slots || due >= run_.hard_end) {
          done_ = true;
          a.outcome = answer::what::stopped;
          co_return a;
        }
        due = run_.start + std::chrono::duration_cast<steady::duration>(
                               std::chrono::duration<double>(run_.sched.time_of(slot)));
        if (due > steady::now()) {
          timer_.expires_at(due);
          co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
        }
      }
    }
    const auto timeout = std::chrono::milliseconds(opt.timeout_ms);
    if (!connected_) {
      stream_.expires_after(timeout);
      co_await stream_.async_connect(run_.endpoint, asio::redirect_error(use_awaitable, ec));
      if (ec) {
        record(k, ph, a, due);
        close();
        co_return a;
      }
      stream_.socket().set_option(tcp::no_delay(true), ec);
      connected_ = true;
    }
    bhttp::request<bhttp::string_body> req{verb, target, 11};
    req.set(bhttp::field::host, opt.host);
    req.set(bhttp::field::user_agent, "dwt-load");
    if (!key.empty())
      req.set(bhttp::field::authorization, "Bearer " + key);
    if (!idem.empty())
      req.set("Idempotency-Key", idem);
    if (!body.empty()) {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    stream_.expires_after(timeout);
    co_await bhttp::async_write(stream_, req, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      record(k, ph, a, due);
      close();
      co_return a;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_body_bytes);
    co_await bhttp::async_read(stream_, buffer_, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      record(k, ph, a, due);
      close();
      co_return a;
    }
    auto& res = parser.get();
    a.outcome = answer::what::answered;
    a.status = res.result_int();
    if (!res.body().empty()) {
      json::error_code jec;
      a.body = json::parse(res.body(), jec);
    }
    if (a.status == 429 || a.status == 503) {
      auto back = std::chrono::duration_cast<steady::duration>(default_backoff);
      const auto ra = res[bhttp::field::retry_after];
      unsigned secs = 0;
      if (!ra.empty()) {
        auto [p, rec] = std::from_chars(ra.data(), ra.data() + ra.size(), secs);
        if (rec == std::errc{})
          back = std::chrono::duration_cast<steady::duration>(
              std::min(std::chrono::seconds(secs), max_backoff));
      }
      backoff_until_ = steady::now() + back;
    }
    record(k, ph, a, due);
    if (!res.keep_alive())
      close();
    co_return a;
  }

  void record(kind k, phase ph, const answer& a, steady::time_point due) {
    const auto now = steady::now();
    std::lock_guard lock{rec_.mu};
    if (ph != phase::measured) {
      if (ph == phase::setup)
        ++rec_.setup_requests;
      return;
    }
    counters c;
    c.sent = 1;
    if (a.outcome != answer::what::answered)
      c.transport_errors = 1;
    else if (a.status >= 200 && a.status < 300) {
      c.ok = 1;
      c.acknowledged = changes_state(k) ? 1 : 0;
    } else if (a.status == 429)
      c.status_429 = 1;
    else if (a.status == 503)
      c.status_503 = 1;
    else if (a.status >= 500)
      c.server_errors = 1;
    else
      c.client_errors = 1;
    const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::nanoseconds>(now - due).count()));
    const auto ki = static_cast<std::size_t>(k);
    rec_.totals.add(c);
    rec_.kind_counters[ki].add(c);
    if (a.outcome == answer::what::answered) {
      rec_.all.record(ns);
      rec_.kind_latency[ki].record(ns);
    }
    const auto since = std::chrono::duration<double>(now - run_.start).count();
    auto sec = static_cast<std::size_t>(std::max(0.0, since));
    sec = std::min(sec, rec_.seconds.size() - 1);
    rec_.seconds[sec].c.add(c);
    if (a.outcome == answer::what::answered)
      rec_.seconds[sec].latency.record(ns);
  }

  /// exchange, repeated after 429/503 (with the back-off) up to --max-retries.
  awaitable<answer> call(bhttp::verb verb, const std::string& target, const std::string& body,
                         const std::string& key, kind k, phase ph) {
    const std::string idem =
        run_.opt.idempotency_keys && verb == bhttp::verb::post ? idem_key() : std::string{};
    answer a;
    for (unsigned attempt = 0; attempt <= run_.opt.max_retries; ++attempt) {
      a = co_await exchange(verb, target, body, key, k, ph, idem);
      if (a.outcome != answer::what::answered || (a.status != 429 && a.status != 503))
        break;
    }
    co_return a;
  }

  std::string make_phone() {
    const auto n = run_.next_phone.fetch_add(1, std::memory_order_relaxed);
    char buf[32];
    std::snprintf(buf, sizeof buf, "+447%02u%07llu", run_.phone_prefix % 100,
                  static_cast<unsigned long long>(n % 10'000'000));
    return buf;
  }

  std::string device_json() {
    std::uniform_int_distribution<std::uint64_t> d;
    json::object dev;
    char id[40];
    std::snprintf(id, sizeof id, "dev-%016llx", static_cast<unsigned long long>(d(rng_)));
    dev["id"] = id;
    dev["type"] = "PHONE";
    dev["name"] = "load phone";
    return json::serialize(dev);
  }

  /// Creates a profile and a card; true if both were acknowledged.
  awaitable<bool> new_card(phase ph) {
    const std::size_t partner = (index_ + cards_.size()) % run_.opt.partner_keys.size();
    const auto& key = partner_key(partner);
    card_entry c;
    c.phone = make_phone();
    c.partner = partner;
    c.pan = generate_pan(rng_);
    json::object p;
    p["phoneNumber"] = c.phone;
    auto a = co_await call(bhttp::verb::post, "/v1/profiles", json::serialize(p), key,
                           kind::create_profile, ph);
    const auto profile = field(a.body, "id");
    if (a.status != 201 || profile.empty())
      co_return false;
    json::object body;
    body["profileId"] = profile;
    body["pan"] = c.pan;
    body["expiryMonth"] = 12;
    body["expiryYear"] = 2030;
    body["cardProduct"] = run_.opt.card_product;
    body["type"] = "VIRTUAL";
    body["phoneNumber"] = c.phone;
    a = co_await call(bhttp::verb::post, "/v1/cards", json::serialize(body), key, kind::create_card,
                      ph);
    c.id = field(a.body, "id");
    if (a.status != 201 || c.id.empty())
      co_return false;
    if (run_.mdes_issuer != nullptr) {
      mdes_sim::card card;
      card.pan = c.pan;
      card.expiry_month = "12";
      card.expiry_year = "30";
      card.source = "CARD_ON_FILE";
      const auto valid_until =
          mdes_sim::iso8601(std::chrono::system_clock::now() + mdes_card_data_validity);
      auto info = mdes_sim::encrypt_card_info(card, valid_until, *run_.mdes_issuer,
                                              networks::mdes::key_wrap::oaep_sha256, secure_);
      if (!info)
        co_return false;
      c.card_info = std::move(*info);
    }
    cards_.push_back(std::move(c));
    co_return true;
  }

  /// The outcome of one network tokenisation request.
  struct tokenized {
    answer a;
    std::string ref;
    /// In /network/v1's words: APPROVED, REQUIRE_VERIFICATION, DECLINED.
    std::string decision;
    std::string state;
  };

  /// One network tokenisation request for card `ci` with the network's
  /// recommendation `colour` (GREEN, YELLOW, RED): /network/v1's
  /// tokenization-requests, or MDES's authorizeService (APPROVED,
  /// REQUIRE_ADDITIONAL_AUTHENTICATION, DECLINED) with the card's `cardInfo`
  /// and a fresh correlationId, which names the token `mdes-c-{correlationId}`.
  awaitable<tokenized> tokenize(std::size_t ci, std::string_view colour) {
    tokenized t;
    const auto& card = cards_[ci];
    const auto& net = run_.opt.network_key;
    if (run_.opt.network == network_kind::dwt) {
      json::object body;
      body["pan"] = card.pan;
      body["expiryMonth"] = 12;
      body["expiryYear"] = 2030;
      body["walletProvider"] = "APPLE_PAY";
      body["device"] = json::parse(device_json());
      body["walletRecommendation"] = colour;
      t.a = co_await call(bhttp::verb::post, "/network/v1/tokenization-requests",
                          json::serialize(body), net, kind::tokenize, phase::measured);
      if (t.a.status == 200) {
        t.ref = field(t.a.body, "tokenUniqueReference");
        t.decision = field(t.a.body, "decision");
        t.state = field(t.a.body, "state");
      }
      co_return t;
    }
    mdes_sim::id_source ids{secure_};
    mdes_sim::authorize_params p;
    p.request_id = ids.request_id();
    p.correlation_id = ids.correlation_id();
    p.payment_app_instance_id = ids.payment_app_instance_id();
    p.recommendation = colour == "GREEN" ? "APPROVED"
                       : colour == "RED" ? "DECLINED"
                                         : "REQUIRE_ADDITIONAL_AUTHENTICATION";
    t.a = co_await call(bhttp::verb::post, run_.opt.mdes_root + "/authorizeService",
                        json::serialize(mdes_sim::authorize_service(p, card.card_info)), net,
                        kind::authorize_service, phase::measured);
    if (t.a.status != 200)
      co_return t;
    const auto decision = field(t.a.body, "decision");
    t.ref = mdes_sim::dwt_token_ref(p.correlation_id);
    if (decision == "APPROVED") {
      t.decision = "APPROVED";
      t.state = "ACTIVE";
    } else if (decision == "REQUIRE_ADDITIONAL_AUTHENTICATION") {
      t.decision = "REQUIRE_VERIFICATION";
      t.state = "REQUESTED";
    } else {
      t.decision = "DECLINED";
      t.state = "REQUEST_DECLINED";
    }
    co_return t;
  }

  /// MDES tells the issuer the token is active (after the step-up).
  awaitable<void> notify_activated(const token_entry& t) {
    mdes_sim::id_source ids{secure_};
    mdes_sim::activated_params p;
    p.request_id = ids.request_id();
    p.tur = ids.token_unique_reference();
    p.correlation_id = t.ref.substr(std::string_view{"mdes-c-"}.size());
    (void)co_await call(bhttp::verb::post, run_.opt.mdes_root + "/notifyServiceActivated",
                        json::serialize(mdes_sim::notify_service_activated(p)),
                        run_.opt.network_key, kind::notify_activated, phase::measured);
  }

  /// One token approval per request (`--scenario tokenize`).
  awaitable<void> flow_tokenize() {
    auto ci = co_await card_with_budget();
    if (!ci)
      co_return;
    ++cards_[*ci].used;
    auto t = co_await tokenize(*ci, "GREEN");
    if (!t.ref.empty())
      tokens_.push_back(
          token_entry{t.ref, *ci, t.state, {}, run_.opt.network == network_kind::mdes});
  }

  /// A card with budget left, creating one (measured) if none.
  awaitable<std::optional<std::size_t>> card_with_budget() {
    while (current_card_ < cards_.size() && cards_[current_card_].used >= run_.opt.tokens_per_card)
      ++current_card_;
    // (No co_await inside a condition: GCC 12 miscompiles it.)
    if (current_card_ >= cards_.size()) {
      const bool created = co_await new_card(phase::measured);
      if (!created)
        co_return std::nullopt;
    }
    if (current_card_ >= cards_.size())
      co_return std::nullopt;
    co_return current_card_;
  }

  awaitable<void> flow_get() {
    (void)co_await exchange(bhttp::verb::get, run_.opt.path, {}, {}, kind::get, phase::measured,
                            {});
  }

  awaitable<void> flow_push() {
    auto ci = co_await card_with_budget();
    if (!ci)
      co_return;
    auto& card = cards_[*ci];
    ++card.used;
    json::object body;
    body["walletProvider"] = "GOOGLE_PAY";
    body["device"] = json::parse(device_json());
    auto a = co_await call(bhttp::verb::post, "/v1/cards/" + card.id + "/digital-wallet-tokens",
                           json::serialize(body), partner_key(card.partner), kind::push_provision,
                           phase::measured);
    const auto ref = field(a.body, "tokenUniqueReference");
    if (a.status == 201 && !ref.empty())
      tokens_.push_back(token_entry{ref, *ci, field(a.body, "state"), {}});
  }

  awaitable<void> flow_manual(verification_kind how) {
    auto ci = co_await card_with_budget();
    if (!ci)
      co_return;
    const std::size_t card_index = *ci;
    ++cards_[card_index].used;
    const auto& card = cards_[card_index];
    const auto& net = run_.opt.network_key;
    const bool mdes = run_.opt.network == network_kind::mdes;
    auto tk = co_await tokenize(card_index, "YELLOW");
    const auto ref = tk.ref;
    if (ref.empty())
      co_return;
    tokens_.push_back(token_entry{ref, card_index, tk.state, {}, mdes});
    const std::size_t ti = tokens_.size() - 1;
    if (tk.decision != "REQUIRE_VERIFICATION")
      co_return;
    answer a;
    if (mdes) {
      // MDES asks which step-up methods the issuer offers.
      mdes_sim::id_source ids{secure_};
      const auto body =
          mdes_sim::request_activation_methods(ids.request_id(), ids.token_unique_reference(),
                                               ref.substr(std::string_view{"mdes-c-"}.size()));
      a = co_await call(bhttp::verb::post, run_.opt.mdes_root + "/requestActivationMethods",
                        json::serialize(body), net, kind::activation_methods, phase::measured);
      if (a.status != 200)
        co_return;
    }
    const std::string base = "/network/v1/tokens/" + ref + "/verification";
    const std::uint64_t seq0 = run_.sms != nullptr ? run_.sms->latest_seq(card.phone) : 0;
    json::object m;
    m["method"] = how == verification_kind::otp ? "SMS_OTP" : "IN_APP";
    a = co_await call(bhttp::verb::post, base, json::serialize(m), net, kind::verification,
                      phase::measured);
    if (a.status != 202)
      co_return;
    answer last;
    std::string target_state;
    if (how == verification_kind::otp) {
      if (run_.sms == nullptr)
        co_return;
      std::optional<std::string> code;
      const auto give_up = steady::now() + sms_wait;
      while (!(code = run_.sms->code_after(card.phone, seq0)) && steady::now() < give_up) {
        beast::error_code ec;
        timer_.expires_after(sms_poll);
        co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
      }
      if (!code) {
        std::lock_guard lock{rec_.mu};
        ++rec_.sms_timeouts;
        co_return;
      }
      json::object c;
      c["code"] = *code;
      target_state = "ACTIVE";
      last = co_await call(bhttp::verb::post, base + "/otp", json::serialize(c), net, kind::otp,
                           phase::measured);
    } else {
      json::object act;
      const bool approve = how == verification_kind::approve;
      act["activation"] = approve ? "APPROVE" : "DECLINE";
      target_state = approve ? "ACTIVE" : "REQUEST_DECLINED";
      last = co_await call(
          bhttp::verb::post, "/v1/cards/" + card.id + "/payment-tokens/" + ref + "/activation",
          json::serialize(act), partner_key(card.partner), kind::activation, phase::measured);
    }
    settle(tokens_[ti], last, target_state);
    // MDES learns of the activation from the wallet and tells the issuer.
    if (mdes && tokens_[ti].state == "ACTIVE" && tokens_[ti].maybe_state.empty())
      co_await notify_activated(tokens_[ti]);
  }

  /// Records the outcome of a change to an existing token.
  static void settle(token_entry& t, const answer& a, const std::string& target) {
    if (a.outcome == answer::what::stopped)
      return;
    if (a.outcome == answer::what::answered && a.status >= 200 && a.status < 300) {
      const auto s = field(a.body, "state");
      t.state = s.empty() ? target : s;
      t.maybe_state.clear();
    } else if (a.outcome != answer::what::answered || (a.status >= 500 && a.status != 503)) {
      t.maybe_state = target; // unanswered: may or may not have happened
    }
  }

  awaitable<void> flow_lifecycle() {
    std::optional<std::size_t> pick;
    if (!tokens_.empty()) {
      std::uniform_int_distribution<std::size_t> d{0, tokens_.size() - 1};
      for (int i = 0; i < lifecycle_picks && !pick; ++i) {
        const auto j = d(rng_);
        const auto& t = tokens_[j];
        if (t.maybe_state.empty() && (t.state == "ACTIVE" || t.state == "SUSPENDED"))
          pick = j;
      }
    }
    if (!pick) {
      co_await flow_push();
      co_return;
    }
    auto& t = tokens_[*pick];
    std::uniform_int_distribution<int> five{0, 4};
    const bool terminate = five(rng_) == 0;
    const std::string target = terminate             ? "TERMINATED"
                               : t.state == "ACTIVE" ? "SUSPENDED"
                                                     : "ACTIVE";
    if (t.mdes) {
      // The network changes its own tokens (the cardholder suspends in the
      // wallet, resumes, deletes): notifyTokenUpdated.
      const auto verb = terminate ? "delete" : target == "SUSPENDED" ? "suspend" : "resume";
      mdes_sim::id_source ids{secure_};
      const auto ntu =
          mdes_sim::notify_token_updated(ids.request_id(), {*mdes_sim::status_for(verb, t.ref)});
      auto a = co_await call(bhttp::verb::post, run_.opt.mdes_root + "/notifyTokenUpdated",
                             json::serialize(ntu), run_.opt.network_key, kind::notify_updated,
                             phase::measured);
      settle(tokens_[*pick], a, target);
      co_return;
    }
    json::object body;
    body["state"] = target;
    body["digitalWalletToken"] = t.ref;
    const auto& card = cards_[t.card];
    auto a = co_await call(
        bhttp::verb::post, "/v1/cards/" + card.id + "/digital-wallet-token-transitions",
        json::serialize(body), partner_key(card.partner), kind::transition, phase::measured);
    settle(tokens_[*pick], a, target);
  }

  run_state& run_;
  recorder& rec_;
  std::size_t index_;
  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::mt19937_64 rng_;
  /// FLE keys and IVs, MDES ids.
  engine::secure_random secure_;
  bool connected_ = false;
  bool done_ = false;
  steady::time_point backoff_until_{};
  std::vector<card_entry> cards_;
  std::size_t current_card_ = 0;
  std::vector<token_entry> tokens_;
};

/// Sums what every recorder holds (under their locks).
struct snapshot {
  counters totals;
  std::uint64_t setup_requests = 0;
  std::uint64_t sms_timeouts = 0;
};

snapshot take_snapshot(std::vector<std::unique_ptr<recorder>>& recs) {
  snapshot s;
  for (auto& r : recs) {
    std::lock_guard lock{r->mu};
    s.totals.add(r->totals);
    s.setup_requests += r->setup_requests;
    s.sms_timeouts += r->sms_timeouts;
  }
  return s;
}

/// p99 (ms) of second `sec` over every recorder; 0 if none.
double p99_of_second(std::vector<std::unique_ptr<recorder>>& recs, std::size_t sec) {
  histogram h{second_precision};
  for (auto& r : recs) {
    std::lock_guard lock{r->mu};
    if (sec < r->seconds.size())
      (void)h.merge(r->seconds[sec].latency);
  }
  return static_cast<double>(h.quantile(0.99)) / 1e6;
}

/// Prints progress while a phase runs: a bar on a TTY, plain lines otherwise.
class progress {
public:
  progress(const run_state& run, std::vector<std::unique_ptr<recorder>>& recs)
      : run_(run), recs_(recs), tty_(isatty(STDERR_FILENO) == 1) {
    interval_ = run.opt.progress_s > 0 ? run.opt.progress_s : tty_ ? 1.0 : 5.0;
    last_print_ = run.start;
  }

  void tick(bool final_line) {
    const auto now = steady::now();
    const double since_print = std::chrono::duration<double>(now - last_print_).count();
    if (!final_line && since_print < interval_)
      return;
    const auto s = take_snapshot(recs_);
    const double elapsed = std::max(0.0, std::chrono::duration<double>(now - run_.start).count());
    const double answered = static_cast<double>(s.totals.sent - s.totals.transport_errors);
    // The final line shows the whole run's average, the others the last interval's.
    const double rate = final_line        ? (elapsed > 0 ? answered / elapsed : 0)
                        : since_print > 0 ? (answered - last_answered_) / since_print
                                          : 0;
    last_answered_ = answered;
    last_print_ = now;
    const auto sec = static_cast<std::size_t>(elapsed);
    const double p99 = sec > 0 ? p99_of_second(recs_, sec - 1) : 0;
    const double dur = run_.opt.duration_s;
    char line[256];
    std::snprintf(line, sizeof line,
                  "%5.1fs/%.0fs  %s req/s  p99 %.2f ms  2xx %s  429/503 %s  errors %s", elapsed,
                  dur, fmt_count(rate).c_str(), p99,
                  fmt_count(static_cast<double>(s.totals.ok)).c_str(),
                  fmt_count(static_cast<double>(s.totals.status_429 + s.totals.status_503)).c_str(),
                  fmt_count(static_cast<double>(s.totals.errors())).c_str());
    if (tty_) {
      constexpr int bar_width = 24;
      const int filled = static_cast<int>(bar_width * std::clamp(elapsed / dur, 0.0, 1.0));
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.append(static_cast<std::size_t>(bar_width - filled), '.');
      std::fprintf(stderr, "\r[%s] %s\033[K%s", bar.c_str(), line, final_line ? "\n" : "");
    } else {
      std::fprintf(stderr, "progress %s\n", line);
    }
    std::fflush(stderr);
  }

private:
  const run_state& run_;
  std::vector<std::unique_ptr<recorder>>& recs_;
  bool tty_;
  double interval_ = 1;
  steady::time_point last_print_{};
  double last_answered_ = 0;
};

/// Runs `body(index, connection)` on every connection, one thread per io_context,
/// ticking `prog` (if any) until all are done.
template <class Body>
void run_phase(std::vector<std::unique_ptr<asio::io_context>>& iocs,
               std::vector<std::unique_ptr<connection>>& conns, Body body, progress* prog) {
  for (std::size_t i = 0; i < conns.size(); ++i)
    asio::co_spawn(*iocs[i % iocs.size()], body(i, *conns[i]), [](std::exception_ptr e) {
      if (!e)
        return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        std::fprintf(stderr, "dwt-load: connection failed: %s\n", x.what());
      }
    });
  std::atomic<std::size_t> finished{0};
  std::vector<std::thread> threads;
  threads.reserve(iocs.size());
  for (auto& ioc : iocs)
    threads.emplace_back([&finished, &ioc] {
      ioc->restart();
      ioc->run();
      finished.fetch_add(1);
    });
  constexpr auto poll = std::chrono::milliseconds(50);
  while (finished.load() < iocs.size()) {
    std::this_thread::sleep_for(poll);
    if (prog != nullptr)
      prog->tick(false);
  }
  for (auto& t : threads)
    t.join();
  if (prog != nullptr)
    prog->tick(true);
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f{path, std::ios::binary | std::ios::trunc};
  f << text;
  f.close();
  return static_cast<bool>(f);
}

} // namespace

int run(const options& opts) {
  run_state run;
  run.opt = opts;
  if (run.opt.seed == 0)
    run.opt.seed =
        (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  const auto& opt = run.opt;
  std::printf("dwt-load: target %s:%u mode %s scenario %s network %s connections %u threads %u "
              "seed %llu\n",
              opt.host.c_str(), opt.port, to_string(opt.mode), to_string(opt.scenario),
              to_string(opt.network), opt.connections, opt.threads,
              static_cast<unsigned long long>(opt.seed));
  std::fflush(stdout);

  {
    asio::io_context resolver_ctx;
    tcp::resolver resolver{resolver_ctx};
    beast::error_code ec;
    auto results = resolver.resolve(opt.host, std::to_string(opt.port), ec);
    if (ec || results.empty()) {
      std::fprintf(stderr, "dwt-load: cannot resolve %s: %s\n", opt.host.c_str(),
                   ec.message().c_str());
      return exit_failure;
    }
    run.endpoint = results.begin()->endpoint();
  }
  if (opt.mode == run_mode::burst)
    run.sched = schedule{opt.rate, opt.duration_s, opt.burst_rate, opt.burst_at_s, opt.burst_for_s};
  else
    run.sched = schedule{opt.rate, opt.duration_s};
  run.total_slots = opt.mode == run_mode::closed ? 0 : run.sched.total();
  std::mt19937_64 seeder{opt.seed};
  run.phone_prefix = static_cast<std::uint32_t>(seeder() % 100);

  std::optional<networks::mdes::fle_recipient> mdes_issuer;
  if (opt.network == network_kind::mdes) {
    auto key = networks::mdes::fle_recipient::from_pem_file(opt.mdes_issuer_key);
    if (!key) {
      std::fprintf(stderr, "dwt-load: cannot load the MDES issuer key %s\n",
                   opt.mdes_issuer_key.c_str());
      return exit_failure;
    }
    mdes_issuer.emplace(std::move(*key));
    run.mdes_issuer = &*mdes_issuer;
  }

  std::unique_ptr<sms_watcher> sms;
  if (!opt.sms_file.empty()) {
    sms = std::make_unique<sms_watcher>(opt.sms_file);
    run.sms = sms.get();
  }

  const std::size_t seconds =
      static_cast<std::size_t>(
          std::ceil(opt.duration_s + (opt.mode == run_mode::closed ? 0 : opt.drain_s))) +
      extra_seconds + static_cast<std::size_t>(std::ceil(opt.timeout_ms / 1000.0));
  std::vector<std::unique_ptr<recorder>> recs;
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  for (unsigned i = 0; i < opt.threads; ++i) {
    recs.push_back(std::make_unique<recorder>());
    recs.back()->seconds.resize(seconds);
    iocs.push_back(std::make_unique<asio::io_context>(1));
  }
  std::vector<std::unique_ptr<connection>> conns;
  for (unsigned i = 0; i < opt.connections; ++i)
    conns.push_back(std::make_unique<connection>(*iocs[i % opt.threads], run,
                                                 *recs[i % opt.threads], i, seeder()));

  const bool api = opt.scenario != scenario_kind::get;
  if (api && opt.setup_cards > 0) {
    const auto t0 = steady::now();
    run_phase(
        iocs, conns, [](std::size_t, connection& c) { return c.setup(); }, nullptr);
    const auto s = take_snapshot(recs);
    std::printf("setup: %llu requests in %.1f s\n",
                static_cast<unsigned long long>(s.setup_requests),
                std::chrono::duration<double>(steady::now() - t0).count());
    std::fflush(stdout);
  }

  // A short lead so every connection starts from the same instant.
  constexpr auto lead = std::chrono::milliseconds(20);
  run.start = steady::now() + lead;
  run.end = run.start + std::chrono::duration_cast<steady::duration>(
                            std::chrono::duration<double>(opt.duration_s));
  run.hard_end = run.end + std::chrono::duration_cast<steady::duration>(
                               std::chrono::duration<double>(opt.drain_s));
  progress prog{run, recs};
  run_phase(
      iocs, conns, [](std::size_t, connection& c) { return c.measure(); }, &prog);
  const double elapsed = std::chrono::duration<double>(steady::now() - run.start).count();
  settle_summary settle;
  if (!opt.await_zero.empty()) {
    std::printf("waiting for %s to reach 0 ...\n", opt.await_zero.c_str());
    std::fflush(stdout);
    const auto w = await_zero(
        opt.host, opt.port, opt.await_zero,
        std::chrono::milliseconds(static_cast<long long>(opt.await_timeout_s * 1000)), settle_poll);
    settle.ran = true;
    settle.gauge = opt.await_zero;
    settle.reached_zero = w.reached_zero;
    settle.seconds = w.seconds;
    settle.first_value = w.first.value_or(0);
    settle.error = w.error;
  }

  run_results r;
  r.mode = to_string(opt.mode);
  r.scenario = to_string(opt.scenario);
  if (opt.network == network_kind::mdes)
    r.scenario += " (mdes)";
  r.target = opt.host + ":" + std::to_string(opt.port);
  r.seed = opt.seed;
  r.connections = opt.connections;
  r.threads = opt.threads;
  r.rate = opt.mode == run_mode::closed ? 0 : opt.rate;
  r.burst_rate = opt.mode == run_mode::burst ? opt.burst_rate : 0;
  r.burst_at_s = opt.mode == run_mode::burst ? opt.burst_at_s : 0;
  r.burst_for_s = opt.mode == run_mode::burst ? opt.burst_for_s : 0;
  r.duration_s = opt.duration_s;
  r.elapsed_s = elapsed;
  r.settle = settle;
  histogram all;
  std::array<counters, kind_count> kc{};
  std::array<histogram, kind_count> kh{};
  std::vector<second_stats> secs(seconds);
  std::uint64_t sms_timeouts = 0;
  for (auto& rec : recs) {
    std::lock_guard lock{rec->mu};
    r.totals.add(rec->totals);
    r.setup_requests += rec->setup_requests;
    sms_timeouts += rec->sms_timeouts;
    (void)all.merge(rec->all);
    for (std::size_t k = 0; k < kind_count; ++k) {
      kc[k].add(rec->kind_counters[k]);
      (void)kh[k].merge(rec->kind_latency[k]);
    }
    for (std::size_t s = 0; s < seconds; ++s) {
      secs[s].c.add(rec->seconds[s].c);
      (void)secs[s].latency.merge(rec->seconds[s].latency);
    }
  }
  r.latency = summarize(all);
  for (std::size_t k = 0; k < kind_count; ++k)
    if (kc[k].sent > 0)
      r.kinds.emplace_back(kind_names[k], std::make_pair(kc[k], summarize(kh[k])));
  const auto last_second = std::min(seconds, static_cast<std::size_t>(std::ceil(elapsed)));
  for (std::size_t s = 0; s < last_second; ++s) {
    const auto& c = secs[s].c;
    series_point p;
    p.t_s = static_cast<double>(s);
    p.completed_per_s = static_cast<double>(c.sent - c.transport_errors);
    p.ok_per_s = static_cast<double>(c.ok);
    p.overload_per_s = static_cast<double>(c.status_429 + c.status_503);
    p.errors_per_s = static_cast<double>(c.errors());
    p.p50_ms = static_cast<double>(secs[s].latency.quantile(0.5)) / 1e6;
    p.p99_ms = static_cast<double>(secs[s].latency.quantile(0.99)) / 1e6;
    r.series.push_back(p);
  }
  const std::uint64_t unsent =
      opt.mode == run_mode::closed
          ? 0
          : run.total_slots - std::min(run.total_slots, run.next_slot.load());

  if (opt.verify && api) {
    std::vector<verify_summary> parts(conns.size());
    run_phase(
        iocs, conns, [&parts](std::size_t i, connection& c) { return c.verify(parts[i]); },
        nullptr);
    r.verify.ran = true;
    for (auto& p : parts) {
      r.verify.tokens_checked += p.tokens_checked;
      r.verify.cards_checked += p.cards_checked;
      r.verify.matched += p.matched;
      r.verify.missing += p.missing;
      r.verify.wrong += p.wrong;
      r.verify.unreadable += p.unreadable;
      for (auto& e : p.examples)
        if (r.verify.examples.size() < verify_summary::max_examples)
          r.verify.examples.push_back(e);
    }
  }
  for (auto& c : conns)
    c->close();

  const auto& t = r.totals;
  const double secs_d = elapsed > 0 ? elapsed : 1;
  std::printf(
      "\nmeasured %.2f s: sent %llu, 2xx %llu (%.0f/s), 429 %llu, 503 %llu, 4xx %llu, "
      "5xx %llu, transport errors %llu, acknowledged changes %llu%s\n",
      elapsed, static_cast<unsigned long long>(t.sent), static_cast<unsigned long long>(t.ok),
      static_cast<double>(t.ok) / secs_d, static_cast<unsigned long long>(t.status_429),
      static_cast<unsigned long long>(t.status_503),
      static_cast<unsigned long long>(t.client_errors),
      static_cast<unsigned long long>(t.server_errors),
      static_cast<unsigned long long>(t.transport_errors),
      static_cast<unsigned long long>(t.acknowledged),
      unsent > 0 ? (", not sent (past the drain limit) " + std::to_string(unsent)).c_str() : "");
  if (sms_timeouts > 0)
    std::printf("OTP SMS not seen within %lld s: %llu\n", static_cast<long long>(sms_wait.count()),
                static_cast<unsigned long long>(sms_timeouts));
  std::printf(
      "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (mean %.3f, n %llu)\n",
      r.latency.p50_ms, r.latency.p90_ms, r.latency.p99_ms, r.latency.p999_ms, r.latency.max_ms,
      r.latency.mean_ms, static_cast<unsigned long long>(r.latency.count));
  for (const auto& [name, v] : r.kinds)
    std::printf(
        "  %-18s sent %8llu  2xx %8llu  429/503 %6llu  errors %6llu  p50 %.3f  p99 %.3f ms\n",
        name.c_str(), static_cast<unsigned long long>(v.first.sent),
        static_cast<unsigned long long>(v.first.ok),
        static_cast<unsigned long long>(v.first.status_429 + v.first.status_503),
        static_cast<unsigned long long>(v.first.errors()), v.second.p50_ms, v.second.p99_ms);
  if (r.settle.ran) {
    if (r.settle.reached_zero)
      std::printf("settled: %s was %.0f at the end, 0 after %.2f s more; 2xx per second including "
                  "that: %.0f\n",
                  r.settle.gauge.c_str(), r.settle.first_value, r.settle.seconds,
                  settled_ok_per_s(t.ok, r));
    else
      std::printf("settled: NO, %s: %s\n", r.settle.gauge.c_str(), r.settle.error.c_str());
  }
  if (r.verify.ran) {
    std::printf("verify: %llu tokens, %llu cards: matched %llu, missing %llu, wrong %llu, "
                "unreadable %llu -> %s\n",
                static_cast<unsigned long long>(r.verify.tokens_checked),
                static_cast<unsigned long long>(r.verify.cards_checked),
                static_cast<unsigned long long>(r.verify.matched),
                static_cast<unsigned long long>(r.verify.missing),
                static_cast<unsigned long long>(r.verify.wrong),
                static_cast<unsigned long long>(r.verify.unreadable),
                r.verify.passed() ? "PASS" : "FAIL");
    for (const auto& e : r.verify.examples)
      std::printf("  %s\n", e.c_str());
  }
  int code = r.verify.ran && !r.verify.passed() ? exit_verify_failed : exit_ok;
  if (code == exit_ok && r.settle.ran && !r.settle.reached_zero)
    code = exit_failure; // the figure asked for could not be measured
  if (!opt.out.empty() && !write_file(opt.out, to_json(r))) {
    std::fprintf(stderr, "dwt-load: cannot write %s\n", opt.out.c_str());
    code = exit_failure;
  }
  if (!opt.svg.empty()) {
    svg_options so;
    so.title = opt.title.empty() ? "dwt-load " + r.mode + " " + r.scenario + ", " +
                                       std::to_string(opt.connections) + " connections"
                                 : opt.title;
    if (!write_file(opt.svg, to_svg(r.series, so))) {
      std::fprintf(stderr, "dwt-load: cannot write %s\n", opt.svg.c_str());
      code = exit_failure;
    }
  }
  std::fflush(stdout);
  return code;
}

} // namespace dwt::load
