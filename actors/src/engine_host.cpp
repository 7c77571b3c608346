/// @file
/// engine_host: the embedding API (dwt.hpp) over the actor runtime.
///
/// Every call is handed to one of a fixed pool of bridge actors (round
/// robin) that sends the call's request to a registry shard (or the
/// checkpointer) with `then` and hands the answer to the caller's callback:
/// no blocking receive anywhere. The bridges are long-lived: spawning and
/// destroying an actor per call cost a measurable share of a request's CPU
/// (bench/README.md, "Where the time goes now"). The callback is
/// held by a `once` guard: fired exactly once, with runtime_errc::stopping
/// if the bridge dies without an answer (shutdown), or with
/// caf::sec::request_timeout once the call is older than call_timeout
/// (call_deadlines: one watchdog for all calls, not a CAF request timeout
/// per request, which would wake CAF's clock thread on every call).

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "call_deadlines.hpp"
#include "changes.hpp"
#include "dwt/actors/runtime.hpp"
#include "dwt/dwt.hpp"
#include "dwt/engine/assert.hpp"
#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/decision.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/persistence/caf_error.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/keys.hpp"
#include "dwt/persistence/reader.hpp"
#include "expiry_scan.hpp"
#include "feed_only.hpp"
#include "lookups.hpp"
#include "network_dispatcher.hpp"
#include "webhook_config.hpp"
#include "webhook_dispatcher.hpp"
#include "webhook_io.hpp"

namespace dwt {

using actors::card_reply;
using actors::token_reply;

namespace {

/// One call for a bridge: `run(bridge)` sends the call's request from the
/// bridge, which receives the answer.
struct bridge_job {
  std::function<void(caf::event_based_actor*)> run;
};

/// How many bridges per scheduler thread: a bridge only sends a request and
/// fires a callback per call, so a few per thread keep every worker busy.
constexpr std::size_t bridges_per_scheduler_thread = 4;

/// `index` is unused: CAF 0.17.6 runs an argument-less actor function
/// through a null argument tuple (caf/detail/init_fun_factory.hpp), which
/// UBSan reports (make asan), so every actor function here takes one.
caf::behavior bridge_impl(caf::event_based_actor* self, std::size_t index) {
  (void)index;
  return {[self](bridge_job& job) { job.run(self); }};
}

/// How long a call may take before it is answered with a timeout (the
/// watchdog checks every call_watchdog_period, so at most that much later).
constexpr auto call_timeout = std::chrono::seconds{30};
constexpr auto call_watchdog_period = std::chrono::milliseconds{1000};

/// Fires a callback exactly once; with `stopping` if never fired, with
/// `request_timeout` if its deadline passes first.
template <class T>
class once final : public actors::expirable {
public:
  once(callback<T> cb, std::atomic<std::size_t>* inflight, actors::call_deadlines* deadlines)
      : cb_(std::move(cb)), inflight_(inflight), deadlines_(deadlines) {}
  once(const once&) = delete;
  once& operator=(const once&) = delete;
  ~once() override {
    if (!fired_.load())
      fire(make_error(runtime_errc::stopping));
  }
  /// Registers the deadline (once, right after construction).
  void arm(std::weak_ptr<actors::expirable> self, actors::call_deadlines::clock::time_point due) {
    ticket_ = deadlines_->add(std::move(self), due);
  }
  void fire(caf::expected<T> value) {
    if (fired_.exchange(true))
      return;
    deadlines_->remove(ticket_);
    if (cb_)
      cb_(std::move(value));
    inflight_->fetch_sub(1);
  }
  void expire() override { fire(caf::make_error(caf::sec::request_timeout)); }

private:
  callback<T> cb_;
  std::atomic<std::size_t>* inflight_;
  actors::call_deadlines* deadlines_;
  actors::call_deadlines::ticket ticket_ = 0;
  std::atomic<bool> fired_{false};
};

template <class T>
using guard_ptr = std::shared_ptr<once<T>>;

/// The alternative T of a reply variant.
template <class T, class Variant>
caf::expected<T> extract(Variant& v) {
  if (auto* p = std::get_if<T>(&v))
    return std::move(*p);
  return make_error(runtime_errc::internal, "unexpected reply type");
}

template <class T, class Reply, class Handle, class Msg>
void forward(caf::event_based_actor* self, const Handle& target, Msg msg, guard_ptr<T> g) {
  self->request(target, caf::infinite, std::move(msg))
      .then([g](Reply& r) { g->fire(extract<T>(r)); },
            [g](caf::error& e) { g->fire(std::move(e)); });
}

/// The outbox event `ref` of `partner` (another partner's event, or none:
/// runtime_errc::event_not_found).
caf::expected<persistence::outbox_event>
find_event(const persistence::reader& rd, const engine::partner_id& partner, const event_ref& ref) {
  std::uint64_t seq = 0;
  if (const auto* id = std::get_if<std::string>(&ref)) {
    if (!persistence::keys::valid_id(*id))
      return make_error(runtime_errc::event_not_found);
    auto s = rd.outbox_seq_of_event(*id);
    if (!s)
      return s.code() == persistence::errc::not_found ? make_error(runtime_errc::event_not_found)
                                                      : persistence::to_caf_error(s.err());
    seq = *s;
  } else {
    seq = std::get<std::uint64_t>(ref);
  }
  auto ev = rd.outbox_event_at(seq);
  if (!ev)
    return ev.code() == persistence::errc::not_found ? make_error(runtime_errc::event_not_found)
                                                     : persistence::to_caf_error(ev.err());
  if (ev->partner != partner)
    return make_error(runtime_errc::event_not_found);
  return std::move(*ev);
}

caf::error conflict_to_idempotency(caf::error err, bool has_key) {
  if (has_key && actors::is_conflict(err))
    return make_error(runtime_errc::idempotency_in_progress);
  return err;
}

} // namespace
} // namespace dwt

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::bridge_job)

