#pragma once
/// @file
/// Property checks for the fuzz targets: a failed check prints what broke
/// and aborts, so libFuzzer records the input as a crash and the regression
/// test (which feeds the same input through the same entry point) dies too.

#include <cstdio>
#include <cstdlib>

#define DWT_FUZZ_CHECK(cond)                                                                       \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond);        \
      std::abort();                                                                                \
    }                                                                                              \
  } while (false)
