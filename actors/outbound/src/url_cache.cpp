/// @file
/// See url_cache.hpp.
#include "url_cache.hpp"

#include "dwt/engine/assert.hpp"

namespace dwt::outbound::detail {

url_cache::url_cache(std::size_t max_entries) : max_entries_(max_entries) {
  DWT_ASSERT(max_entries_ > 0);
}

std::shared_ptr<const parsed_url> url_cache::get(std::string_view url) {
  {
    std::lock_guard lock{mu_};
    if (auto i = map_.find(url); i != map_.end())
      return i->second;
  }
  // Parsed outside the lock; two threads racing on a new URL both parse it
  // and the second insert is a no-op.
  auto parsed = parse_url(url);
  if (!parsed)
    return nullptr;
  auto shared = std::make_shared<const parsed_url>(std::move(*parsed));
  std::lock_guard lock{mu_};
  if (map_.size() >= max_entries_ && !map_.contains(url))
    map_.clear();
  return map_.try_emplace(std::string{url}, shared).first->second;
}

std::size_t url_cache::size() const {
  std::lock_guard lock{mu_};
  return map_.size();
}

} // namespace dwt::outbound::detail