namespace dwt {

struct engine_host::impl {
  engine_options options;
  /// Deadlines of calls in flight; outlives every bridge (declared first).
  std::shared_ptr<actors::call_deadlines> deadlines = std::make_shared<actors::call_deadlines>();
  std::unique_ptr<persistence::env> store;
  std::unique_ptr<persistence::group_commit_writer> writer;
  std::unique_ptr<caf::actor_system_config> cfg;
  std::unique_ptr<caf::actor_system> system;
  std::shared_ptr<actors::runtime> rt;
  std::atomic<bool> accepting{false};
  std::atomic<std::size_t> inflight{0};
  std::atomic<bool> scan_stop{false};
  std::thread scanner;
  /// Deletes expired idempotency records (unset when turned off).
  caf::actor sweeper;
  /// Fires due verification deadlines (expiry_scheduler.cpp).
  caf::actor expiry;
  /// Answers calls older than call_timeout (call_deadlines).
  caf::actor watchdog;
  /// The bridges calls are handed to (round robin by next_bridge).
  std::vector<caf::actor> bridges;
  std::atomic<std::size_t> next_bridge{0};
  std::mutex stop_mutex;
  bool stopped = false;
  // Webhooks (only when endpoints are configured). Declared after `system`
  // so that they are destroyed first: io handlers hold actor handles.
  std::vector<actors::endpoint_entry> endpoints;
  std::unique_ptr<actors::webhook_io> webhook_io;
  actors::webhook_dispatcher_actor dispatcher;
  std::shared_ptr<actors::webhook_counters> webhook_counters =
      std::make_shared<actors::webhook_counters>();
  // Issuer → network calls (only when a Customer Service URL is set).
  networks::pkey_ptr mdes_signing_key;
  std::unique_ptr<actors::network_io> network_io;
  caf::actor network_dispatcher;

  /// Stops the network dispatcher (waits until it has terminated), then
  /// its I/O (a call in flight is cancelled: the command stays pending and
  /// is made again after the next start).
  void stop_network() {
    if (network_dispatcher && system) {
      caf::scoped_actor waiter{*system};
      waiter->send_exit(network_dispatcher, caf::exit_reason::user_shutdown);
      waiter->wait_for(network_dispatcher);
    }
    network_dispatcher = caf::actor{};
    if (network_io)
      network_io->stop();
  }

  /// Stops the dispatcher (waits until it has terminated), then its I/O.
  void stop_webhooks() {
    if (dispatcher && system) {
      caf::scoped_actor waiter{*system};
      waiter->send_exit(dispatcher, caf::exit_reason::user_shutdown);
      waiter->wait_for(dispatcher);
    }
    dispatcher = actors::webhook_dispatcher_actor{};
    if (webhook_io)
      webhook_io->stop();
  }

  /// Runs `f(self, guard)` inside one of the bridges.
  template <class T, class F>
  void async(callback<T> done, F f) {
    inflight.fetch_add(1);
    if (!accepting.load()) {
      inflight.fetch_sub(1);
      if (done)
        done(make_error(runtime_errc::stopping));
      return;
    }
    auto g = std::make_shared<once<T>>(std::move(done), &inflight, deadlines.get());
    g->arm(g, actors::call_deadlines::clock::now() + call_timeout);
    auto& bridge = bridges[next_bridge.fetch_add(1, std::memory_order_relaxed) % bridges.size()];
    caf::anon_send(bridge, bridge_job{[g = std::move(g), f = std::move(f)](
                                          caf::event_based_actor* self) mutable { f(self, g); }});
  }

  template <class T>
  void token_call(engine::token_ref ref, actors::token_command cmd, callback<T> done) {
    async<T>(std::move(done), [this, ref = std::move(ref), cmd = std::move(cmd)](
                                  caf::event_based_actor* self, guard_ptr<T> g) mutable {
      auto shard = rt->shard_for(ref.value);
      forward<T, token_reply>(self, shard, actors::token_request{std::move(ref), std::move(cmd)},
                              g);
    });
  }

  template <class T>
  void card_call(engine::card_id id, actors::card_command cmd, callback<T> done) {
    async<T>(std::move(done), [this, id = std::move(id), cmd = std::move(cmd)](
                                  caf::event_based_actor* self, guard_ptr<T> g) mutable {
      if (id.empty()) {
        auto rng = rt->make_random();
        id = engine::card_id{engine::pan::generate_time_ordered_id("card_", rt->now(), *rng)};
      }
      auto shard = rt->shard_for(id.value);
      forward<T, card_reply>(self, shard, actors::card_request{std::move(id), std::move(cmd)}, g);
    });
  }

