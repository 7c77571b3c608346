#pragma once
/// @file
/// The shared context of one running engine: options, the store, the
/// handles of the infrastructure actors and the counters. Card and token
/// actors hold a `std::shared_ptr<const runtime>`; the mutable parts are
/// atomics.
///
/// Threading: immutable after `spawn_runtime` returns (the handles are set
/// before any message is sent); counters are atomics.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <caf/actor_system.hpp>

#include "dwt/actors/messages.hpp"
#include "dwt/dwt.hpp"
#include "dwt/engine/errc.hpp"
#include "dwt/engine/otp.hpp"
#include "dwt/engine/types.hpp"
#include "dwt/persistence/env.hpp"

namespace dwt::actors {

/// Reasons (engine::errc values) counted apart per decision; larger codes
/// share the last slot.
inline constexpr std::size_t decision_reason_slots = 64;
/// engine::decision has three values.
inline constexpr std::size_t decision_kinds = 3;
inline constexpr std::size_t decision_slots = decision_kinds * decision_reason_slots;
/// engine::otp_result has four values.
inline constexpr std::size_t otp_result_slots = 4;

/// The slot of (decision, reason) in runtime_counters::decisions.
[[nodiscard]] constexpr std::size_t decision_slot(engine::decision d,
                                                  engine::errc reason) noexcept {
  const auto kind = std::min<std::size_t>(static_cast<std::size_t>(d), decision_kinds - 1);
  const auto why =
      std::min<std::size_t>(static_cast<std::size_t>(reason), decision_reason_slots - 1);
  return kind * decision_reason_slots + why;
}

/// Counters shared by all actors of one engine.
struct runtime_counters {
  std::atomic<std::uint64_t> live_cards{0};
  std::atomic<std::uint64_t> live_tokens{0};
  std::atomic<std::uint64_t> activations{0};
  std::atomic<std::uint64_t> passivations{0};
  /// Idempotency sweeps committed, and the expired records they deleted.
  std::atomic<std::uint64_t> idempotency_sweeps{0};
  std::atomic<std::uint64_t> idempotency_swept{0};

  /// Tokenisation decisions, by (decision, reason): one relaxed atomic
  /// increment per decision, no lock, no allocation. Read by
  /// engine_host::stats.
  std::array<std::atomic<std::uint64_t>, decision_slots> decisions{};
  /// OTP SMS handed to the gateway (after the challenge is durable).
  std::atomic<std::uint64_t> otp_sent{0};
  /// OTP checks by engine::otp_result.
  std::array<std::atomic<std::uint64_t>, otp_result_slots> otp_checks{};
  /// SMS the gateway accepted / refused or failed to send.
  std::atomic<std::uint64_t> sms_sent{0};
  std::atomic<std::uint64_t> sms_failed{0};

  /// Counts one decision (a reason beyond the slots is counted in the last).
  void count_decision(engine::decision d, engine::errc reason) noexcept {
    decisions[decision_slot(d, reason)].fetch_add(1, std::memory_order_relaxed);
  }
  /// Counts one OTP check.
  void count_otp_check(engine::otp_result r) noexcept {
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(r), otp_result_slots - 1);
    otp_checks[i].fetch_add(1, std::memory_order_relaxed);
  }
};

/// Everything an actor of the runtime needs.
struct runtime {
  /// Normalised options (clock and random set, partners as configured).
  engine_options options;
  persistence::env* store = nullptr;
  checkpointer_actor checkpointer;
  verification_actor verification;
  std::vector<registry_actor> shards;
  /// Most live actors per shard (max_live_actors / shard_count, >= 1).
  std::size_t live_cap_per_shard = 1;
  std::shared_ptr<runtime_counters> counters = std::make_shared<runtime_counters>();

  [[nodiscard]] engine::timestamp now() const { return options.clock(); }
  [[nodiscard]] std::unique_ptr<engine::random_source> make_random() const {
    return options.random();
  }
  /// The registry shard owning `id` (card ids and token refs alike).
  [[nodiscard]] const registry_actor& shard_for(const std::string& id) const;
  /// The configured partner, or nullptr.
  [[nodiscard]] const engine::partner_record* partner(const engine::partner_id& id) const;
};

/// Fills defaults (clock, random, sms sink) and validates the options.
/// Errors: runtime_errc::invalid_options.
[[nodiscard]] caf::expected<engine_options> normalise_options(engine_options options);

/// Spawns the registry shards and the verification pool of a runtime whose
/// `store`, `options` and `checkpointer` are set; fills `shards` and
/// `verification`. Used by engine_host and by the deterministic tests.
void spawn_runtime(caf::actor_system& sys, const std::shared_ptr<runtime>& rt);

