#pragma once
/// @file
/// `checked<T>`: a value, or the error `response` to send instead. The
/// request helpers (body, idempotency) return these; nothing throws.
///
/// Threading: plain values.

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <variant>

#include "dwt/http/response.hpp"

namespace dwt::http {

template <class T>
class [[nodiscard]] checked {
public:
  checked(T value) : data_(std::in_place_index<0>, std::move(value)) {}
  checked(response error) : data_(std::in_place_index<1>, std::move(error)) {}

  [[nodiscard]] bool ok() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// The value; aborts (programmer error) on an error.
  [[nodiscard]] T& value() & {
    check(ok());
    return std::get<0>(data_);
  }
  [[nodiscard]] const T& value() const& {
    check(ok());
    return std::get<0>(data_);
  }
  [[nodiscard]] T&& value() && {
    check(ok());
    return std::get<0>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The error response; aborts (programmer error) on a value.
  [[nodiscard]] response& error() & {
    check(!ok());
    return std::get<1>(data_);
  }
  [[nodiscard]] response&& error() && {
    check(!ok());
    return std::get<1>(std::move(data_));
  }

private:
  static void check(bool cond) noexcept {
    if (!cond) {
      std::fputs("dwt::http::checked: wrong alternative accessed\n", stderr);
      std::abort();
    }
  }

  std::variant<T, response> data_;
};

} // namespace dwt::http
