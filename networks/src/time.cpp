#include "dwt/networks/time.hpp"

#include <chrono>

namespace dwt::networks {

namespace {

/// Reads exactly `n` digits at `pos`, advancing it; -1 if not digits.
int digits(std::string_view s, std::size_t& pos, std::size_t n) noexcept {
  if (pos + n > s.size())
    return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9')
      return -1;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool expect(std::string_view s, std::size_t& pos, char c) noexcept {
  if (pos >= s.size() || s[pos] != c)
    return false;
  ++pos;
  return true;
}

} // namespace

std::optional<engine::timestamp> parse_iso8601(std::string_view s) noexcept {
  using namespace std::chrono;
  std::size_t p = 0;
  const int year = digits(s, p, 4);
  if (year < 0 || !expect(s, p, '-'))
    return std::nullopt;
  const int month = digits(s, p, 2);
  if (month < 0 || !expect(s, p, '-'))
    return std::nullopt;
  const int day = digits(s, p, 2);
  if (day < 0 || p >= s.size() || (s[p] != 'T' && s[p] != 't'))
    return std::nullopt;
  ++p;
  const int hour = digits(s, p, 2);
  if (hour < 0 || !expect(s, p, ':'))
    return std::nullopt;
  const int minute = digits(s, p, 2);
  if (minute < 0 || !expect(s, p, ':'))
    return std::nullopt;
  const int second = digits(s, p, 2);
  if (second < 0)
    return std::nullopt;
  int millis = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    std::size_t n = 0;
    for (; p < s.size() && s[p] >= '0' && s[p] <= '9' && n < 9; ++p, ++n)
      if (n < 3)
        millis = millis * 10 + (s[p] - '0');
    if (n == 0)
      return std::nullopt;
    for (; n < 3; ++n)
      millis *= 10;
  }
  int offset_minutes = 0;
  if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    const int sign = s[p] == '-' ? -1 : 1;
    ++p;
    const int oh = digits(s, p, 2);
    if (oh < 0 || oh > 23 || !expect(s, p, ':'))
      return std::nullopt;
    const int om = digits(s, p, 2);
    if (om < 0 || om > 59)
      return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (p != s.size() || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  const year_month_day ymd{std::chrono::year{year},
                           std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok())
    return std::nullopt;
  // A leap second (:60) counts as the next second's start.
  const auto t = sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second} +
                 milliseconds{millis} - minutes{offset_minutes};
  return engine::timestamp{t};
}

} // namespace dwt::networks
