#pragma once
/// @file
/// A `write_unit`: a list of typed operations applied atomically (all or
/// nothing) in one nested LMDB transaction. Actors build one unit per
/// acknowledged change (state + history + outbox event + idempotency
/// record) and hand it to the `group_commit_writer`.
///
/// Validation operations (`*_if_absent`, `expect_token_history_count`,
/// `expect_card_state`, and
/// the uniqueness checks that `put_card` / `append_history` perform) fail
/// the whole unit with errc::conflict; other units of the same batch are not
/// affected. Ids are checked when the unit is applied: an empty id or one
/// longer than keys::max_id_size fails the unit with errc::invalid_argument.
///
/// Threading: a unit is a plain value, built on one thread and moved into
/// `submit`.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dwt/engine/types.hpp"
#include "dwt/persistence/records.hpp"
#include "dwt/persistence/result.hpp"

namespace dwt::persistence {

/// The operations a unit may hold. Applied in insertion order.
namespace op {
/// partners[id] = rec. `if_absent`: conflict if the id exists.
struct put_partner {
  engine::partner_record rec;
  bool if_absent = false;
};
/// Removes a partner; absent is not an error.
struct erase_partner {
  engine::partner_id id;
};
/// profiles[id] = rec. `if_absent`: conflict if the id exists.
struct put_profile {
  engine::profile_record rec;
  bool if_absent = false;
};
/// Removes a profile; absent is not an error.
struct erase_profile {
  engine::profile_id id;
};
/// cards[id] = rec and cards_by_pan_hash[pan_hash] = id (an old index entry
/// of the same card with another hash is removed). Conflict if the pan hash
/// already belongs to another card. `if_absent`: also conflict if the card
/// id exists or the pan hash is taken at all. pan_hash must be non-empty.
struct put_card {
  engine::card_record rec;
  bool if_absent = false;
};
/// Removes a card and its pan-hash index entry; absent is not an error.
struct erase_card {
  engine::card_id id;
};
/// tokens[ref] = rec and tokens_by_card[card|ref] (an old index entry under
/// another card is removed). `if_absent`: conflict if the ref exists. When
/// an existing token is written in a state other than REQUESTED, its
/// verification deadline (set_token_deadline) is removed in the same unit.
struct put_token {
  engine::token_record rec;
  bool if_absent = false;
};
/// Removes a token, its tokens_by_card entry and its verification deadline
/// (history stays: it is append-only); absent is not an error.
struct erase_token {
  engine::token_ref ref;
};
/// Optimistic concurrency: conflict unless the stored token exists and its
/// history_count equals `count`. Evaluated where it sits in the unit.
struct expect_token_history_count {
  engine::token_ref ref;
  std::uint32_t count = 0;
};
/// Optimistic concurrency: conflict unless the stored card exists and is
/// in `state` (a token becomes ACTIVE only while its card is ACTIVE: the
/// token's unit carries this guard, so a card change committed in between
/// makes it retry).
struct expect_card_state {
  engine::card_id id;
  engine::card_state state = engine::card_state::active;
};
/// history[token|seq] = rec (key token = rec.token). Conflict if that
/// sequence number is already recorded (history is append-only).
struct append_history {
  std::uint32_t seq = 0;
  engine::transition_record rec;
};
/// challenges[token] = rec (replaces any previous challenge).
struct put_challenge {
  engine::verification_challenge rec;
};
/// Removes a token's challenge; absent is not an error.
struct erase_challenge {
  engine::token_ref ref;
};
/// Appends to the outbox with the next seq (assigned at apply time; the
/// event's own `seq` is ignored) and indexes it in outbox_by_partner and
/// outbox_pending (and outbox_by_event_id: event id -> seq, when the id is a
/// valid key). The seq is reported in `commit_ack::outbox_seqs`.
/// `feed_only`: the event is for the feed only (its partner has no webhook
/// endpoint): it is not indexed in outbox_pending and its delivery state is
/// written as delivery_status::feed_only instead.
struct append_outbox {
  outbox_event event;
  bool feed_only = false;
};
/// Removes seq from outbox_pending (delivered or dead-lettered; the event
/// stays in the outbox for the events feed). Absent is not an error.
struct erase_outbox_pending {
  std::uint64_t seq = 0;
};
/// Puts seq back into outbox_pending (redelivery of a delivered or
/// dead-lettered event). errc::not_found if the outbox has no such event.
struct requeue_outbox_pending {
  std::uint64_t seq = 0;
};
/// deliveries[rec.seq] = rec (replaces the previous state).
struct put_delivery_state {
  delivery_state rec;
};
/// delivery_attempts[rec.seq|rec.attempt_no] = rec. Conflict if that
/// attempt is already recorded (the log is append-only).
struct append_delivery_attempt {
  delivery_attempt_record rec;
};
/// idempotency[partner|key] = rec, maintaining idempotency_by_expiry.
/// `if_absent`: conflict if a record exists whose expires_at is after
/// rec.created_at (an expired record is replaced). The key must be
/// non-empty and at most keys::max_idempotency_key_size bytes.
struct put_idempotency {
  idempotency_record rec;
  bool if_absent = false;
};
/// Removes an idempotency record; absent is not an error.
struct erase_idempotency {
  engine::partner_id partner;
  std::string key;
};
/// Deletes at most `limit` idempotency records with expires_at <= now
/// (oldest expiry first). The count is reported in
/// `commit_ack::idempotency_swept`.
struct sweep_idempotency {
  engine::timestamp now{};
  std::size_t limit = 1000;
};
/// counters[name] += delta (wrapping u64; absent counts as 0).
struct add_counter {
  std::string name;
  std::uint64_t delta = 1;
};

/// Sets the verification deadline of token `ref`: token_deadlines[at|ref]
/// and deadline_of_token[ref] = at, replacing an earlier deadline of the
/// token. Written only while the stored token (as the unit's earlier
/// operations left it) is REQUESTED; for an absent token or another state
/// nothing is written and the unit goes on: a deadline exists only while a
/// token awaits verification (put_token removes it when the token leaves
/// REQUESTED, erase_token when it goes).
struct set_token_deadline {
  engine::token_ref ref;
  engine::timestamp at{};
};
/// Removes a deadline entry. `at` unset: the token's deadline (both
/// entries). `at` set: token_deadlines[at|ref], and deadline_of_token[ref]
/// only if it names `at` (so a stale entry goes without touching a later
/// deadline of the same token). Absent is not an error.
struct erase_token_deadline {
  engine::token_ref ref;
  std::optional<engine::timestamp> at;
};

/// Appends a network command with the next seq (assigned at apply time;
/// the command's own `seq` is ignored): network_commands[seq],
/// network_commands_pending[seq] and network_command_of_token[token] = seq
/// (the token's networkSync now shows it). The seq is reported in
/// `commit_ack::network_command_seqs`.
struct append_network_command {
  network_command cmd;
};
/// Replaces the stored command `cmd.seq` (errc::not_found if there is
/// none): it stays in (or goes back into) network_commands_pending while
/// PENDING and leaves it once CONFIRMED or FAILED.
struct put_network_command {
  network_command cmd;
};

using any = std::variant<put_partner, erase_partner, put_profile, erase_profile, put_card,
                         erase_card, put_token, erase_token, expect_token_history_count,
                         expect_card_state, append_history, put_challenge, erase_challenge,
                         append_outbox, erase_outbox_pending, put_idempotency, erase_idempotency,
                         sweep_idempotency, add_counter, requeue_outbox_pending, put_delivery_state,
                         append_delivery_attempt, set_token_deadline, erase_token_deadline,
                         append_network_command, put_network_command>;
} // namespace op

/// What a committed unit reports back.
struct commit_ack {
  /// The seqs assigned to the unit's append_outbox operations, in order.
  std::vector<std::uint64_t> outbox_seqs;
  /// Records deleted by the unit's sweep_idempotency operations.
  std::size_t idempotency_swept = 0;
  /// The seqs assigned to the unit's append_network_command operations.
  std::vector<std::uint64_t> network_command_seqs;
};

/// Called exactly once per submitted unit: with the ack once the batch is
/// durable (per the env's durability mode), or with the unit's error.
/// Runs on the writer thread: it must be quick and must not block (send a
/// message, fulfil a promise; never wait on the writer from inside).
using completion = std::function<void(result<commit_ack>)>;

/// An atomic list of operations. The builder methods return *this for
/// chaining; they never fail (checks happen when the unit is applied).
class write_unit {
public:
  write_unit& put_partner(engine::partner_record rec);
  write_unit& put_partner_if_absent(engine::partner_record rec);
  write_unit& erase_partner(engine::partner_id id);