/// Sends shutdown to the shards (they kill their live children) and stops
/// the pool. Does not wait.
void shutdown_runtime(caf::actor_system& sys, runtime& rt);

/// The ids of the partners that have a webhook endpoint.
using endpoint_partners = std::unordered_set<std::string>;

/// Spawns the production checkpointer over `writer` (which must outlive
/// it). Acknowledges a unit only after the writer reports it durable.
/// With `endpoints`, every outbox event of a partner not in it is written
/// feed-only (never delivered; actors/README.md, "Feed-only events");
/// without, every event is pending delivery.
[[nodiscard]] checkpointer_actor
spawn_checkpointer(caf::actor_system& sys, persistence::group_commit_writer& writer,
                   std::shared_ptr<const endpoint_partners> endpoints = nullptr);
/// Same, and tells `notify` (the webhook dispatcher) the highest outbox seq
/// of every acknowledged unit that appended events (from the writer
/// thread, before the requester's acknowledgement).
[[nodiscard]] checkpointer_actor
spawn_checkpointer(caf::actor_system& sys, persistence::group_commit_writer& writer,
                   webhook_dispatcher_actor notify,
                   std::shared_ptr<const endpoint_partners> endpoints = nullptr);
/// Same, and also tells `network_notify` (the network dispatcher; may be
/// unset) `(nd_cmds atom, highest seq)` after every acknowledged unit that
/// appended network commands.
[[nodiscard]] checkpointer_actor
spawn_checkpointer(caf::actor_system& sys, persistence::group_commit_writer& writer,
                   webhook_dispatcher_actor notify, caf::actor network_notify,
                   std::shared_ptr<const endpoint_partners> endpoints);

/// Test seam: a checkpointer that commits each unit synchronously with
/// persistence::commit_now on the actor's own thread (no writer thread), so
/// that CAF's deterministic test coordinator can drive every step.
[[nodiscard]] checkpointer_actor spawn_sync_checkpointer(caf::actor_system& sys,
                                                         persistence::env& store);

/// Spawns the idempotency sweeper (actors/src/idempotency_sweeper.cpp): every
/// `options.idempotency_sweep_interval` (must be > 0) it deletes expired
/// idempotency records through the checkpointer, at most
/// `options.idempotency_sweep_batch` per unit. Stop it with an exit
/// message before the actor system goes.
[[nodiscard]] caf::actor spawn_idempotency_sweeper(caf::actor_system& sys,
                                                   std::shared_ptr<const runtime> rt);

/// Spawns the expiry scheduler (actors/src/expiry_scheduler.cpp): every
/// `options.expiry_scan_interval` it reads the due verification deadlines
/// from the durable index, at most `options.expiry_scan_batch` per batch,
/// and sends each token tk_expire through its registry shard. The first
/// round runs at once. Stop it with an exit message before the actor
/// system goes.
[[nodiscard]] caf::actor spawn_expiry_scheduler(caf::actor_system& sys,
                                                std::shared_ptr<const runtime> rt);

/// Spawns the verification pool (round-robin caf::actor_pool).
[[nodiscard]] verification_actor spawn_verification_pool(caf::actor_system& sys,
                                                         const std::shared_ptr<runtime>& rt,
                                                         std::size_t workers);

/// The SMS text: "Your dwt verification code is 123456. It expires in 10
/// minutes." (the code is the only six-digit number).
[[nodiscard]] std::string otp_sms_body(const std::string& code, std::chrono::seconds ttl);

/// The SMS text of a code a card network generated (MDES
/// deliverActivationCode): "Your card activation code is X. It expires in
/// N minutes." (without the second sentence when `ttl` is not positive).
[[nodiscard]] std::string activation_code_sms_body(std::string_view code, std::chrono::seconds ttl);

/// Spawns one registry shard.
[[nodiscard]] registry_actor spawn_registry_shard(caf::actor_system& sys,
                                                  const std::shared_ptr<runtime>& rt);

/// Spawns a virtual token / card actor (lazy_init); the actor loads its
/// state from LMDB on its first message.
[[nodiscard]] token_actor spawn_token_actor(caf::local_actor* parent,
                                            std::shared_ptr<const runtime> rt,
                                            engine::token_ref ref, registry_actor shard);
[[nodiscard]] card_actor spawn_card_actor(caf::local_actor* parent,
                                          std::shared_ptr<const runtime> rt, engine::card_id id,
                                          registry_actor shard);

} // namespace dwt::actors
