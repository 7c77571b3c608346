#pragma once
/// @file
/// OAuth 1.0a request signing with RSA-SHA256 (RFC 5849, with SHA-256 in
/// place of SHA-1) and Mastercard's body hash extension: `oauth_body_hash`
/// is the base64 SHA-256 of the exact body bytes. The issuer signs its
/// calls to the MDES Customer Service API with it (public MDES issuer documentation);
/// `verify` checks such a call (the network simulator and the tests).
///
/// Pure: the nonce and the timestamp are passed in (`make_nonce` draws one
/// from an injected `random_source`), nothing reads a clock.
///
/// The signature base string (RFC 5849 §3.4.1) is
/// `METHOD&enc(base string URI)&enc(normalised parameters)`:
/// - the base string URI is the URL's scheme and host in lower case, the
///   port only when not the scheme's default (80 for http, 443 for https),
///   and the path as sent ("/" when empty), without query or fragment (an
///   IPv6 host is kept as written, not canonicalised: write it in its
///   shortest form, as verifiers such as oauthlib rewrite it);
/// - the parameters are the URL's query (decoded as a form:
///   `+` is a space, `%XX` a byte) and the `oauth_*` protocol parameters
///   except `oauth_signature`, each name and value encoded (§3.6: every byte
///   but ALPHA, DIGIT, `-`, `.`, `_`, `~` as `%XX` with upper-case hex),
///   sorted by name then value, joined as `name=value` with `&`.
///
/// Threading: pure functions; keys are only read (OpenSSL 3 keys may be
/// shared between threads).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>
#include <openssl/types.h>

#include "dwt/engine/random.hpp"

namespace dwt::networks::oauth1 {

/// Named bounds, checked before any work.
namespace limits {
/// The request URL, query included.
inline constexpr std::size_t max_url_bytes = 2048;
/// The signed body (the Customer Service API's are a few hundred bytes).
inline constexpr std::size_t max_body_bytes = 64 * 1024;
/// An `Authorization` header value.
inline constexpr std::size_t max_header_bytes = 4096;
/// Parameters in the query or the header.
inline constexpr std::size_t max_parameters = 32;
inline constexpr std::size_t max_consumer_key = 256;
inline constexpr std::size_t max_nonce = 64;
inline constexpr std::size_t max_method = 16;
} // namespace limits

/// The only signature method: "RSA-SHA256".
inline constexpr std::string_view signature_method = "RSA-SHA256";

/// A name/value pair, decoded.
using parameter = std::pair<std::string, std::string>;

/// RFC 5849 §3.6 percent-encoding of `bytes` (UTF-8 text is encoded byte
/// by byte).
[[nodiscard]] std::string percent_encode(std::string_view bytes);

/// The base string URI of an absolute `http`/`https` URL (§3.4.1.2).
/// Errors: invalid_url (not absolute http(s), userinfo, a bad port, a
/// character not allowed in a URI, longer than max_url_bytes).
[[nodiscard]] caf::expected<std::string> base_string_uri(std::string_view url);

/// The URL's query parameters, decoded as a form (§3.4.1.3.1). Errors:
/// invalid_url (a malformed `%XX`, more than max_parameters).
[[nodiscard]] caf::expected<std::vector<parameter>> query_parameters(std::string_view url);

/// The normalised parameter string (§3.4.1.3.2) of `params`.
[[nodiscard]] std::string normalize_parameters(std::vector<parameter> params);

/// The signature base string of a request (§3.4.1.1) with the query
/// parameters of `url` and `oauth_params` (`oauth_signature` is left out
/// if present; `realm` must not be passed). Errors: invalid_url, invalid_field
/// (a method that is not an HTTP token).
[[nodiscard]] caf::expected<std::string>
signature_base_string(std::string_view method, std::string_view url,
                      const std::vector<parameter>& oauth_params);

/// base64(SHA-256(body)): the `oauth_body_hash` value.
[[nodiscard]] std::string body_hash(std::string_view body);

/// A fresh nonce: 32 hex digits (16 random bytes) from `rng`.
[[nodiscard]] std::string make_nonce(engine::random_source& rng);

/// What a signed request is made of.
struct request {
  /// e.g. "POST"; upper-cased in the base string.
  std::string_view method;
  /// Absolute, with its query, e.g. "https://api.example/mdes/csapi/v2/token/suspend?Format=JSON".
  std::string_view url;
  /// The exact bytes sent (empty for none: the hash of the empty string).
  std::string_view body;
};

/// The protocol parameters the caller provides.
struct credentials {
  std::string_view consumer_key;
  /// Printable ASCII (space included), unique per request (`make_nonce`).
  std::string_view nonce;
  /// Seconds since the Unix epoch.
  std::uint64_t timestamp = 0;
};

/// The `Authorization` header value:
/// `OAuth oauth_body_hash="…",oauth_consumer_key="…",oauth_nonce="…",
/// oauth_signature="…",oauth_signature_method="RSA-SHA256",
/// oauth_timestamp="…",oauth_version="1.0"` (values percent-encoded).
/// `signing_key` is an RSA private key (keys.hpp). Errors: invalid_url,
/// invalid_field (an empty or oversized consumer key or nonce, a body over
/// max_body_bytes), unsupported_key, sign_failed.
[[nodiscard]] caf::expected<std::string>
authorization_header(const request& req, const credentials& cred, const EVP_PKEY& signing_key);

/// A parsed `Authorization: OAuth …` header: every parameter (decoded) and
/// the protocol fields picked out.
struct authorization {
  std::vector<parameter> params;
  std::string consumer_key;
  std::string nonce;
  std::uint64_t timestamp = 0;
  std::string signature_method;
  std::string version;
  std::string body_hash;
  /// base64, decoded from the header's percent-encoding.
  std::string signature;
};

/// Parses an `OAuth` header value (§3.5.1: `name="value"` pairs separated
/// by commas and optional white space; `realm` ignored). Requires
/// oauth_consumer_key, oauth_nonce, oauth_timestamp (digits),
/// oauth_signature_method, oauth_signature and oauth_body_hash; an
/// oauth_version, when present, must be "1.0". Errors:
/// invalid_authorization (malformed, a duplicate or missing parameter,
/// longer than max_header_bytes).
[[nodiscard]] caf::expected<authorization> parse_authorization(std::string_view header);

/// Checks a received request: the header parses, its method is
/// RSA-SHA256, `oauth_body_hash` matches `req.body`, and the signature over
/// the base string rebuilt from `req` verifies with `public_key`.
/// Freshness (timestamp window, nonce replay) and the consumer key are the
/// caller's policy: it has the parsed header. Errors: invalid_authorization,
/// invalid_url, unsupported_signature_method, body_hash_mismatch,
/// signature_mismatch.
[[nodiscard]] caf::expected<authorization> verify(std::string_view header, const request& req,
                                                  const EVP_PKEY& public_key);

} // namespace dwt::networks::oauth1
