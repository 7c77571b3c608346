#pragma once
// Internal: RAII wrappers over LMDB transactions and cursors, value
// conversions and the mapping of LMDB return codes to errc.

#include <lmdb.h>
#include <optional>
#include <string>
#include <string_view>

#include "dwt/persistence/env.hpp"
#include "dwt/persistence/result.hpp"

namespace dwt::persistence::detail {

/// Maps an LMDB / errno return code to an error with context.
[[nodiscard]] error lmdb_error(int rc, std::string_view what);

[[nodiscard]] inline MDB_val to_val(std::string_view s) noexcept {
  // LMDB takes non-const pointers but never writes through them for keys
  // and values passed in.
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

[[nodiscard]] inline std::string_view from_val(const MDB_val& v) noexcept {
  return std::string_view{static_cast<const char*>(v.mv_data), v.mv_size};
}

/// A transaction: top-level ones register with the env's resize gate;
/// nested ones (with a parent) do not. Aborts on destruction unless
/// committed.
class txn {
public:
  /// Begins a transaction. `parent` may be null. Errors: mapped LMDB codes.
  [[nodiscard]] static result<txn> begin(env& store, MDB_txn* parent, unsigned flags);

  txn(txn&& other) noexcept
      : env_(other.env_), handle_(other.handle_), top_level_(other.top_level_) {
    other.handle_ = nullptr;
  }
  txn& operator=(txn&&) = delete;
  txn(const txn&) = delete;
  txn& operator=(const txn&) = delete;
  ~txn() { abort(); }

  [[nodiscard]] MDB_txn* get() const noexcept { return handle_; }

  /// Commits; the handle is gone afterwards whatever the outcome.
  [[nodiscard]] result<void> commit(std::string_view what);
  /// Aborts (no-op if already ended).
  void abort() noexcept;
  /// Gives up ownership without ending the transaction: the caller must
  /// end it and then call env::txn_ended() if it was top-level.
  [[nodiscard]] MDB_txn* release() noexcept {
    auto* h = handle_;
    handle_ = nullptr;
    return h;
  }

private:
  txn(env& store, MDB_txn* handle, bool top_level) noexcept
      : env_(&store), handle_(handle), top_level_(top_level) {}
  void ended() noexcept;

  env* env_;
  MDB_txn* handle_;
  bool top_level_;
};

/// A cursor; closed on destruction (before its transaction ends).
class cursor {
public:
  [[nodiscard]] static result<cursor> open(MDB_txn* t, MDB_dbi dbi);
  cursor(cursor&& other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }
  cursor& operator=(cursor&&) = delete;
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  ~cursor() {
    if (handle_ != nullptr)
      mdb_cursor_close(handle_);
  }
  [[nodiscard]] MDB_cursor* get() const noexcept { return handle_; }

private:
  explicit cursor(MDB_cursor* h) noexcept : handle_(h) {}
  MDB_cursor* handle_;
};

/// Looks up `key`: the value (valid until the txn ends or writes), nullopt
/// when absent, or an error.
[[nodiscard]] result<std::optional<std::string_view>> get(MDB_txn* t, MDB_dbi dbi,
                                                          std::string_view key);

/// Puts `key` -> `value`. MDB_KEYEXIST (with MDB_NOOVERWRITE / MDB_APPEND)
/// becomes errc::conflict.
[[nodiscard]] result<void> put(MDB_txn* t, MDB_dbi dbi, std::string_view key,
                               std::string_view value, unsigned flags, std::string_view what);

/// Deletes `key`; absent is not an error.
[[nodiscard]] result<void> del(MDB_txn* t, MDB_dbi dbi, std::string_view key,
                               std::string_view what);

} // namespace dwt::persistence::detail
