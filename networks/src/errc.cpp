#include "dwt/networks/errc.hpp"

#include <iterator>

namespace dwt::networks {

namespace {

struct errc_entry {
  std::string_view code;
  std::string_view description;
};

/// Indexed by the enum's value; order must follow errc exactly (checked by
/// errc_test).
constexpr errc_entry errc_table[] = {
    {"ok", "no error"},
    {"bad_hex", "a hex field has an odd length or a non-hex character"},
    {"payload_too_large", "a field or payload exceeds its size limit"},
    {"missing_field", "a required field is absent"},
    {"invalid_field", "a field has the wrong type, length or format"},
    {"invalid_json", "the text is not a JSON object"},
    {"unknown_key_fingerprint", "no configured key has this public key fingerprint"},
    {"unsupported_oaep_hash", "the OAEP hashing algorithm is not SHA256 or SHA512"},
    {"bad_iv", "the initialisation vector is not 16 bytes"},
    {"unwrap_failed", "the encrypted key could not be unwrapped"},
    {"decrypt_failed", "the encrypted data could not be decrypted"},
    {"encrypt_failed", "encryption failed"},
    {"key_load_failed", "a key or certificate could not be loaded"},
    {"unsupported_key", "the key is not an RSA key of at least 2048 bits"},
    {"key_ring_conflict", "the key ring already holds this fingerprint or is full"},
    {"invalid_account_number", "the account number is not 12-19 digits or fails the Luhn check"},
    {"invalid_expiry", "the expiry month or year is malformed"},
    {"invalid_url", "the URL is not an absolute http(s) URL or has a character a URI may not"},
    {"sign_failed", "signing failed"},
    {"invalid_authorization", "the OAuth Authorization header is malformed or incomplete"},
    {"unsupported_signature_method", "the OAuth signature method is not RSA-SHA256"},
    {"body_hash_mismatch", "oauth_body_hash does not match the body"},
    {"signature_mismatch", "the OAuth signature does not verify"},
};

} // namespace

std::string_view to_code(errc e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < std::size(errc_table) ? errc_table[i].code : std::string_view{"unknown_error"};
}

std::string_view describe(errc e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < std::size(errc_table) ? errc_table[i].description : std::string_view{"unknown error"};
}

std::string to_string(errc e) {
  return std::string{to_code(e)};
}

} // namespace dwt::networks
