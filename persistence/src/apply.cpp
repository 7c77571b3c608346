#include "apply.hpp"

#include <optional>
#include <type_traits>

#include "dwt/persistence/codec.hpp"
#include "dwt/persistence/keys.hpp"
#include "lmdb_util.hpp"

namespace dwt::persistence::detail {
namespace {

using namespace dwt::engine;

result<void> check_id(std::string_view id, std::string_view what) {
  if (!keys::valid_id(id))
    return fail(errc::invalid_argument,
                std::string{what} + (id.empty() ? " is empty" : " is longer than 128 bytes"));
  return {};
}

// The tokens_by_network_ref key of a token, when the network has named it.
std::optional<std::string> network_ref_key(const token_record& t) {
  if (!t.network || t.network->network == card_network::none ||
      t.network->token_unique_reference.empty())
    return std::nullopt;
  return keys::token_by_network_ref(static_cast<std::uint8_t>(t.network->network),
                                    t.network->token_unique_reference);
}

// Applies the operations of one unit. Holds the txn and the dbi table; one
// instance per unit.
class applier {
public:
  applier(const env& store, MDB_txn* t) : env_(store), t_(t) {}

  result<void> operator()(const op::put_partner& o) {
    return put_by_id(db::partners, o.rec, o.if_absent, "partner");
  }
  result<void> operator()(const op::erase_partner& o) {
    return erase_by_id(db::partners, o.id.value, "partner");
  }

  result<void> operator()(const op::put_profile& o) {
    return put_by_id(db::profiles, o.rec, o.if_absent, "profile");
  }
  result<void> operator()(const op::erase_profile& o) {
    return erase_by_id(db::profiles, o.id.value, "profile");
  }

  result<void> operator()(const op::put_card& o) {
    const auto& id = o.rec.id.value;
    if (auto r = check_id(id, "card id"); !r)
      return r;
    if (auto r = check_id(o.rec.pan_hash, "card pan hash"); !r)
      return r;
    if (auto r = check_id(o.rec.partner.value, "card partner id"); !r)
      return r;
    auto existing = get(t_, dbi(db::cards), id);
    if (!existing)
      return existing.err();
    if (o.if_absent && existing->has_value())
      return fail(errc::conflict, "card " + id + " exists");
    // PAN uniqueness is per partner; the message names no card (the caller
    // may be another partner's request).
    const auto pan_key = keys::card_by_pan(o.rec.pan_hash, o.rec.partner.value);
    auto owner = get(t_, dbi(db::cards_by_pan_hash), pan_key);
    if (!owner)
      return owner.err();
    if (owner->has_value() && (o.if_absent || **owner != id))
      return fail(errc::conflict, "the partner has already registered this PAN");
    if (existing->has_value()) {
      auto old = codec::decode<card_record>(**existing);
      if (!old)
        return old.err();
      if (old->pan_hash != o.rec.pan_hash || old->partner != o.rec.partner) {
        if (auto r = erase_pan_index(*old); !r)
          return r;
      }
    }
    if (auto r = put(db::cards, id, codec::encode(o.rec), 0); !r)
      return r;
    return put(db::cards_by_pan_hash, pan_key, id, 0);
  }
  result<void> operator()(const op::erase_card& o) {
    const auto& id = o.id.value;
    if (auto r = check_id(id, "card id"); !r)
      return r;
    auto old = stored<card_record>(db::cards, id);
    if (!old)
      return old.err();
    if (!old->has_value())
      return {};
    if (auto r = erase_pan_index(**old); !r)
      return r;
    return del(t_, dbi(db::cards), id, "erase card");
  }

