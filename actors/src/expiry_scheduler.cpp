/// @file
/// The expiry scheduler: fires verification deadlines on time whether or
/// not the token's actor is in memory (issue #20). The deadlines are
/// durable (persistence index `token_deadlines`, keyed by deadline then
/// token ref, written in the unit that leaves a token REQUESTED awaiting
/// verification and removed in the unit that moves it on), so nothing is
/// re-armed after a restart: the first round runs at once and finds every
/// deadline that passed while the engine was down.
///
/// A round: read up to `expiry_scan_batch` due entries (deadline <= now by
/// the injected clock) in one short snapshot, send each token tk_expire
/// through its registry shard (activating a passivated actor), and wait
/// for every answer; a full batch is followed at once by the next one,
/// which starts after the last entry of this one (an entry whose token
/// failed, e.g. a writer overload, does not hold the rest back); a short
/// batch ends the round, and the next starts `expiry_scan_interval` later
/// from the earliest entry again (so failed ones are retried then). At
/// most one batch of expiry messages is in flight. The token actor is
/// idempotent: a token that already left REQUESTED only has its stale
/// entry removed.
///
/// Threading: one event-based actor; `now` is the runtime's injected clock
/// (tests move it), the interval is CAF's clock (real time).

#include <memory>
#include <optional>

#include <caf/event_based_actor.hpp>

#include "dwt/actors/runtime.hpp"
#include "dwt/engine/assert.hpp"
#include "dwt/persistence/reader.hpp"

namespace dwt::actors {
namespace {

using expiry_round_atom = caf::atom_constant<caf::atom("exp_round")>;

/// A token that has not answered its tk_expire by then counts as failed
/// (its entry stays and is retried next round), so a stuck actor or writer
/// cannot stall the scheduler.
constexpr std::chrono::seconds expiry_message_timeout{60};

struct expiry_scheduler_state {
  std::shared_ptr<const runtime> rt;
  /// The last entry sent in the current round (the next batch starts after
  /// it); nullopt: the round starts from the earliest entry.
  std::optional<persistence::token_deadline_entry> after;
  static inline const char* name = "dwt.expiry_scheduler";
};

using expiry_self = caf::stateful_actor<expiry_scheduler_state>*;

void expiry_end_round(expiry_self self) {
  self->state.after.reset();
  self->delayed_send(self, self->state.rt->options.expiry_scan_interval, expiry_round_atom::value);
}

void expiry_run_batch(expiry_self self) {
  auto& st = self->state;
  const auto batch = st.rt->options.expiry_scan_batch;
  std::vector<persistence::token_deadline_entry> due;
  {
    auto rd = persistence::reader::begin(*st.rt->store);
    if (!rd) {
      expiry_end_round(self);
      return;
    }
    auto d = rd->due_token_deadlines(st.rt->now(), batch, st.after);
    if (!d) {
      expiry_end_round(self);
      return;
    }
    due = std::move(*d);
  }
  if (due.empty()) {
    expiry_end_round(self);
    return;
  }
  const bool full = due.size() >= batch;
  st.after = due.back();
  auto left = std::make_shared<std::size_t>(due.size());
  auto one_done = [self, left, full] {
    if (--*left > 0)
      return;
    if (full)
      self->send(self, expiry_round_atom::value); // more may be due: go on now
    else
      expiry_end_round(self);
  };
  for (auto& e : due) {
    self->request(st.rt->shard_for(e.ref.value), expiry_message_timeout,
                  token_request{e.ref, tk_expire{e.at}})
        .then([one_done](token_reply&) { one_done(); }, [one_done](caf::error&) { one_done(); });
  }
}

caf::behavior expiry_scheduler_impl(expiry_self self, std::shared_ptr<const runtime> rt) {
  self->state.rt = std::move(rt);
  // The first round runs at once: after a restart, deadlines that passed
  // while the engine was down fire now.
  self->send(self, expiry_round_atom::value);
  return {
      [self](expiry_round_atom) { expiry_run_batch(self); },
  };
}

} // namespace

caf::actor spawn_expiry_scheduler(caf::actor_system& sys, std::shared_ptr<const runtime> rt) {
  DWT_ASSERT(rt->options.expiry_scan_interval.count() > 0);
  DWT_ASSERT(rt->options.expiry_scan_batch > 0);
  return sys.spawn(expiry_scheduler_impl, std::move(rt));
}

} // namespace dwt::actors
