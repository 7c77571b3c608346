#pragma once
// Helpers for the actor runtime tests: seeded options with an injected
// clock, synchronous waiting on engine_host callbacks (on the test thread,
// never inside the actor system), PAN generation.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>

#include <caf/sec.hpp>
#include <gtest/gtest.h>

#include "dwt/dwt.hpp"
#include "dwt/engine/pan.hpp"

namespace dwt_test {

using namespace std::chrono_literals;

/// A settable clock shared with the engine.
struct test_clock {
  std::atomic<std::int64_t> ms{1'767'225'600'000}; // 2026-01-01T00:00:00Z
  dwt::engine::timestamp now() const { return dwt::engine::from_millis(ms.load()); }
  void advance(std::chrono::milliseconds d) { ms.fetch_add(d.count()); }
};

/// A fresh temporary directory, removed at destruction.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    static std::atomic<int> n{0};
    path = std::filesystem::temp_directory_path() /
           ("dwt_actors_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

inline std::string key32(char c) {
  return std::string(32, c);
}

/// Seed of this run (DWT_TEST_SEED overrides), printed on failure.
inline std::uint64_t test_seed() {
  if (const char* s = std::getenv("DWT_TEST_SEED"))
    return std::stoull(s);
  return 20260101;
}

inline dwt::engine_options make_options(const std::filesystem::path& dir,
                                        std::shared_ptr<test_clock> clock,
                                        std::uint64_t seed = test_seed()) {
  using namespace dwt::engine;
  dwt::engine_options o;
  o.data_dir = dir;
  o.store.map_size = std::size_t{64} << 20;
  o.store.max_map_size = std::size_t{1} << 30;
  o.store.mode = dwt::persistence::durability::nosync;
  o.scheduler_threads = 2;
  o.shard_count = 4;
  partner_record p1;
  p1.id = partner_id{"p1"};
  p1.name = "Partner One";
  p1.onboarded_on = date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};
  p1.max_tokens_per_card = 3;
  partner_record p2;
  p2.id = partner_id{"p2"};
  p2.name = "Partner Two (legacy)";
  p2.onboarded_on = date{std::chrono::year{2024}, std::chrono::January, std::chrono::day{1}};
  o.partners = {p1, p2};
  card_product debit;
  debit.name = "demo-debit";
  debit.bins = {bin_range{400000, 499999, 6}};
  debit.tokenization_enabled = true;
  card_product off;
  off.name = "no-tokens";
  off.bins = {bin_range{510000, 519999, 6}};
  off.tokenization_enabled = false;
  o.products = {debit, off};
  o.pan_hash_key = key32('h');
  o.pan_encryption_key = key32('e');
  o.otp_key = key32('o');
  o.clock = [clock] { return clock->now(); };
  auto counter = std::make_shared<std::atomic<std::uint64_t>>(0);
  o.random = [seed, counter] {
    return std::make_unique<seeded_random>(seed * 1'000'003 + counter->fetch_add(1));
  };
  return o;
}

/// Calls `f(callback)` and waits (test thread) for the one callback.
template <class T, class F>
caf::expected<T> wait_for(F&& f) {
  auto p = std::make_shared<std::promise<caf::expected<T>>>();
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto fut = p->get_future();
  f([p, calls](caf::expected<T> r) {
    if (calls->fetch_add(1) == 0)
      p->set_value(std::move(r));
    else
      ADD_FAILURE() << "callback called twice";
  });
  if (fut.wait_for(20s) != std::future_status::ready) {
    ADD_FAILURE() << "callback not called within 20 s";
    return caf::make_error(caf::sec::request_timeout);
  }
  return fut.get();
}

/// A Luhn-valid PAN with the given prefix and length.
inline std::string make_pan(const std::string& prefix, std::uint64_t n, unsigned len = 16) {
  std::string digits = prefix;
  auto tail = std::to_string(n);
  while (digits.size() + tail.size() < len - 1)
    digits += '0';
  digits += tail;
  digits += dwt::engine::pan::luhn_check_digit(digits);
  return digits;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in{p, std::ios::binary};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The last six-digit number in the SMS file (the last code sent).
inline std::string last_code(const std::filesystem::path& sms_file) {
  auto text = read_file(sms_file);
  std::string last;
  for (std::size_t i = 0; i + 6 <= text.size(); ++i) {
    bool six = true;
    for (std::size_t j = 0; j < 6; ++j)
      six = six && std::isdigit(static_cast<unsigned char>(text[i + j]));
    bool bounded = (i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1]))) &&
                   (i + 6 == text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 6])));
    if (six && bounded && text.compare(i > 20 ? i - 20 : 0, 20, "") != 0) {
      // skip the sentAt timestamp digits: codes follow "code is "
      if (i >= 8 && text.compare(i - 8, 8, "code is ") == 0)
        last = text.substr(i, 6);
    }
  }
  return last;
}

} // namespace dwt_test
