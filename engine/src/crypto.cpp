#include "dwt/engine/crypto.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/base64.hpp"
#include "dwt/engine/hex.hpp"

namespace dwt::engine::crypto {

namespace {

/// OpenSSL wants non-null pointers even for empty buffers.
constexpr unsigned char empty_buffer[1] = {0};

[[nodiscard]] const unsigned char* bytes_of(std::string_view s) noexcept {
  return s.empty() ? empty_buffer : reinterpret_cast<const unsigned char*>(s.data());
}

[[nodiscard]] unsigned char* bytes_of(std::string& s) noexcept {
  return reinterpret_cast<unsigned char*>(s.data());
}

struct cipher_ctx_deleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;

[[nodiscard]] bool fits_int(std::size_t n) noexcept {
  return n <= static_cast<std::size_t>(INT_MAX);
}

struct md_ctx_deleter {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;

/// SHA-256 fetched once from the default provider (thread-safe static init;
/// the EVP_MD is immutable and shared for the life of the process).
[[nodiscard]] const EVP_MD* sha256_md() noexcept {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  DWT_ASSERT_MSG(md != nullptr, "SHA256 unavailable from the OpenSSL provider");
  return md;
}

/// out = SHA-256(prefix[0..prefix_len) | data); out has room for 32 bytes.
void digest_parts(const unsigned char* prefix, std::size_t prefix_len, std::string_view data,
                  unsigned char* out) {
  md_ctx_ptr ctx{EVP_MD_CTX_new()};
  unsigned int len = 0;
  const bool ok = ctx && EVP_DigestInit_ex(ctx.get(), sha256_md(), nullptr) == 1 &&
                  (prefix_len == 0 || EVP_DigestUpdate(ctx.get(), prefix, prefix_len) == 1) &&
                  (data.empty() || EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1) &&
                  EVP_DigestFinal_ex(ctx.get(), out, &len) == 1 && len == 32;
  DWT_ASSERT_MSG(ok, "SHA-256 failed");
}

} // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  // RFC 2104 over an explicitly fetched SHA-256 (avoids the per-call
  // algorithm fetch of OpenSSL 3's one-shot HMAC()).
  constexpr std::size_t block = 64;
  std::array<unsigned char, block> k{};
  if (key.size() > block) {
    const auto hk = sha256(key);
    std::copy(hk.begin(), hk.end(), k.begin());
  } else {
    std::copy(key.begin(), key.end(), k.begin());
  }
  std::array<unsigned char, block> pad{};
  for (std::size_t i = 0; i < block; ++i)
    pad[i] = static_cast<unsigned char>(k[i] ^ 0x36U);
  std::string inner(32, '\0');
  digest_parts(pad.data(), block, data, bytes_of(inner));
  for (std::size_t i = 0; i < block; ++i)
    pad[i] = static_cast<unsigned char>(k[i] ^ 0x5cU);
  std::string out(32, '\0');
  digest_parts(pad.data(), block, inner, bytes_of(out));
  OPENSSL_cleanse(k.data(), k.size());
  OPENSSL_cleanse(pad.data(), pad.size());
  return out;
}

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  digest_parts(nullptr, 0, data, bytes_of(out));
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  if (a.empty())
    return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> aes256_gcm_seal(std::string_view key, std::string_view plaintext,
                                           std::string_view associated_data, random_source& rng) {
  std::array<std::byte, gcm_nonce_size> nonce{};
  rng.fill(nonce);
  return aes256_gcm_seal_with_nonce(
      key, std::string_view{reinterpret_cast<const char*>(nonce.data()), nonce.size()}, plaintext,
      associated_data);
}

std::optional<std::string> aes256_gcm_seal_with_nonce(std::string_view key, std::string_view nonce,
                                                      std::string_view plaintext,
                                                      std::string_view associated_data) {
  if (key.size() != aes256_key_size || nonce.size() != gcm_nonce_size ||
      !fits_int(plaintext.size()) || !fits_int(associated_data.size()))
    return std::nullopt;
  cipher_ctx_ptr ctx{EVP_CIPHER_CTX_new()};
  if (!ctx)
    return std::nullopt;
  std::string out;
  out.resize(gcm_nonce_size + plaintext.size() + gcm_tag_size);
  out.replace(0, gcm_nonce_size, nonce);
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(gcm_nonce_size),
                          nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes_of(key), bytes_of(nonce)) != 1)
    return std::nullopt;
  if (!associated_data.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes_of(associated_data),
                        static_cast<int>(associated_data.size())) != 1)
    return std::nullopt;
  unsigned char* ct = bytes_of(out) + gcm_nonce_size;
  int written = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), ct, &len, bytes_of(plaintext),
                          static_cast<int>(plaintext.size())) != 1)
      return std::nullopt;
    written = len;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), ct + written, &len) != 1)
    return std::nullopt;
  written += len;
  if (static_cast<std::size_t>(written) != plaintext.size())
    return std::nullopt;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(gcm_tag_size),
                          ct + written) != 1)
    return std::nullopt;
  return out;
}

