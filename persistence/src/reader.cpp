#include "dwt/persistence/reader.hpp"

#include "dwt/persistence/codec.hpp"
#include "dwt/persistence/keys.hpp"
#include "lmdb_util.hpp"

namespace dwt::persistence {

using namespace dwt::engine;
using detail::from_val;
using detail::lmdb_error;
using detail::to_val;

namespace {

result<void> check_id(std::string_view id, std::string_view what) {
  if (!keys::valid_id(id))
    return fail(errc::invalid_argument,
                std::string{what} + (id.empty() ? " is empty" : " is longer than 128 bytes"));
  return {};
}

template <class T>
result<T> get_record(const env& store, MDB_txn* t, db d, std::string_view key,
                     std::string_view what) {
  auto v = detail::get(t, store.dbi(d), key);
  if (!v)
    return v.err();
  if (!v->has_value())
    return fail(errc::not_found, std::string{what} + " not found");
  return codec::decode<T>(**v);
}

// Visits the entries whose key starts with `prefix`, from `start` (which
// must itself start with `prefix`), in key order, until `fn` returns false.
template <class F>
result<void> scan_prefix(MDB_txn* t, MDB_dbi dbi, std::string_view prefix, std::string_view start,
                         F&& fn) {
  auto c = detail::cursor::open(t, dbi);
  if (!c)
    return c.err();
  MDB_val k = to_val(start);
  MDB_val v{};
  int rc = mdb_cursor_get(c->get(), &k, &v, MDB_SET_RANGE);
  while (rc == 0) {
    auto key = from_val(k);
    if (key.substr(0, prefix.size()) != prefix)
      return {};
    auto r = fn(key, from_val(v));
    if (!r)
      return r.err();
    if (!*r)
      return {};
    rc = mdb_cursor_get(c->get(), &k, &v, MDB_NEXT);
  }
  if (rc != MDB_NOTFOUND)
    return lmdb_error(rc, "scan");
  return {};
}

/// Decodes every record under `prefix` whose key is the prefix plus a
/// 4-byte sequence number (history entries, delivery attempts), in key
/// order. `what` names the table in the corrupt_record error.
template <class Record>
result<std::vector<Record>> numbered_records(MDB_txn* t, MDB_dbi dbi, std::string_view prefix,
                                             std::string_view what) {
  std::vector<Record> out;
  auto r = scan_prefix(
      t, dbi, prefix, prefix, [&](std::string_view key, std::string_view value) -> result<bool> {
        if (key.size() != prefix.size() + 4)
          return fail(errc::corrupt_record, std::string{what} + " key is malformed");
        auto rec = codec::decode<Record>(value);
        if (!rec)
          return rec.err();
        out.push_back(std::move(*rec));
        return true;
      });
  if (!r)
    return r.err();
  return out;
}

} // namespace

result<reader> reader::begin(env& store) {
  auto t = detail::txn::begin(store, nullptr, MDB_RDONLY);
  if (!t)
    return t.err();
  // The reader takes over the handle and the gate registration; release
  // the RAII wrapper without aborting.
  return reader{store, t->release()};
}

reader::reader(reader&& other) noexcept : env_(other.env_), txn_(other.txn_) {
  other.txn_ = nullptr;
}

reader& reader::operator=(reader&& other) noexcept {
  if (this != &other) {
    close();
    env_ = other.env_;
    txn_ = other.txn_;
    other.txn_ = nullptr;
  }
  return *this;
}

reader::~reader() {
  close();
}

void reader::close() noexcept {
  if (txn_ == nullptr)
    return;
  mdb_txn_abort(txn_);
  txn_ = nullptr;
  env_->txn_ended();
}

result<partner_record> reader::partner(const partner_id& id) const {
  if (auto r = check_id(id.value, "partner id"); !r)
    return r.err();
  return get_record<partner_record>(*env_, txn_, db::partners, id.value, "partner");
}

result<profile_record> reader::profile(const profile_id& id) const {
  if (auto r = check_id(id.value, "profile id"); !r)
    return r.err();
  return get_record<profile_record>(*env_, txn_, db::profiles, id.value, "profile");
}

result<card_record> reader::card(const card_id& id) const {
  if (auto r = check_id(id.value, "card id"); !r)
    return r.err();
  return get_record<card_record>(*env_, txn_, db::cards, id.value, "card");
}

result<card_record> reader::card_by_pan_hash(const partner_id& partner,
                                             std::string_view pan_hash) const {
  if (auto r = check_id(pan_hash, "pan hash"); !r)
    return r.err();
  if (auto r = check_id(partner.value, "partner id"); !r)
    return r.err();
  auto id = detail::get(txn_, env_->dbi(db::cards_by_pan_hash),
                        keys::card_by_pan(pan_hash, partner.value));
  if (!id)
    return id.err();
  if (!id->has_value())
    return fail(errc::not_found, "no card with this PAN");
  auto c = get_record<card_record>(*env_, txn_, db::cards, **id, "card");
  if (!c && c.code() == errc::not_found)
    return fail(errc::corrupt_record, "cards_by_pan_hash points at a missing card");
  return c;
}

result<std::vector<card_record>> reader::cards_by_pan_hash(std::string_view pan_hash) const {
  if (auto r = check_id(pan_hash, "pan hash"); !r)
    return r.err();
  std::vector<std::string> ids;
  auto prefix = keys::cards_by_pan_prefix(pan_hash);
  auto r = scan_prefix(txn_, env_->dbi(db::cards_by_pan_hash), prefix, prefix,
                       [&](std::string_view, std::string_view value) -> result<bool> {
                         ids.emplace_back(value);
                         return true;
                       });
  if (!r)
    return r.err();
  std::vector<card_record> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto c = get_record<card_record>(*env_, txn_, db::cards, id, "card");
    if (!c) {
      if (c.code() == errc::not_found)
        return fail(errc::corrupt_record, "cards_by_pan_hash points at a missing card");
      return c.err();
    }
    out.push_back(std::move(*c));
  }
  return out;
}

