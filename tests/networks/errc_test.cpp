/// The networks error codes: stable snake_case, unique, one description
/// each, and a CAF category of their own that an actor system renders by
/// name.

#include <set>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <gtest/gtest.h>

#include "dwt/engine/caf_error.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/errc.hpp"

namespace dwt::networks {
namespace {

constexpr errc last = errc::signature_mismatch;

TEST(NetworksErrc, CodesAreStableSnakeCaseAndUnique) {
  EXPECT_EQ(to_code(errc::bad_hex), "bad_hex");
  EXPECT_EQ(to_code(errc::unknown_key_fingerprint), "unknown_key_fingerprint");
  EXPECT_EQ(to_code(errc::unsupported_oaep_hash), "unsupported_oaep_hash");
  EXPECT_EQ(to_code(errc::unwrap_failed), "unwrap_failed");
  EXPECT_EQ(to_code(errc::decrypt_failed), "decrypt_failed");
  EXPECT_EQ(to_code(errc::payload_too_large), "payload_too_large");
  EXPECT_EQ(to_code(errc::invalid_expiry), "invalid_expiry");
  EXPECT_EQ(to_code(errc::invalid_url), "invalid_url");
  EXPECT_EQ(to_code(errc::signature_mismatch), "signature_mismatch");
  std::set<std::string> seen;
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    const auto code = std::string{to_code(static_cast<errc>(i))};
    for (char c : code)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << code;
    EXPECT_TRUE(seen.insert(code).second) << "duplicate code " << code;
    EXPECT_FALSE(describe(static_cast<errc>(i)).empty());
    EXPECT_EQ(to_string(static_cast<errc>(i)), code);
  }
  // The table ends with the enum: one past the last value is unknown.
  EXPECT_EQ(to_code(static_cast<errc>(static_cast<int>(last) + 1)), "unknown_error");
}

TEST(NetworksErrc, ItsOwnCafCategory) {
  const auto err = make_error(errc::unwrap_failed, "context");
  EXPECT_TRUE(is_networks_error(err));
  EXPECT_EQ(code_of(err), errc::unwrap_failed);
  EXPECT_NE(error_category, engine::error_category);
  EXPECT_NE(error_category, caf::atom("persist"));
  EXPECT_NE(error_category, caf::atom("runtime"));
  EXPECT_NE(error_category, caf::atom("system"));
  EXPECT_FALSE(engine::is_engine_error(err));
  // A bare errc converts to caf::expected's error through ADL.
  caf::expected<int> e = errc::bad_hex;
  ASSERT_FALSE(static_cast<bool>(e));
  EXPECT_EQ(code_of(e.error()), errc::bad_hex);
}

TEST(NetworksErrc, AnActorSystemRendersTheCategoryByName) {
  caf::actor_system_config cfg;
  cfg.add_error_category(error_category, render_error);
  cfg.set("scheduler.max-threads", 1);
  caf::actor_system sys{cfg};
  const auto text = sys.render(make_error(errc::unknown_key_fingerprint, "no such key"));
  EXPECT_NE(text.find("networks"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown_key_fingerprint"), std::string::npos) << text;
  EXPECT_NE(text.find("no such key"), std::string::npos) << text;
  EXPECT_EQ(render_error(static_cast<std::uint8_t>(errc::bad_iv), error_category, {}),
            "networks: bad_iv");
}

} // namespace
} // namespace dwt::networks