std::optional<std::string> aes256_gcm_open(std::string_view key, std::string_view sealed,
                                           std::string_view associated_data) {
  if (key.size() != aes256_key_size || sealed.size() < gcm_nonce_size + gcm_tag_size ||
      !fits_int(sealed.size()) || !fits_int(associated_data.size()))
    return std::nullopt;
  const auto nonce = sealed.substr(0, gcm_nonce_size);
  const auto ciphertext =
      sealed.substr(gcm_nonce_size, sealed.size() - gcm_nonce_size - gcm_tag_size);
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer: copy the tag.
  std::array<unsigned char, gcm_tag_size> tag{};
  const auto tag_view = sealed.substr(sealed.size() - gcm_tag_size);
  for (std::size_t i = 0; i < gcm_tag_size; ++i)
    tag[i] = static_cast<unsigned char>(tag_view[i]);
  cipher_ctx_ptr ctx{EVP_CIPHER_CTX_new()};
  if (!ctx)
    return std::nullopt;
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(gcm_nonce_size),
                          nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes_of(key), bytes_of(nonce)) != 1)
    return std::nullopt;
  if (!associated_data.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes_of(associated_data),
                        static_cast<int>(associated_data.size())) != 1)
    return std::nullopt;
  std::string out(ciphertext.size(), '\0');
  int written = 0;
  if (!ciphertext.empty()) {
    if (EVP_DecryptUpdate(ctx.get(), bytes_of(out), &len, bytes_of(ciphertext),
                          static_cast<int>(ciphertext.size())) != 1)
      return std::nullopt;
    written = len;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(gcm_tag_size),
                          tag.data()) != 1)
    return std::nullopt;
  // Authenticates: fails on a wrong key, wrong AAD or any modified byte.
  if (EVP_DecryptFinal_ex(ctx.get(), bytes_of(out) + written, &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return std::nullopt;
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v =
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16U) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8U) |
        static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    out.push_back(base64::alphabet[(v >> 18U) & 63U]);
    out.push_back(base64::alphabet[(v >> 12U) & 63U]);
    out.push_back(base64::alphabet[(v >> 6U) & 63U]);
    out.push_back(base64::alphabet[v & 63U]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16U;
    if (rest == 2)
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8U;
    out.push_back(base64::alphabet[(v >> 18U) & 63U]);
    out.push_back(base64::alphabet[(v >> 12U) & 63U]);
    out.push_back(rest == 2 ? base64::alphabet[(v >> 6U) & 63U] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) // data after padding
        return std::nullopt;
      v[k] = base64::digit_value(c);
      if (v[k] < 0)
        return std::nullopt;
    }
    const auto w = (static_cast<std::uint32_t>(v[0]) << 18U) |
                   (static_cast<std::uint32_t>(v[1]) << 12U) |
                   (static_cast<std::uint32_t>(v[2]) << 6U) | static_cast<std::uint32_t>(v[3]);
    // Canonical form: the bits dropped by padding must be zero.
    if ((pad == 1 && (w & 0xffU) != 0) || (pad == 2 && (w & 0xffffU) != 0))
      return std::nullopt;
    out.push_back(static_cast<char>((w >> 16U) & 0xffU));
    if (pad < 2)
      out.push_back(static_cast<char>((w >> 8U) & 0xffU));
    if (pad < 1)
      out.push_back(static_cast<char>(w & 0xffU));
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(digits[b >> 4U]);
    out.push_back(digits[b & 15U]);
  }
  return out;
}

std::optional<std::string> hex_decode(std::string_view text) {
  return hex::decode(text);
}

} // namespace dwt::engine::crypto
