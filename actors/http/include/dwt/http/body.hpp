#pragma once
/// @file
/// Request body helpers: parse a JSON object (malformed → 400
/// `malformed_json`; a key repeated within one object → 400
/// `duplicate_field`) and read typed fields; the first problem becomes a 400
/// `invalid_request` naming the field (`device.type: expected one of PHONE,
/// WATCH, TABLET, OTHER`), with `field` as an extra problem member. Strings
/// holding control characters (C0, DEL, C1: NUL, CR, LF, ESC, ...) are
/// refused like any other bad value. A member no read asked for (in the
/// object or in any sub-object read) is refused as 400 `unknown_field`, so
/// a misspelt optional field is never dropped unnoticed.
///
/// Usage:
/// ```
/// auto obj = parse_json_object(ctx.body);
/// if (!obj) return res.respond(std::move(obj).error());
/// field_reader f{*obj};
/// auto pan = f.required_string("pan");
/// auto dev = f.required_object("device");
/// auto type = dev ? dev->required_enum<device_type>("type", {...}) : std::nullopt;
/// if (auto err = f.failure()) return res.respond(std::move(*err));
/// ```
///
/// Threading: a reader is used by one thread. Error messages never echo
/// field values (they may be PANs, CVCs or OTPs).

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "dwt/http/checked.hpp"
#include "dwt/http/response.hpp"

namespace dwt::http {

/// Parses `body` as one JSON object; 400 `malformed_json` otherwise, 400
/// `duplicate_field` (with `field`) when a key repeats within an object.
[[nodiscard]] checked<boost::json::object> parse_json_object(std::string_view body);

/// Reads typed fields of one JSON object, remembering the first problem.
/// Sub-readers (from `*_object`) share that memory.
class field_reader {
public:
  explicit field_reader(const boost::json::object& obj);

  [[nodiscard]] std::optional<std::string> required_string(std::string_view name,
                                                           std::size_t max_length = 4096);
  [[nodiscard]] std::optional<std::string> optional_string(std::string_view name,
                                                           std::size_t max_length = 4096);
  [[nodiscard]] std::optional<std::int64_t> required_int(std::string_view name, std::int64_t min,
                                                         std::int64_t max);
  [[nodiscard]] std::optional<std::int64_t> optional_int(std::string_view name, std::int64_t min,
                                                         std::int64_t max);
  [[nodiscard]] std::optional<bool> optional_bool(std::string_view name);
  /// True when `name` is present with the value null (which the other reads
  /// treat as absent); counts as read.
  [[nodiscard]] bool is_null(std::string_view name);
  [[nodiscard]] std::optional<field_reader> required_object(std::string_view name);
  [[nodiscard]] std::optional<field_reader> optional_object(std::string_view name);

  /// A string that must be one of `choices` (spelling → value).
  template <class E>
  [[nodiscard]] std::optional<E>
  required_enum(std::string_view name,
                std::initializer_list<std::pair<std::string_view, E>> choices) {
    return pick(required_string(name), name, choices);
  }
  template <class E>
  [[nodiscard]] std::optional<E>
  optional_enum(std::string_view name,
                std::initializer_list<std::pair<std::string_view, E>> choices) {
    return pick(optional_string(name), name, choices);
  }

  /// Whether every read so far succeeded.
  [[nodiscard]] bool ok() const noexcept;
  /// The 400 `invalid_request` for the first problem, if any; else the 400
  /// `unknown_field` for the first member of a read object that no read
  /// asked for. Call it after the last read.
  [[nodiscard]] std::optional<response> failure() const;
  /// Records a problem found by the caller's own validation.
  void reject(std::string_view name, std::string_view problem_text);

private:
  /// One object read, with the names asked for.
  struct object_reads {
    const boost::json::object* obj;
    std::string prefix;
    std::vector<std::string> names;
  };
  /// Shared by a reader and its sub-readers.
  struct shared_failure {
    std::string field;
    std::string message;
    bool failed = false;
    std::vector<object_reads> objects;
  };

  field_reader(const boost::json::object& obj, std::string prefix,
               std::shared_ptr<shared_failure> failure);

  /// The value of `name` (nullptr when absent or null); records the read.
  [[nodiscard]] const boost::json::value* find(std::string_view name);
  [[nodiscard]] std::string path_of(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> read_string(std::string_view name, bool required,
                                                       std::size_t max_length);
  [[nodiscard]] std::optional<std::int64_t> read_int(std::string_view name, bool required,
                                                     std::int64_t min, std::int64_t max);
  [[nodiscard]] std::optional<field_reader> read_object(std::string_view name, bool required);

  template <class E>
  std::optional<E> pick(std::optional<std::string> text, std::string_view name,
                        std::initializer_list<std::pair<std::string_view, E>> choices) {
    if (!text)
      return std::nullopt;
    std::string list;
    for (const auto& [spelling, value] : choices) {
      if (spelling == *text)
        return value;
      if (!list.empty())
        list += ", ";
      list += spelling;
    }
    reject(name, "expected one of " + list);
    return std::nullopt;
  }

  const boost::json::object* obj_;
  std::string prefix_;
  std::shared_ptr<shared_failure> failure_;
  /// This reader's entry in `failure_->objects`.
  std::size_t slot_;
};

} // namespace dwt::http
