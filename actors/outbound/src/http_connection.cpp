#include "http_connection.hpp"

namespace dwt::outbound::detail {

std::unique_ptr<connection> connection_pool::take(const std::string& key) {
  std::lock_guard lock{mutex_};
  auto it = idle_.find(key);
  if (it == idle_.end())
    return nullptr;
  auto& q = it->second;
  const auto now = std::chrono::steady_clock::now();
  std::unique_ptr<connection> out;
  while (!q.empty() && !out) {
    auto c = std::move(q.back());
    q.pop_back();
    if (now - c->idle_since <= idle_timeout_ && c->lowest().socket().is_open())
      out = std::move(c);
  }
  if (q.empty())
    idle_.erase(it);
  return out;
}

void connection_pool::give(const std::string& key, std::unique_ptr<connection> conn) {
  if (!conn || max_per_endpoint_ == 0)
    return;
  conn->idle_since = std::chrono::steady_clock::now();
  std::lock_guard lock{mutex_};
  auto it = idle_.find(key);
  if (it == idle_.end()) {
    if (idle_.size() >= max_endpoints_)
      return; // dropped: closes the connection
    it = idle_.emplace(key, std::deque<std::unique_ptr<connection>>{}).first;
  }
  auto& q = it->second;
  if (q.size() >= max_per_endpoint_)
    q.pop_front(); // drop the oldest
  q.push_back(std::move(conn));
}

std::size_t connection_pool::idle() const {
  std::lock_guard lock{mutex_};
  std::size_t n = 0;
  for (const auto& [key, q] : idle_)
    n += q.size();
  return n;
}

void connection_pool::clear() {
  std::lock_guard lock{mutex_};
  idle_.clear();
}

} // namespace dwt::outbound::detail
