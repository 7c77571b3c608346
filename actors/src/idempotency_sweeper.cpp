/// @file
/// The idempotency sweeper: deletes expired idempotency records so that the
/// store does not grow with every idempotent call ever made (each record
/// lives `idempotency_ttl`, 24 h). Every `idempotency_sweep_interval` it
/// commits one unit `sweep_idempotency(now, batch)` through the
/// checkpointer (the persistence op walks the expiry index from the oldest
/// record and stops at the first one not yet expired); a full batch is
/// followed at once by the next, so a backlog drains in bounded units
/// without holding the writer for long.
///
/// Threading: one event-based actor; `now` is the runtime's injected clock
/// (tests move it), the interval is CAF's clock (real time). An error (the
/// writer overloaded, the map full) is counted nowhere but retried at the
/// next tick: nothing acknowledged depends on a sweep.

#include <caf/event_based_actor.hpp>

#include "dwt/actors/runtime.hpp"
#include "dwt/engine/assert.hpp"

namespace dwt::actors {
namespace {

using sweep_atom = caf::atom_constant<caf::atom("sweep")>;

/// A sweep the checkpointer has not answered by then is given up (and
/// retried at the next tick), so a stuck writer cannot stall the sweeper.
constexpr std::chrono::seconds sweep_timeout{60};

caf::behavior sweeper_impl(caf::event_based_actor* self, std::shared_ptr<const runtime> rt) {
  const auto interval = rt->options.idempotency_sweep_interval;
  const auto batch = rt->options.idempotency_sweep_batch;
  // The first sweep waits one interval: start-up is busy enough.
  self->delayed_send(self, interval, sweep_atom::value);
  return {
      [self, rt, interval, batch](sweep_atom) {
        persistence::write_unit unit;
        unit.sweep_idempotency(rt->now(), batch);
        self->request(rt->checkpointer, sweep_timeout, commit_request{std::move(unit)})
            .then(
                [self, rt, interval, batch](commit_reply& reply) {
                  auto& c = *rt->counters;
                  c.idempotency_sweeps.fetch_add(1);
                  c.idempotency_swept.fetch_add(reply.ack.idempotency_swept);
                  if (reply.ack.idempotency_swept >= batch)
                    self->send(self, sweep_atom::value); // more are due: go on now
                  else
                    self->delayed_send(self, interval, sweep_atom::value);
                },
                [self, interval](caf::error&) {
                  self->delayed_send(self, interval, sweep_atom::value);
                });
      },
  };
}

} // namespace

caf::actor spawn_idempotency_sweeper(caf::actor_system& sys, std::shared_ptr<const runtime> rt) {
  DWT_ASSERT(rt->options.idempotency_sweep_interval.count() > 0);
  DWT_ASSERT(rt->options.idempotency_sweep_batch > 0);
  return sys.spawn(sweeper_impl, std::move(rt));
}

} // namespace dwt::actors