  result<void> operator()(const op::put_token& o) {
    const auto& ref = o.rec.ref.value;
    if (auto r = check_id(ref, "token ref"); !r)
      return r;
    if (auto r = check_id(o.rec.card.value, "token card id"); !r)
      return r;
    const auto network_key = network_ref_key(o.rec);
    if (network_key) {
      if (auto r = check_id(o.rec.network->token_unique_reference, "token network reference"); !r)
        return r;
      // One network token id names one token.
      auto owner = get(t_, dbi(db::tokens_by_network_ref), *network_key);
      if (!owner)
        return owner.err();
      if (owner->has_value() && **owner != ref)
        return fail(errc::conflict, "the network's token reference names another token");
    }
    auto existing = get(t_, dbi(db::tokens), ref);
    if (!existing)
      return existing.err();
    const bool is_new = !existing->has_value();
    if (existing->has_value()) {
      if (o.if_absent)
        return fail(errc::conflict, "token " + ref + " exists");
      auto old = codec::decode<token_record>(**existing);
      if (!old)
        return old.err();
      if (old->card != o.rec.card) {
        if (auto r = del(t_, dbi(db::tokens_by_card), keys::token_by_card(old->card.value, ref),
                         "erase token index");
            !r)
          return r;
      }
      if (auto old_key = network_ref_key(*old); old_key && old_key != network_key) {
        if (auto r = del(t_, dbi(db::tokens_by_network_ref), *old_key, "erase network index"); !r)
          return r;
      }
    }
    if (auto r = put(db::tokens, ref, codec::encode(o.rec), 0); !r)
      return r;
    if (network_key) {
      if (auto r = put(db::tokens_by_network_ref, *network_key, ref, 0); !r)
        return r;
    }
    if (auto r = put(db::tokens_by_card, keys::token_by_card(o.rec.card.value, ref), {}, 0); !r)
      return r;
    if (auto r = o.rec.state == token_state::requested
                     ? put(db::tokens_requested, ref, {}, 0)
                     : del(t_, dbi(db::tokens_requested), ref, "erase requested index");
        !r)
      return r;
    // Leaving REQUESTED ends the wait for verification: its deadline goes
    // in the same unit, so the index never outlives the state.
    if (!is_new && o.rec.state != token_state::requested) {
      if (auto r = erase_deadline(ref, std::nullopt); !r)
        return r;
    }
    return is_new ? count_indexed_tokens(+1) : result<void>{};
  }
  result<void> operator()(const op::erase_token& o) {
    const auto& ref = o.ref.value;
    if (auto r = check_id(ref, "token ref"); !r)
      return r;
    auto old = stored<token_record>(db::tokens, ref);
    if (!old)
      return old.err();
    if (!old->has_value())
      return {};
    if (auto r = del(t_, dbi(db::tokens_by_card), keys::token_by_card((*old)->card.value, ref),
                     "erase token index");
        !r)
      return r;
    if (auto r = del(t_, dbi(db::tokens_requested), ref, "erase requested index"); !r)
      return r;
    if (auto key = network_ref_key(**old)) {
      if (auto r = del(t_, dbi(db::tokens_by_network_ref), *key, "erase network index"); !r)
        return r;
    }
    if (auto r = erase_deadline(ref, std::nullopt); !r)
      return r;
    if (auto r = del(t_, dbi(db::tokens), ref, "erase token"); !r)
      return r;
    return count_indexed_tokens(-1);
  }
  result<void> operator()(const op::expect_token_history_count& o) {
    const auto& ref = o.ref.value;
    if (auto r = check_id(ref, "token ref"); !r)
      return r;
    auto tok = stored<token_record>(db::tokens, ref);
    if (!tok)
      return tok.err();
    if (!tok->has_value())
      return fail(errc::conflict, "token " + ref + " does not exist (expected history_count " +
                                      std::to_string(o.count) + ")");
    if ((*tok)->history_count != o.count)
      return fail(errc::conflict, "token " + ref + " has history_count " +
                                      std::to_string((*tok)->history_count) + ", expected " +
                                      std::to_string(o.count));
    return {};
  }

  result<void> operator()(const op::set_token_deadline& o) {
    const auto& ref = o.ref.value;
    if (auto r = check_id(ref, "deadline token ref"); !r)
      return r;
    auto tok = stored<token_record>(db::tokens, ref);
    if (!tok)
      return tok.err();
    if (!tok->has_value() || (*tok)->state != token_state::requested)
      return {};
    if (auto r = erase_deadline(ref, std::nullopt); !r)
      return r;
    auto at_ms = to_millis(o.at);
    if (auto r = put(db::token_deadlines, keys::token_deadline(at_ms, ref), {}, 0); !r)
      return r;
    std::string bytes;
    keys::append_be64(bytes, at_ms < 0 ? 0 : static_cast<std::uint64_t>(at_ms));
    return put(db::deadline_of_token, ref, bytes, 0);
  }
  result<void> operator()(const op::erase_token_deadline& o) {
    if (auto r = check_id(o.ref.value, "deadline token ref"); !r)
      return r;
    return erase_deadline(o.ref.value, o.at);
  }