  /// Commits `unit` through the checkpointer and answers `value` once durable.
  template <class T>
  void commit_then(caf::event_based_actor* self, persistence::write_unit unit, T value,
                   bool has_key, guard_ptr<T> g) {
    self->request(rt->checkpointer, caf::infinite, actors::commit_request{std::move(unit)})
        .then([g, value = std::move(value)](
                  actors::commit_reply&) mutable { g->fire(std::move(value)); },
              [g, has_key](caf::error& e) {
                g->fire(conflict_to_idempotency(std::move(e), has_key));
              });
  }

  /// Runs `f(reader)` on a fresh read snapshot, closed before this returns
  /// (so `f` must return owned values: nothing may point into the
  /// snapshot); a snapshot that cannot be opened is the error.
  template <class F>
  auto with_snapshot(F&& f) -> decltype(f(std::declval<const persistence::reader&>())) {
    auto rd = persistence::reader::begin(*store);
    if (!rd)
      return persistence::to_caf_error(rd.err());
    return f(*rd);
  }

  /// The profile `id` if `partner` owns it (else profile_not_found).
  caf::expected<engine::profile_record> partner_profile(const engine::partner_id& partner,
                                                        const engine::profile_id& id) {
    return with_snapshot(
        [&](const persistence::reader& rd) -> caf::expected<engine::profile_record> {
          auto p = rd.profile(id);
          if (p && p->partner == partner)
            return std::move(*p);
          if (p || p.code() == persistence::errc::not_found)
            return engine::make_error(engine::errc::profile_not_found);
          return persistence::to_caf_error(p.err());
        });
  }

  /// The outbox event `ref` if it is `partner`'s (else event_not_found).
  caf::expected<persistence::outbox_event> partner_event(const engine::partner_id& partner,
                                                         const event_ref& ref) {
    return with_snapshot(
        [&](const persistence::reader& rd) { return find_event(rd, partner, ref); });
  }

