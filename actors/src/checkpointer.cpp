/// @file
/// The checkpointer: the actors' door to the single LMDB writer. A unit is
/// acknowledged to the requesting actor only after the writer reports it
/// durable; an error (conflict, overloaded, map full, closed) leaves the
/// requester's state unchanged because actors apply a change to their own
/// state only on success.
///
/// Threading: the writer's completion runs on the writer thread; it never
/// touches the actor, it only enqueues a `commit_done` message (anon_send
/// is thread-safe), and the checkpointer delivers the response promise on
/// its own thread.

#include <unordered_map>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "dwt/actors/runtime.hpp"
#include "dwt/persistence/caf_error.hpp"
#include "dwt/persistence/group_commit.hpp"

namespace dwt::actors {
namespace {

struct checkpointer_state {
  persistence::group_commit_writer* writer = nullptr;
  /// Told about new durable outbox events (may be unset).
  webhook_dispatcher_actor notify;
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, caf::typed_response_promise<commit_reply>> pending;
  static inline const char* name = "dwt.checkpointer";
};

checkpointer_actor::behavior_type
checkpointer_impl(checkpointer_actor::stateful_pointer<checkpointer_state> self,
                  persistence::group_commit_writer* writer, webhook_dispatcher_actor notify) {
  self->state.writer = writer;
  self->state.notify = std::move(notify);
  return {
    [self](commit_request& req) -> caf::result<commit_reply> {
      auto& st = self->state;
      auto id = ++st.next_id;
      auto me = checkpointer_actor{self};
      auto listener = st.notify;
      auto submitted =
        st.writer->submit(std::move(req.unit), [me, id, listener](persistence::result<persistence::commit_ack> r) {
          // New outbox events are durable: wake the dispatcher at once.
          if (listener && r && !r->outbox_seqs.empty())
            caf::anon_send(listener, outbox_atom::value, r->outbox_seqs.back());
          commit_done done;
          done.id = id;
          if (r)
            done.ack = std::move(*r);
          else
            done.err = r.err();
          caf::anon_send(me, std::move(done));
        });
      if (!submitted)
        return persistence::to_caf_error(submitted.err());
      auto rp = self->make_response_promise<commit_reply>();
      st.pending.emplace(id, rp);
      return rp;
    },
    [self](commit_done& done) {
      auto i = self->state.pending.find(done.id);
      if (i == self->state.pending.end())
        return;
      auto rp = std::move(i->second);
      self->state.pending.erase(i);
      if (done.ack)
        rp.deliver(commit_reply{std::move(*done.ack)});
      else
        rp.deliver(persistence::to_caf_error(done.err));
    },
  };
}

checkpointer_actor::behavior_type sync_checkpointer_impl(checkpointer_actor::pointer self,
                                                         persistence::env* store) {
  (void) self;
  return {
    [store](commit_request& req) -> caf::result<commit_reply> {
      auto r = persistence::commit_now(*store, req.unit);
      if (!r)
        return persistence::to_caf_error(r.err());
      return commit_reply{std::move(*r)};
    },
    [](commit_done&) {},
  };
}

} // namespace

checkpointer_actor spawn_checkpointer(caf::actor_system& sys,
                                      persistence::group_commit_writer& writer) {
  return sys.spawn(checkpointer_impl, &writer, webhook_dispatcher_actor{});
}

checkpointer_actor spawn_checkpointer(caf::actor_system& sys,
                                      persistence::group_commit_writer& writer,
                                      webhook_dispatcher_actor notify) {
  return sys.spawn(checkpointer_impl, &writer, std::move(notify));
}

checkpointer_actor spawn_sync_checkpointer(caf::actor_system& sys, persistence::env& store) {
  return sys.spawn(sync_checkpointer_impl, &store);
}

} // namespace dwt::actors
