#pragma once
/// @file
/// Internal: `DWT_HTTP_CHECK(cond, msg)` aborts on a programmer error in
/// every build type (assert() vanishes under NDEBUG).

#include <cstdio>
#include <cstdlib>

#define DWT_HTTP_CHECK(cond, msg)                                                                  \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "dwt::http: %s (%s:%d): %s\n", msg, __FILE__, __LINE__, #cond);         \
      std::abort();                                                                                \
    }                                                                                              \
  } while (false)
