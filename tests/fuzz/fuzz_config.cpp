/// Fuzz target: the TOML configuration loader (`config::load_string`).
/// The environment is injected: `KEY_*` variables hold valid key material,
/// `WHSEC_*` a valid webhook secret, `API_*` an API key, `BAD_*` a value
/// that is not a valid secret (a sentinel), everything else is unset.
/// Properties: the loader never crashes or throws; an error has a message
/// that never contains a secret's value (the sentinel); loaded keys have
/// the sizes the README promises.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dwt/config/load.hpp"
#include "fuzz_check.hpp"

namespace {

constexpr std::string_view sentinel = "Zq9-not-a-valid-secret-Zq9";

std::optional<std::string> fake_env(const std::string& name) {
  if (name.starts_with("KEY"))
    return "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  if (name.starts_with("WHSEC"))
    return "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  if (name.starts_with("API"))
    return "fuzz-api-key-" + name;
  if (name.starts_with("BAD"))
    return std::string{sentinel};
  return std::nullopt;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  dwt::config::load_options options;
  options.getenv = fake_env;
  auto r = dwt::config::load_string(text, options, "fuzz.toml");
  if (!r) {
    const auto& e = r.error_value();
    DWT_FUZZ_CHECK(e.code != dwt::config::errc::ok);
    DWT_FUZZ_CHECK(!e.message.empty());
    if (text.find(sentinel) == std::string_view::npos)
      DWT_FUZZ_CHECK(e.message.find(sentinel) == std::string::npos);
    return 0;
  }
  const auto& keys = r->keys;
  DWT_FUZZ_CHECK(keys.pan_encryption_key.size() == 32);
  DWT_FUZZ_CHECK(keys.pan_hash_key.size() >= 32);
  DWT_FUZZ_CHECK(keys.otp_key.size() >= 32);
  for (const auto& p : r->partners)
    if (p.webhook)
      for (const auto& s : p.webhook->secrets)
        DWT_FUZZ_CHECK(s.size() >= 24 && s.size() <= 64);
  return 0;
}
