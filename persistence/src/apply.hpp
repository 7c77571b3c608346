#pragma once
// Internal: applies the operations of one write unit inside a write
// transaction (the caller begins and commits or aborts it).

#include <lmdb.h>

#include "dwt/persistence/env.hpp"
#include "dwt/persistence/result.hpp"
#include "dwt/persistence/write_unit.hpp"

namespace dwt::persistence::detail {

/// Applies every operation of `unit` in `t`, in order. On error the caller
/// must abort `t` (some operations may have been applied).
[[nodiscard]] result<commit_ack> apply_unit(const env& store, MDB_txn* t, const write_unit& unit);

} // namespace dwt::persistence::detail