  result<void> operator()(const op::expect_card_state& o) {
    const auto& id = o.id.value;
    if (auto r = check_id(id, "card id"); !r)
      return r;
    auto card = stored<card_record>(db::cards, id);
    if (!card)
      return card.err();
    if (!card->has_value())
      return fail(errc::conflict, "card " + id + " does not exist");
    if ((*card)->state != o.state)
      return fail(errc::conflict, "card " + id + " is not in the expected state");
    return {};
  }

  result<void> operator()(const op::append_history& o) {
    const auto& ref = o.rec.token.value;
    if (auto r = check_id(ref, "transition token ref"); !r)
      return r;
    return put(db::history, keys::history(ref, o.seq), codec::encode(o.rec), MDB_NOOVERWRITE,
               [&] { return "history " + std::to_string(o.seq) + " of token " + ref + " exists"; });
  }

  result<void> operator()(const op::put_challenge& o) {
    if (auto r = check_id(o.rec.token.value, "challenge token ref"); !r)
      return r;
    return put(db::challenges, o.rec.token.value, codec::encode(o.rec), 0);
  }
  result<void> operator()(const op::erase_challenge& o) {
    if (auto r = check_id(o.ref.value, "challenge token ref"); !r)
      return r;
    return del(t_, dbi(db::challenges), o.ref.value, "erase challenge");
  }

  result<void> operator()(const op::append_outbox& o) {
    if (auto r = check_id(o.event.partner.value, "outbox partner id"); !r)
      return r;
    if (o.event.token.value.size() > keys::max_id_size)
      return fail(errc::invalid_argument, "outbox token ref is longer than 128 bytes");
    auto next = next_seq(keys::meta_outbox_last_seq);
    if (!next)
      return next.err();
    const std::uint64_t seq = *next;
    auto key = keys::outbox(seq);
    auto event = o.event;
    event.seq = seq;
    // Seqs only grow, so MDB_APPEND (fill pages, no search) is valid; a
    // refusal would mean the seq counter went backwards.
    if (auto r = put(
            db::outbox, key, codec::encode(event), MDB_APPEND,
            [&] { return "outbox seq " + std::to_string(seq) + " is not above the last event"; });
        !r)
      return r.code() == errc::conflict ? fail(errc::internal, r.err().message) : r;
    if (o.feed_only) {
      // Not for delivery: a state of its own instead of a pending entry.
      delivery_state st;
      st.seq = seq;
      st.status = delivery_status::feed_only;
      st.updated_at = event.created_at;
      if (auto r = put(db::deliveries, key, codec::encode(st), 0); !r)
        return r;
    } else if (auto r = put(db::outbox_pending, key, {}, MDB_APPEND,
                            [] { return std::string{"outbox_pending seq is not above the last"}; });
               !r) {
      return r.code() == errc::conflict ? fail(errc::internal, r.err().message) : r;
    }
    if (auto r = put(db::outbox_by_partner, keys::outbox_by_partner(event.partner.value, seq), {});
        !r)
      return r;
    if (keys::valid_id(event.event_id)) {
      if (auto r = put(db::outbox_by_event_id, event.event_id, key, 0); !r)
        return r;
    }
    if (auto r = put(db::meta, keys::meta_outbox_last_seq, key, 0); !r)
      return r;
    ack_.outbox_seqs.push_back(seq);
    return {};
  }
  result<void> operator()(const op::erase_outbox_pending& o) {
    return del(t_, dbi(db::outbox_pending), keys::outbox(o.seq), "erase outbox pending");
  }

