#pragma once
/// @file
/// `result<T>`: a value or an `error` (errc + message). The persistence API
/// never throws across its boundary; every fallible call returns one of these.
///
/// Threading: plain values; share by copy or move.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "dwt/persistence/errc.hpp"

namespace dwt::persistence {

/// An error: a code and a human-readable message (never contains secrets
/// or PANs).
struct error {
  errc code = errc::internal;
  std::string message;
  friend bool operator==(const error&, const error&) = default;
};

/// Convenience: builds an `error`, which converts to any `result<T>`.
[[nodiscard]] inline error fail(errc code, std::string message) {
  return error{code, std::move(message)};
}

namespace detail {
/// Accessing the value of a failed result is a programmer error: abort
/// loudly in every build type (never UB).
[[noreturn]] inline void bad_result_access(const error& e) noexcept {
  std::fprintf(stderr, "dwt::persistence::result: value() on error %s: %s\n",
               std::string{to_code(e.code)}.c_str(), e.message.c_str());
  std::abort();
}
[[noreturn]] inline void bad_error_access() noexcept {
  std::fprintf(stderr, "dwt::persistence::result: error() on a value\n");
  std::abort();
}
} // namespace detail

/// Either a `T` or an `error`.
template <class T>
class [[nodiscard]] result {
public:
  static_assert(!std::is_same_v<T, error>, "result<error> is ambiguous");

  result(T value) : data_(std::in_place_index<0>, std::move(value)) {}
  result(error err) : data_(std::in_place_index<1>, std::move(err)) {}

  [[nodiscard]] bool has_value() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; aborts if this holds an error.
  [[nodiscard]] T& value() & {
    if (!has_value())
      detail::bad_result_access(std::get<1>(data_));
    return std::get<0>(data_);
  }
  [[nodiscard]] const T& value() const& {
    if (!has_value())
      detail::bad_result_access(std::get<1>(data_));
    return std::get<0>(data_);
  }
  [[nodiscard]] T&& value() && {
    if (!has_value())
      detail::bad_result_access(std::get<1>(data_));
    return std::get<0>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The error; aborts if this holds a value.
  [[nodiscard]] const error& err() const {
    if (has_value())
      detail::bad_error_access();
    return std::get<1>(data_);
  }

  /// errc::ok for a value, else the error's code.
  [[nodiscard]] errc code() const noexcept {
    return has_value() ? errc::ok : std::get<1>(data_).code;
  }

private:
  std::variant<T, error> data_;
};

/// Success without a value, or an error.
template <>
class [[nodiscard]] result<void> {
public:
  result() = default;
  result(error err) : err_(std::move(err)), ok_(false) {}

  [[nodiscard]] bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }

  /// The error; aborts if this is a success.
  [[nodiscard]] const error& err() const {
    if (ok_)
      detail::bad_error_access();
    return err_;
  }

  /// errc::ok on success, else the error's code.
  [[nodiscard]] errc code() const noexcept { return ok_ ? errc::ok : err_.code; }

private:
  error err_{errc::ok, {}};
  bool ok_ = true;
};

} // namespace dwt::persistence
