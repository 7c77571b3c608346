/// @file
/// One registry shard: maps card ids and token refs (hashed onto the
/// shards) to their live virtual actors, activating on demand (spawned with
/// lazy_init) and passivating on the actors' idle reports or, beyond the
/// shard's share of max_live_actors, by asking the least recently used to
/// go.
///
/// Requests are routed by delegation: the actor answers the original
/// caller directly and the shard holds no outstanding request. The only
/// calls a shard holds are those for an actor that is stopping (between
/// the shard's stop_atom and the actor's stopped_report): they are queued
/// and delegated to the fresh actor, so an actor is never live twice and a
/// reactivated actor always reads the durable state its predecessor left.
///
/// Passivation protocol: the actor reports idle with the number of requests
/// it has received; the shard stops it only if that equals the number it
/// routed (nothing in flight). Messages to one actor come from its shard in
/// order, so the stop message is handled after every routed request.
///
/// Idle detection: every live entry remembers when the shard last routed
/// to it, and one timer per shard (every passivate_after / 2) asks each
/// entry routed nothing for a whole passivate_after to report idle. So an
/// idle actor passivates between passivate_after and 1.5 x passivate_after
/// after its last request. It is one clock event per shard and period, not
/// a receive timeout per actor: CAF 0.17 re-arms a receive timeout after
/// every message, and each re-arm wakes CAF's clock thread (a futex and a
/// context switch, several per request on the hot path; bench/README.md).
/// Not a delayed message per actor either: the clock would keep every
/// passivated actor in memory until its timer fired.

#include <algorithm>
#include <chrono>
#include <list>
#include <unordered_map>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "dwt/actors/runtime.hpp"

