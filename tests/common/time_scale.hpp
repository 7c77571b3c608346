#pragma once
/// @file
/// Safety caps of test waits, scaled for slow builds. A test waits for a
/// condition; the cap only bounds how long a broken run hangs. Sanitizer
/// builds (TSan: 5-15x, ASan: ~2-3x) and a loaded CI machine stretch the
/// time a correct run needs, so the caps are multiplied by
/// DWT_TEST_TIME_SCALE (a positive number, default 1; `make tsan` sets it).
/// Never use this to make a timing assertion pass: speed is measured in
/// benchmarks, not asserted in tests.

#include <chrono>
#include <cstdlib>
#include <thread>

namespace dwt::test {

/// DWT_TEST_TIME_SCALE, or 1 when unset or not a positive number.
[[nodiscard]] inline double time_scale() {
  static const double scale = [] {
    const char* env = std::getenv("DWT_TEST_TIME_SCALE");
    if (env == nullptr)
      return 1.0;
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    return end != env && v > 0 ? v : 1.0;
  }();
  return scale;
}

/// `d` multiplied by `time_scale()` (at least `d`).
template <class Rep, class Period>
[[nodiscard]] std::chrono::milliseconds scaled(std::chrono::duration<Rep, Period> d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d);
  const double scale = time_scale() < 1.0 ? 1.0 : time_scale();
  return std::chrono::milliseconds{
      static_cast<std::chrono::milliseconds::rep>(static_cast<double>(ms.count()) * scale)};
}

/// Polls `pred` every `step` until it holds or `scaled(limit)` passes;
/// returns its last answer. The one bounded wait of the suites: for
/// whatever another thread or process produces asynchronously.
template <class Pred>
[[nodiscard]] bool eventually(Pred&& pred,
                              std::chrono::milliseconds limit = std::chrono::seconds{10},
                              std::chrono::milliseconds step = std::chrono::milliseconds{5}) {
  const auto deadline = std::chrono::steady_clock::now() + scaled(limit);
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return pred();
    std::this_thread::sleep_for(step);
  }
  return true;
}

} // namespace dwt::test
