/// Parsing an `Authorization: OAuth …` header value (RFC 5849 §3.5.1).

#include <algorithm>
#include <charconv>

#include "dwt/engine/hex.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/oauth1.hpp"

namespace dwt::networks::oauth1 {

namespace {

caf::error bad(std::string what) {
  return make_error(errc::invalid_authorization, std::move(what));
}

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view skip_space(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  return s;
}

bool is_name_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

/// Decodes a §3.6-encoded value: `%XX` escapes; a bare `+` stays a `+`.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size())
      return std::nullopt;
    const int hi = engine::hex::digit_value(s[i + 1]);
    const int lo = engine::hex::digit_value(s[i + 2]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

} // namespace

caf::expected<authorization> parse_authorization(std::string_view header) {
  if (header.size() > limits::max_header_bytes)
    return bad("the Authorization header is longer than " +
               std::to_string(limits::max_header_bytes) + " bytes");
  header = skip_space(header);
  constexpr std::string_view scheme = "oauth";
  if (header.size() <= scheme.size() ||
      !std::equal(scheme.begin(), scheme.end(), header.begin(),
                  [](char a, char b) { return a == (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b); }) ||
      !is_space(header[scheme.size()]))
    return bad("the Authorization header is not of the OAuth scheme");
  auto rest = skip_space(header.substr(scheme.size()));
  authorization out;
  while (true) {
    const auto eq = rest.find('=');
    if (eq == std::string_view::npos)
      return bad("an OAuth parameter has no value");
    const auto name = rest.substr(0, eq);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char))
      return bad("an OAuth parameter name is malformed");
    rest = rest.substr(eq + 1);
    if (rest.empty() || rest.front() != '"')
      return bad("an OAuth parameter value is not quoted");
    const auto close = rest.find('"', 1);
    if (close == std::string_view::npos)
      return bad("an OAuth parameter value is not closed");
    auto value = percent_decode(rest.substr(1, close - 1));
    if (!value)
      return bad("an OAuth parameter value has a malformed escape");
    rest = skip_space(rest.substr(close + 1));
    if (name != "realm") {
      if (!name.starts_with("oauth_"))
        return bad("the header has a parameter that is not an oauth_ one");
      if (std::any_of(out.params.begin(), out.params.end(),
                      [&](const parameter& p) { return p.first == name; }))
        return bad("the header repeats " + std::string{name});
      if (out.params.size() == limits::max_parameters)
        return bad("the header has too many parameters");
      out.params.emplace_back(std::string{name}, std::move(*value));
    }
    if (rest.empty())
      break;
    if (rest.front() != ',')
      return bad("OAuth parameters must be separated by commas");
    rest = skip_space(rest.substr(1));
  }
  auto field = [&out](std::string_view name) -> const std::string* {
    for (const auto& p : out.params)
      if (p.first == name)
        return &p.second;
    return nullptr;
  };
  const std::pair<std::string_view, std::string*> required[] = {
      {"oauth_consumer_key", &out.consumer_key},
      {"oauth_nonce", &out.nonce},
      {"oauth_signature_method", &out.signature_method},
      {"oauth_signature", &out.signature},
      {"oauth_body_hash", &out.body_hash},
  };
  for (const auto& [name, target] : required) {
    const auto* v = field(name);
    if (v == nullptr || v->empty())
      return bad(std::string{name} + " is required");
    *target = *v;
  }
  const auto* ts = field("oauth_timestamp");
  if (ts == nullptr || ts->empty() || ts->size() > 19 ||
      !std::all_of(ts->begin(), ts->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return bad("oauth_timestamp must be decimal seconds");
  std::from_chars(ts->data(), ts->data() + ts->size(), out.timestamp);
  if (const auto* v = field("oauth_version"); v != nullptr) {
    if (*v != "1.0")
      return bad("oauth_version must be 1.0");
    out.version = *v;
  }
  return out;
}

} // namespace dwt::networks::oauth1
