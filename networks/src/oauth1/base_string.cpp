/// The RFC 5849 signature base string: percent-encoding (§3.6), the base
/// string URI (§3.4.1.2), the query's parameters and their normalisation
/// (§3.4.1.3), and the body hash and nonce helpers.

#include <algorithm>
#include <array>
#include <charconv>

#include <openssl/evp.h>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/crypto.hpp"
#include "dwt/engine/hex.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/oauth1.hpp"

namespace dwt::networks::oauth1 {

namespace {

bool is_alpha(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_unreserved(char c) noexcept {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool is_sub_delim(char c) noexcept {
  return std::string_view{"!$&'()*+,;="}.find(c) != std::string_view::npos;
}
/// RFC 3986 pchar, without the `%XX` form (checked separately).
bool is_pchar(char c) noexcept {
  return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@';
}
char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

caf::error bad_url(std::string what) {
  return make_error(errc::invalid_url, std::move(what));
}

/// Checks that `part` holds only `allowed` characters and well-formed
/// `%XX` escapes.
template <class Allowed>
bool well_formed(std::string_view part, Allowed allowed) noexcept {
  for (std::size_t i = 0; i < part.size(); ++i) {
    if (part[i] == '%') {
      if (i + 2 >= part.size())
        return false;
      if (engine::hex::digit_value(part[i + 1]) < 0 || engine::hex::digit_value(part[i + 2]) < 0)
        return false;
      i += 2;
    } else if (!allowed(part[i])) {
      return false;
    }
  }
  return true;
}

/// The pieces of an absolute URL.
struct url_parts {
  std::string scheme; // lower case
  std::string host;   // lower case, brackets kept for IPv6
  std::optional<std::uint32_t> port;
  std::string_view path;
  std::string_view query;
};

caf::expected<url_parts> split_url(std::string_view url) {
  if (url.size() > limits::max_url_bytes)
    return bad_url("the URL is longer than " + std::to_string(limits::max_url_bytes) + " bytes");
  url_parts out;
  const auto colon = url.find("://");
  if (colon == std::string_view::npos)
    return bad_url("the URL is not absolute");
  for (char c : url.substr(0, colon))
    out.scheme += lower(c);
  if (out.scheme != "http" && out.scheme != "https")
    return bad_url("the URL's scheme is not http or https");
  auto rest = url.substr(colon + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos)
    rest = rest.substr(0, hash); // a fragment is never sent
  const auto path_start = rest.find_first_of("/?");
  const auto authority = rest.substr(0, path_start);
  rest = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos)
    return bad_url("the URL has user information");
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad_url("the URL's IPv6 host is not closed");
    host = authority.substr(0, close + 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return bad_url("the URL's authority is malformed");
      port = after.substr(1);
      has_port = true;
    }
    const auto inner = host.substr(1, host.size() - 2);
    if (inner.empty() || !std::all_of(inner.begin(), inner.end(), [](char c) {
          return engine::hex::digit_value(c) >= 0 || c == ':' || c == '.';
        }))
      return bad_url("the URL's IPv6 host is malformed");
  } else if (const auto p = authority.rfind(':'); p != std::string_view::npos) {
    host = authority.substr(0, p);
    port = authority.substr(p + 1);
    has_port = true;
  }
  if (host.empty())
    return bad_url("the URL has no host");
  if (host.front() != '[' &&
      !std::all_of(host.begin(), host.end(), [](char c) { return is_unreserved(c); }))
    return bad_url("the URL's host has a character a host name may not");
  for (char c : host)
    out.host += lower(c);
  if (has_port) {
    std::uint32_t n = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc{} || end != port.data() + port.size() || n == 0 || n > 65535 ||
        port.size() > 5)
      return bad_url("the URL's port is not 1-65535");
    out.port = n;
  }
  const auto q = rest.find('?');
  out.path = rest.substr(0, q);
  out.query = q == std::string_view::npos ? std::string_view{} : rest.substr(q + 1);
  if (!well_formed(out.path, [](char c) { return is_pchar(c) || c == '/'; }))
    return bad_url("the URL's path has a character or escape a URI may not");
  if (!well_formed(out.query, [](char c) { return is_pchar(c) || c == '/' || c == '?'; }))
    return bad_url("the URL's query has a character or escape a URI may not");
  return out;
}

/// Form decoding (W3C HTML 4.0 §17.13.4): `+` is a space, `%XX` a byte.
/// The text was checked by well_formed.
std::string form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      out += static_cast<char>(engine::hex::digit_value(s[i + 1]) * 16 +
                               engine::hex::digit_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

} // namespace

std::string percent_encode(std::string_view bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (char c : bytes) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += digits[b >> 4];
      out += digits[b & 15];
    }
  }
  return out;
}

