#pragma once
/// @file
/// Read-only snapshot transactions (MDB_RDONLY). A `reader` sees the store
/// as of the moment it began; it never blocks the writer and is never
/// blocked by it (except during a rare map growth, which waits for open
/// readers to end: keep readers short and never wait for a write
/// completion while holding one).
///
/// Threading: the environment uses MDB_NOTLS, so a reader may be created on
/// one thread and used or destroyed on another, but only by one thread at a
/// time. Every getter returns decoded copies: no pointer into the map
/// outlives the transaction.
///
/// Errors common to every getter: errc::corrupt_record /
/// errc::unsupported_version (a stored value does not decode),
/// errc::invalid_argument (an id that cannot be a key: empty or longer than
/// keys::max_id_size), errc::internal (other LMDB failures).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwt/engine/types.hpp"
#include "dwt/persistence/env.hpp"
#include "dwt/persistence/records.hpp"
#include "dwt/persistence/result.hpp"

namespace dwt::persistence {

/// One read-only snapshot.
class reader {
public:
  /// Begins a snapshot. Errors: errc::readers_full (all reader slots in
  /// use), errc::internal.
  [[nodiscard]] static result<reader> begin(env& store);

  reader(reader&& other) noexcept;
  reader& operator=(reader&& other) noexcept;
  reader(const reader&) = delete;
  reader& operator=(const reader&) = delete;
  /// Ends the snapshot (aborts the read transaction).
  ~reader();

  /// Errors: errc::not_found.
  [[nodiscard]] result<engine::partner_record> partner(const engine::partner_id& id) const;
  /// Errors: errc::not_found.
  [[nodiscard]] result<engine::profile_record> profile(const engine::profile_id& id) const;
  /// Errors: errc::not_found.
  [[nodiscard]] result<engine::card_record> card(const engine::card_id& id) const;
  /// `partner`'s card whose PAN hash is `pan_hash` (raw bytes); PAN
  /// uniqueness is per partner. Errors: errc::not_found,
  /// errc::corrupt_record (index points at a missing card).
  [[nodiscard]] result<engine::card_record> card_by_pan_hash(const engine::partner_id& partner,
                                                             std::string_view pan_hash) const;
  /// Every partner's card whose PAN hash is `pan_hash`, in partner id
  /// order; empty if none (at most one per partner). Errors:
  /// errc::corrupt_record (index points at a missing card).
  [[nodiscard]] result<std::vector<engine::card_record>>
  cards_by_pan_hash(std::string_view pan_hash) const;
  /// Errors: errc::not_found.
  [[nodiscard]] result<engine::token_record> token(const engine::token_ref& ref) const;
  /// The refs of a card's tokens, in key (byte) order; empty if none.
  [[nodiscard]] result<std::vector<engine::token_ref>>
  token_refs_of_card(const engine::card_id& card) const;
  /// A card's tokens, in ref order; empty if none. Errors also
  /// errc::corrupt_record if the index names a missing token.
  [[nodiscard]] result<std::vector<engine::token_record>>
  tokens_of_card(const engine::card_id& card) const;
  /// A token's transitions, oldest first (by sequence number); empty if none.
  [[nodiscard]] result<std::vector<engine::transition_record>>
  history(const engine::token_ref& ref) const;
  /// Errors: errc::not_found.
  [[nodiscard]] result<engine::verification_challenge>
  challenge(const engine::token_ref& ref) const;

  /// Outbox events with seq > after_seq, ascending, at most `limit`.
  [[nodiscard]] result<std::vector<outbox_event>> outbox_after(std::uint64_t after_seq,
                                                               std::size_t limit) const;
  /// One partner's outbox events with seq > after_seq, ascending, at most
  /// `limit`.
  [[nodiscard]] result<std::vector<outbox_event>>
  outbox_of_partner_after(const engine::partner_id& partner, std::uint64_t after_seq,
                          std::size_t limit) const;
  /// Outbox seqs not yet delivered or dead-lettered, > after_seq, ascending,
  /// at most `limit`.
  [[nodiscard]] result<std::vector<std::uint64_t>> pending_outbox(std::uint64_t after_seq,
                                                                  std::size_t limit) const;
  /// The highest outbox seq ever assigned (0 if none).
  [[nodiscard]] result<std::uint64_t> last_outbox_seq() const;
  /// One outbox event. Errors: errc::not_found.
  [[nodiscard]] result<outbox_event> outbox_event_at(std::uint64_t seq) const;