  result<void> operator()(const op::requeue_outbox_pending& o) {
    auto key = keys::outbox(o.seq);
    auto existing = get(t_, dbi(db::outbox), key);
    if (!existing)
      return existing.err();
    if (!existing->has_value())
      return fail(errc::not_found, "outbox event " + std::to_string(o.seq) + " not found");
    return put(db::outbox_pending, key, {}, 0);
  }
  result<void> operator()(const op::append_network_command& o) {
    if (auto r = check_id(o.cmd.token.value, "network command token ref"); !r)
      return r;
    if (auto r = check_id(o.cmd.partner.value, "network command partner id"); !r)
      return r;
    auto next = next_seq(keys::meta_network_command_last_seq);
    if (!next)
      return next.err();
    const std::uint64_t seq = *next;
    auto key = keys::outbox(seq);
    auto cmd = o.cmd;
    cmd.seq = seq;
    if (auto r = put(db::network_commands, key, codec::encode(cmd), MDB_NOOVERWRITE,
                     [&] { return "network command " + std::to_string(seq) + " exists"; });
        !r)
      return r.code() == errc::conflict ? fail(errc::internal, r.err().message) : r;
    if (cmd.status == network_sync_status::pending) {
      if (auto r = put(db::network_commands_pending, key, {}, 0); !r)
        return r;
    }
    if (auto r = put(db::network_command_of_token, cmd.token.value, key, 0); !r)
      return r;
    if (auto r = put(db::meta, keys::meta_network_command_last_seq, key, 0); !r)
      return r;
    ack_.network_command_seqs.push_back(seq);
    return {};
  }
  result<void> operator()(const op::put_network_command& o) {
    auto key = keys::outbox(o.cmd.seq);
    auto existing = get(t_, dbi(db::network_commands), key);
    if (!existing)
      return existing.err();
    if (!existing->has_value())
      return fail(errc::not_found, "network command " + std::to_string(o.cmd.seq) + " not found");
    if (auto r = put(db::network_commands, key, codec::encode(o.cmd), 0); !r)
      return r;
    if (o.cmd.status == network_sync_status::pending)
      return put(db::network_commands_pending, key, {}, 0);
    return del(t_, dbi(db::network_commands_pending), key, "erase network command pending");
  }
  result<void> operator()(const op::put_delivery_state& o) {
    return put(db::deliveries, keys::outbox(o.rec.seq), codec::encode(o.rec), 0);
  }
  result<void> operator()(const op::append_delivery_attempt& o) {
    return put(db::delivery_attempts, keys::delivery_attempt(o.rec.seq, o.rec.attempt_no),
               codec::encode(o.rec), MDB_NOOVERWRITE, [&] {
                 return "attempt " + std::to_string(o.rec.attempt_no) + " of outbox event " +
                        std::to_string(o.rec.seq) + " exists";
               });
  }

  result<void> operator()(const op::put_idempotency& o) {
    const auto& rec = o.rec;
    if (auto r = check_id(rec.partner.value, "idempotency partner id"); !r)
      return r;
    if (rec.key.empty() || rec.key.size() > keys::max_idempotency_key_size)
      return fail(errc::invalid_argument, "idempotency key must be 1 to 255 bytes");
    auto key = keys::idempotency(rec.partner.value, rec.key);
    auto existing = get(t_, dbi(db::idempotency), key);
    if (!existing)
      return existing.err();
    if (existing->has_value()) {
      auto old = codec::decode<idempotency_record>(**existing);
      if (!old)
        return old.err();
      if (o.if_absent && old->expires_at > rec.created_at)
        return fail(errc::conflict, "idempotency key exists");
      if (auto r =
              del(t_, dbi(db::idempotency_by_expiry),
                  keys::idempotency_expiry(to_millis(old->expires_at), rec.partner.value, rec.key),
                  "erase idempotency expiry");
          !r)
        return r;
    }
    if (auto r = put(db::idempotency, key, codec::encode(rec), 0); !r)
      return r;
    return put(db::idempotency_by_expiry,
               keys::idempotency_expiry(to_millis(rec.expires_at), rec.partner.value, rec.key), {},
               0);
  }
  result<void> operator()(const op::erase_idempotency& o) {
    if (auto r = check_id(o.partner.value, "idempotency partner id"); !r)
      return r;
    if (o.key.empty() || o.key.size() > keys::max_idempotency_key_size)
      return fail(errc::invalid_argument, "idempotency key must be 1 to 255 bytes");
    auto key = keys::idempotency(o.partner.value, o.key);
    auto existing = get(t_, dbi(db::idempotency), key);
    if (!existing)
      return existing.err();
    if (!existing->has_value())
      return {};
    auto old = codec::decode<idempotency_record>(**existing);
    if (!old)
      return old.err();
    if (auto r = del(t_, dbi(db::idempotency_by_expiry),
                     keys::idempotency_expiry(to_millis(old->expires_at), o.partner.value, o.key),
                     "erase idempotency expiry");
        !r)
      return r;
    return del(t_, dbi(db::idempotency), key, "erase idempotency");
  }
  result<void> operator()(const op::sweep_idempotency& o) {
    auto now_ms = to_millis(o.now);
    if (now_ms < 0)
      return {};
    auto c = cursor::open(t_, dbi(db::idempotency_by_expiry));
    if (!c)
      return c.err();
    for (std::size_t n = 0; n < o.limit; ++n) {
      // Always take the first entry: the previous one was just deleted.
      MDB_val k{};
      MDB_val v{};
      int rc = mdb_cursor_get(c->get(), &k, &v, MDB_FIRST);
      if (rc == MDB_NOTFOUND)
        break;
      if (rc != 0)
        return lmdb_error(rc, "sweep idempotency");
      auto key = from_val(k);
      auto expires = keys::read_be64(key.substr(0, 8));
      if (key.size() < 9 || !expires)
        return fail(errc::corrupt_record, "idempotency_by_expiry key is malformed");
      if (*expires > static_cast<std::uint64_t>(now_ms))
        break;
      // Copy: the key bytes live in the page we are about to modify.
      std::string record_key{key.substr(8)};
      if (auto r = del(t_, dbi(db::idempotency), record_key, "sweep idempotency"); !r)
        return r;
      if (rc = mdb_cursor_del(c->get(), 0); rc != 0)
        return lmdb_error(rc, "sweep idempotency expiry");
      ++ack_.idempotency_swept;
    }
    return {};
  }

