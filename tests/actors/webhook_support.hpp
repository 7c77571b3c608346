#pragma once
// Helpers of the webhook dispatcher tests: an engine_host with real
// loopback receivers (tests/outbound/test_receiver.hpp) as the partners'
// endpoints, an independent Standard Webhooks signature check (straight
// OpenSSL HMAC, not the code under test), a log of what each receiver saw
// and answered, and waiting helpers that poll (never assert on speed).

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "actors/test_util.hpp"
#include "common/time_scale.hpp"
#include "outbound/test_receiver.hpp"

namespace dwt_test {

using dwt::outbound::testing::recorded_request;
using dwt::outbound::testing::reply;
using dwt::outbound::testing::test_receiver;

/// Base64 with OpenSSL.
inline std::string b64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

/// A fixed test secret: `whsec_` + base64 of 32 bytes of `c`.
inline std::string whsec(char c) {
  return "whsec_" + b64(std::string(32, c));
}

/// "v1," + base64(HMAC-SHA256(key, id.ts.body)), computed with OpenSSL.
inline std::string expected_signature(char key_byte, const std::string& id, const std::string& ts,
                                      const std::string& body) {
  const std::string key(32, key_byte);
  const std::string content = id + "." + ts + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &len);
  return "v1," + b64(std::string{reinterpret_cast<const char*>(mac), len});
}

/// True if the request's `webhook-signature` carries a valid signature by
/// every key in `keys` (one `v1,` entry per key, space-separated).
inline bool signed_by_all(const recorded_request& r, const std::vector<char>& keys) {
  const auto header = r.header("webhook-signature");
  std::set<std::string> sigs;
  std::size_t start = 0;
  while (start <= header.size()) {
    auto sp = header.find(' ', start);
    sigs.insert(header.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
    if (sp == std::string::npos)
      break;
    start = sp + 1;
  }
  for (char k : keys)
    if (!sigs.contains(
            expected_signature(k, r.header("webhook-id"), r.header("webhook-timestamp"), r.body)))
      return false;
  return !keys.empty();
}

/// The token (`data.tokenUniqueReference`) a delivered body is about.
inline std::string token_of(const std::string& body) {
  auto v = boost::json::parse(body);
  return std::string{v.at("data").at("tokenUniqueReference").as_string()};
}

/// What one receiver saw, in arrival order, with the status it answered.
struct arrival {
  std::string event_id;
  std::string token;
  unsigned status = 0;
  bool hung = false;
};

/// A receiver whose answers are decided by a test function of the request
/// (default 200), logging every arrival.
class logged_receiver {
public:
  logged_receiver() {
    rx_.set_handler([this](const recorded_request& r) {
      std::lock_guard lock{mutex_};
      reply out;
      if (decide_)
        out = decide_(r);
      log_.push_back(arrival{r.header("webhook-id"), token_of(r.body), out.status, out.hang});
      return out;
    });
  }
  test_receiver& rx() { return rx_; }
  std::string url() const { return rx_.url(); }
  void decide(std::function<reply(const recorded_request&)> f) {
    std::lock_guard lock{mutex_};
    decide_ = std::move(f);
  }
  std::vector<arrival> log() const {
    std::lock_guard lock{mutex_};
    return log_;
  }
  /// Distinct event ids answered 2xx.
  std::set<std::string> delivered() const {
    std::lock_guard lock{mutex_};
    std::set<std::string> out;
    for (const auto& a : log_)
      if (!a.hung && a.status >= 200 && a.status < 300)
        out.insert(a.event_id);
    return out;
  }

private:
  mutable std::mutex mutex_;
  std::function<reply(const recorded_request&)> decide_;
  std::vector<arrival> log_;
  test_receiver rx_; // last: stopped (joined) before the log goes away
};

/// Polls `pred` every 5 ms until it holds or `limit` (scaled for slow
/// builds, tests/common/time_scale.hpp) passes; meanwhile
/// advances the injected clock by `step` per poll when set (retries are
/// scheduled on that clock).
inline bool eventually(const std::function<bool()>& pred, test_clock* clock = nullptr,
                       std::chrono::milliseconds step = std::chrono::milliseconds{0},
                       std::chrono::milliseconds limit = std::chrono::milliseconds{15000}) {
  return dwt::test::eventually(
      [&] {
        if (pred())
          return true;
        if (clock != nullptr && step.count() > 0)
          clock->advance(step);
        return false;
      },
      limit);
}

/// Checks per-token order over an arrival log: when an event of token T
/// arrives, every earlier (lower seq) event of T has already been answered
/// 2xx. `seq_of` maps event ids to outbox seqs.
inline ::testing::AssertionResult in_token_order(const std::vector<arrival>& log,
                                                 const std::map<std::string, std::uint64_t>& seq_of,
                                                 const std::set<std::string>& dead = {}) {
  std::map<std::string, std::set<std::uint64_t>> done; // token -> delivered seqs
  std::map<std::string, std::set<std::uint64_t>> all;  // token -> every seq
  for (const auto& a : log) {
    auto it = seq_of.find(a.event_id);
    if (it == seq_of.end())
      return ::testing::AssertionFailure() << "unknown event " << a.event_id;
    all[a.token].insert(it->second);
  }
  for (const auto& a : log) {
    const auto seq = seq_of.at(a.event_id);
    for (auto earlier : all[a.token]) {
      if (earlier >= seq)
        break;
      if (!done[a.token].contains(earlier)) {
        // A dead-lettered predecessor never succeeds: allowed once given up.
        bool given_up = false;
        for (const auto& [id, s] : seq_of)
          if (s == earlier && dead.contains(id))
            given_up = true;
        if (!given_up)
          return ::testing::AssertionFailure()
                 << "event " << a.event_id << " (seq " << seq << ") of token " << a.token
                 << " arrived before seq " << earlier << " was delivered";
      }
    }
    if (!a.hung && a.status >= 200 && a.status < 300)
      done[a.token].insert(seq);
  }
  return ::testing::AssertionSuccess();
}

} // namespace dwt_test