result<token_record> reader::token(const token_ref& ref) const {
  if (auto r = check_id(ref.value, "token ref"); !r)
    return r.err();
  return get_record<token_record>(*env_, txn_, db::tokens, ref.value, "token");
}

result<std::vector<token_ref>> reader::token_refs_of_card(const card_id& card) const {
  if (auto r = check_id(card.value, "card id"); !r)
    return r.err();
  std::vector<token_ref> out;
  auto prefix = keys::tokens_of_card_prefix(card.value);
  auto r = scan_prefix(txn_, env_->dbi(db::tokens_by_card), prefix, prefix,
                       [&](std::string_view key, std::string_view) -> result<bool> {
                         out.emplace_back(std::string{key.substr(prefix.size())});
                         return true;
                       });
  if (!r)
    return r.err();
  return out;
}

result<std::vector<token_record>> reader::tokens_of_card(const card_id& card) const {
  auto refs = token_refs_of_card(card);
  if (!refs)
    return refs.err();
  std::vector<token_record> out;
  out.reserve(refs->size());
  for (const auto& ref : *refs) {
    auto t = token(ref);
    if (!t) {
      if (t.code() == errc::not_found)
        return fail(errc::corrupt_record, "tokens_by_card names a missing token");
      return t.err();
    }
    out.push_back(std::move(*t));
  }
  return out;
}

result<std::vector<transition_record>> reader::history(const token_ref& ref) const {
  if (auto r = check_id(ref.value, "token ref"); !r)
    return r.err();
  return numbered_records<transition_record>(txn_, env_->dbi(db::history),
                                             keys::history_prefix(ref.value), "history");
}

result<verification_challenge> reader::challenge(const token_ref& ref) const {
  if (auto r = check_id(ref.value, "token ref"); !r)
    return r.err();
  return get_record<verification_challenge>(*env_, txn_, db::challenges, ref.value, "challenge");
}

