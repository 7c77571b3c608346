#include "dwt/networks/mdes/fle.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <memory>
#include <span>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/crypto.hpp"
#include "dwt/networks/caf_error.hpp"

namespace dwt::networks::mdes {

namespace {

constexpr std::size_t aes_block = 16;

struct pkey_ctx_deleter {
  void operator()(EVP_PKEY_CTX* c) const noexcept { EVP_PKEY_CTX_free(c); }
};
struct cipher_ctx_deleter {
  void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_deleter>;
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_deleter>;

const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(char* p) noexcept {
  return reinterpret_cast<unsigned char*>(p);
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

/// Sets the padding (and OAEP digests) of an RSA encrypt/decrypt context.
bool configure_wrap(EVP_PKEY_CTX* ctx, key_wrap wrap) {
  if (wrap == key_wrap::pkcs1_v15)
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  const EVP_MD* md = wrap == key_wrap::oaep_sha256 ? EVP_sha256() : EVP_sha512();
  return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
}

const EVP_CIPHER* aes_cbc_for(std::size_t key_size) noexcept {
  switch (key_size) {
  case 16:
    return EVP_aes_128_cbc();
  case 24:
    return EVP_aes_192_cbc();
  case 32:
    return EVP_aes_256_cbc();
  default:
    return nullptr;
  }
}

/// RSA-unwraps the one-time AES key; nullopt on any failure (wrong key,
/// tampered input, wrong padding, a result that is no AES key size).
std::optional<secret_bytes> unwrap_key(const EVP_PKEY& key, key_wrap wrap,
                                       std::string_view wrapped) {
  pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(&key), nullptr)};
  DWT_ASSERT(ctx != nullptr);
  if (EVP_PKEY_decrypt_init(ctx.get()) != 1 || !configure_wrap(ctx.get(), wrap))
    return std::nullopt;
  const int modulus = EVP_PKEY_get_size(&key);
  DWT_ASSERT(modulus > 0);
  secret_bytes out{static_cast<std::size_t>(modulus)};
  std::size_t len = out.size();
  if (EVP_PKEY_decrypt(ctx.get(), bytes(out.data()), &len, bytes(wrapped), wrapped.size()) != 1)
    return std::nullopt;
  out.shrink_to(len);
  if (aes_cbc_for(len) == nullptr)
    return std::nullopt;
  return out;
}

/// AES-CBC with PKCS#7 padding; nullopt on bad padding or a ciphertext
/// that is not a whole, non-zero number of blocks.
std::optional<secret_bytes> aes_cbc_decrypt(std::string_view key, std::string_view iv,
                                            std::string_view data) {
  const EVP_CIPHER* cipher = aes_cbc_for(key.size());
  DWT_ASSERT(cipher != nullptr && iv.size() == aes_block);
  if (data.empty() || data.size() % aes_block != 0)
    return std::nullopt;
  cipher_ctx_ptr ctx{EVP_CIPHER_CTX_new()};
  DWT_ASSERT(ctx != nullptr);
  // One block of room beyond the input, as EVP_DecryptUpdate may need.
  secret_bytes out{data.size() + aes_block};
  int n = 0;
  int final_n = 0;
  if (EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, bytes(key), bytes(iv)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), bytes(out.data()), &n, bytes(data),
                        static_cast<int>(data.size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), bytes(out.data() + n), &final_n) != 1)
    return std::nullopt;
  out.shrink_to(static_cast<std::size_t>(n + final_n));
  return out;
}

/// Hex field → bytes, with its limit checked first.
caf::expected<std::string> decode_hex(std::string_view field, std::string_view text,
                                      std::size_t max_hex) {
  if (text.size() > max_hex)
    return make_error(errc::payload_too_large, std::string{field} + " longer than its limit");
  auto out = engine::crypto::hex_decode(text);
  if (!out)
    return make_error(errc::bad_hex, std::string{field} + " is not hex");
  return std::move(*out);
}

caf::error decryption_error(errc e, std::string context) {
  // OpenSSL's queue would otherwise hold the failure for the next user.
  ERR_clear_error();
  return make_error(e, std::move(context));
}

} // namespace

caf::expected<key_wrap> parse_oaep_hash(std::optional<std::string_view> name) {
  if (!name)
    return key_wrap::pkcs1_v15;
  if (iequals(*name, "SHA256") || iequals(*name, "SHA-256"))
    return key_wrap::oaep_sha256;
  if (iequals(*name, "SHA512") || iequals(*name, "SHA-512"))
    return key_wrap::oaep_sha512;
  return make_error(errc::unsupported_oaep_hash, "oaepHashingAlgorithm must be SHA256 or SHA512");
}

std::optional<std::string_view> oaep_hash_name(key_wrap w) noexcept {
  switch (w) {
  case key_wrap::oaep_sha256:
    return std::string_view{"SHA256"};
  case key_wrap::oaep_sha512:
    return std::string_view{"SHA512"};
  case key_wrap::pkcs1_v15:
    break;
  }
  return std::nullopt;
}

