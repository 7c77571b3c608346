#pragma once
/// @file
/// Internal: parsed URLs by their text, for the HTTP client.
///
/// A client posts to a few configured URLs (a partner's webhook endpoint,
/// the SMS gateway) over and over; parsing one costs ~4,600 instructions,
/// about 1 % of a push provisioning with its two webhooks (issue #7). The
/// cache parses each URL once and hands out shared, immutable results.
///
/// Bounds: at most `max_entries` URLs; when a new one would exceed that,
/// the cache is emptied first (URLs are configuration, so only a client
/// fed many distinct URLs ever gets there, and it then just parses more).
/// URLs that do not parse are not cached.
///
/// Threading: any thread; one mutex around the map. Results stay valid
/// after eviction (shared ownership).

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http_url.hpp"

namespace dwt::outbound::detail {

class url_cache {
public:
  explicit url_cache(std::size_t max_entries);

  /// The parse of `url` (see parse_url), or nullptr when it does not parse.
  [[nodiscard]] std::shared_ptr<const parsed_url> get(std::string_view url);

  /// URLs held now.
  [[nodiscard]] std::size_t size() const;

private:
  /// Lookup by string_view without building a std::string per call.
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  std::size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const parsed_url>, text_hash, std::equal_to<>>
      map_;
};

} // namespace dwt::outbound::detail
