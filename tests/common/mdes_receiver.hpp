#pragma once
/// @file
/// A real loopback HTTP receiver playing the MDES Customer Service API for
/// the issuer → MDES tests (issue #21): it checks every call's OAuth 1.0a
/// RSA-SHA256 signature and body hash with networks::oauth1::verify and
/// the public half of config/dev's key (not the signing code's output),
/// records the call and answers success in MDES's shape (or what the test
/// decides). Needs DWT_SOURCE_DIR and dwt::networks.
///
/// Threading: the receiver's own thread answers; every public member may
/// be called from the test thread.

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "../outbound/test_receiver.hpp"
#include "dwt/networks/keys.hpp"
#include "dwt/networks/oauth1.hpp"

namespace dwt::test {

using dwt::outbound::testing::recorded_request;
using dwt::outbound::testing::reply;
using dwt::outbound::testing::test_receiver;

/// One call as MDES saw it.
struct mdes_call {
  std::string path; ///< e.g. /mdes/csapi/v2/token/suspend
  std::string tur;
  boost::json::object request; ///< the body's root object's content
  bool signature_ok = false;
};

/// The MDES side: verifies each call's signature, records it, answers
/// success (or what `answer` says).
class mdes_receiver {
public:
  mdes_receiver() {
    auto key =
        networks::load_public_key(std::string{DWT_SOURCE_DIR} + "/config/dev/mdes-oauth.pub.pem");
    EXPECT_TRUE(key);
    if (key)
      key_ = std::move(*key);
    rx_.set_handler([this](const recorded_request& r) { return handle(r); });
  }

  [[nodiscard]] std::string base_url() const { return rx_.url("/mdes"); }
  void stop() { rx_.stop(); }
  void start() { rx_.start(); }

  /// Decides the answer for a call (default: success).
  void set_answer(std::function<std::optional<reply>(const mdes_call&)> f) {
    std::lock_guard lock{mutex_};
    answer_ = std::move(f);
  }
  [[nodiscard]] std::vector<mdes_call> calls() const {
    std::lock_guard lock{mutex_};
    return calls_;
  }
  [[nodiscard]] std::size_t count() const {
    std::lock_guard lock{mutex_};
    return calls_.size();
  }

private:
  reply handle(const recorded_request& r) {
    mdes_call c;
    const auto q = r.target.find('?');
    c.path = r.target.substr(0, q);
    const auto url = "http://127.0.0.1:" + std::to_string(rx_.port()) + r.target;
    if (key_) {
      auto v = networks::oauth1::verify(r.header("authorization"), {r.method, url, r.body}, *key_);
      c.signature_ok = static_cast<bool>(v);
    }
    std::string root;
    boost::system::error_code ec;
    auto doc = boost::json::parse(r.body, ec);
    if (!ec && doc.is_object() && doc.as_object().size() == 1) {
      root = doc.as_object().begin()->key();
      if (const auto* inner = doc.as_object().begin()->value().if_object()) {
        c.request = *inner;
        if (const auto* t = inner->if_contains("TokenUniqueReference"); t && t->is_string())
          c.tur = std::string{t->as_string()};
      }
    }
    std::function<std::optional<reply>(const mdes_call&)> answer;
    {
      std::lock_guard lock{mutex_};
      calls_.push_back(c);
      answer = answer_;
    }
    if (answer)
      if (auto a = answer(c))
        return *a;
    // "TokenSuspendRequest" -> "TokenSuspendResponse".
    auto response_root = root.substr(0, root.size() - std::string{"Request"}.size()) + "Response";
    boost::json::object token{{"TokenUniqueReference", c.tur}, {"CommentId", "c-1"}};
    boost::json::object body{{response_root, boost::json::object{{"Token", token}}}};
    return reply{200, boost::json::serialize(body), false};
  }

  test_receiver rx_;
  networks::pkey_ptr key_;
  mutable std::mutex mutex_;
  std::vector<mdes_call> calls_;
  std::function<std::optional<reply>(const mdes_call&)> answer_;
};

/// An MDES error answer.
inline reply mdes_error(unsigned status, const char* reason, bool recoverable) {
  boost::json::object e{{"Source", "TOKEN"},
                        {"ReasonCode", reason},
                        {"Description", "refused by the test"},
                        {"Recoverable", recoverable}};
  boost::json::object body{
      {"Errors", boost::json::object{{"Error", boost::json::array{std::move(e)}}}}};
  return reply{status, boost::json::serialize(body), false};
}

} // namespace dwt::test
