#include "dwt/http/auth.hpp"

#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "check.hpp"

namespace dwt::http {

std::string sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  const int ok = EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr);
  DWT_HTTP_CHECK(ok == 1 && len == 32, "SHA-256 failed");
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0x0F]);
  }
  return out;
}

void api_key_authenticator::add(std::string principal, std::string key_sha256) {
  DWT_HTTP_CHECK(key_sha256.size() == 32, "API key digest must be 32 bytes");
  keys_.emplace_back(std::move(principal), std::move(key_sha256));
}

std::optional<std::string> api_key_authenticator::authenticate(const request_context& ctx) const {
  return authenticate_header(ctx.authorization());
}

std::optional<std::string>
api_key_authenticator::authenticate_header(std::optional<std::string_view> authorization) const {
  if (!authorization)
    return std::nullopt;
  std::string_view v = *authorization;
  constexpr std::string_view scheme = "bearer ";
  if (v.size() <= scheme.size())
    return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char c = v[i];
    const char lc = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lc != scheme[i])
      return std::nullopt;
  }
  v.remove_prefix(scheme.size());
  while (!v.empty() && v.front() == ' ')
    v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ')
    v.remove_suffix(1);
  if (v.empty())
    return std::nullopt;
  const std::string digest = sha256(v);
  // Compare against every key, without early exit.
  const std::pair<std::string, std::string>* found = nullptr;
  for (const auto& entry : keys_) {
    const bool eq = CRYPTO_memcmp(entry.second.data(), digest.data(), digest.size()) == 0;
    if (eq && found == nullptr)
      found = &entry;
  }
  if (found == nullptr)
    return std::nullopt;
  return found->first;
}

response unauthorized(std::string_view detail) {
  return problem(401, "unauthorized", detail).with_header("WWW-Authenticate", "Bearer");
}

} // namespace dwt::http