  /// True if seq is in outbox_pending (not yet delivered or dead-lettered).
  [[nodiscard]] result<bool> outbox_is_pending(std::uint64_t seq) const;
  /// The seq of the outbox event with this event id (`webhook-id`).
  /// Errors: errc::not_found, errc::invalid_argument.
  [[nodiscard]] result<std::uint64_t> outbox_seq_of_event(std::string_view event_id) const;
  /// The delivery state of an outbox event, or nullopt if no attempt has
  /// been recorded yet (every new event: an optional rather than a
  /// not_found error, whose message would be built per event on the
  /// webhook hot path). Errors: errc::corrupt_record.
  [[nodiscard]] result<std::optional<delivery_state>> find_delivery_state(std::uint64_t seq) const;
  /// Every recorded attempt of an outbox event, oldest first; empty if none.
  [[nodiscard]] result<std::vector<delivery_attempt_record>>
  delivery_attempts_of(std::uint64_t seq) const;

  /// Errors: errc::not_found (expired records are returned until swept;
  /// callers compare expires_at with their clock).
  [[nodiscard]] result<idempotency_record> idempotency(const engine::partner_id& partner,
                                                       std::string_view key) const;
  /// A counter's value (0 if it was never incremented).
  [[nodiscard]] result<std::uint64_t> counter(std::string_view name) const;

  /// Refs of tokens in state REQUESTED (the `tokens_requested` index), in
  /// key order, strictly after `after` (empty: from the first), at most
  /// `limit`. Lets the start-up expiry scan touch only these tokens.
  [[nodiscard]] result<std::vector<engine::token_ref>>
  requested_token_refs(std::string_view after, std::size_t limit) const;

  /// The verification deadline of token `ref` (deadline_of_token), or
  /// nullopt if it has none (not REQUESTED, or not indexed yet).
  [[nodiscard]] result<std::optional<engine::timestamp>>
  token_deadline(const engine::token_ref& ref) const;
  /// Entries of the deadline index with a deadline at or before `now`,
  /// earliest first, at most `limit`, strictly after the entry `after`
  /// when given (to page past entries still being handled). Reads only
  /// those: the index is ordered by time. Errors also
  /// errc::corrupt_record (a malformed key).
  [[nodiscard]] result<std::vector<token_deadline_entry>>
  due_token_deadlines(engine::timestamp now, std::size_t limit,
                      const std::optional<token_deadline_entry>& after = std::nullopt) const;

  /// The ref of the token a card network names `network_ref` (MDES's
  /// tokenUniqueReference; tokens_by_network_ref), or nullopt if none
  /// does. Errors: errc::invalid_argument (network none, an empty or
  /// over-long reference).
  [[nodiscard]] result<std::optional<engine::token_ref>>
  token_by_network_ref(engine::card_network network, std::string_view network_ref) const;
  /// Network command seqs not yet confirmed or failed, > after_seq,
  /// ascending, at most `limit`.
  [[nodiscard]] result<std::vector<std::uint64_t>>
  pending_network_commands(std::uint64_t after_seq, std::size_t limit) const;
  /// One network command. Errors: errc::not_found.
  [[nodiscard]] result<network_command> network_command_at(std::uint64_t seq) const;
  /// The latest network command of a token (its networkSync), or nullopt.
  [[nodiscard]] result<std::optional<network_command>>
  latest_network_command(const engine::token_ref& ref) const;

  /// Number of entries in a named database (from mdb_stat).
  [[nodiscard]] result<std::size_t> entries(db d) const;

private:
  reader(env& store, MDB_txn* txn) noexcept : env_(&store), txn_(txn) {}
  void close() noexcept;

  env* env_ = nullptr;
  MDB_txn* txn_ = nullptr;
};

} // namespace dwt::persistence
