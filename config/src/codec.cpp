#include "codec.hpp"

#include <array>
#include <cassert>
#include <cstdint>

#include <openssl/evp.h>

#include "dwt/engine/base64.hpp"
#include "dwt/engine/hex.hpp"

namespace dwt::config::detail {

std::optional<std::string> decode_hex(std::string_view text) {
  return engine::hex::decode(text);
}

std::optional<std::string> decode_base64(std::string_view text) {
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  if (text.size() % 4 == 1)
    return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = engine::base64::digit_value(c);
    if (v < 0)
      return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFFU));
    }
  }
  return out;
}

std::string sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  const int ok = EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr);
  assert(ok == 1 && len == 32);
  (void)ok;
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

} // namespace dwt::config::detail
