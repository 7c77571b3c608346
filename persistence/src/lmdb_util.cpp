#include "lmdb_util.hpp"

#include <cerrno>

namespace dwt::persistence::detail {

error lmdb_error(int rc, std::string_view what) {
  std::string msg{what};
  msg += ": ";
  msg += mdb_strerror(rc);
  switch (rc) {
  case MDB_MAP_FULL:
    return fail(errc::map_full, std::move(msg));
  case MDB_READERS_FULL:
    return fail(errc::readers_full, std::move(msg));
  case MDB_BAD_VALSIZE:
    return fail(errc::invalid_argument, std::move(msg));
  case MDB_KEYEXIST:
    return fail(errc::conflict, std::move(msg));
  case MDB_NOTFOUND:
    return fail(errc::not_found, std::move(msg));
  case MDB_CORRUPTED:
  case MDB_PAGE_NOTFOUND:
  case MDB_INVALID:
  case MDB_VERSION_MISMATCH:
  case EIO:
  case ENOSPC:
  case EACCES:
  case EPERM:
  case ENOENT:
  case EROFS:
  case EAGAIN:
  case ENOTDIR:
    return fail(errc::io_error, std::move(msg));
  default:
    return fail(errc::internal, std::move(msg));
  }
}

result<txn> txn::begin(env& store, MDB_txn* parent, unsigned flags) {
  bool top = parent == nullptr;
  if (top)
    store.txn_starting();
  MDB_txn* handle = nullptr;
  int rc = mdb_txn_begin(store.handle(), parent, flags, &handle);
  if (rc != 0) {
    if (top)
      store.txn_ended();
    return lmdb_error(rc, (flags & MDB_RDONLY) != 0 ? "begin read transaction"
                                                    : "begin write transaction");
  }
  return txn{store, handle, top};
}

void txn::ended() noexcept {
  handle_ = nullptr;
  if (top_level_)
    env_->txn_ended();
}

result<void> txn::commit(std::string_view what) {
  int rc = mdb_txn_commit(handle_);
  ended();
  if (rc != 0)
    return lmdb_error(rc, what);
  return {};
}

void txn::abort() noexcept {
  if (handle_ == nullptr)
    return;
  mdb_txn_abort(handle_);
  ended();
}

result<cursor> cursor::open(MDB_txn* t, MDB_dbi dbi) {
  MDB_cursor* c = nullptr;
  if (int rc = mdb_cursor_open(t, dbi, &c); rc != 0)
    return lmdb_error(rc, "open cursor");
  return cursor{c};
}

result<std::optional<std::string_view>> get(MDB_txn* t, MDB_dbi dbi, std::string_view key) {
  MDB_val k = to_val(key);
  MDB_val v{};
  int rc = mdb_get(t, dbi, &k, &v);
  if (rc == MDB_NOTFOUND)
    return std::optional<std::string_view>{};
  if (rc != 0)
    return lmdb_error(rc, "read");
  return std::optional<std::string_view>{from_val(v)};
}

result<void> put(MDB_txn* t, MDB_dbi dbi, std::string_view key, std::string_view value,
                 unsigned flags, std::string_view what) {
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  if (int rc = mdb_put(t, dbi, &k, &v, flags); rc != 0)
    return lmdb_error(rc, what);
  return {};
}

result<void> del(MDB_txn* t, MDB_dbi dbi, std::string_view key, std::string_view what) {
  MDB_val k = to_val(key);
  int rc = mdb_del(t, dbi, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND)
    return lmdb_error(rc, what);
  return {};
}

} // namespace dwt::persistence::detail