caf::expected<secret_bytes> decrypt(const fle_object& in, const fle_key_ring& ring) {
  if (in.public_key_fingerprint.empty())
    return make_error(errc::missing_field, "publicKeyFingerprint");
  if (in.encrypted_key.empty())
    return make_error(errc::missing_field, "encryptedKey");
  if (in.encrypted_data.empty())
    return make_error(errc::missing_field, "encryptedData");
  if (in.public_key_fingerprint.size() > fle_limits::max_fingerprint_hex)
    return make_error(errc::payload_too_large, "publicKeyFingerprint longer than its limit");
  if (in.oaep_hashing_algorithm && in.oaep_hashing_algorithm->size() > fle_limits::max_oaep_name)
    return make_error(errc::unsupported_oaep_hash, "oaepHashingAlgorithm too long");
  auto wrap = parse_oaep_hash(in.oaep_hashing_algorithm);
  if (!wrap)
    return std::move(wrap.error());
  if (engine::crypto::hex_decode(in.public_key_fingerprint) == std::nullopt)
    return make_error(errc::bad_hex, "publicKeyFingerprint is not hex");
  auto wrapped = decode_hex("encryptedKey", in.encrypted_key, fle_limits::max_encrypted_key_hex);
  if (!wrapped)
    return std::move(wrapped.error());
  auto data = decode_hex("encryptedData", in.encrypted_data, fle_limits::max_encrypted_data_hex);
  if (!data)
    return std::move(data.error());
  std::string iv(fle_limits::iv_bytes, '\0');
  if (in.iv) {
    if (in.iv->size() != 2 * fle_limits::iv_bytes)
      return make_error(errc::bad_iv, "iv must be 16 bytes (32 hex digits)");
    auto decoded = decode_hex("iv", *in.iv, 2 * fle_limits::iv_bytes);
    if (!decoded)
      return std::move(decoded.error());
    iv = std::move(*decoded);
  }
  const EVP_PKEY* key = ring.find(in.public_key_fingerprint);
  if (key == nullptr)
    return make_error(errc::unknown_key_fingerprint,
                      "no key has fingerprint " + in.public_key_fingerprint);
  auto aes_key = unwrap_key(*key, *wrap, *wrapped);
  if (!aes_key) {
    // Same work as a good unwrap with bad data (see the header).
    const secret_bytes dummy{32};
    static_cast<void>(aes_cbc_decrypt(dummy.view(), iv, *data));
    return decryption_error(errc::unwrap_failed, "encryptedKey could not be unwrapped");
  }
  auto plain = aes_cbc_decrypt(aes_key->view(), iv, *data);
  if (!plain)
    return decryption_error(errc::decrypt_failed, "encryptedData could not be decrypted");
  return std::move(*plain);
}

caf::expected<fle_object> encrypt(std::string_view plaintext, const fle_recipient& to,
                                  key_wrap wrap, engine::random_source& rng) {
  if (plaintext.size() > fle_limits::max_plaintext_bytes)
    return make_error(errc::payload_too_large, "plaintext larger than max_plaintext_bytes");
  secret_bytes aes_key{32};
  std::array<char, fle_limits::iv_bytes> iv{};
  rng.fill(std::as_writable_bytes(std::span{aes_key.data(), aes_key.size()}));
  rng.fill(std::as_writable_bytes(std::span{iv}));

  // AES-256-CBC, PKCS#7 padding: at most one block more than the input.
  std::string data(plaintext.size() + aes_block, '\0');
  cipher_ctx_ptr cctx{EVP_CIPHER_CTX_new()};
  DWT_ASSERT(cctx != nullptr);
  int n = 0;
  int final_n = 0;
  const auto* iv_bytes = reinterpret_cast<const unsigned char*>(iv.data());
  if (EVP_EncryptInit_ex(cctx.get(), EVP_aes_256_cbc(), nullptr, bytes(aes_key.view()), iv_bytes) !=
          1 ||
      EVP_EncryptUpdate(cctx.get(), bytes(data.data()), &n, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(cctx.get(), bytes(data.data() + n), &final_n) != 1)
    return decryption_error(errc::encrypt_failed, "AES-CBC encryption failed");
  data.resize(static_cast<std::size_t>(n + final_n));

  pkey_ctx_ptr pctx{EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(&to.key()), nullptr)};
  DWT_ASSERT(pctx != nullptr);
  std::size_t len = 0;
  if (EVP_PKEY_encrypt_init(pctx.get()) != 1 || !configure_wrap(pctx.get(), wrap) ||
      EVP_PKEY_encrypt(pctx.get(), nullptr, &len, bytes(aes_key.view()), aes_key.size()) != 1)
    return decryption_error(errc::encrypt_failed, "RSA key wrap failed");
  std::string wrapped(len, '\0');
  if (EVP_PKEY_encrypt(pctx.get(), bytes(wrapped.data()), &len, bytes(aes_key.view()),
                       aes_key.size()) != 1)
    return decryption_error(errc::encrypt_failed, "RSA key wrap failed");
  wrapped.resize(len);

  fle_object out;
  out.public_key_fingerprint = to.fingerprint();
  out.encrypted_key = engine::crypto::hex_encode(wrapped);
  if (auto name = oaep_hash_name(wrap))
    out.oaep_hashing_algorithm = std::string{*name};
  out.iv = engine::crypto::hex_encode({iv.data(), iv.size()});
  out.encrypted_data = engine::crypto::hex_encode(data);
  return out;
}

} // namespace dwt::networks::mdes
