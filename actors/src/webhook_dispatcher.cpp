/// @file
/// The webhook dispatcher actor: per-endpoint queues and slots, attempts on
/// the webhook_io threads, durable attempt records through the group-commit
/// writer, retries by the retry schedule (injected clock and random
/// source), dead-lettering, redelivery, and wake-ups (commit notifications,
/// due retries, a poll fallback).

#include "webhook_dispatcher.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "dwt/engine/assert.hpp"
#include "dwt/errors.hpp"
#include "dwt/persistence/caf_error.hpp"
#include "dwt/persistence/reader.hpp"
#include "webhook_load.hpp"
#include "webhook_queue.hpp"

namespace dwt::actors {
namespace {

using persistence::delivery_state;
using persistence::delivery_status;
using clock_ms = std::chrono::milliseconds;

struct endpoint_slot {
  endpoint_entry cfg;
  webhook_queue queue;
  std::size_t in_flight = 0;
  /// Every event of the partner with seq <= cursor has been looked at.
  std::uint64_t cursor = 0;
};

/// An attempt (or redelivery) record on its way to the writer.
struct pending_record {
  std::size_t endpoint = 0;
  std::uint64_t seq = 0;
  delivery_state state;
  persistence::write_unit unit;
};

struct pending_redelivery {
  caf::typed_response_promise<delivery_state> rp;
  std::size_t endpoint = 0;
  tracked_event ev;
  delivery_state state;
};

struct dispatcher_state {
  std::shared_ptr<const dispatcher_context> ctx;
  std::vector<endpoint_slot> endpoints;
  std::unordered_map<std::string, std::size_t> by_partner;
  std::unique_ptr<engine::random_source> rng;
  std::optional<outbound::retry_schedule> schedule;
  /// Highest outbox seq reported durable.
  std::uint64_t notified = 0;
  bool load_queued = false;
  /// Timer chain: only the tick of the current generation re-arms.
  std::uint64_t tick_gen = 0;
  bool tick_armed = false;
  std::chrono::steady_clock::time_point tick_due{};
  /// Attempt records not yet durable, by (endpoint, seq).
  std::map<std::pair<std::size_t, std::uint64_t>, pending_record> recording;
  /// Records whose commit failed, re-submitted on the next tick.
  std::vector<std::pair<std::size_t, std::uint64_t>> resubmit;
  /// Attempt records (in `recording`) not yet handed to the writer: they go
  /// as one write unit on the next wh_flush. One unit per delivery cost the
  /// writer a nested transaction, a completion and a message each, two per
  /// push provisioning (issue #7).
  std::vector<std::pair<std::size_t, std::uint64_t>> unflushed;
  bool flush_queued = false;
  std::uint64_t next_redelivery = 0;
  std::unordered_map<std::uint64_t, pending_redelivery> redeliveries;
  static inline const char* name = "dwt.webhook_dispatcher";
};

using self_ptr = webhook_dispatcher_actor::stateful_pointer<dispatcher_state>;

engine::timestamp now_of(const dispatcher_state& st) {
  return st.ctx->options.clock();
}

void publish(dispatcher_state& st) {
  std::uint64_t pending = 0;
  std::optional<engine::timestamp> oldest;
  for (const auto& ep : st.endpoints) {
    pending += ep.queue.size();
    if (auto t = ep.queue.oldest_loaded_created(); t && (!oldest || *t < *oldest))
      oldest = t;
  }
  st.ctx->counters->pending.store(pending);
  // 0 means "none", so an event created at the epoch itself counts as 1 ms.
  st.ctx->counters->oldest_undelivered_ms.store(
      oldest ? std::max<std::int64_t>(1, oldest->time_since_epoch().count()) : 0);
}

// -- timers ------------------------------------------------------------------

void arm(self_ptr self, clock_ms delay) {
  auto& st = self->state;
  delay = std::clamp(delay, clock_ms{1}, st.ctx->options.dispatcher.poll_interval);
  auto due = std::chrono::steady_clock::now() + delay;
  if (st.tick_armed && due >= st.tick_due)
    return;
  st.tick_armed = true;
  st.tick_due = due;
  self->delayed_send(self, delay, wh_tick_atom::value, ++st.tick_gen);
}

/// Arms the next wake-up: the earliest due retry, at most a poll interval.
void arm_next(self_ptr self) {
  auto& st = self->state;
  auto delay = st.ctx->options.dispatcher.poll_interval;
  const auto now = now_of(st);
  for (const auto& ep : st.endpoints) {
    if (ep.in_flight >= st.ctx->options.dispatcher.max_concurrent_per_endpoint)
      continue;
    if (auto due = ep.queue.next_due())
      delay = std::min(delay, std::chrono::duration_cast<clock_ms>(*due - now));
  }
  arm(self, delay);
}

// -- records -----------------------------------------------------------------

void submit_record(self_ptr self, std::pair<std::size_t, std::uint64_t> key,
                   std::uint64_t redelivery, persistence::write_unit unit) {
  auto me = webhook_dispatcher_actor{self};
  auto r = self->state.ctx->writer->submit(
      std::move(unit), [me, key, redelivery](persistence::result<persistence::commit_ack> res) {
        wh_recorded done;
        done.endpoint = key.first;
        done.seq = key.second;
        done.redelivery = redelivery;
        done.ok = res.has_value();
        if (!res)
          done.err = res.err();
        caf::anon_send(me, std::move(done));
      });
  if (!r) {
    wh_recorded done;
    done.endpoint = key.first;
    done.seq = key.second;
    done.redelivery = redelivery;
    done.err = r.err();
    self->send(self, std::move(done));
  }
}

/// Queues the attempt record of `key` (already in `recording`) for the next
/// flush.
void queue_record(self_ptr self, std::pair<std::size_t, std::uint64_t> key) {
  auto& st = self->state;
  st.unflushed.push_back(key);
  if (!st.flush_queued) {
    st.flush_queued = true;
    self->send(self, wh_flush_atom::value);
  }
}

/// Submits every queued attempt record as one write unit. Atomic: each
/// event's attempt, state and (when final) outbox_pending erase still become
/// durable together, and no event is released or finished before its
/// record is durable (on_records_done), so the outbox and per-token order
/// guarantees are those of one unit per record. A failure fails the whole
/// group; every record in it is re-submitted on the next tick.
void flush_records(self_ptr self) {
  auto& st = self->state;
  st.flush_queued = false;
  if (st.unflushed.empty())
    return;
  wh_records_done done;
  done.keys = std::move(st.unflushed);
  st.unflushed.clear();
  persistence::write_unit unit;
  for (const auto& key : done.keys) {
    auto i = st.recording.find(key);
    DWT_ASSERT(i != st.recording.end());
    for (const auto& op : i->second.unit.operations())
      unit.add(op);
  }
  auto me = webhook_dispatcher_actor{self};
  auto keys = done.keys;
  auto r = st.ctx->writer->submit(
      std::move(unit),
      [me, keys = std::move(keys)](persistence::result<persistence::commit_ack> res) mutable {
        wh_records_done d;
        d.keys = std::move(keys);
        d.ok = res.has_value();
        if (!res)
          d.err = res.err();
        caf::anon_send(me, std::move(d));
      });
  if (!r) {
    done.err = r.err();
    self->send(self, std::move(done));
  }
}

// -- loading and sending -----------------------------------------------------

void load(self_ptr self, std::size_t idx) {
  auto& st = self->state;
  auto& ep = st.endpoints[idx];
  if (ep.queue.room() == 0)
    return;
  auto rd = persistence::reader::begin(*st.ctx->store);
  if (!rd)
    return; // retried on the next tick
  auto cursor = load_pending(*rd, ep.cfg.partner, ep.cursor, ep.queue, now_of(st));
  if (cursor)
    ep.cursor = *cursor;
}

void dispatch(self_ptr self, std::size_t idx) {
  auto& st = self->state;
  auto& ep = st.endpoints[idx];
  const auto max = st.ctx->options.dispatcher.max_concurrent_per_endpoint;
  if (ep.in_flight >= max)
    return;
  const auto now = now_of(st);
  auto me = webhook_dispatcher_actor{self};
  for (auto seq : ep.queue.take_due(now, max - ep.in_flight)) {
    auto* ev = ep.queue.find(seq);
    DWT_ASSERT(ev != nullptr);
    ++ep.in_flight;
    st.ctx->counters->in_flight.fetch_add(1);
    st.ctx->sender->send(ev->event, ep.cfg.endpoint, now,
                         [me, idx, seq](outbound::delivery_attempt a) {
                           wh_attempt_done d;
                           d.endpoint = idx;
                           d.seq = seq;
                           d.attempt.at = a.at;
                           d.attempt.status = a.status;
                           d.attempt.latency_ms = a.latency_ms;
                           d.attempt.error = std::move(a.error);
                           d.outcome = static_cast<std::uint8_t>(a.outcome);
                           caf::anon_send(me, std::move(d));
                         });
  }
}

void work(self_ptr self) {
  auto& st = self->state;
  auto retry = std::move(st.resubmit);
  st.resubmit.clear();
  for (const auto& key : retry)
    if (st.recording.contains(key))
      queue_record(self, key);
  for (std::size_t i = 0; i < st.endpoints.size(); ++i) {
    load(self, i);
    dispatch(self, i);
  }
  publish(st);
}

// -- outcomes ----------------------------------------------------------------

void on_attempt(self_ptr self, wh_attempt_done& d) {
  auto& st = self->state;
  DWT_ASSERT(d.endpoint < st.endpoints.size());
  auto& ep = st.endpoints[d.endpoint];
  DWT_ASSERT(ep.in_flight > 0);
  --ep.in_flight;
  st.ctx->counters->in_flight.fetch_sub(1);
  auto* ev = ep.queue.find(d.seq);
  DWT_ASSERT(ev != nullptr && ev->busy);
  const auto now = now_of(st);
  ++ev->attempts;
  auto rec = std::move(d.attempt);
  rec.seq = d.seq;
  rec.attempt_no = ev->attempts;
  delivery_state state;
  state.seq = d.seq;
  state.attempts = ev->attempts;
  state.round_base = ev->round_base;
  state.next_attempt_at = now;
  state.updated_at = now;
  const auto outcome = static_cast<outbound::delivery_outcome>(d.outcome);
  if (outcome == outbound::delivery_outcome::delivered) {
    state.status = delivery_status::delivered;
  } else {
    st.ctx->counters->failed_attempts.fetch_add(1);
    std::optional<engine::timestamp> next;
    if (outcome == outbound::delivery_outcome::retry)
      next = st.schedule->next_attempt_at(ev->attempts - ev->round_base, now, *st.rng);
    if (next) {
      state.status = delivery_status::pending;
      state.next_attempt_at = *next;
    } else {
      state.status = delivery_status::dead_lettered;
    }
  }
  persistence::write_unit unit;
  unit.append_delivery_attempt(std::move(rec)).put_delivery_state(state);
  if (state.status != delivery_status::pending)
    unit.erase_outbox_pending(d.seq);
  const auto key = std::make_pair(d.endpoint, d.seq);
  st.recording[key] = pending_record{d.endpoint, d.seq, state, std::move(unit)};
  queue_record(self, key);
  dispatch(self, d.endpoint);
}

void on_redelivery_recorded(self_ptr self, wh_recorded& r) {
  auto& st = self->state;
  auto i = st.redeliveries.find(r.redelivery);
  if (i == st.redeliveries.end())
    return;
  auto pr = std::move(i->second);
  st.redeliveries.erase(i);
  if (!r.ok) {
    pr.rp.deliver(persistence::to_caf_error(r.err));
    return;
  }
  auto& ep = st.endpoints[pr.endpoint];
  if (!ep.queue.contains(r.seq) && ep.queue.redelivery_room())
    ep.queue.add_redelivery(std::move(pr.ev));
  pr.rp.deliver(pr.state);
  dispatch(self, pr.endpoint);
  publish(st);
}

/// The attempt record of `key` is durable (ok) or failed; returns whether
/// an event left its endpoint's queue (room to load more).
bool record_done(self_ptr self, std::pair<std::size_t, std::uint64_t> key, bool ok) {
  auto& st = self->state;
  auto i = st.recording.find(key);
  if (i == st.recording.end())
    return false;
  if (!ok) {
    st.ctx->counters->record_failures.fetch_add(1);
    st.resubmit.push_back(key);
    return false;
  }
  const auto state = i->second.state;
  st.recording.erase(i);
  auto& ep = st.endpoints[key.first];
  if (state.status == delivery_status::pending) {
    ep.queue.release(key.second, state.next_attempt_at);
    return false;
  }
  ep.queue.finish(key.second);
  if (state.status == delivery_status::delivered)
    st.ctx->counters->delivered.fetch_add(1);
  else
    st.ctx->counters->dead_lettered.fetch_add(1);
  return true;
}

void on_records_done(self_ptr self, wh_records_done& r) {
  auto& st = self->state;
  std::vector<bool> touched(st.endpoints.size(), false);
  std::vector<bool> finished(st.endpoints.size(), false);
  for (const auto& key : r.keys) {
    DWT_ASSERT(key.first < st.endpoints.size());
    touched[key.first] = true;
    if (record_done(self, key, r.ok))
      finished[key.first] = true;
  }
  if (!r.ok) {
    arm(self, st.ctx->options.dispatcher.poll_interval);
    return;
  }
  for (std::size_t e = 0; e < st.endpoints.size(); ++e) {
    if (finished[e])
      load(self, e);
    if (touched[e])
      dispatch(self, e);
  }
  arm_next(self);
  publish(st);
}

void on_recorded(self_ptr self, wh_recorded& r) {
  // Only redeliveries are recorded one by one; attempts go through
  // flush_records / on_records_done.
  DWT_ASSERT(r.redelivery != 0);
  on_redelivery_recorded(self, r);
}

// -- redelivery --------------------------------------------------------------

caf::result<delivery_state> on_redeliver(self_ptr self, const wh_redeliver& req) {
  auto& st = self->state;
  auto found = st.by_partner.find(req.partner.value);
  if (found == st.by_partner.end())
    return make_error(runtime_errc::no_webhook_endpoint);
  const auto idx = found->second;
  auto& ep = st.endpoints[idx];
  const auto now = now_of(st);
  if (auto* t = ep.queue.find(req.seq)) {
    ep.queue.make_due(req.seq, now);
    dispatch(self, idx);
    delivery_state s;
    s.seq = req.seq;
    s.attempts = t->attempts;
    s.round_base = t->round_base;
    s.next_attempt_at = t->next_at;
    s.updated_at = now;
    return s;
  }
  auto rd = persistence::reader::begin(*st.ctx->store);
  if (!rd)
    return persistence::to_caf_error(rd.err());
  auto ev = rd->outbox_event_at(req.seq);
  if (!ev || ev->partner != req.partner)
    return ev || ev.code() == persistence::errc::not_found
               ? make_error(runtime_errc::event_not_found)
               : persistence::to_caf_error(ev.err());
  delivery_state state;
  state.seq = req.seq;
  auto recorded = rd->find_delivery_state(req.seq);
  if (!recorded)
    return persistence::to_caf_error(recorded.err());
  if (*recorded)
    state = **recorded;
  auto pending = rd->outbox_is_pending(req.seq);
  if (!pending)
    return persistence::to_caf_error(pending.err());
  if (*pending) {
    // Not loaded yet (its endpoint's window is full): it is delivered in
    // order when loading reaches it.
    state.status = delivery_status::pending;
    return state;
  }
  if (!ep.queue.redelivery_room())
    return make_error(runtime_errc::overloaded, "too many redeliveries queued");
  state.status = delivery_status::pending;
  state.round_base = state.attempts;
  state.next_attempt_at = now;
  state.updated_at = now;
  persistence::write_unit unit;
  unit.requeue_outbox_pending(req.seq).put_delivery_state(state);
  const auto id = ++st.next_redelivery;
  pending_redelivery pr;
  pr.rp = self->make_response_promise<delivery_state>();
  pr.endpoint = idx;
  pr.ev.event = std::move(*ev);
  pr.ev.attempts = state.attempts;
  pr.ev.round_base = state.round_base;
  pr.ev.next_at = now;
  pr.state = state;
  auto rp = pr.rp;
  st.redeliveries.emplace(id, std::move(pr));
  submit_record(self, {idx, req.seq}, id, std::move(unit));
  return rp;
}

webhook_dispatcher_actor::behavior_type
dispatcher_impl(self_ptr self, std::shared_ptr<const dispatcher_context> ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.rng = st.ctx->options.random();
  st.schedule.emplace(make_retry_schedule(st.ctx->options.dispatcher));
  std::uint64_t cursor = 0;
  if (auto rd = persistence::reader::begin(*st.ctx->store)) {
    if (auto c = initial_cursor(*rd))
      cursor = *c;
  }
  const auto& d = st.ctx->options.dispatcher;
  for (const auto& e : st.ctx->endpoints) {
    st.by_partner.emplace(e.partner.value, st.endpoints.size());
    st.endpoints.push_back(endpoint_slot{
        e, webhook_queue{d.max_tracked_per_endpoint, d.max_redeliveries_per_endpoint}, 0, cursor});
  }
  self->send(self, wh_load_atom::value);
  st.load_queued = true;
  return {
      [self](outbox_atom, std::uint64_t seq) {
        auto& s = self->state;
        s.notified = std::max(s.notified, seq);
        if (!s.load_queued) {
          s.load_queued = true;
          self->send(self, wh_load_atom::value);
        }
      },
      [self](wh_load_atom) {
        self->state.load_queued = false;
        work(self);
        arm_next(self);
      },
      [self](wh_tick_atom, std::uint64_t gen) {
        auto& s = self->state;
        if (gen == s.tick_gen)
          s.tick_armed = false;
        work(self);
        arm_next(self);
      },
      [self](wh_attempt_done& done) { on_attempt(self, done); },
      [self](wh_recorded& r) { on_recorded(self, r); },
      [self](wh_records_done& r) { on_records_done(self, r); },
      [self](wh_flush_atom) { flush_records(self); },
      [self](const wh_redeliver& req) -> caf::result<delivery_state> {
        return on_redeliver(self, req);
      },
  };
}

} // namespace

webhook_dispatcher_actor spawn_webhook_dispatcher(caf::actor_system& sys,
                                                  std::shared_ptr<const dispatcher_context> ctx) {
  return sys.spawn(dispatcher_impl, std::move(ctx));
}

} // namespace dwt::actors
