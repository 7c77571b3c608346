#include "reader.hpp"

#include <charconv>
#include <cstdlib>

namespace dwt::config::detail {

namespace {

std::string_view type_name(const toml::node& n) noexcept {
  switch (n.type()) {
  case toml::node_type::table:
    return "a table";
  case toml::node_type::array:
    return "an array";
  case toml::node_type::string:
    return "a string";
  case toml::node_type::integer:
    return "an integer";
  case toml::node_type::floating_point:
    return "a float";
  case toml::node_type::boolean:
    return "a boolean";
  case toml::node_type::date:
    return "a date";
  case toml::node_type::time:
    return "a time";
  case toml::node_type::date_time:
    return "a date-time";
  default:
    return "nothing";
  }
}

std::optional<engine::date> parse_date(std::string_view s) {
  // Strictly YYYY-MM-DD.
  if (s.size() != 10 || s[4] != '-' || s[7] != '-')
    return std::nullopt;
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  const auto num = [&](std::size_t pos, std::size_t len, auto& out) {
    const auto* first = s.data() + pos;
    const auto [ptr, ec] = std::from_chars(first, first + len, out);
    return ec == std::errc{} && ptr == first + len;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d))
    return std::nullopt;
  engine::date out{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!out.ok())
    return std::nullopt;
  return out;
}

} // namespace

void diagnostics::add(errc code, const std::string& path, std::string_view what) {
  std::string msg = path;
  msg += ": ";
  msg += what;
  errors_.push_back(error{code, std::move(msg)});
}

error diagnostics::to_error() const {
  if (errors_.empty())
    return error{};
  error out{errors_.front().code, {}};
  for (const auto& e : errors_) {
    if (!out.message.empty())
      out.message += "; ";
    out.message += e.message;
  }
  return out;
}

table_reader::table_reader(const toml::table& table, std::string path, diagnostics& diag)
    : table_(&table), path_(std::move(path)), diag_(&diag) {}

std::string table_reader::path_of(std::string_view key) const {
  if (path_.empty())
    return std::string{key};
  std::string out = path_;
  out += '.';
  out += key;
  return out;
}

bool table_reader::has(std::string_view key) const {
  return table_->contains(key);
}

const toml::node* table_reader::node(std::string_view key) {
  const toml::node* n = table_->get(key);
  if (n != nullptr)
    read_.emplace(key);
  return n;
}

void table_reader::missing(std::string_view key) {
  diag_->add(errc::missing_key, path_of(key), "required key is missing");
}

bool table_reader::string(std::string_view key, std::string& out, bool required, bool non_empty) {
  const toml::node* n = node(key);
  if (n == nullptr) {
    if (required)
      missing(key);
    return false;
  }
  const auto* v = n->as_string();
  if (v == nullptr) {
    diag_->add(errc::wrong_type, path_of(key),
               "expected a string, got " + std::string{type_name(*n)});
    return false;
  }
  if (non_empty && v->get().empty()) {
    diag_->add(errc::invalid_value, path_of(key), "must not be empty");
    return false;
  }
  out = v->get();
  return true;
}

bool table_reader::boolean(std::string_view key, bool& out) {
  const toml::node* n = node(key);
  if (n == nullptr)
    return false;
  const auto* v = n->as_boolean();
  if (v == nullptr) {
    diag_->add(errc::wrong_type, path_of(key),
               "expected true or false, got " + std::string{type_name(*n)});
    return false;
  }
  out = v->get();
  return true;
}

bool table_reader::integer(std::string_view key, std::int64_t& out, std::int64_t min,
                           std::int64_t max, bool required) {
  const toml::node* n = node(key);
  if (n == nullptr) {
    if (required)
      missing(key);
    return false;
  }
  const auto* v = n->as_integer();
  const std::string range =
      "an integer between " + std::to_string(min) + " and " + std::to_string(max);
  if (v == nullptr) {
    diag_->add(errc::wrong_type, path_of(key),
               "expected " + range + ", got " + std::string{type_name(*n)});
    return false;
  }
  if (v->get() < min || v->get() > max) {
    diag_->add(errc::invalid_value, path_of(key),
               "expected " + range + ", got " + std::to_string(v->get()));
    return false;
  }
  out = v->get();
  return true;
}

