#pragma once
/// @file
/// Always-on assertions for programmer errors (broken preconditions), active
/// in every build type, Release included. A failed assertion prints
/// `file:line: function: assertion 'expr' failed` to stderr and calls
/// std::abort(). Never use it for input validation: bad input is an error
/// value, not a crash.
///
/// Threading: safe from any thread (one fprintf, then abort).

#include <cstdio>
#include <cstdlib>

namespace dwt::detail {

/// Reports a failed assertion and aborts. Not for direct use: see DWT_ASSERT.
[[noreturn]] inline void assert_fail(const char* expr, const char* message, const char* file,
                                     int line, const char* function) noexcept {
  std::fprintf(stderr, "%s:%d: %s: assertion '%s' failed%s%s\n", file, line, function, expr,
               message[0] != '\0' ? ": " : "", message);
  std::fflush(stderr);
  std::abort();
}

} // namespace dwt::detail

/// Aborts with file:line when `cond` is false, in every build type.
#define DWT_ASSERT(cond)                                                                           \
  ((cond) ? static_cast<void>(0)                                                                   \
          : ::dwt::detail::assert_fail(#cond, "", __FILE__, __LINE__, __func__))

/// Like DWT_ASSERT with an explanatory C-string message.
#define DWT_ASSERT_MSG(cond, msg)                                                                  \
  ((cond) ? static_cast<void>(0)                                                                   \
          : ::dwt::detail::assert_fail(#cond, (msg), __FILE__, __LINE__, __func__))