  result<void> operator()(const op::add_counter& o) {
    if (o.name.empty() || o.name.size() > keys::max_counter_name_size)
      return fail(errc::invalid_argument, "counter name must be 1 to 255 bytes");
    auto existing = get(t_, dbi(db::counters), o.name);
    if (!existing)
      return existing.err();
    std::uint64_t value = 0;
    if (existing->has_value()) {
      auto v = keys::read_be64(**existing);
      if (!v)
        return fail(errc::corrupt_record, "counter " + o.name + " is malformed");
      value = *v;
    }
    value += o.delta;
    std::string bytes;
    keys::append_be64(bytes, value);
    return put(db::counters, o.name, bytes, 0);
  }

  commit_ack take_ack() { return std::move(ack_); }

private:
  // The seq after the one the meta counter `meta_key` holds (1 when it
  // holds none): how the outbox and the network commands number entries.
  result<std::uint64_t> next_seq(std::string_view meta_key) {
    auto last = get(t_, dbi(db::meta), meta_key);
    if (!last)
      return last.err();
    if (!last->has_value())
      return std::uint64_t{1};
    auto v = keys::read_be64(**last);
    if (!v)
      return fail(errc::corrupt_record, "meta." + std::string{meta_key} + " is malformed");
    return *v + 1;
  }

  [[nodiscard]] MDB_dbi dbi(db d) const noexcept { return env_.dbi(d); }

  /// Puts a record keyed by its id alone (partners, profiles); with
  /// `if_absent` an existing one is a conflict.
  template <class Record>
  result<void> put_by_id(db d, const Record& rec, bool if_absent, const std::string& what) {
    const auto& id = rec.id.value;
    if (auto r = check_id(id, what + " id"); !r)
      return r;
    return put(d, id, codec::encode(rec), if_absent ? MDB_NOOVERWRITE : 0u,
               [&] { return what + " " + id + " exists"; });
  }

  /// Erases a record keyed by its id alone; a missing one is not an error
  /// (see del).
  result<void> erase_by_id(db d, const std::string& id, const std::string& what) {
    if (auto r = check_id(id, what + " id"); !r)
      return r;
    return del(t_, dbi(d), id, "erase " + what);
  }

  /// A put that cannot conflict (flags 0) or whose conflict needs no more
  /// than the table's name.
  result<void> put(db d, std::string_view key, std::string_view value, unsigned flags = 0) {
    return detail::put(t_, dbi(d), key, value, flags, db_name(d));
  }

