/// @file
/// Start-up scan for REQUESTED tokens (expiry_scan.hpp). Uses the
/// environment's low-level handle with a cursor over the `tokens` database
/// (the reader API has no full scan), registering the transaction with the
/// env's resize gate like every other transaction.

#include "expiry_scan.hpp"

#include <lmdb.h>

#include <string>
#include <vector>

#include "dwt/persistence/codec.hpp"

namespace dwt::actors {

std::size_t scan_requested_tokens(persistence::env& store,
                                  const std::function<void(const engine::token_ref&)>& on_requested,
                                  const std::atomic<bool>& stop, std::size_t chunk) {
  std::size_t found = 0;
  std::string last_key;
  bool first = true;
  while (!stop.load(std::memory_order_relaxed)) {
    std::vector<engine::token_ref> batch;
    bool done = false;
    store.txn_starting();
    MDB_txn* txn = nullptr;
    if (mdb_txn_begin(store.handle(), nullptr, MDB_RDONLY, &txn) != 0) {
      store.txn_ended();
      break;
    }
    MDB_cursor* cur = nullptr;
    if (mdb_cursor_open(txn, store.dbi(persistence::db::tokens), &cur) != 0) {
      mdb_txn_abort(txn);
      store.txn_ended();
      break;
    }
    MDB_val key{last_key.size(), last_key.data()};
    MDB_val val{0, nullptr};
    int rc = first ? mdb_cursor_get(cur, &key, &val, MDB_FIRST)
                   : mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
    if (!first && rc == 0
        && std::string_view{static_cast<const char*>(key.mv_data), key.mv_size} == last_key)
      rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    std::size_t n = 0;
    while (rc == 0 && n < chunk) {
      last_key.assign(static_cast<const char*>(key.mv_data), key.mv_size);
      auto rec = persistence::codec::decode<engine::token_record>(
        std::string_view{static_cast<const char*>(val.mv_data), val.mv_size});
      if (rec && rec->state == engine::token_state::requested)
        batch.push_back(rec->ref);
      ++n;
      rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
    done = rc != 0;
    first = false;
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    store.txn_ended();
    for (const auto& ref : batch)
      on_requested(ref);
    found += batch.size();
    if (done)
      break;
  }
  return found;
}

} // namespace dwt::actors
