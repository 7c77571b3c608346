/// @file
/// The checkpointer: the actors' door to the single LMDB writer. A unit is
/// acknowledged to the requesting actor only after the writer reports it
/// durable; an error (conflict, overloaded, map full, closed) leaves the
/// requester's state unchanged because actors apply a change to their own
/// state only on success.
///
/// Threading: the writer's completion runs on the writer thread. It never
/// touches the checkpointer or a response promise (neither is
/// thread-safe): it enqueues the response message straight into the
/// requester's mailbox (`actor_control_block::enqueue` with no execution
/// unit, the thread-safe path `anon_send` takes), with the request's
/// response id and the checkpointer as sender. The requester's `await`
/// matches it by that id. Before, the completion sent a `commit_done` to
/// the checkpointer, which delivered the promise: one more actor hop and
/// thread hand-off per commit (bench/README.md, "Where the time goes now").

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "dwt/actors/runtime.hpp"
#include "dwt/engine/assert.hpp"
#include "dwt/persistence/caf_error.hpp"
#include "dwt/persistence/group_commit.hpp"

namespace dwt::actors {
namespace {

struct checkpointer_state {
  persistence::group_commit_writer* writer = nullptr;
  /// Told about new durable outbox events (may be unset).
  webhook_dispatcher_actor notify;
  /// Told about new durable network commands (may be unset).
  caf::actor network_notify;
  /// Partners with a webhook endpoint; events of others are feed-only.
  /// Null: every event is pending delivery.
  std::shared_ptr<const endpoint_partners> endpoints;
  static inline const char* name = "dwt.checkpointer";
};

checkpointer_actor::behavior_type
checkpointer_impl(checkpointer_actor::stateful_pointer<checkpointer_state> self,
                  persistence::group_commit_writer* writer, webhook_dispatcher_actor notify,
                  caf::actor network_notify, std::shared_ptr<const endpoint_partners> endpoints) {
  self->state.writer = writer;
  self->state.notify = std::move(notify);
  self->state.network_notify = std::move(network_notify);
  self->state.endpoints = std::move(endpoints);
  return {
      [self](commit_request& req) -> caf::result<commit_reply> {
        auto& st = self->state;
        // A plain request (no forwarding stages): the answer goes to its
        // sender, under the request's response id.
        DWT_ASSERT(self->current_mailbox_element()->stages.empty());
        auto to = self->current_sender();
        DWT_ASSERT(to != nullptr);
        auto response_id = self->current_message_id().response_id();
        auto me = caf::actor_cast<caf::strong_actor_ptr>(self);
        auto listener = st.notify;
        auto network_listener = st.network_notify;
        if (const auto* eps = st.endpoints.get())
          req.unit.mark_feed_only(
              [eps](const engine::partner_id& p) { return !eps->contains(p.value); });
        auto submitted = st.writer->submit(
            std::move(req.unit), [to, response_id, me, listener, network_listener](
                                     persistence::result<persistence::commit_ack> r) mutable {
              // New outbox events are durable: wake the dispatcher at once.
              if (listener && r && !r->outbox_seqs.empty())
                caf::anon_send(listener, outbox_atom::value, r->outbox_seqs.back());
              if (network_listener && r && !r->network_command_seqs.empty())
                caf::anon_send(network_listener, nd_commands_atom::value,
                               r->network_command_seqs.back());
              auto answer = r ? caf::make_message(commit_reply{std::move(*r)})
                              : caf::make_message(persistence::to_caf_error(r.err()));
              to->enqueue(std::move(me), response_id, std::move(answer), nullptr);
            });
        if (!submitted)
          return persistence::to_caf_error(submitted.err());
        // Answered by the completion above (an error before that is the
        // regular response, returned above).
        self->drop_current_message_id();
        return caf::delegated<commit_reply>{};
      },
  };
}

checkpointer_actor::behavior_type sync_checkpointer_impl(checkpointer_actor::pointer self,
                                                         persistence::env* store) {
  (void)self;
  return {
      [store](commit_request& req) -> caf::result<commit_reply> {
        auto r = persistence::commit_now(*store, req.unit);
        if (!r)
          return persistence::to_caf_error(r.err());
        return commit_reply{std::move(*r)};
      },
  };
}

} // namespace

checkpointer_actor spawn_checkpointer(caf::actor_system& sys,
                                      persistence::group_commit_writer& writer,
                                      std::shared_ptr<const endpoint_partners> endpoints) {
  return sys.spawn(checkpointer_impl, &writer, webhook_dispatcher_actor{}, caf::actor{},
                   std::move(endpoints));
}

checkpointer_actor spawn_checkpointer(caf::actor_system& sys,
                                      persistence::group_commit_writer& writer,
                                      webhook_dispatcher_actor notify,
                                      std::shared_ptr<const endpoint_partners> endpoints) {
  return sys.spawn(checkpointer_impl, &writer, std::move(notify), caf::actor{},
                   std::move(endpoints));
}

checkpointer_actor spawn_checkpointer(caf::actor_system& sys,
                                      persistence::group_commit_writer& writer,
                                      webhook_dispatcher_actor notify, caf::actor network_notify,
                                      std::shared_ptr<const endpoint_partners> endpoints) {
  return sys.spawn(checkpointer_impl, &writer, std::move(notify), std::move(network_notify),
                   std::move(endpoints));
}

checkpointer_actor spawn_sync_checkpointer(caf::actor_system& sys, persistence::env& store) {
  return sys.spawn(sync_checkpointer_impl, &store);
}

} // namespace dwt::actors