  void stop() {
    std::lock_guard<std::mutex> guard{stop_mutex};
    if (stopped)
      return;
    stopped = true;
    accepting.store(false);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    while (inflight.load() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    scan_stop.store(true);
    if (scanner.joinable())
      scanner.join();
    stop_network();
    stop_webhooks();
    if (sweeper)
      caf::anon_send_exit(sweeper, caf::exit_reason::user_shutdown);
    if (expiry)
      caf::anon_send_exit(expiry, caf::exit_reason::user_shutdown);
    if (watchdog)
      caf::anon_send_exit(watchdog, caf::exit_reason::user_shutdown);
    // A bridge still waiting for an answer drops its guards here: those
    // calls are answered with `stopping`.
    for (auto& b : bridges)
      caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
    if (system) {
      shutdown_runtime(*system, *rt);
      system.reset(); // waits for every actor to finish
    }
    if (writer)
      writer->stop();
    writer.reset();
    rt.reset();
    if (store && options.store.mode == persistence::durability::nosync)
      (void)store->sync();
    store.reset();
  }
};

caf::expected<std::unique_ptr<engine_host>> engine_host::start(engine_options options) {
  auto normalised = actors::normalise_options(std::move(options));
  if (!normalised)
    return std::move(normalised.error());
  auto self = std::make_unique<impl>();
  self->options = std::move(*normalised);
  if (!self->options.webhooks.empty()) {
    auto endpoints = actors::parse_webhook_endpoints(self->options);
    if (!endpoints)
      return std::move(endpoints.error());
    self->endpoints = std::move(*endpoints);
    auto io = actors::webhook_io::start(self->options.dispatcher);
    if (!io)
      return std::move(io.error());
    self->webhook_io = std::move(*io);
  }
  if (!self->options.mdes.url.empty()) {
    auto key = actors::check_mdes_options(self->options.mdes);
    if (!key)
      return std::move(key.error());
    self->mdes_signing_key = std::move(*key);
    auto io = actors::network_io::start(self->options.mdes);
    if (!io)
      return std::move(io.error());
    self->network_io = std::move(*io);
  }
  auto env = persistence::env::open(self->options.store);
  if (!env)
    return persistence::to_caf_error(env.err());
  self->store = std::move(*env);
  if (!self->options.partners.empty()) {
    persistence::write_unit unit;
    for (const auto& p : self->options.partners)
      unit.put_partner(p);
    if (auto r = persistence::commit_now(*self->store, unit); !r)
      return persistence::to_caf_error(r.err());
  }
  // Events of partners without an endpoint will never be delivered: out of
  // outbox_pending with them (actors/README.md, "Feed-only events").
  auto endpoints = actors::endpoint_partners_of(self->options);
  if (auto r = actors::make_feed_only(*self->store, *endpoints, self->options.clock()); !r)
    return persistence::to_caf_error(r.err());
  auto writer = persistence::group_commit_writer::start(*self->store, self->options.commit);
  if (!writer)
    return persistence::to_caf_error(writer.err());
  self->writer = std::move(*writer);

  self->cfg = std::make_unique<caf::actor_system_config>();
  self->cfg->set("scheduler.policy", caf::atom_from_string(self->options.scheduler_policy));
  if (self->options.scheduler_threads > 0)
    self->cfg->set("scheduler.max-threads", self->options.scheduler_threads);
  self->system = std::make_unique<caf::actor_system>(*self->cfg);

  self->rt = std::make_shared<actors::runtime>();
  self->rt->options = self->options;
  self->rt->store = self->store.get();
  if (self->webhook_io) {
    auto ctx = std::make_shared<actors::dispatcher_context>();
    ctx->options = self->options;
    ctx->store = self->store.get();
    ctx->writer = self->writer.get();
    ctx->sender = &self->webhook_io->sender();
    ctx->endpoints = self->endpoints;
    ctx->counters = self->webhook_counters;
    self->dispatcher = actors::spawn_webhook_dispatcher(*self->system, std::move(ctx));
  }
  if (self->network_io) {
    auto ctx = std::make_shared<actors::network_dispatcher_context>();
    ctx->options = self->options;
    ctx->store = self->store.get();
    ctx->signing_key = std::move(self->mdes_signing_key);
    ctx->client = self->network_io->client();
    self->network_dispatcher = actors::spawn_network_dispatcher(*self->system, std::move(ctx));
  }
  self->rt->checkpointer = actors::spawn_checkpointer(
      *self->system, *self->writer, self->dispatcher, self->network_dispatcher, endpoints);
  if (self->network_dispatcher)
    caf::anon_send(self->network_dispatcher, actors::nd_start{self->rt->checkpointer});
  actors::spawn_runtime(*self->system, self->rt);
  if (self->rt->options.idempotency_sweep_interval.count() > 0)
    self->sweeper = actors::spawn_idempotency_sweeper(*self->system, self->rt);
  self->watchdog =
      actors::spawn_call_watchdog(*self->system, self->deadlines, call_watchdog_period);
  const auto bridge_count =
      bridges_per_scheduler_thread * std::max<std::size_t>(1, self->options.scheduler_threads);
  for (std::size_t i = 0; i < bridge_count; ++i)
    self->bridges.push_back(self->system->spawn(bridge_impl, i));
  self->accepting.store(true);

  // Verification deadlines are durable: the scheduler's first round (at
  // once) fires those that passed while the engine was down. In the
  // background, REQUESTED tokens written before the deadline index existed
  // get their deadline (a pass over tokens_requested only; no actor is
  // activated). Until then a read of such a token still checks
  // created_at + verification_expiry itself.
  self->expiry = actors::spawn_expiry_scheduler(*self->system, self->rt);
  auto* host = self.get();
  self->scanner = std::thread{[host] {
    (void)actors::index_missing_deadlines(*host->store, host->rt->options.verification_expiry,
                                          host->scan_stop);
  }};
  return std::unique_ptr<engine_host>{new engine_host(std::move(self))};
}

engine_host::engine_host(std::unique_ptr<impl> self) : self_(std::move(self)) {}

engine_host::~engine_host() {
  stop();
}

void engine_host::stop() {
  if (self_)
    self_->stop();
}

bool engine_host::ready() const noexcept {
  return self_ && self_->accepting.load();
}

runtime_stats engine_host::stats() const {
  runtime_stats s;
  if (!self_ || !self_->rt)
    return s;
  const auto& c = *self_->rt->counters;
  s.live_cards = c.live_cards.load();
  s.live_tokens = c.live_tokens.load();
  s.activations = c.activations.load();
  s.passivations = c.passivations.load();
  s.idempotency_sweeps = c.idempotency_sweeps.load();
  s.idempotency_swept = c.idempotency_swept.load();
  for (std::size_t i = 0; i < actors::decision_slots; ++i) {
    if (const auto n = c.decisions[i].load(std::memory_order_relaxed); n != 0)
      s.decisions.push_back(
          decision_count{static_cast<engine::decision>(i / actors::decision_reason_slots),
                         static_cast<engine::errc>(i % actors::decision_reason_slots), n});
  }
  s.verification.otp_sent = c.otp_sent.load();
  for (std::size_t i = 0; i < actors::otp_result_slots; ++i)
    s.verification.otp_checks[i] = c.otp_checks[i].load();
  s.verification.sms_sent = c.sms_sent.load();
  s.verification.sms_failed = c.sms_failed.load();
  if (self_->writer)
    s.commit = self_->writer->stats();
  const auto& w = *self_->webhook_counters;
  s.webhooks.delivered = w.delivered.load();
  s.webhooks.failed_attempts = w.failed_attempts.load();
  s.webhooks.dead_lettered = w.dead_lettered.load();
  s.webhooks.pending = w.pending.load();
  s.webhooks.in_flight = w.in_flight.load();
  s.webhooks.record_failures = w.record_failures.load();
  if (const auto oldest = w.oldest_undelivered_ms.load(); oldest != 0) {
    const auto now = self_->options.clock().time_since_epoch().count();
    s.webhooks.oldest_undelivered_age =
        std::chrono::milliseconds{std::max<std::int64_t>(0, now - oldest)};
  }
  if (self_->store) {
    s.store = self_->store->info();
    if (auto rd = persistence::reader::begin(*self_->store)) {
      if (auto n = rd->entries(persistence::db::outbox_pending))
        s.outbox_pending = *n;
      if (auto n = rd->entries(persistence::db::network_commands_pending))
        s.network_commands_pending = *n;
      if (auto n = rd->entries(persistence::db::idempotency))
        s.idempotency_records = *n;
    }
  }
  return s;
}

caf::expected<std::optional<persistence::idempotency_record>>
engine_host::find_idempotent(const engine::partner_id& scope, const std::string& key) const {
  if (!self_ || !self_->store || !self_->accepting.load())
    return make_error(runtime_errc::stopping);
  auto rd = persistence::reader::begin(*self_->store);
  if (!rd)
    return persistence::to_caf_error(rd.err());
  auto rec = rd->idempotency(scope, key);
  if (!rec) {
    if (rec.code() == persistence::errc::not_found)
      return std::optional<persistence::idempotency_record>{};
    return persistence::to_caf_error(rec.err());
  }
  if (rec->expires_at <= self_->options.clock())
    return std::optional<persistence::idempotency_record>{};
  return std::optional<persistence::idempotency_record>{std::move(*rec)};
}

// -- profiles ------------------------------------------------------------------

void engine_host::create_profile(engine::partner_id partner, profile_create req,
                                 std::optional<idempotency<engine::profile_record>> idem,
                                 callback<engine::profile_record> done) {
  auto* s = self_.get();
  s->async<engine::profile_record>(
      std::move(done),
      [s, partner = std::move(partner), req = std::move(req), idem = std::move(idem)](
          caf::event_based_actor* self, guard_ptr<engine::profile_record> g) mutable {
        if (!engine::is_e164(req.phone_number)) {
          g->fire(engine::make_error(engine::errc::invalid_request, "phoneNumber must be E.164"));
          return;
        }
        auto rng = s->rt->make_random();
        auto now = s->rt->now();
        engine::profile_record rec;
        rec.id = engine::profile_id{engine::pan::generate_time_ordered_id("prof_", now, *rng)};
        rec.partner = partner;
        rec.phone_number = req.phone_number;
        rec.email = req.email;
        rec.created_at = now;
        rec.updated_at = now;
        persistence::write_unit unit;
        unit.put_profile_if_absent(rec);
        actors::add_idempotency(unit, partner, idem, rec, now);
        s->commit_then(self, std::move(unit), rec, idem.has_value(), g);
      });
}

void engine_host::update_profile(engine::partner_id partner, engine::profile_id id,
                                 profile_patch patch,
                                 std::optional<idempotency<engine::profile_record>> idem,
                                 callback<engine::profile_record> done) {
  auto* s = self_.get();
  s->async<engine::profile_record>(
      std::move(done),
      [s, partner = std::move(partner), id = std::move(id), patch = std::move(patch),
       idem = std::move(idem)](caf::event_based_actor* self,
                               guard_ptr<engine::profile_record> g) mutable {
        auto found = s->partner_profile(partner, id);
        if (!found) {
          g->fire(std::move(found.error()));
          return;
        }
        auto rec = std::move(*found);
        if (patch.phone_number) {
          if (!engine::is_e164(*patch.phone_number)) {
            g->fire(engine::make_error(engine::errc::invalid_request, "phoneNumber must be E.164"));
            return;
          }
          rec.phone_number = *patch.phone_number;
        }
        if (patch.email)
          rec.email = *patch.email;
        auto now = s->rt->now();
        rec.updated_at = now;
        persistence::write_unit unit;
        unit.put_profile(rec);
        actors::add_idempotency(unit, partner, idem, rec, now);
        s->commit_then(self, std::move(unit), rec, idem.has_value(), g);
      });
}

void engine_host::get_profile(engine::partner_id partner, engine::profile_id id,
                              callback<engine::profile_record> done) {
  auto* s = self_.get();
  s->async<engine::profile_record>(
      std::move(done), [s, partner = std::move(partner), id = std::move(id)](
                           caf::event_based_actor*, guard_ptr<engine::profile_record> g) {
        g->fire(s->partner_profile(partner, id));
      });
}

// -- cards ---------------------------------------------------------------------

void engine_host::register_card(engine::partner_id partner, card_register req,
                                std::optional<idempotency<engine::card_record>> idem,
                                callback<engine::card_record> done) {
  // The id is generated inside the bridge (an empty id means "new card").
  self_->card_call<engine::card_record>(
      engine::card_id{}, actors::cd_create{std::move(partner), std::move(req), std::move(idem)},
      std::move(done));
}

void engine_host::get_card(engine::partner_id partner, engine::card_id id,
                           callback<engine::card_record> done) {
  self_->card_call<engine::card_record>(std::move(id), actors::cd_get{std::move(partner)},
                                        std::move(done));
}

void engine_host::set_card_state(engine::partner_id partner, engine::card_id id,
                                 engine::card_state state,
                                 std::optional<idempotency<engine::card_record>> idem,
                                 callback<engine::card_record> done) {
  self_->card_call<engine::card_record>(
      std::move(id), actors::cd_set_state{std::move(partner), state, std::move(idem)},
      std::move(done));
}

void engine_host::list_tokens(engine::partner_id partner, engine::card_id card,
                              callback<std::vector<engine::token_record>> done) {
  self_->card_call<std::vector<engine::token_record>>(
      std::move(card), actors::cd_list_tokens{std::move(partner)}, std::move(done));
}

void engine_host::push_provision(engine::partner_id partner, engine::card_id card,
                                 engine::wallet_provider wallet, engine::device_info device,
                                 std::optional<idempotency<engine::token_record>> idem,
                                 callback<engine::token_record> done) {
  self_->card_call<engine::token_record>(
      std::move(card),
      actors::cd_push{std::move(partner), wallet, std::move(device), std::move(idem)},
      std::move(done));
}

// -- tokens (partner) ----------------------------------------------------------

void engine_host::transition_token(engine::partner_id partner, engine::card_id card,
                                   engine::token_ref token, engine::token_state target,
                                   std::string reason,
                                   std::optional<idempotency<engine::token_record>> idem,
                                   callback<engine::token_record> done) {
  self_->token_call<engine::token_record>(std::move(token),
                                          actors::tk_transition{std::move(partner), std::move(card),
                                                                target, std::move(reason),
                                                                std::move(idem)},
                                          std::move(done));
}

void engine_host::transition_token_from_network(engine::partner_id partner, engine::card_id card,
                                                engine::token_ref token, engine::token_state target,
                                                std::string reason,
                                                callback<engine::token_record> done) {
  actors::tk_transition cmd{std::move(partner), std::move(card), target, std::move(reason),
                            std::nullopt};
  cmd.from_network = true;
  self_->token_call<engine::token_record>(std::move(token), std::move(cmd), std::move(done));
}

caf::expected<std::optional<persistence::network_command>>
engine_host::network_sync(const engine::token_ref& token) const {
  return self_->with_snapshot([&](const persistence::reader& rd)
                                  -> caf::expected<std::optional<persistence::network_command>> {
    auto c = rd.latest_network_command(token);
    if (!c)
      return persistence::to_caf_error(c.err());
    return std::move(*c);
  });
}

void engine_host::retry_network_command(
    engine::partner_id partner, engine::token_ref token,
    std::optional<idempotency<persistence::network_command>> idem,
    callback<persistence::network_command> done) {
  auto* s = self_.get();
  s->async<persistence::network_command>(
      std::move(done),
      [s, partner = std::move(partner), token = std::move(token), idem = std::move(idem)](
          caf::event_based_actor* self, guard_ptr<persistence::network_command> g) mutable {
        if (!s->network_dispatcher) {
          g->fire(make_error(runtime_errc::no_network_dispatcher));
          return;
        }
        self->request(s->network_dispatcher, caf::infinite, actors::nd_retry{std::move(token)})
            .then(
                [s, self, g, partner, idem = std::move(idem)](persistence::network_command& c) {
                  if (!idem || idem->key.empty()) {
                    g->fire(std::move(c));
                    return;
                  }
                  persistence::write_unit unit;
                  actors::add_idempotency(unit, partner, idem, c, s->rt->now());
                  s->commit_then(self, std::move(unit), std::move(c), true, g);
                },
                [g](caf::error& e) { g->fire(std::move(e)); });
      });
}

void engine_host::activate(engine::partner_id partner, engine::card_id card,
                           engine::token_ref token, engine::activation answer,
                           std::optional<idempotency<engine::token_record>> idem,
                           callback<engine::token_record> done) {
  self_->token_call<engine::token_record>(
      std::move(token),
      actors::tk_activate{std::move(partner), std::move(card), answer, std::move(idem)},
      std::move(done));
}

void engine_host::get_token(engine::partner_id partner, engine::token_ref token,
                            callback<engine::token_record> done) {
  self_->token_call<engine::token_record>(std::move(token), actors::tk_get{std::move(partner)},
                                          std::move(done));
}

void engine_host::token_history(engine::partner_id partner, engine::token_ref token,
                                callback<std::vector<engine::transition_record>> done) {
  self_->token_call<std::vector<engine::transition_record>>(
      std::move(token), actors::tk_history{std::move(partner)}, std::move(done));
}

void engine_host::events(engine::partner_id partner, std::uint64_t after, std::size_t limit,
                         callback<event_page> done) {
  auto* s = self_.get();
  s->async<event_page>(std::move(done), [s, partner = std::move(partner), after,
                                         limit](caf::event_based_actor*, guard_ptr<event_page> g) {
    g->fire(s->with_snapshot([&](const persistence::reader& rd) -> caf::expected<event_page> {
      auto evs =
          rd.outbox_of_partner_after(partner, after, std::clamp<std::size_t>(limit, 1, 1000));
      if (!evs)
        return persistence::to_caf_error(evs.err());
      event_page page;
      page.next = evs->empty() ? after : evs->back().seq;
      page.events = std::move(*evs);
      return page;
    }));
  });
}

// -- webhook deliveries ------------------------------------------------------------

void engine_host::delivery_attempts(
    engine::partner_id partner, event_ref event,
    callback<std::vector<persistence::delivery_attempt_record>> done) {
  using attempts = std::vector<persistence::delivery_attempt_record>;
  auto* s = self_.get();
  s->async<attempts>(std::move(done), [s, partner = std::move(partner), event = std::move(event)](
                                          caf::event_based_actor*, guard_ptr<attempts> g) {
    g->fire(s->with_snapshot([&](const persistence::reader& rd) -> caf::expected<attempts> {
      auto ev = find_event(rd, partner, event);
      if (!ev)
        return std::move(ev.error());
      auto list = rd.delivery_attempts_of(ev->seq);
      if (!list)
        return persistence::to_caf_error(list.err());
      return std::move(*list);
    }));
  });
}

void engine_host::delivery_state(engine::partner_id partner, event_ref event,
                                 callback<persistence::delivery_state> done) {
  auto* s = self_.get();
  s->async<persistence::delivery_state>(
      std::move(done), [s, partner = std::move(partner), event = std::move(event)](
                           caf::event_based_actor*, guard_ptr<persistence::delivery_state> g) {
        g->fire(s->with_snapshot(
            [&](const persistence::reader& rd) -> caf::expected<persistence::delivery_state> {
              auto ev = find_event(rd, partner, event);
              if (!ev)
                return std::move(ev.error());
              auto st = rd.find_delivery_state(ev->seq);
              if (!st)
                return persistence::to_caf_error(st.err());
              if (*st)
                return std::move(**st);
              persistence::delivery_state fresh; // never attempted yet
              fresh.seq = ev->seq;
              fresh.next_attempt_at = ev->created_at;
              fresh.updated_at = ev->created_at;
              return fresh;
            }));
      });
}

void engine_host::redeliver(engine::partner_id partner, event_ref event,
                            callback<persistence::delivery_state> done) {
  redeliver(std::move(partner), std::move(event), std::nullopt, std::move(done));
}

void engine_host::redeliver(engine::partner_id partner, event_ref event,
                            std::optional<idempotency<persistence::delivery_state>> idem,
                            callback<persistence::delivery_state> done) {
  auto* s = self_.get();
  s->async<persistence::delivery_state>(
      std::move(done),
      [s, partner = std::move(partner), event = std::move(event), idem = std::move(idem)](
          caf::event_based_actor* self, guard_ptr<persistence::delivery_state> g) mutable {
        auto ev = s->partner_event(partner, event);
        if (!ev) {
          g->fire(std::move(ev.error()));
          return;
        }
        const auto seq = ev->seq;
        if (!s->dispatcher) {
          g->fire(make_error(runtime_errc::no_webhook_endpoint));
          return;
        }
        self->request(s->dispatcher, caf::infinite, actors::wh_redeliver{partner, seq})
            .then(
                [s, self, g, partner, idem = std::move(idem)](persistence::delivery_state& st) {
                  if (!idem || idem->key.empty()) {
                    g->fire(std::move(st));
                    return;
                  }
                  persistence::write_unit unit;
                  actors::add_idempotency(unit, partner, idem, st, s->rt->now());
                  s->commit_then(self, std::move(unit), std::move(st), true, g);
                },
                [g](caf::error& e) { g->fire(std::move(e)); });
      });
}

// -- network-facing --------------------------------------------------------------

void engine_host::tokenize(tokenization_request req,
                           std::optional<idempotency<tokenization_result>> idem,
                           callback<tokenization_result> done) {
  auto* s = self_.get();
  s->async<tokenization_result>(std::move(done), [s, req = std::move(req), idem = std::move(idem)](
                                                     caf::event_based_actor* self,
                                                     guard_ptr<tokenization_result> g) mutable {
    const auto& opts = s->rt->options;
    if (auto e = engine::pan::validate(req.pan); e != engine::errc::ok) {
      g->fire(engine::make_error(e));
      return;
    }
    if (auto e = engine::pan::validate_expiry(req.expiry_month, req.expiry_year, s->rt->now());
        e != engine::errc::ok) {
      g->fire(engine::make_error(e));
      return;
    }
    if (req.cvc && (req.cvc->size() < 3 || req.cvc->size() > 4 ||
                    req.cvc->find_first_not_of("0123456789") != std::string::npos)) {
      g->fire(engine::make_error(engine::errc::invalid_request, "cvc"));
      return;
    }
    auto hash = engine::pan::lookup_hash(opts.pan_hash_key, req.pan);
    engine::card_id card;
    {
      auto rd = persistence::reader::begin(*s->store);
      if (!rd) {
        g->fire(persistence::to_caf_error(rd.err()));
        return;
      }
      // PAN uniqueness is per partner: when several partners registered
      // this PAN, engine::network_card picks the one the network's request
      // concerns (the earliest live registration).
      auto cards = rd->cards_by_pan_hash(hash);
      if (!cards) {
        g->fire(persistence::to_caf_error(cards.err()));
        return;
      }
      const auto* c = engine::network_card(*cards);
      if (c == nullptr) {
        // A refusal the API answers as a DECLINED decision: counted as one.
        const auto why = engine::find_product(opts.products, req.pan) == nullptr
                             ? engine::errc::bin_not_enabled
                             : engine::errc::card_not_found;
        s->rt->counters->count_decision(engine::decision::declined, why);
        g->fire(engine::make_error(why));
        return;
      }
      card = c->id;
    }
    auto shard = s->rt->shard_for(card.value);
    forward<tokenization_result, card_reply>(
        self, shard,
        actors::card_request{std::move(card), actors::cd_tokenize{std::move(req), std::move(idem)}},
        g);
  });
}

void engine_host::choose_verification(engine::token_ref token, engine::verification_method method,
                                      std::optional<idempotency<verification_started>> idem,
                                      callback<verification_started> done) {
  self_->token_call<verification_started>(
      std::move(token), actors::tk_choose{method, std::move(idem)}, std::move(done));
}

void engine_host::submit_otp(engine::token_ref token, std::string code,
                             std::optional<idempotency<otp_outcome>> idem,
                             callback<otp_outcome> done) {
  self_->token_call<otp_outcome>(
      std::move(token), actors::tk_submit_otp{std::move(code), std::move(idem)}, std::move(done));
}

void engine_host::resend_otp(engine::token_ref token,
                             std::optional<idempotency<verification_started>> idem,
                             callback<verification_started> done) {
  self_->token_call<verification_started>(std::move(token), actors::tk_resend{std::move(idem)},
                                          std::move(done));
}

void engine_host::network_event(engine::token_ref token, engine::network_event event,
                                std::optional<idempotency<engine::token_record>> idem,
                                callback<engine::token_record> done) {
  self_->token_call<engine::token_record>(
      std::move(token), actors::tk_network{event, std::move(idem)}, std::move(done));
}

void engine_host::get_token_network(engine::token_ref token, callback<engine::token_record> done) {
  self_->token_call<engine::token_record>(std::move(token), actors::tk_get{std::nullopt},
                                          std::move(done));
}

namespace {

/// The methods a REQUESTED token's card offers now, read in one snapshot:
/// SMS_OTP to the partner's destination rule (masked), IN_APP when the
/// policy offers it.
caf::expected<std::vector<engine::offered_method>> methods_of(const actors::runtime& rt,
                                                              const engine::token_record& t) {
  if (t.state != engine::token_state::requested)
    return engine::make_error(engine::is_final(t.state) ? engine::errc::token_final
                                                        : engine::errc::no_pending_verification);
  auto rd = actors::begin_read(rt);
  if (!rd)
    return std::move(rd.error());
  auto card = rd->card(t.card);
  if (!card)
    return persistence::to_caf_error(card.err());
  auto dest = actors::lookup_sms_destination(rt, *rd, *card);
  if (!dest)
    return std::move(dest.error());
  std::vector<engine::offered_method> out;
  if (*dest)
    out.push_back({engine::verification_method::sms_otp, engine::mask_phone(**dest)});
  if (rt.options.decision.offer_in_app)
    out.push_back({engine::verification_method::in_app, {}});
  return out;
}

} // namespace

void engine_host::offered_methods(engine::token_ref token,
                                  callback<std::vector<engine::offered_method>> done) {
  using methods = std::vector<engine::offered_method>;
  auto rt = self_->rt;
  self_->async<methods>(std::move(done), [rt, ref = std::move(token)](caf::event_based_actor* self,
                                                                      guard_ptr<methods> g) {
    auto shard = rt->shard_for(ref.value);
    self->request(shard, caf::infinite, actors::token_request{ref, actors::tk_get{std::nullopt}})
        .then(
            [rt, g](actors::token_reply& r) {
              const auto* t = std::get_if<engine::token_record>(&r);
              DWT_ASSERT(t != nullptr);
              g->fire(methods_of(*rt, *t));
            },
            [g](caf::error& e) { g->fire(std::move(e)); });
  });
}

void engine_host::find_token_by_network_ref(engine::card_network network, std::string network_ref,
                                            callback<engine::token_record> done) {
  auto* s = self_.get();
  s->async<engine::token_record>(
      std::move(done), [s, network, network_ref = std::move(network_ref)](
                           caf::event_based_actor* self, guard_ptr<engine::token_record> g) {
        if (network == engine::card_network::none || !persistence::keys::valid_id(network_ref)) {
          g->fire(engine::make_error(engine::errc::token_not_found));
          return;
        }
        auto ref = s->with_snapshot(
            [&](const persistence::reader& rd) -> caf::expected<engine::token_ref> {
              auto found = rd.token_by_network_ref(network, network_ref);
              if (!found)
                return persistence::to_caf_error(found.err());
              if (!*found)
                return engine::make_error(engine::errc::token_not_found);
              return std::move(**found);
            });
        if (!ref) {
          g->fire(std::move(ref.error()));
          return;
        }
        // The token actor answers: its state is the live one.
        auto shard = s->rt->shard_for(ref->value);
        forward<engine::token_record, actors::token_reply>(
            self, shard, actors::token_request{std::move(*ref), actors::tk_get{std::nullopt}}, g);
      });
}

void engine_host::deliver_network_code(engine::token_ref token, std::string code,
                                       std::optional<engine::timestamp> expires_at,
                                       callback<verification_started> done) {
  self_->token_call<verification_started>(
      std::move(token), actors::tk_deliver_code{std::move(code), expires_at}, std::move(done));
}

void engine_host::bind_network_ref(engine::token_ref token, engine::card_network network,
                                   std::string network_ref, std::string token_expiry,
                                   std::string token_last4, callback<engine::token_record> done) {
  self_->token_call<engine::token_record>(std::move(token),
                                          actors::tk_bind_network{network, std::move(network_ref),
                                                                  std::move(token_expiry),
                                                                  std::move(token_last4)},
                                          std::move(done));
}

} // namespace dwt