bool table_reader::date(std::string_view key, engine::date& out, bool required) {
  const toml::node* n = node(key);
  if (n == nullptr) {
    if (required)
      missing(key);
    return false;
  }
  std::optional<engine::date> parsed;
  if (const auto* d = n->as_date()) {
    const toml::date v = d->get();
    engine::date candidate{std::chrono::year{v.year}, std::chrono::month{v.month},
                           std::chrono::day{v.day}};
    if (candidate.ok())
      parsed = candidate;
  } else if (const auto* s = n->as_string()) {
    parsed = parse_date(s->get());
  }
  if (!parsed) {
    diag_->add(n->is_date() || n->is_string() ? errc::invalid_value : errc::wrong_type,
               path_of(key), "expected a date like 2025-06-01");
    return false;
  }
  out = *parsed;
  return true;
}

std::optional<std::size_t> table_reader::choice(std::string_view key,
                                                std::initializer_list<std::string_view> choices,
                                                bool required) {
  std::string value;
  if (!string(key, value, required))
    return std::nullopt;
  std::size_t i = 0;
  std::string list;
  for (auto c : choices) {
    if (c == value)
      return i;
    if (!list.empty())
      list += ", ";
    list += '"';
    list += c;
    list += '"';
    ++i;
  }
  diag_->add(errc::invalid_value, path_of(key),
             "expected one of " + list + ", got \"" + value + "\"");
  return std::nullopt;
}

std::optional<table_reader> table_reader::table(std::string_view key, bool required) {
  const toml::node* n = node(key);
  if (n == nullptr) {
    if (required)
      missing(key);
    return std::nullopt;
  }
  const auto* t = n->as_table();
  if (t == nullptr) {
    diag_->add(errc::wrong_type, path_of(key),
               "expected a table, got " + std::string{type_name(*n)});
    return std::nullopt;
  }
  return table_reader{*t, path_of(key), *diag_};
}

const toml::array* table_reader::array(std::string_view key, bool required) {
  const toml::node* n = node(key);
  if (n == nullptr) {
    if (required)
      missing(key);
    return nullptr;
  }
  const auto* a = n->as_array();
  if (a == nullptr) {
    diag_->add(errc::wrong_type, path_of(key),
               "expected an array, got " + std::string{type_name(*n)});
    return nullptr;
  }
  return a;
}

void table_reader::finish() {
  for (const auto& [k, v] : *table_) {
    (void)v;
    if (read_.find(k.str()) == read_.end())
      diag_->add(errc::unknown_key, path_of(k.str()), "unknown key");
  }
}

std::optional<std::string> secret(table_reader& r, std::string_view key,
                                  const load_options& options, bool required) {
  const std::string env_key = std::string{key} + "_env";
  const bool inline_given = r.has(key);
  const bool env_given = r.has(env_key);
  if (inline_given && env_given) {
    (void)r.node(key);
    (void)r.node(env_key);
    r.diag().add(errc::invalid_value, r.path_of(key),
                 "give either " + std::string{key} + " or " + env_key + ", not both");
    return std::nullopt;
  }
  if (inline_given) {
    std::string value;
    if (!r.string(key, value, true))
      return std::nullopt;
    return value;
  }
  if (env_given) {
    std::string name;
    if (!r.string(env_key, name, true))
      return std::nullopt;
    std::optional<std::string> value = options.getenv ? options.getenv(name) : std::nullopt;
    if (!value || value->empty()) {
      r.diag().add(errc::missing_env_var, r.path_of(env_key),
                   "environment variable " + name + " is not set");
      return std::nullopt;
    }
    return value;
  }
  if (required)
    r.diag().add(errc::missing_key, r.path_of(key),
                 "required: give " + std::string{key} + " (development) or " + env_key +
                     " (name of an environment variable)");
  return std::nullopt;
}

} // namespace dwt::config::detail