caf::expected<std::string> base_string_uri(std::string_view url) {
  auto parts = split_url(url);
  if (!parts)
    return std::move(parts.error());
  std::string out = parts->scheme + "://" + parts->host;
  const bool default_port = !parts->port || (parts->scheme == "http" && *parts->port == 80) ||
                            (parts->scheme == "https" && *parts->port == 443);
  if (!default_port)
    out += ":" + std::to_string(*parts->port);
  out += parts->path.empty() ? std::string_view{"/"} : parts->path;
  return out;
}

caf::expected<std::vector<parameter>> query_parameters(std::string_view url) {
  auto parts = split_url(url);
  if (!parts)
    return std::move(parts.error());
  std::vector<parameter> out;
  auto query = parts->query;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty())
      continue; // "a=1&&b=2": no parameter between the separators
    if (out.size() == limits::max_parameters)
      return bad_url("the URL's query has more than " + std::to_string(limits::max_parameters) +
                     " parameters");
    const auto eq = pair.find('=');
    auto name = form_decode(pair.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::string{} : form_decode(pair.substr(eq + 1));
    // Protocol parameters travel in the header only: one in the query
    // would be signed twice or shadow the header's.
    if (name.starts_with("oauth_"))
      return bad_url("the URL's query has an oauth_ parameter");
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

std::string normalize_parameters(std::vector<parameter> params) {
  for (auto& [name, value] : params) {
    name = percent_encode(name);
    value = percent_encode(value);
  }
  // Byte order of the encoded names, then of the encoded values.
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty())
      out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

caf::expected<std::string> signature_base_string(std::string_view method, std::string_view url,
                                                 const std::vector<parameter>& oauth_params) {
  if (method.empty() || method.size() > limits::max_method ||
      !std::all_of(method.begin(), method.end(), [](char c) { return is_alpha(c); }))
    return make_error(errc::invalid_field, "the HTTP method must be 1-16 letters");
  auto uri = base_string_uri(url);
  if (!uri)
    return std::move(uri.error());
  auto params = query_parameters(url);
  if (!params)
    return std::move(params.error());
  for (const auto& p : oauth_params)
    if (p.first != "oauth_signature")
      params->push_back(p);
  std::string out;
  for (char c : method)
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  out += '&';
  out += percent_encode(*uri);
  out += '&';
  out += percent_encode(normalize_parameters(std::move(*params)));
  return out;
}

std::string body_hash(std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  const int ok = EVP_Digest(body.data(), body.size(), md.data(), &len, EVP_sha256(), nullptr);
  DWT_ASSERT(ok == 1 && len == 32);
  return engine::crypto::base64_encode(
      std::string_view{reinterpret_cast<const char*>(md.data()), len});
}

std::string make_nonce(engine::random_source& rng) {
  std::array<std::byte, 16> bytes{};
  rng.fill(bytes);
  return engine::crypto::hex_encode(
      std::string_view{reinterpret_cast<const char*>(bytes.data()), bytes.size()});
}

} // namespace dwt::networks::oauth1