  /// A put whose MDB_KEYEXIST becomes a conflict with the message that
  /// `conflict_message()` builds. The message is built only then: every
  /// history, outbox and attempt record would otherwise pay its
  /// allocations.
  template <class MessageFn>
  requires std::is_invocable_r_v<std::string, MessageFn&> result<void>
  put(db d, std::string_view key, std::string_view value, unsigned flags,
      MessageFn&& conflict_message) {
    auto r = detail::put(t_, dbi(d), key, value, flags, db_name(d));
    if (!r && r.code() == errc::conflict)
      return fail(errc::conflict, conflict_message());
    return r;
  }

  /// meta.requested_indexed_tokens += delta: the tokens_requested index
  /// accounts for every token written by this build (see env.cpp).
  result<void> count_indexed_tokens(int delta) {
    auto existing = get(t_, dbi(db::meta), keys::meta_requested_indexed_tokens);
    if (!existing)
      return existing.err();
    std::uint64_t value = 0;
    if (existing->has_value()) {
      auto v = keys::read_be64(**existing);
      if (!v)
        return fail(errc::corrupt_record, "meta.requested_indexed_tokens is malformed");
      value = *v;
    }
    value = delta < 0 ? (value == 0 ? 0 : value - 1) : value + 1;
    std::string bytes;
    keys::append_be64(bytes, value);
    return put(db::meta, keys::meta_requested_indexed_tokens, bytes, 0);
  }

  /// The record stored under `key` in `d`, decoded; nullopt when absent.
  template <class Record>
  result<std::optional<Record>> stored(db d, const std::string& key) {
    auto existing = get(t_, dbi(d), key);
    if (!existing)
      return existing.err();
    if (!existing->has_value())
      return std::optional<Record>{};
    auto rec = codec::decode<Record>(**existing);
    if (!rec)
      return rec.err();
    return std::optional<Record>{std::move(*rec)};
  }

  /// Removes a deadline of token `ref` (see op::erase_token_deadline): with
  /// `at`, the entry at that time and the reverse entry only if it names
  /// it; without, the token's current deadline (both entries).
  result<void> erase_deadline(const std::string& ref, std::optional<timestamp> at) {
    auto current = get(t_, dbi(db::deadline_of_token), ref);
    if (!current)
      return current.err();
    std::optional<std::uint64_t> current_ms;
    if (current->has_value()) {
      current_ms = keys::read_be64(**current);
      if (!current_ms)
        return fail(errc::corrupt_record, "deadline_of_token entry of " + ref + " is malformed");
    }
    if (at) {
      auto at_ms = to_millis(*at);
      if (auto r = del(t_, dbi(db::token_deadlines), keys::token_deadline(at_ms, ref),
                       "erase token deadline");
          !r)
        return r;
      auto clamped = at_ms < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(at_ms);
      if (current_ms != clamped)
        return {};
    } else if (!current_ms) {
      return {};
    } else if (auto r = del(t_, dbi(db::token_deadlines),
                            keys::token_deadline(static_cast<std::int64_t>(*current_ms), ref),
                            "erase token deadline");
               !r) {
      return r;
    }
    return del(t_, dbi(db::deadline_of_token), ref, "erase deadline of token");
  }

  /// Removes `card`'s cards_by_pan_hash entry if it still points at it.
  result<void> erase_pan_index(const card_record& card) {
    if (!keys::valid_id(card.pan_hash) || !keys::valid_id(card.partner.value))
      return {}; // never indexed
    const auto key = keys::card_by_pan(card.pan_hash, card.partner.value);
    auto owner = get(t_, dbi(db::cards_by_pan_hash), key);
    if (!owner)
      return owner.err();
    if (owner->has_value() && **owner == card.id.value)
      return del(t_, dbi(db::cards_by_pan_hash), key, "erase pan hash index");
    return {};
  }

  const env& env_;
  MDB_txn* t_;
  commit_ack ack_;
};

} // namespace

result<commit_ack> apply_unit(const env& store, MDB_txn* t, const write_unit& unit) {
  applier a{store, t};
  for (const auto& operation : unit.operations()) {
    auto r = std::visit(a, operation);
    if (!r)
      return r.err();
  }
  return a.take_ack();
}

} // namespace dwt::persistence::detail
