/// @file
/// Feed-only outbox events (feed_only.hpp).

#include "feed_only.hpp"

#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/reader.hpp"

namespace dwt::actors {

std::shared_ptr<const endpoint_partners> endpoint_partners_of(const engine_options& options) {
  auto out = std::make_shared<endpoint_partners>();
  for (const auto& w : options.webhooks)
    out->insert(w.partner.value);
  return out;
}

persistence::result<std::size_t>
make_feed_only(persistence::env& store, const endpoint_partners& endpoints, engine::timestamp now) {
  std::size_t converted = 0;
  std::uint64_t after = 0;
  for (;;) {
    persistence::write_unit unit;
    std::size_t in_unit = 0;
    std::size_t seen = 0;
    {
      auto rd = persistence::reader::begin(store);
      if (!rd)
        return rd.err();
      auto seqs = rd->pending_outbox(after, feed_only_batch);
      if (!seqs)
        return seqs.err();
      seen = seqs->size();
      for (const auto seq : *seqs) {
        after = seq;
        auto ev = rd->outbox_event_at(seq);
        if (!ev)
          return ev.err();
        if (endpoints.contains(ev->partner.value))
          continue;
        auto found = rd->find_delivery_state(seq);
        if (!found)
          return found.err();
        persistence::delivery_state st;
        if (*found)
          st = **found;
        st.seq = seq;
        st.status = persistence::delivery_status::feed_only;
        st.next_attempt_at = {};
        st.updated_at = now;
        unit.erase_outbox_pending(seq).put_delivery_state(st);
        ++in_unit;
      }
    }
    if (in_unit > 0) {
      if (auto r = persistence::commit_now(store, unit); !r)
        return r.err();
      converted += in_unit;
    }
    if (seen < feed_only_batch)
      return converted;
  }
}

} // namespace dwt::actors
