#include "dwt/persistence/env.hpp"

#include <algorithm>
#include <system_error>

#include <sys/stat.h>

#include "dwt/persistence/codec.hpp"
#include "dwt/persistence/keys.hpp"
#include "lmdb_util.hpp"

namespace dwt::persistence {

using detail::lmdb_error;

std::string_view to_string(durability d) noexcept {
  return d == durability::sync ? "sync" : "nosync";
}

std::string_view db_name(db d) noexcept {
  switch (d) {
  case db::meta:
    return "meta";
  case db::partners:
    return "partners";
  case db::profiles:
    return "profiles";
  case db::cards:
    return "cards";
  case db::cards_by_pan_hash:
    return "cards_by_pan_hash";
  case db::tokens:
    return "tokens";
  case db::tokens_by_card:
    return "tokens_by_card";
  case db::history:
    return "history";
  case db::challenges:
    return "challenges";
  case db::outbox:
    return "outbox";
  case db::outbox_by_partner:
    return "outbox_by_partner";
  case db::outbox_pending:
    return "outbox_pending";
  case db::idempotency:
    return "idempotency";
  case db::idempotency_by_expiry:
    return "idempotency_by_expiry";
  case db::counters:
    return "counters";
  case db::outbox_by_event_id:
    return "outbox_by_event_id";
  case db::deliveries:
    return "deliveries";
  case db::delivery_attempts:
    return "delivery_attempts";
  case db::tokens_requested:
    return "tokens_requested";
  case db::token_deadlines:
    return "token_deadlines";
  case db::deadline_of_token:
    return "deadline_of_token";
  case db::tokens_by_network_ref:
    return "tokens_by_network_ref";
  case db::network_commands:
    return "network_commands";
  case db::network_commands_pending:
    return "network_commands_pending";
  case db::network_command_of_token:
    return "network_command_of_token";
  }
  return "unknown";
}

namespace {

// Calls `visit(key, record)` for every record of `dbi`, in key order, in
// write transaction `t`; stops at the first error (a decode failure, or
// `visit`'s own).
template <class Record, class Visit>
result<void> for_each_record(MDB_txn* t, MDB_dbi dbi, const char* what, Visit&& visit) {
  auto c = detail::cursor::open(t, dbi);
  if (!c)
    return c.err();
  MDB_val k{};
  MDB_val v{};
  int rc = mdb_cursor_get(c->get(), &k, &v, MDB_FIRST);
  for (; rc == 0; rc = mdb_cursor_get(c->get(), &k, &v, MDB_NEXT)) {
    auto rec = codec::decode<Record>(detail::from_val(v));
    if (!rec)
      return rec.err();
    if (auto r = visit(detail::from_val(k), *rec); !r)
      return r;
  }
  if (rc != MDB_NOTFOUND)
    return lmdb_error(rc, what);
  return {};
}

// outbox_by_event_id was added after schema 1: a directory written before
// (or by an older build since) has outbox events without an index entry.
// When the counts differ, index every event (idempotent; one pass).
result<void> backfill_event_ids(MDB_txn* t, const std::array<MDB_dbi, db_count>& dbis) {
  auto outbox = dbis[static_cast<std::size_t>(db::outbox)];
  auto index = dbis[static_cast<std::size_t>(db::outbox_by_event_id)];
  MDB_stat a{};
  MDB_stat b{};
  if (int rc = mdb_stat(t, outbox, &a); rc != 0)
    return lmdb_error(rc, "stat outbox");
  if (int rc = mdb_stat(t, index, &b); rc != 0)
    return lmdb_error(rc, "stat outbox_by_event_id");
  if (a.ms_entries == b.ms_entries)
    return {};
  return for_each_record<outbox_event>(
      t, outbox, "scan outbox", [&](std::string_view seq, const outbox_event& ev) -> result<void> {
        if (!keys::valid_id(ev.event_id))
          return {};
        return detail::put(t, index, ev.event_id, seq, 0, "backfill outbox_by_event_id");
      });
}

// tokens_requested was added after schema 1 (and is unknown to older
// builds): it is right when meta.requested_indexed_tokens (absent: 0)
// equals the number of tokens, which put_token / erase_token keep so. A
// directory written before, or one where an older build has created tokens
// since, is re-indexed here: the index is emptied and rebuilt in one pass
// over `tokens` (a one-time cost proportional to the store).
result<void> backfill_requested_index(MDB_txn* t, const std::array<MDB_dbi, db_count>& dbis) {
  auto tokens = dbis[static_cast<std::size_t>(db::tokens)];
  auto index = dbis[static_cast<std::size_t>(db::tokens_requested)];
  auto meta = dbis[static_cast<std::size_t>(db::meta)];
  MDB_stat st{};
  if (int rc = mdb_stat(t, tokens, &st); rc != 0)
    return lmdb_error(rc, "stat tokens");
  auto stored = detail::get(t, meta, keys::meta_requested_indexed_tokens);
  if (!stored)
    return stored.err();
  std::uint64_t indexed = 0;
  if (stored->has_value()) {
    auto v = keys::read_be64(**stored);
    if (!v)
      return fail(errc::corrupt_record, "meta.requested_indexed_tokens is malformed");
    indexed = *v;
  }
  if (indexed == st.ms_entries)
    return {};
  if (int rc = mdb_drop(t, index, 0); rc != 0)
    return lmdb_error(rc, "empty tokens_requested");
  auto scanned = for_each_record<engine::token_record>(
      t, tokens, "scan tokens",
      [&](std::string_view ref, const engine::token_record& tok) -> result<void> {
        if (tok.state != engine::token_state::requested)
          return {};
        return detail::put(t, index, ref, {}, 0, "backfill tokens_requested");
      });
  if (!scanned)
    return scanned;
  std::string bytes;
  keys::append_be64(bytes, st.ms_entries);
  return detail::put(t, meta, keys::meta_requested_indexed_tokens, bytes, 0,
                     "write requested_indexed_tokens");
}

// Schema 1 -> 2: cards_by_pan_hash was keyed by the pan hash alone (PAN
// unique across partners); schema 2 keys it by len8 pan hash | partner id.
// The index is emptied and rebuilt in one pass over `cards` (schema 1 held
// at most one card per hash, so no entry collides).
result<void> migrate_pan_index(MDB_txn* t, const std::array<MDB_dbi, db_count>& dbis) {
  auto cards = dbis[static_cast<std::size_t>(db::cards)];
  auto index = dbis[static_cast<std::size_t>(db::cards_by_pan_hash)];
  if (int rc = mdb_drop(t, index, 0); rc != 0)
    return lmdb_error(rc, "empty cards_by_pan_hash");
  return for_each_record<engine::card_record>(
      t, cards, "scan cards",
      [&](std::string_view id, const engine::card_record& card) -> result<void> {
        if (!keys::valid_id(card.pan_hash) || !keys::valid_id(card.partner.value))
          return {};
        return detail::put(t, index, keys::card_by_pan(card.pan_hash, card.partner.value), id, 0,
                           "migrate cards_by_pan_hash");
      });
}

// Opens every named database and checks (or writes) the schema version in
// one write transaction. Nothing is written when the version is too new.
result<void> open_databases(env& store, std::array<MDB_dbi, db_count>& dbis,
                            std::uint32_t& version) {
  MDB_txn* t = nullptr;
  if (int rc = mdb_txn_begin(store.handle(), nullptr, 0, &t); rc != 0)
    return lmdb_error(rc, "begin schema transaction");
  auto abort = [&] { mdb_txn_abort(t); };
  for (std::size_t i = 0; i < db_count; ++i) {
    std::string name{db_name(static_cast<db>(i))};
    if (int rc = mdb_dbi_open(t, name.c_str(), MDB_CREATE, &dbis[i]); rc != 0) {
      abort();
      return lmdb_error(rc, "open database " + name);
    }
  }
  auto meta = dbis[static_cast<std::size_t>(db::meta)];
  auto stored = detail::get(t, meta, keys::meta_schema_version);
  if (!stored) {
    abort();
    return stored.err();
  }
  if (stored->has_value()) {
    auto v = keys::read_be32(**stored);
    if (!v) {
      abort();
      return fail(errc::corrupt_record, "meta.schema_version is not a 4-byte big-endian number");
    }
    if (*v > current_schema_version) {
      abort();
      return fail(errc::schema_too_new, "data directory has schema version " + std::to_string(*v) +
                                            ", this build supports up to " +
                                            std::to_string(current_schema_version) +
                                            "; upgrade the binary");
    }
    version = *v;
  } else {
    std::string bytes;
    keys::append_be32(bytes, current_schema_version);
    if (auto r = detail::put(t, meta, keys::meta_schema_version, bytes, 0, "write schema version");
        !r) {
      abort();
      return r.err();
    }
    version = current_schema_version;
  }
  // Schema migrations from `version` to current.
  if (version < 2) {
    if (auto r = migrate_pan_index(t, dbis); !r) {
      abort();
      return r.err();
    }
    std::string bytes;
    keys::append_be32(bytes, current_schema_version);
    if (auto r = detail::put(t, meta, keys::meta_schema_version, bytes, 0, "write schema version");
        !r) {
      abort();
      return r.err();
    }
    version = current_schema_version;
  }
  if (auto r = backfill_event_ids(t, dbis); !r) {
    abort();
    return r.err();
  }
  if (auto r = backfill_requested_index(t, dbis); !r) {
    abort();
    return r.err();
  }
  if (int rc = mdb_txn_commit(t); rc != 0)
    return lmdb_error(rc, "commit schema transaction");
  return {};
}

} // namespace

result<std::unique_ptr<env>> env::open(env_options options) {
  if (options.directory.empty())
    return fail(errc::invalid_argument, "env: the data directory is empty");
  if (options.map_size == 0)
    return fail(errc::invalid_argument, "env: map_size must be positive");
  if (options.max_map_size == 0)
    options.max_map_size = options.map_size;
  if (options.max_map_size < options.map_size)
    return fail(errc::invalid_argument, "env: max_map_size is smaller than map_size");
  if (options.max_readers == 0)
    return fail(errc::invalid_argument, "env: max_readers must be positive");

  std::error_code ec;
  if (options.create_directory)
    std::filesystem::create_directories(options.directory, ec);
  if (ec)
    return fail(errc::io_error,
                "env: cannot create " + options.directory.string() + ": " + ec.message());

  auto e = std::make_unique<env>(private_tag{});
  e->options_ = options;
  if (int rc = mdb_env_create(&e->env_); rc != 0)
    return lmdb_error(rc, "env: create");
  auto close_on_error = [&](error err) -> error {
    mdb_env_close(e->env_);
    e->env_ = nullptr;
    return err;
  };
  if (int rc = mdb_env_set_maxdbs(e->env_, static_cast<MDB_dbi>(db_count)); rc != 0)
    return close_on_error(lmdb_error(rc, "env: set max dbs"));
  if (int rc = mdb_env_set_maxreaders(e->env_, options.max_readers); rc != 0)
    return close_on_error(lmdb_error(rc, "env: set max readers"));
  // The map size is set after opening: LMDB would shrink a configured size
  // to the used size of an existing file, losing an earlier growth.
  unsigned flags = MDB_NOTLS;
  if (options.mode == durability::nosync)
    flags |= MDB_NOSYNC;
  auto dir = options.directory.string();
  if (int rc = mdb_env_open(e->env_, dir.c_str(), flags, S_IRUSR | S_IWUSR); rc != 0)
    return close_on_error(lmdb_error(rc, "env: open " + dir));
  // Clear reader slots left behind by a crashed process (kill -9).
  int dead = 0;
  (void)mdb_reader_check(e->env_, &dead);

  MDB_envinfo info{};
  mdb_env_info(e->env_, &info);
  auto size = std::max(info.me_mapsize, options.map_size);
  if (size != info.me_mapsize) {
    if (int rc = mdb_env_set_mapsize(e->env_, size); rc != 0)
      return close_on_error(lmdb_error(rc, "env: set map size"));
  }
  mdb_env_info(e->env_, &info);
  e->map_size_ = info.me_mapsize;
  if (e->options_.max_map_size < e->map_size_)
    e->options_.max_map_size = e->map_size_;

  if (auto r = open_databases(*e, e->dbis_, e->schema_version_); !r)
    return close_on_error(r.err());
  return e;
}

env::~env() {
  if (env_ != nullptr)
    mdb_env_close(env_);
}

env_info env::info() const {
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  MDB_stat st{};
  mdb_env_stat(env_, &st);
  env_info out;
  out.map_size = info.me_mapsize;
  out.used_bytes = (info.me_last_pgno + 1) * st.ms_psize;
  out.last_txn_id = info.me_last_txnid;
  out.readers_used = info.me_numreaders;
  std::lock_guard lk{gate_mutex_};
  out.max_map_size = options_.max_map_size;
  out.map_growths = growths_;
  return out;
}

result<void> env::sync() {
  if (int rc = mdb_env_sync(env_, 1); rc != 0)
    return lmdb_error(rc, "env: sync");
  return {};
}

result<void> env::grow() {
  std::unique_lock lk{gate_mutex_};
  if (growing_) {
    // Another thread is growing: its result serves us too.
    gate_cv_.wait(lk, [&] { return !growing_; });
    return {};
  }
  if (map_size_ >= options_.max_map_size)
    return fail(errc::map_full,
                "map size " + std::to_string(map_size_) + " bytes reached max_map_size " +
                    std::to_string(options_.max_map_size) + " bytes; raise the maximum map size");
  growing_ = true;
  bool drained = gate_cv_.wait_for(lk, options_.grow_wait, [&] { return open_txns_ == 0; });
  if (!drained) {
    growing_ = false;
    gate_cv_.notify_all();
    return fail(errc::map_full, "map is full and cannot grow: transactions stayed open for " +
                                    std::to_string(options_.grow_wait.count()) + " ms");
  }
  auto target = map_size_ > options_.max_map_size / 2 ? options_.max_map_size : map_size_ * 2;
  int rc = mdb_env_set_mapsize(env_, target);
  if (rc == 0) {
    MDB_envinfo info{};
    mdb_env_info(env_, &info);
    map_size_ = info.me_mapsize;
    ++growths_;
  }
  growing_ = false;
  gate_cv_.notify_all();
  if (rc != 0)
    return lmdb_error(rc, "env: grow map to " + std::to_string(target) + " bytes");
  return {};
}

void env::txn_starting() {
  std::unique_lock lk{gate_mutex_};
  gate_cv_.wait(lk, [&] { return !growing_; });
  ++open_txns_;
}

void env::txn_ended() noexcept {
  std::lock_guard lk{gate_mutex_};
  --open_txns_;
  if (growing_ && open_txns_ == 0)
    gate_cv_.notify_all();
}

} // namespace dwt::persistence
