#pragma once
/// @file
/// Internal: a cursor over one TOML table that reads typed values, records
/// problems as `key.path: what` and, in `finish()`, refuses every key that
/// was not read (unknown keys are errors).

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "dwt/config/load.hpp"
#include "dwt/engine/types.hpp"

namespace dwt::config::detail {

/// Collected problems of one load.
class diagnostics {
public:
  void add(errc code, const std::string& path, std::string_view what);
  [[nodiscard]] bool empty() const noexcept { return errors_.empty(); }
  /// First code, every message joined by "; ".
  [[nodiscard]] error to_error() const;

private:
  std::vector<error> errors_;
};

/// Reads the keys of one table.
class table_reader {
public:
  /// `path` is the table's own key path ("" for the root).
  table_reader(const toml::table& table, std::string path, diagnostics& diag);

  table_reader(const table_reader&) = delete;
  table_reader& operator=(const table_reader&) = delete;
  table_reader(table_reader&&) = default;
  ~table_reader() = default;

  /// "path.key" (or "key" at the root).
  [[nodiscard]] std::string path_of(std::string_view key) const;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] diagnostics& diag() noexcept { return *diag_; }

  /// The table itself (for tables whose keys are data, not names).
  [[nodiscard]] const toml::table& raw() const noexcept { return *table_; }

  /// Whether the key is present (does not mark it read).
  [[nodiscard]] bool has(std::string_view key) const;

  /// The node under `key`, marked read; nullptr if absent.
  [[nodiscard]] const toml::node* node(std::string_view key);

  /// Records a missing required key.
  void missing(std::string_view key);

  /// Reads an optional string; keeps `out` when absent. `required` reports
  /// absence; `non_empty` refuses "".
  bool string(std::string_view key, std::string& out, bool required = false, bool non_empty = true);
  bool boolean(std::string_view key, bool& out);
  /// Reads an integer within [min, max].
  bool integer(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max,
               bool required = false);

  /// Reads an integer of type T within [min, max].
  template <class T>
  bool uint(std::string_view key, T& out, std::int64_t min, std::int64_t max,
            bool required = false) {
    std::int64_t v = 0;
    if (!integer(key, v, min, max, required))
      return false;
    out = static_cast<T>(v);
    return true;
  }

  /// Reads a duration given as an integer number of `Rep` units.
  template <class Duration>
  bool duration(std::string_view key, Duration& out, std::int64_t min, std::int64_t max) {
    std::int64_t v = 0;
    if (!integer(key, v, min, max))
      return false;
    out = Duration{v};
    return true;
  }

  /// Reads a date (TOML local date, or a "YYYY-MM-DD" string).
  bool date(std::string_view key, engine::date& out, bool required = false);

  /// Reads one of `choices`; returns the index chosen.
  std::optional<std::size_t> choice(std::string_view key,
                                    std::initializer_list<std::string_view> choices,
                                    bool required = false);

  /// A sub-table; nullopt (and an error if present but not a table).
  [[nodiscard]] std::optional<table_reader> table(std::string_view key, bool required = false);

  /// An array; nullptr (and an error if present but not an array).
  [[nodiscard]] const toml::array* array(std::string_view key, bool required = false);

  /// Reports every key of the table that was not read.
  void finish();

private:
  const toml::table* table_;
  std::string path_;
  diagnostics* diag_;
  std::set<std::string, std::less<>> read_;
};

/// Resolves a secret given either inline as `<key>` or via an environment
/// variable named by `<key>_env` (exactly one of them). Returns the clear
/// value; nullopt when absent (reported if `required`) or on error.
[[nodiscard]] std::optional<std::string> secret(table_reader& r, std::string_view key,
                                                const load_options& options, bool required);

} // namespace dwt::config::detail
