#include "dwt/persistence/write_unit.hpp"

namespace dwt::persistence {

namespace {
/// Room for the operations of a typical unit (a provisioning writes about
/// six, a webhook attempt three): growing 1, 2, 4, 8 moved each 312-byte
/// operation up to three times and allocated four times.
constexpr std::size_t typical_unit_ops = 8;
} // namespace

write_unit& write_unit::add(op::any operation) {
  if (ops_.capacity() == 0)
    ops_.reserve(typical_unit_ops);
  ops_.push_back(std::move(operation));
  return *this;
}

write_unit& write_unit::put_partner(engine::partner_record rec) {
  return add(op::put_partner{std::move(rec), false});
}
write_unit& write_unit::put_partner_if_absent(engine::partner_record rec) {
  return add(op::put_partner{std::move(rec), true});
}
write_unit& write_unit::erase_partner(engine::partner_id id) {
  return add(op::erase_partner{std::move(id)});
}

write_unit& write_unit::put_profile(engine::profile_record rec) {
  return add(op::put_profile{std::move(rec), false});
}
write_unit& write_unit::put_profile_if_absent(engine::profile_record rec) {
  return add(op::put_profile{std::move(rec), true});
}
write_unit& write_unit::erase_profile(engine::profile_id id) {
  return add(op::erase_profile{std::move(id)});
}

write_unit& write_unit::put_card(engine::card_record rec) {
  return add(op::put_card{std::move(rec), false});
}
write_unit& write_unit::put_card_if_absent(engine::card_record rec) {
  return add(op::put_card{std::move(rec), true});
}
write_unit& write_unit::erase_card(engine::card_id id) {
  return add(op::erase_card{std::move(id)});
}

write_unit& write_unit::put_token(engine::token_record rec) {
  return add(op::put_token{std::move(rec), false});
}
write_unit& write_unit::put_token_if_absent(engine::token_record rec) {
  return add(op::put_token{std::move(rec), true});
}
write_unit& write_unit::erase_token(engine::token_ref ref) {
  return add(op::erase_token{std::move(ref)});
}
write_unit& write_unit::expect_token_history_count(engine::token_ref ref, std::uint32_t count) {
  return add(op::expect_token_history_count{std::move(ref), count});
}

write_unit& write_unit::set_token_deadline(engine::token_ref ref, engine::timestamp at) {
  return add(op::set_token_deadline{std::move(ref), at});
}

write_unit& write_unit::erase_token_deadline(engine::token_ref ref,
                                             std::optional<engine::timestamp> at) {
  return add(op::erase_token_deadline{std::move(ref), at});
}

write_unit& write_unit::expect_card_state(engine::card_id id, engine::card_state state) {
  return add(op::expect_card_state{std::move(id), state});
}

write_unit& write_unit::append_history(std::uint32_t seq, engine::transition_record rec) {
  return add(op::append_history{seq, std::move(rec)});
}

write_unit& write_unit::put_challenge(engine::verification_challenge rec) {
  return add(op::put_challenge{std::move(rec)});
}
write_unit& write_unit::erase_challenge(engine::token_ref ref) {
  return add(op::erase_challenge{std::move(ref)});
}

write_unit& write_unit::append_outbox(outbox_event event, bool feed_only) {
  return add(op::append_outbox{std::move(event), feed_only});
}

std::size_t
write_unit::mark_feed_only(const std::function<bool(const engine::partner_id&)>& is_feed_only) {
  std::size_t n = 0;
  for (auto& o : ops_) {
    if (auto* a = std::get_if<op::append_outbox>(&o);
        a != nullptr && !a->feed_only && is_feed_only(a->event.partner)) {
      a->feed_only = true;
      ++n;
    }
  }
  return n;
}
write_unit& write_unit::erase_outbox_pending(std::uint64_t seq) {
  return add(op::erase_outbox_pending{seq});
}

write_unit& write_unit::append_network_command(network_command cmd) {
  return add(op::append_network_command{std::move(cmd)});
}
write_unit& write_unit::put_network_command(network_command cmd) {
  return add(op::put_network_command{std::move(cmd)});
}
write_unit& write_unit::requeue_outbox_pending(std::uint64_t seq) {
  return add(op::requeue_outbox_pending{seq});
}
write_unit& write_unit::put_delivery_state(delivery_state rec) {
  return add(op::put_delivery_state{std::move(rec)});
}
write_unit& write_unit::append_delivery_attempt(delivery_attempt_record rec) {
  return add(op::append_delivery_attempt{std::move(rec)});
}

write_unit& write_unit::put_idempotency(idempotency_record rec) {
  return add(op::put_idempotency{std::move(rec), false});
}
write_unit& write_unit::put_idempotency_if_absent(idempotency_record rec) {
  return add(op::put_idempotency{std::move(rec), true});
}
write_unit& write_unit::erase_idempotency(engine::partner_id partner, std::string key) {
  return add(op::erase_idempotency{std::move(partner), std::move(key)});
}
write_unit& write_unit::sweep_idempotency(engine::timestamp now, std::size_t limit) {
  return add(op::sweep_idempotency{now, limit});
}

write_unit& write_unit::add_counter(std::string name, std::uint64_t delta) {
  return add(op::add_counter{std::move(name), delta});
}

} // namespace dwt::persistence