  write_unit& put_profile(engine::profile_record rec);
  write_unit& put_profile_if_absent(engine::profile_record rec);
  write_unit& erase_profile(engine::profile_id id);

  write_unit& put_card(engine::card_record rec);
  write_unit& put_card_if_absent(engine::card_record rec);
  write_unit& erase_card(engine::card_id id);

  write_unit& put_token(engine::token_record rec);
  write_unit& put_token_if_absent(engine::token_record rec);
  write_unit& erase_token(engine::token_ref ref);
  write_unit& expect_token_history_count(engine::token_ref ref, std::uint32_t count);
  write_unit& set_token_deadline(engine::token_ref ref, engine::timestamp at);
  write_unit& erase_token_deadline(engine::token_ref ref,
                                   std::optional<engine::timestamp> at = std::nullopt);
  write_unit& expect_card_state(engine::card_id id, engine::card_state state);

  write_unit& append_history(std::uint32_t seq, engine::transition_record rec);

  write_unit& put_challenge(engine::verification_challenge rec);
  write_unit& erase_challenge(engine::token_ref ref);

  write_unit& append_outbox(outbox_event event, bool feed_only = false);
  /// Marks every append_outbox already in the unit whose partner
  /// `is_feed_only` answers true for as feed only (see op::append_outbox).
  /// Returns the number marked.
  std::size_t mark_feed_only(const std::function<bool(const engine::partner_id&)>& is_feed_only);
  write_unit& erase_outbox_pending(std::uint64_t seq);
  write_unit& requeue_outbox_pending(std::uint64_t seq);
  write_unit& put_delivery_state(delivery_state rec);
  write_unit& append_delivery_attempt(delivery_attempt_record rec);

  write_unit& put_idempotency(idempotency_record rec);
  write_unit& put_idempotency_if_absent(idempotency_record rec);
  write_unit& erase_idempotency(engine::partner_id partner, std::string key);
  write_unit& sweep_idempotency(engine::timestamp now, std::size_t limit);

  write_unit& add_counter(std::string name, std::uint64_t delta = 1);

  write_unit& append_network_command(network_command cmd);
  write_unit& put_network_command(network_command cmd);

  /// Appends any operation.
  write_unit& add(op::any operation);

  [[nodiscard]] const std::vector<op::any>& operations() const noexcept { return ops_; }
  [[nodiscard]] std::size_t size() const noexcept { return ops_.size(); }
  [[nodiscard]] bool empty() const noexcept { return ops_.empty(); }

private:
  std::vector<op::any> ops_;
};

} // namespace dwt::persistence