result<std::vector<outbox_event>> reader::outbox_after(std::uint64_t after_seq,
                                                       std::size_t limit) const {
  std::vector<outbox_event> out;
  if (limit == 0 || after_seq == UINT64_MAX)
    return out;
  auto start = keys::outbox(after_seq + 1);
  auto r = scan_prefix(txn_, env_->dbi(db::outbox), {}, start,
                       [&](std::string_view, std::string_view value) -> result<bool> {
                         auto ev = codec::decode<outbox_event>(value);
                         if (!ev)
                           return ev.err();
                         out.push_back(std::move(*ev));
                         return out.size() < limit;
                       });
  if (!r)
    return r.err();
  return out;
}

result<std::vector<outbox_event>> reader::outbox_of_partner_after(const partner_id& partner,
                                                                  std::uint64_t after_seq,
                                                                  std::size_t limit) const {
  if (auto r = check_id(partner.value, "partner id"); !r)
    return r.err();
  std::vector<outbox_event> out;
  if (limit == 0 || after_seq == UINT64_MAX)
    return out;
  auto prefix = keys::prefixed(partner.value);
  auto start = keys::outbox_by_partner(partner.value, after_seq + 1);
  auto r = scan_prefix(txn_, env_->dbi(db::outbox_by_partner), prefix, start,
                       [&](std::string_view key, std::string_view) -> result<bool> {
                         auto seq = keys::read_be64(key.substr(prefix.size()));
                         if (!seq)
                           return fail(errc::corrupt_record, "outbox_by_partner key is malformed");
                         auto ev = outbox_event_at(*seq);
                         if (!ev) {
                           if (ev.code() == errc::not_found)
                             return fail(errc::corrupt_record,
                                         "outbox_by_partner names a missing event");
                           return ev.err();
                         }
                         out.push_back(std::move(*ev));
                         return out.size() < limit;
                       });
  if (!r)
    return r.err();
  return out;
}

result<std::vector<std::uint64_t>> reader::pending_outbox(std::uint64_t after_seq,
                                                          std::size_t limit) const {
  std::vector<std::uint64_t> out;
  if (limit == 0 || after_seq == UINT64_MAX)
    return out;
  auto start = keys::outbox(after_seq + 1);
  auto r = scan_prefix(txn_, env_->dbi(db::outbox_pending), {}, start,
                       [&](std::string_view key, std::string_view) -> result<bool> {
                         auto seq = keys::read_be64(key);
                         if (!seq)
                           return fail(errc::corrupt_record, "outbox_pending key is malformed");
                         out.push_back(*seq);
                         return out.size() < limit;
                       });
  if (!r)
    return r.err();
  return out;
}

result<std::vector<std::uint64_t>> reader::pending_network_commands(std::uint64_t after_seq,
                                                                    std::size_t limit) const {
  std::vector<std::uint64_t> out;
  if (limit == 0 || after_seq == UINT64_MAX)
    return out;
  auto start = keys::outbox(after_seq + 1);
  auto r = scan_prefix(txn_, env_->dbi(db::network_commands_pending), {}, start,
                       [&](std::string_view key, std::string_view) -> result<bool> {
                         auto seq = keys::read_be64(key);
                         if (!seq)
                           return fail(errc::corrupt_record,
                                       "network_commands_pending key is malformed");
                         out.push_back(*seq);
                         return out.size() < limit;
                       });
  if (!r)
    return r.err();
  return out;
}

result<network_command> reader::network_command_at(std::uint64_t seq) const {
  auto v = detail::get(txn_, env_->dbi(db::network_commands), keys::outbox(seq));
  if (!v)
    return v.err();
  if (!v->has_value())
    return fail(errc::not_found, "network command not found");
  return codec::decode<network_command>(**v);
}

