#include "json_fields.hpp"

#include <algorithm>
#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/time.hpp"

namespace dwt::networks::detail {

std::string field_path(std::string_view path, std::string_view name) {
  std::string out;
  out.reserve(path.size() + 1 + name.size());
  if (!path.empty()) {
    out += path;
    out += '.';
  }
  out += name;
  return out;
}

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

caf::error read_string(const boost::json::object& obj, std::string_view name, std::size_t max_len,
                       std::optional<std::string>& out, std::string_view path) {
  out.reset();
  const auto* v = obj.if_contains(name);
  if (v == nullptr || v->is_null())
    return {};
  const auto* s = v->if_string();
  if (s == nullptr)
    return make_error(errc::invalid_field, field_path(path, name) + " must be a string");
  if (s->size() > max_len)
    return make_error(errc::invalid_field, field_path(path, name) + " is longer than " +
                                               std::to_string(max_len) + " characters");
  out.emplace(s->data(), s->size());
  return {};
}

caf::error read_required_string(const boost::json::object& obj, std::string_view name,
                                std::size_t max_len, std::string& out, std::string_view path) {
  std::optional<std::string> v;
  if (auto err = read_string(obj, name, max_len, v, path))
    return err;
  if (!v || v->empty())
    return make_error(errc::missing_field, field_path(path, name) + " is required");
  out = std::move(*v);
  return {};
}

caf::error read_count(const boost::json::object& obj, std::string_view name, std::uint64_t max,
                      std::optional<std::uint64_t>& out, std::string_view path) {
  out.reset();
  const auto* v = obj.if_contains(name);
  if (v == nullptr || v->is_null())
    return {};
  std::uint64_t n = 0;
  bool ok = false;
  if (v->is_uint64()) {
    n = v->get_uint64();
    ok = true;
  } else if (v->is_int64()) {
    ok = v->get_int64() >= 0;
    n = static_cast<std::uint64_t>(v->get_int64());
  } else if (const auto* s = v->if_string(); s != nullptr && s->size() <= 20 && all_digits(*s)) {
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), n);
    ok = ec == std::errc{} && end == s->data() + s->size();
  }
  if (!ok || n > max)
    return make_error(errc::invalid_field, field_path(path, name) +
                                               " must be an integer from 0 to " +
                                               std::to_string(max));
  out = n;
  return {};
}

caf::error read_object(const boost::json::object& obj, std::string_view name,
                       const boost::json::object*& out, std::string_view path) {
  out = nullptr;
  const auto* v = obj.if_contains(name);
  if (v == nullptr || v->is_null())
    return {};
  out = v->if_object();
  if (out == nullptr)
    return make_error(errc::invalid_field, field_path(path, name) + " must be an object");
  return {};
}

caf::error read_string_array(const boost::json::object& obj, std::string_view name,
                             std::size_t max_items, std::size_t max_len,
                             std::vector<std::string>& out, std::string_view path) {
  out.clear();
  const auto* v = obj.if_contains(name);
  if (v == nullptr || v->is_null())
    return {};
  const auto* arr = v->if_array();
  if (arr == nullptr)
    return make_error(errc::invalid_field, field_path(path, name) + " must be an array");
  if (arr->size() > max_items)
    return make_error(errc::invalid_field, field_path(path, name) + " has more than " +
                                               std::to_string(max_items) + " items");
  out.reserve(arr->size());
  for (const auto& item : *arr) {
    const auto* s = item.if_string();
    if (s == nullptr || s->size() > max_len)
      return make_error(errc::invalid_field, field_path(path, name) +
                                                 " items must be strings of at most " +
                                                 std::to_string(max_len) + " characters");
    out.emplace_back(s->data(), s->size());
  }
  return {};
}

caf::error read_text(const boost::json::object& obj, std::string_view name, std::size_t max_len,
                     std::string& out, std::string_view path) {
  std::optional<std::string> v;
  if (auto err = read_string(obj, name, max_len, v, path))
    return err;
  if (v)
    out = std::move(*v);
  return {};
}

caf::error read_date_time(const boost::json::object& obj, std::string_view name,
                          std::optional<engine::timestamp>& out, std::string_view path) {
  out.reset();
  // 64 characters hold any date-time with a fraction and an offset.
  std::optional<std::string> v;
  if (auto err = read_string(obj, name, 64, v, path))
    return err;
  if (!v)
    return {};
  out = parse_iso8601(*v);
  if (!out)
    return make_error(errc::invalid_field,
                      field_path(path, name) + " must be an ISO 8601 date-time");
  return {};
}

caf::error parse_message(std::string_view body, std::size_t max_bytes, std::string_view what,
                         boost::json::value& out) {
  if (body.size() > max_bytes)
    return make_error(errc::payload_too_large, std::string{what} + " body larger than its limit");
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 16;
  out = boost::json::parse(body, ec, {}, opts);
  if (ec)
    return make_error(errc::invalid_json, std::string{what} + " body is not JSON");
  if (!out.is_object())
    return make_error(errc::invalid_json, std::string{what} + " body is not a JSON object");
  return {};
}

} // namespace dwt::networks::detail
