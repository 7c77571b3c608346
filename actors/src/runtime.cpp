/// @file
/// Runtime context: option defaults and validation, shard selection, and
/// spawning / stopping the infrastructure actors.

#include "dwt/actors/runtime.hpp"

#include <caf/send.hpp>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/random.hpp"

namespace dwt::actors {

const registry_actor& runtime::shard_for(const std::string& id) const {
  DWT_ASSERT(!shards.empty());
  return shards[std::hash<std::string>{}(id) % shards.size()];
}

const engine::partner_record* runtime::partner(const engine::partner_id& id) const {
  for (const auto& p : options.partners)
    if (p.id == id)
      return &p;
  return nullptr;
}

caf::expected<engine_options> normalise_options(engine_options o) {
  auto bad = [](std::string what) {
    return caf::expected<engine_options>{
        make_error(runtime_errc::invalid_options, std::move(what))};
  };
  if (o.data_dir.empty())
    return bad("data_dir is empty");
  if (o.shard_count == 0)
    return bad("shard_count must be at least 1");
  if (o.max_live_actors == 0)
    return bad("max_live_actors must be at least 1");
  if (o.pan_hash_key.size() != 32 || o.pan_encryption_key.size() != 32 || o.otp_key.size() != 32)
    return bad("pan_hash_key, pan_encryption_key and otp_key must be 32 bytes each");
  if (o.passivate_after.count() <= 0)
    return bad("passivate_after must be positive");
  if (o.verification_expiry.count() <= 0)
    return bad("verification_expiry must be positive");
  if (o.idempotency_sweep_interval.count() < 0)
    return bad("idempotency_sweep_interval must not be negative");
  if (o.idempotency_sweep_batch == 0 || o.idempotency_sweep_batch > 100000)
    return bad("idempotency_sweep_batch must be 1 to 100000");
  if (o.expiry_scan_interval.count() <= 0 || o.expiry_scan_interval > std::chrono::hours{1})
    return bad("expiry_scan_interval must be 1 ms to 1 h");
  if (o.expiry_scan_batch == 0 || o.expiry_scan_batch > 100000)
    return bad("expiry_scan_batch must be 1 to 100000");
  if (o.scheduler_policy != "sharing" && o.scheduler_policy != "stealing" &&
      o.scheduler_policy != "testing")
    return bad("scheduler_policy must be sharing, stealing or testing");
  o.store.directory = o.data_dir;
  if (!o.clock)
    o.clock = [] {
      return std::chrono::time_point_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now());
    };
  if (!o.random)
    o.random = [] { return std::make_unique<engine::secure_random>(); };
  if (!o.sms)
    o.sms = make_file_sms_sink(o.data_dir / "sms.jsonl");
  return o;
}

void spawn_runtime(caf::actor_system& sys, const std::shared_ptr<runtime>& rt) {
  rt->live_cap_per_shard =
      std::max<std::size_t>(1, rt->options.max_live_actors / rt->options.shard_count);
  rt->verification =
      spawn_verification_pool(sys, rt, std::max<std::size_t>(2, rt->options.scheduler_threads));
  rt->shards.reserve(rt->options.shard_count);
  for (std::size_t i = 0; i < rt->options.shard_count; ++i)
    rt->shards.push_back(spawn_registry_shard(sys, rt));
}

void shutdown_runtime(caf::actor_system&, runtime& rt) {
  for (auto& s : rt.shards)
    caf::anon_send(s, shutdown_atom::value);
  if (rt.verification)
    caf::anon_send_exit(rt.verification, caf::exit_reason::user_shutdown);
  if (rt.checkpointer)
    caf::anon_send_exit(rt.checkpointer, caf::exit_reason::user_shutdown);
}

} // namespace dwt::actors