result<std::optional<network_command>>
reader::latest_network_command(const engine::token_ref& ref) const {
  if (auto r = check_id(ref.value, "token ref"); !r)
    return r.err();
  auto v = detail::get(txn_, env_->dbi(db::network_command_of_token), ref.value);
  if (!v)
    return v.err();
  if (!v->has_value())
    return std::optional<network_command>{};
  auto seq = keys::read_be64(**v);
  if (!seq)
    return fail(errc::corrupt_record, "network_command_of_token value is malformed");
  auto cmd = network_command_at(*seq);
  if (!cmd)
    return cmd.err();
  return std::optional<network_command>{std::move(*cmd)};
}

result<std::vector<token_ref>> reader::requested_token_refs(std::string_view after,
                                                            std::size_t limit) const {
  std::vector<token_ref> out;
  if (limit == 0)
    return out;
  auto c = detail::cursor::open(txn_, env_->dbi(db::tokens_requested));
  if (!c)
    return c.err();
  // after + NUL is the smallest key greater than `after` (LMDB refuses an
  // empty key for MDB_SET_RANGE: from the start, use MDB_FIRST).
  std::string start{after};
  start.push_back('\0');
  MDB_val k = to_val(start);
  MDB_val v{};
  int rc = mdb_cursor_get(c->get(), &k, &v, after.empty() ? MDB_FIRST : MDB_SET_RANGE);
  while (rc == 0 && out.size() < limit) {
    out.emplace_back(std::string{from_val(k)});
    rc = mdb_cursor_get(c->get(), &k, &v, MDB_NEXT);
  }
  if (rc != 0 && rc != MDB_NOTFOUND)
    return lmdb_error(rc, "scan tokens_requested");
  return out;
}

result<std::optional<timestamp>> reader::token_deadline(const token_ref& ref) const {
  if (auto r = check_id(ref.value, "token ref"); !r)
    return r.err();
  auto v = detail::get(txn_, env_->dbi(db::deadline_of_token), ref.value);
  if (!v)
    return v.err();
  if (!v->has_value())
    return std::optional<timestamp>{};
  auto ms = keys::read_be64(**v);
  if (!ms)
    return fail(errc::corrupt_record, "deadline_of_token entry of " + ref.value + " is malformed");
  return std::optional<timestamp>{from_millis(static_cast<std::int64_t>(*ms))};
}

result<std::optional<token_ref>> reader::token_by_network_ref(card_network network,
                                                              std::string_view network_ref) const {
  if (network == card_network::none)
    return fail(errc::invalid_argument, "network reference without a network");
  if (auto r = check_id(network_ref, "token network reference"); !r)
    return r.err();
  auto v = detail::get(txn_, env_->dbi(db::tokens_by_network_ref),
                       keys::token_by_network_ref(static_cast<std::uint8_t>(network), network_ref));
  if (!v)
    return v.err();
  if (!v->has_value())
    return std::optional<token_ref>{};
  return std::optional<token_ref>{token_ref{std::string{**v}}};
}

result<std::vector<token_deadline_entry>>
reader::due_token_deadlines(timestamp now, std::size_t limit,
                            const std::optional<token_deadline_entry>& after) const {
  std::vector<token_deadline_entry> out;
  auto now_ms = to_millis(now);
  if (limit == 0 || now_ms < 0)
    return out;
  auto c = detail::cursor::open(txn_, env_->dbi(db::token_deadlines));
  if (!c)
    return c.err();
  // key(after) + NUL is the smallest key greater than `after`.
  std::string start;
  if (after) {
    start = keys::token_deadline(to_millis(after->at), after->ref.value);
    start.push_back('\0');
  }
  MDB_val k = to_val(start);
  MDB_val v{};
  int rc = mdb_cursor_get(c->get(), &k, &v, after ? MDB_SET_RANGE : MDB_FIRST);
  for (; rc == 0 && out.size() < limit; rc = mdb_cursor_get(c->get(), &k, &v, MDB_NEXT)) {
    auto entry = keys::read_token_deadline(from_val(k));
    if (!entry)
      return fail(errc::corrupt_record, "token_deadlines key is malformed");
    if (entry->first > static_cast<std::uint64_t>(now_ms))
      return out;
    out.push_back(token_deadline_entry{from_millis(static_cast<std::int64_t>(entry->first)),
                                       token_ref{std::string{entry->second}}});
  }
  if (rc != 0 && rc != MDB_NOTFOUND)
    return lmdb_error(rc, "scan token_deadlines");
  return out;
}

