#include "secret_json.hpp"

#include <new>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/null_resource.hpp>
#include <boost/json/parser.hpp>

#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/secret.hpp"

namespace dwt::networks::detail {

caf::error visit_secret_json(std::string_view text, std::size_t max_bytes,
                             const std::function<caf::error(const boost::json::object&)>& visit) {
  if (text.size() > max_bytes)
    return make_error(errc::payload_too_large, "JSON text larger than its limit");
  secret_bytes arena{text.size() * secret_arena_factor + secret_arena_floor};
  caf::error result;
  {
    // No upstream: an arena too small throws bad_alloc instead of spilling
    // secrets to the heap.
    boost::json::monotonic_resource mr{reinterpret_cast<unsigned char*>(arena.data()), arena.size(),
                                       boost::json::get_null_resource()};
    const boost::json::storage_ptr sp{&mr};
    try {
      boost::json::parser parser{sp};
      parser.reset(sp);
      boost::system::error_code ec;
      parser.write(text.data(), text.size(), ec);
      if (ec) {
        result = make_error(errc::invalid_json, "not valid JSON");
      } else {
        const boost::json::value value = parser.release();
        if (const auto* obj = value.if_object(); obj != nullptr)
          result = visit(*obj);
        else
          result = make_error(errc::invalid_json, "not a JSON object");
      }
    } catch (const std::bad_alloc&) {
      result = make_error(errc::payload_too_large, "JSON too large to parse");
    }
  }
  return result; // arena is wiped by its destructor
}

} // namespace dwt::networks::detail
