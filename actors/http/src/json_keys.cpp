#include "json_keys.hpp"

#include <cstdint>
#include <iterator>
#include <set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>

namespace dwt::http::detail {

namespace {

namespace bj = boost::json;
using ec_t = boost::system::error_code;

/// A Boost.JSON parse handler that only follows keys.
struct key_tracker {
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

  /// Objects up to this many keys are checked by a linear search of a
  /// vector (request objects hold a handful: no allocation per key); a
  /// larger one moves its keys into a set, so a hostile body of thousands of
  /// keys stays O(n log n).
  static constexpr std::size_t linear_keys = 16;

  struct frame {
    bool object = false;
    std::vector<std::string> few;
    std::set<std::string> many;
    /// The key whose value is being parsed (objects only).
    std::string current;
  };
  std::vector<frame> stack;
  std::string key;
  std::optional<std::string> duplicate;

  [[nodiscard]] std::string path_to(const std::string& last) const {
    std::string out;
    for (std::size_t i = 0; i + 1 < stack.size(); ++i) {
      out += stack[i].object ? stack[i].current : std::string{"[]"};
      out += '.';
    }
    return out + last;
  }

  /// False when `k` was seen in this object already.
  static bool insert_key(frame& f, const std::string& k) {
    if (f.many.empty()) {
      for (const auto& seen : f.few)
        if (seen == k)
          return false;
      if (f.few.size() < linear_keys) {
        f.few.push_back(k);
        return true;
      }
      f.many.insert(std::make_move_iterator(f.few.begin()), std::make_move_iterator(f.few.end()));
      f.few.clear();
    }
    return f.many.insert(k).second;
  }

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) {
    stack.push_back(frame{false, {}, {}, {}});
    return true;
  }
  bool on_array_end(std::size_t, ec_t&) {
    stack.pop_back();
    return true;
  }
  bool on_object_begin(ec_t&) {
    stack.push_back(frame{true, {}, {}, {}});
    return true;
  }
  bool on_object_end(std::size_t, ec_t&) {
    stack.pop_back();
    return true;
  }
  bool on_string_part(bj::string_view, std::size_t, ec_t&) { return true; }
  bool on_string(bj::string_view, std::size_t, ec_t&) { return true; }
  bool on_key_part(bj::string_view s, std::size_t, ec_t&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, ec_t& ec) {
    key.append(s.data(), s.size());
    auto& top = stack.back();
    if (!insert_key(top, key)) {
      duplicate = path_to(key);
      ec = bj::error::syntax; // stop here; the caller reads `duplicate`
      return false;
    }
    top.current = std::move(key);
    key.clear();
    return true;
  }
  bool on_number_part(bj::string_view, ec_t&) { return true; }
  bool on_int64(std::int64_t, bj::string_view, ec_t&) { return true; }
  bool on_uint64(std::uint64_t, bj::string_view, ec_t&) { return true; }
  bool on_double(double, bj::string_view, ec_t&) { return true; }
  bool on_bool(bool, ec_t&) { return true; }
  bool on_null(ec_t&) { return true; }
  bool on_comment_part(bj::string_view, ec_t&) { return true; }
  bool on_comment(bj::string_view, ec_t&) { return true; }
};

} // namespace

std::optional<std::string> first_duplicate_key(std::string_view text) {
  bj::basic_parser<key_tracker> p{bj::parse_options{}};
  ec_t ec;
  p.write_some(false, text.data(), text.size(), ec);
  return p.handler().duplicate;
}

} // namespace dwt::http::detail
