/// @file
/// Start-up pass over the REQUESTED tokens (expiry_scan.hpp). Walks the
/// persistence index `tokens_requested`, one short reader per chunk; a
/// token without a deadline entry gets one in a unit of
/// set_token_deadline operations (which re-checks at commit time that the
/// token is still REQUESTED, so a token declined meanwhile gets none).

#include "expiry_scan.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"

namespace dwt::actors {

deadline_index_pass index_missing_deadlines(persistence::env& store,
                                            std::chrono::seconds verification_expiry,
                                            const std::atomic<bool>& stop, std::size_t chunk) {
  deadline_index_pass out;
  std::string last_key;
  chunk = std::max<std::size_t>(chunk, 1);
  while (!stop.load(std::memory_order_relaxed)) {
    persistence::write_unit unit;
    bool done = false;
    {
      auto rd = persistence::reader::begin(store);
      if (!rd)
        return out;
      auto refs = rd->requested_token_refs(last_key, chunk);
      if (!refs)
        return out;
      done = refs->size() < chunk;
      if (!refs->empty())
        last_key = refs->back().value;
      for (auto& ref : *refs) {
        auto t = rd->token(ref);
        if (!t || t->state != engine::token_state::requested)
          continue;
        ++out.requested;
        auto d = rd->token_deadline(ref);
        if (!d)
          return out;
        if (d->has_value())
          continue;
        unit.set_token_deadline(std::move(ref), t->created_at + verification_expiry);
        ++out.indexed;
      }
    } // the reader ends before the commit: never wait on a write holding one
    if (!unit.empty() && !persistence::commit_now(store, unit))
      return out;
    if (done) {
      out.complete = true;
      break;
    }
  }
  return out;
}

} // namespace dwt::actors
