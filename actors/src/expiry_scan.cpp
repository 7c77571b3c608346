/// @file
/// Start-up scan for REQUESTED tokens (expiry_scan.hpp). Walks the
/// persistence index `tokens_requested` (only the tokens in state
/// REQUESTED, not the whole `tokens` database), one short reader per chunk,
/// and re-checks each token's state in the same snapshot (an entry is never
/// stale in this build, but a token may change between chunks).

#include "expiry_scan.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "dwt/persistence/reader.hpp"

namespace dwt::actors {

std::size_t scan_requested_tokens(persistence::env& store,
                                  const std::function<void(const engine::token_ref&)>& on_requested,
                                  const std::atomic<bool>& stop, std::size_t chunk) {
  std::size_t found = 0;
  std::string last_key;
  chunk = std::max<std::size_t>(chunk, 1);
  while (!stop.load(std::memory_order_relaxed)) {
    std::vector<engine::token_ref> batch;
    bool done = false;
    {
      auto rd = persistence::reader::begin(store);
      if (!rd)
        break;
      auto refs = rd->requested_token_refs(last_key, chunk);
      if (!refs)
        break;
      done = refs->size() < chunk;
      if (!refs->empty())
        last_key = refs->back().value;
      for (auto& ref : *refs) {
        auto t = rd->token(ref);
        if (t && t->state == engine::token_state::requested)
          batch.push_back(std::move(ref));
      }
    }
    for (const auto& ref : batch)
      on_requested(ref);
    found += batch.size();
    if (done)
      break;
  }
  return found;
}

} // namespace dwt::actors
