#pragma once
/// @file
/// Errors as values for the configuration loader: `errc`, `error` and
/// `result<T>` (a value or an error). Nothing in dwt::config throws.
///
/// Threading: plain values.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace dwt::config {

/// What went wrong while loading a configuration.
enum class errc : std::uint8_t {
  ok = 0,
  /// The file could not be read.
  io_error = 1,
  /// The text is not valid TOML.
  syntax_error = 2,
  /// A required key is absent.
  missing_key = 3,
  /// A key holds a value of the wrong TOML type.
  wrong_type = 4,
  /// A key holds a value of the right type that is not acceptable.
  invalid_value = 5,
  /// A key that dwt does not know (typos must not pass silently).
  unknown_key = 6,
  /// An environment variable named in the file is not set.
  missing_env_var = 7,
};

/// Stable snake_case name of an error code.
[[nodiscard]] std::string_view to_string(errc e) noexcept;

/// An error: the code of the first problem and a message naming every
/// problem found, each as `key.path: problem` (never contains secret values).
struct error {
  errc code = errc::ok;
  std::string message;
  friend bool operator==(const error&, const error&) = default;
};

/// Either a `T` or an `error`.
template <class T>
class [[nodiscard]] result {
public:
  static_assert(!std::is_same_v<T, error>, "result<error> is ambiguous");

  result(T value) : data_(std::in_place_index<0>, std::move(value)) {}
  result(error err) : data_(std::in_place_index<1>, std::move(err)) {}

  [[nodiscard]] bool has_value() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; aborts (programmer error) if this holds an error.
  [[nodiscard]] const T& value() const& {
    if (!has_value())
      fail_access("value() on an error");
    return std::get<0>(data_);
  }
  [[nodiscard]] T& value() & {
    if (!has_value())
      fail_access("value() on an error");
    return std::get<0>(data_);
  }
  [[nodiscard]] T&& value() && {
    if (!has_value())
      fail_access("value() on an error");
    return std::get<0>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  /// The error; aborts (programmer error) if this holds a value.
  [[nodiscard]] const error& error_value() const& {
    if (has_value())
      fail_access("error_value() on a value");
    return std::get<1>(data_);
  }

private:
  [[noreturn]] static void fail_access(const char* what) noexcept {
    std::fprintf(stderr, "dwt::config::result: %s\n", what);
    std::abort();
  }

  std::variant<T, error> data_;
};

} // namespace dwt::config
