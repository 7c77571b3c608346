/// @file
/// Builders of committed changes (see changes.hpp).

#include "changes.hpp"

#include "dwt/engine/assert.hpp"
#include "dwt/engine/json.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/persistence/reader.hpp"

namespace dwt::actors {

std::string new_transition_id(engine::random_source& rng) {
  return engine::pan::generate_id("tr_", rng);
}

std::string new_event_id(engine::timestamp now, engine::random_source& rng) {
  return engine::pan::generate_time_ordered_id("evt_", now, rng);
}

void add_transition(persistence::write_unit& unit, const engine::transition_outcome& o,
                    engine::random_source& rng) {
  DWT_ASSERT(o.token.history_count >= 1);
  unit.append_history(o.token.history_count - 1, o.record);
  persistence::outbox_event ev;
  ev.event_id = new_event_id(o.record.created_at, rng);
  ev.partner = o.token.partner;
  ev.token = o.token.ref;
  ev.type = std::string{engine::json::transition_event_type};
  ev.created_at = o.record.created_at;
  ev.payload = engine::json::scratch_serialize([&](boost::json::storage_ptr sp) {
    return engine::json::transition_event_data(o.record, o.token, std::move(sp));
  });
  unit.append_outbox(std::move(ev));
}

void add_manual_verification_event(persistence::write_unit& unit, const engine::token_record& token,
                                   engine::verification_method method, engine::timestamp now,
                                   engine::random_source& rng) {
  persistence::outbox_event ev;
  ev.event_id = new_event_id(now, rng);
  ev.partner = token.partner;
  ev.token = token.ref;
  ev.type = std::string{engine::json::manual_verification_event_type};
  ev.created_at = now;
  ev.payload = engine::json::scratch_serialize([&](boost::json::storage_ptr sp) {
    return engine::json::manual_verification_event_data(token, method, std::move(sp));
  });
  unit.append_outbox(std::move(ev));
}

bool is_conflict(const caf::error& err) noexcept {
  return err.category() == persistence::error_category &&
         err.code() == static_cast<std::uint8_t>(persistence::errc::conflict);
}

bool idempotency_taken(persistence::env& store, const engine::partner_id& scope,
                       const std::string& key) {
  auto rd = persistence::reader::begin(store);
  if (!rd)
    return false;
  return rd->idempotency(scope, key).has_value();
}

} // namespace dwt::actors
