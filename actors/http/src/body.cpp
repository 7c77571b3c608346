#include "dwt/http/body.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "json_keys.hpp"

namespace dwt::http {

namespace {

/// True when `s` (valid UTF-8, as Boost.JSON checked) holds a C0 control
/// character, DEL or a C1 control character (U+0080..U+009F, UTF-8 C2 80
/// to C2 9F): none belongs in an id, a name or a reason, and NUL, CR or LF
/// would cut or split them in logs and downstream systems.
bool has_control(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F)
      return true;
    if (c == 0xC2 && i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F)
        return true;
    }
  }
  return false;
}

/// A member name as an answer may echo it: the client chose it, so it may
/// hold a PAN or a one-time code (a value pasted as a key); every run of
/// `min_masked_digits` or more digits is masked with '*' (PANs and codes
/// never appear in a response).
constexpr std::size_t min_masked_digits = 6;
std::string echoable_name(std::string name) {
  std::size_t run = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i < name.size() && name[i] >= '0' && name[i] <= '9') {
      ++run;
      continue;
    }
    if (run >= min_masked_digits)
      std::fill_n(name.begin() + static_cast<std::ptrdiff_t>(i - run), run, '*');
    run = 0;
  }
  return name;
}

response field_problem(std::string_view code, const std::string& field, std::string detail) {
  boost::json::object extra;
  extra["field"] = field;
  return problem(400, code, detail, std::move(extra));
}

} // namespace

checked<boost::json::object> parse_json_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(boost::json::string_view{body.data(), body.size()}, ec);
  if (ec)
    return problem(400, "malformed_json", "The request body is not valid JSON.");
  if (!v.is_object())
    return problem(400, "malformed_json", "The request body must be a JSON object.");
  if (auto dup = detail::first_duplicate_key(body)) {
    const auto name = echoable_name(std::move(*dup));
    return field_problem("duplicate_field", name, name + ": the member is given more than once");
  }
  return std::move(v.as_object());
}

field_reader::field_reader(const boost::json::object& obj)
    : field_reader(obj, {}, std::make_shared<shared_failure>()) {}

field_reader::field_reader(const boost::json::object& obj, std::string prefix,
                           std::shared_ptr<shared_failure> failure)
    : obj_(&obj), prefix_(std::move(prefix)), failure_(std::move(failure)),
      slot_(failure_->objects.size()) {
  failure_->objects.push_back(object_reads{obj_, prefix_, {}});
}

const boost::json::value* field_reader::find(std::string_view name) {
  auto& names = failure_->objects[slot_].names;
  if (std::find(names.begin(), names.end(), name) == names.end())
    names.emplace_back(name);
  const auto* v = obj_->if_contains(boost::json::string_view{name.data(), name.size()});
  return (v != nullptr && !v->is_null()) ? v : nullptr;
}

bool field_reader::is_null(std::string_view name) {
  (void)find(name);
  const auto* v = obj_->if_contains(boost::json::string_view{name.data(), name.size()});
  return v != nullptr && v->is_null();
}

std::string field_reader::path_of(std::string_view name) const {
  return prefix_.empty() ? std::string{name} : prefix_ + "." + std::string{name};
}

void field_reader::reject(std::string_view name, std::string_view problem_text) {
  if (failure_->failed)
    return;
  failure_->failed = true;
  failure_->field = path_of(name);
  failure_->message = failure_->field + ": " + std::string{problem_text};
}

bool field_reader::ok() const noexcept {
  return !failure_->failed;
}

std::optional<response> field_reader::failure() const {
  if (failure_->failed)
    return field_problem("invalid_request", failure_->field, failure_->message);
  for (const auto& seen : failure_->objects) {
    for (const auto& member : *seen.obj) {
      const std::string_view key{member.key().data(), member.key().size()};
      if (std::find(seen.names.begin(), seen.names.end(), key) != seen.names.end())
        continue;
      const std::string field = echoable_name(
          seen.prefix.empty() ? std::string{key} : seen.prefix + "." + std::string{key});
      return field_problem("unknown_field", field, field + ": not a member of this request");
    }
  }
  return std::nullopt;
}

std::optional<std::string> field_reader::read_string(std::string_view name, bool required,
                                                     std::size_t max_length) {
  const auto* v = find(name);
  if (v == nullptr) {
    if (required)
      reject(name, "required field is missing");
    return std::nullopt;
  }
  if (!v->is_string()) {
    reject(name, "expected a string");
    return std::nullopt;
  }
  const auto& s = v->get_string();
  if (s.size() > max_length) {
    reject(name, "longer than " + std::to_string(max_length) + " characters");
    return std::nullopt;
  }
  if (has_control({s.data(), s.size()})) {
    reject(name, "must not contain control characters");
    return std::nullopt;
  }
  return std::string{s.data(), s.size()};
}

std::optional<std::int64_t> field_reader::read_int(std::string_view name, bool required,
                                                   std::int64_t min, std::int64_t max) {
  const auto* v = find(name);
  if (v == nullptr) {
    if (required)
      reject(name, "required field is missing");
    return std::nullopt;
  }
  std::optional<std::int64_t> n;
  if (v->is_int64())
    n = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    n = static_cast<std::int64_t>(v->get_uint64());
  if (!n || *n < min || *n > max) {
    reject(name,
           "expected an integer between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<field_reader> field_reader::read_object(std::string_view name, bool required) {
  const auto* v = find(name);
  if (v == nullptr) {
    if (required)
      reject(name, "required field is missing");
    return std::nullopt;
  }
  if (!v->is_object()) {
    reject(name, "expected an object");
    return std::nullopt;
  }
  return field_reader{v->get_object(), path_of(name), failure_};
}

std::optional<std::string> field_reader::required_string(std::string_view name,
                                                         std::size_t max_length) {
  return read_string(name, true, max_length);
}
std::optional<std::string> field_reader::optional_string(std::string_view name,
                                                         std::size_t max_length) {
  return read_string(name, false, max_length);
}
std::optional<std::int64_t> field_reader::required_int(std::string_view name, std::int64_t min,
                                                       std::int64_t max) {
  return read_int(name, true, min, max);
}
std::optional<std::int64_t> field_reader::optional_int(std::string_view name, std::int64_t min,
                                                       std::int64_t max) {
  return read_int(name, false, min, max);
}
std::optional<bool> field_reader::optional_bool(std::string_view name) {
  const auto* v = find(name);
  if (v == nullptr)
    return std::nullopt;
  if (!v->is_bool()) {
    reject(name, "expected true or false");
    return std::nullopt;
  }
  return v->get_bool();
}
std::optional<field_reader> field_reader::required_object(std::string_view name) {
  return read_object(name, true);
}
std::optional<field_reader> field_reader::optional_object(std::string_view name) {
  return read_object(name, false);
}

} // namespace dwt::http