namespace dwt::actors {
namespace {

using time_point = caf::actor_clock::time_point;

struct lru_item {
  actor_kind kind;
  std::string id;
  time_point last_routed; ///< CAF clock time of the last routed message
};
using lru_list = std::list<lru_item>;

template <class Handle>
struct table {
  struct entry {
    Handle hdl;
    std::uint64_t routed = 0;
    lru_list::iterator lru;
  };
  using waiting = std::vector<std::function<void(const Handle&)>>;
  std::unordered_map<std::string, entry> live;
  /// Actors told to stop; calls that arrive meanwhile wait here.
  std::unordered_map<std::string, waiting> draining;
};

struct shard_state {
  std::shared_ptr<const runtime> rt;
  table<token_actor> tokens;
  table<card_actor> cards;
  lru_list lru;
  static inline const char* name = "dwt.registry";
};

using shard_ptr = registry_actor::stateful_pointer<shard_state>;

void evict_if_needed(shard_ptr self) {
  auto& st = self->state;
  auto live = st.tokens.live.size() + st.cards.live.size();
  auto cap = st.rt->live_cap_per_shard;
  if (live <= cap)
    return;
  // Ask the oldest few to go; they may refuse (a request in flight) and are moved to the
  // back so that the next eviction asks others.
  auto excess = std::min<std::size_t>(live - cap, 4);
  for (std::size_t i = 0; i < excess && !st.lru.empty(); ++i) {
    auto it = st.lru.begin();
    auto kind = it->kind;
    auto id = it->id;
    st.lru.splice(st.lru.end(), st.lru, it);
    if (kind == actor_kind::token) {
      auto e = st.tokens.live.find(id);
      if (e != st.tokens.live.end())
        self->send(e->second.hdl, evict_atom::value);
    } else {
      auto e = st.cards.live.find(id);
      if (e != st.cards.live.end())
        self->send(e->second.hdl, evict_atom::value);
    }
  }
}

token_actor spawn_for(shard_ptr self, const engine::token_ref& ref) {
  return spawn_token_actor(self, self->state.rt, ref, registry_actor{self});
}
card_actor spawn_for(shard_ptr self, const engine::card_id& id) {
  return spawn_card_actor(self, self->state.rt, id, registry_actor{self});
}

template <class Handle, class Id>
typename table<Handle>::entry& ensure_live(shard_ptr self, table<Handle>& t, actor_kind kind,
                                           const Id& id) {
  auto now = self->clock().now();
  auto i = t.live.find(id.value);
  if (i != t.live.end()) {
    self->state.lru.splice(self->state.lru.end(), self->state.lru, i->second.lru);
    i->second.lru->last_routed = now;
    return i->second;
  }
  auto& counters = *self->state.rt->counters;
  counters.activations.fetch_add(1, std::memory_order_relaxed);
  (kind == actor_kind::token ? counters.live_tokens : counters.live_cards)
      .fetch_add(1, std::memory_order_relaxed);
  auto pos = self->state.lru.emplace(self->state.lru.end(), lru_item{kind, id.value, now});
  auto& e = t.live[id.value];
  e.hdl = spawn_for(self, id);
  e.lru = pos;
  evict_if_needed(self);
  return t.live.find(id.value)->second;
}

template <class Handle, class Reply, class Request, class Id>
caf::result<Reply> route(shard_ptr self, table<Handle>& t, actor_kind kind, const Id& id,
                         Request& req) {
  auto d = t.draining.find(id.value);
  if (d != t.draining.end()) {
    auto rp = self->template make_response_promise<Reply>();
    d->second.emplace_back(
        [rp, r = std::move(req)](const Handle& hdl) mutable { rp.delegate(hdl, std::move(r)); });
    return rp;
  }
  auto& e = ensure_live(self, t, kind, id);
  ++e.routed;
  return self->delegate(e.hdl, std::move(req));
}

/// The sweep timer's period: half of passivate_after (at least 1 ms).
std::chrono::milliseconds idle_sweep_period(const runtime& rt) {
  auto half = std::chrono::duration_cast<std::chrono::milliseconds>(rt.options.passivate_after) / 2;
  return std::max(half, std::chrono::milliseconds{1});
}

/// Asks every entry routed nothing for a whole passivate_after to report
/// idle, then re-arms. Entries that refuse (a request still in
/// flight) are asked again at the next sweep.
void sweep_idle(shard_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  auto idle_for = st.rt->options.passivate_after;
  for (const auto& item : st.lru) {
    if (now - item.last_routed < idle_for)
      continue;
    if (item.kind == actor_kind::token) {
      if (auto e = st.tokens.live.find(item.id); e != st.tokens.live.end())
        self->send(e->second.hdl, idle_atom::value);
    } else if (auto e = st.cards.live.find(item.id); e != st.cards.live.end()) {
      self->send(e->second.hdl, idle_atom::value);
    }
  }
  self->delayed_send(self, idle_sweep_period(*st.rt), idle_sweep_atom::value);
}

template <class Handle>
void on_idle(shard_ptr self, table<Handle>& t, const idle_report& rep) {
  auto i = t.live.find(rep.id);
  if (i == t.live.end() || i->second.routed != rep.received)
    return; // something is in flight: the actor reports again later
  auto hdl = i->second.hdl;
  self->state.lru.erase(i->second.lru);
  t.live.erase(i);
  t.draining.emplace(rep.id, typename table<Handle>::waiting{});
  self->send(hdl, stop_atom::value);
}

template <class Handle, class Id>
void on_stopped(shard_ptr self, table<Handle>& t, actor_kind kind, const Id& id) {
  auto& counters = *self->state.rt->counters;
  counters.passivations.fetch_add(1, std::memory_order_relaxed);
  (kind == actor_kind::token ? counters.live_tokens : counters.live_cards)
      .fetch_sub(1, std::memory_order_relaxed);
  auto d = t.draining.find(id.value);
  if (d == t.draining.end())
    return;
  auto waiting = std::move(d->second);
  t.draining.erase(d);
  if (waiting.empty())
    return;
  auto& e = ensure_live(self, t, kind, id);
  for (auto& f : waiting) {
    ++e.routed;
    f(e.hdl);
  }
}

registry_actor::behavior_type registry_impl(shard_ptr self, std::shared_ptr<const runtime> rt) {
  self->state.rt = std::move(rt);
  self->delayed_send(self, idle_sweep_period(*self->state.rt), idle_sweep_atom::value);
  return {
      [self](token_request& req) -> caf::result<token_reply> {
        auto ref = req.ref;
        return route<token_actor, token_reply>(self, self->state.tokens, actor_kind::token, ref,
                                               req);
      },
      [self](card_request& req) -> caf::result<card_reply> {
        auto id = req.id;
        return route<card_actor, card_reply>(self, self->state.cards, actor_kind::card, id, req);
      },
      [self](refresh_token& msg) {
        auto i = self->state.tokens.live.find(msg.ref.value);
        if (i == self->state.tokens.live.end())
          return; // not live (or stopping): the next activation reads LMDB
        ++i->second.routed;
        self->send(i->second.hdl, refresh_atom::value);
      },
      [self](idle_report& rep) {
        if (rep.kind == actor_kind::token)
          on_idle(self, self->state.tokens, rep);
        else
          on_idle(self, self->state.cards, rep);
      },
      [self](stopped_report& rep) {
        if (rep.kind == actor_kind::token)
          on_stopped(self, self->state.tokens, actor_kind::token, engine::token_ref{rep.id});
        else
          on_stopped(self, self->state.cards, actor_kind::card, engine::card_id{rep.id});
      },
      [self](idle_sweep_atom) { sweep_idle(self); },
      [self](shutdown_atom) {
        auto& st = self->state;
        auto& counters = *st.rt->counters;
        for (auto& [id, e] : st.tokens.live) {
          self->send_exit(e.hdl, caf::exit_reason::user_shutdown);
          counters.live_tokens.fetch_sub(1, std::memory_order_relaxed);
        }
        for (auto& [id, e] : st.cards.live) {
          self->send_exit(e.hdl, caf::exit_reason::user_shutdown);
          counters.live_cards.fetch_sub(1, std::memory_order_relaxed);
        }
        st.tokens.live.clear();
        st.cards.live.clear();
        st.lru.clear();
        self->quit(caf::exit_reason::user_shutdown);
      },
  };
}

} // namespace

registry_actor spawn_registry_shard(caf::actor_system& sys, const std::shared_ptr<runtime>& rt) {
  return sys.spawn(registry_impl, std::shared_ptr<const runtime>{rt});
}

} // namespace dwt::actors