result<std::uint64_t> reader::last_outbox_seq() const {
  auto v = detail::get(txn_, env_->dbi(db::meta), keys::meta_outbox_last_seq);
  if (!v)
    return v.err();
  if (!v->has_value())
    return std::uint64_t{0};
  auto seq = keys::read_be64(**v);
  if (!seq)
    return fail(errc::corrupt_record, "meta.outbox_last_seq is malformed");
  return *seq;
}

result<outbox_event> reader::outbox_event_at(std::uint64_t seq) const {
  return get_record<outbox_event>(*env_, txn_, db::outbox, keys::outbox(seq), "outbox event");
}

result<bool> reader::outbox_is_pending(std::uint64_t seq) const {
  auto v = detail::get(txn_, env_->dbi(db::outbox_pending), keys::outbox(seq));
  if (!v)
    return v.err();
  return v->has_value();
}

result<std::uint64_t> reader::outbox_seq_of_event(std::string_view event_id) const {
  if (auto r = check_id(event_id, "event id"); !r)
    return r.err();
  auto v = detail::get(txn_, env_->dbi(db::outbox_by_event_id), event_id);
  if (!v)
    return v.err();
  if (!v->has_value())
    return fail(errc::not_found, "outbox event not found");
  auto seq = keys::read_be64(**v);
  if (!seq)
    return fail(errc::corrupt_record, "outbox_by_event_id value is malformed");
  return *seq;
}

result<std::optional<delivery_state>> reader::find_delivery_state(std::uint64_t seq) const {
  auto v = detail::get(txn_, env_->dbi(db::deliveries), keys::outbox(seq));
  if (!v)
    return v.err();
  if (!v->has_value())
    return std::optional<delivery_state>{};
  auto st = codec::decode<delivery_state>(**v);
  if (!st)
    return st.err();
  return std::optional<delivery_state>{std::move(*st)};
}

result<std::vector<delivery_attempt_record>> reader::delivery_attempts_of(std::uint64_t seq) const {
  return numbered_records<delivery_attempt_record>(txn_, env_->dbi(db::delivery_attempts),
                                                   keys::outbox(seq), "delivery_attempts");
}

result<idempotency_record> reader::idempotency(const partner_id& partner,
                                               std::string_view key) const {
  if (auto r = check_id(partner.value, "partner id"); !r)
    return r.err();
  if (key.empty() || key.size() > keys::max_idempotency_key_size)
    return fail(errc::invalid_argument, "idempotency key must be 1 to 255 bytes");
  return get_record<idempotency_record>(
      *env_, txn_, db::idempotency, keys::idempotency(partner.value, key), "idempotency record");
}

result<std::uint64_t> reader::counter(std::string_view name) const {
  if (name.empty() || name.size() > keys::max_counter_name_size)
    return fail(errc::invalid_argument, "counter name must be 1 to 255 bytes");
  auto v = detail::get(txn_, env_->dbi(db::counters), name);
  if (!v)
    return v.err();
  if (!v->has_value())
    return std::uint64_t{0};
  auto n = keys::read_be64(**v);
  if (!n)
    return fail(errc::corrupt_record, "counter is malformed");
  return *n;
}

result<std::size_t> reader::entries(db d) const {
  MDB_stat st{};
  if (int rc = mdb_stat(txn_, env_->dbi(d), &st); rc != 0)
    return lmdb_error(rc, "stat");
  return static_cast<std::size_t>(st.ms_entries);
}

} // namespace dwt::persistence
