#include "dwt/outbound/standard_webhooks.hpp"

#include <array>
#include <charconv>
#include <vector>

#include "dwt/engine/crypto.hpp"

namespace dwt::outbound::standard_webhooks {

namespace crypto = engine::crypto;

namespace {

constexpr std::string_view version_prefix = "v1,";

/// Parses a decimal, optionally negative, 64-bit integer; the whole string.
[[nodiscard]] std::optional<std::int64_t> parse_seconds(std::string_view text) noexcept {
  std::int64_t value = 0;
  const auto* first = text.data();
  const auto* last = text.data() + text.size();
  if (text.empty())
    return std::nullopt;
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr != last)
    return std::nullopt;
  return value;
}

} // namespace

std::optional<secret> secret::parse(std::string_view text) {
  if (text.starts_with(secret_prefix))
    text.remove_prefix(secret_prefix.size());
  auto key = crypto::base64_decode(text);
  if (!key || key->size() < min_key_size || key->size() > max_key_size)
    return std::nullopt;
  return secret{std::move(*key)};
}

std::string secret::to_text() const {
  return std::string{secret_prefix} + crypto::base64_encode(key_);
}

secret generate_secret(engine::random_source& rng) {
  std::array<std::byte, generated_key_size> bytes{};
  rng.fill(bytes);
  return secret::from_raw(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string signed_content(std::string_view msg_id, std::int64_t timestamp_seconds,
                           std::string_view body) {
  const auto ts = std::to_string(timestamp_seconds);
  std::string out;
  out.reserve(msg_id.size() + ts.size() + body.size() + 2);
  out.append(msg_id).append(".").append(ts).append(".").append(body);
  return out;
}

std::string sign(const secret& key, std::string_view msg_id, std::int64_t timestamp_seconds,
                 std::string_view body) {
  const auto mac = crypto::hmac_sha256(key.key(), signed_content(msg_id, timestamp_seconds, body));
  return std::string{version_prefix} + crypto::base64_encode(mac);
}

std::string signature_header(std::span<const secret> keys, std::string_view msg_id,
                             std::int64_t timestamp_seconds, std::string_view body) {
  const auto content = signed_content(msg_id, timestamp_seconds, body);
  std::string out;
  for (const auto& key : keys) {
    if (!out.empty())
      out.push_back(' ');
    out.append(version_prefix)
        .append(crypto::base64_encode(crypto::hmac_sha256(key.key(), content)));
  }
  return out;
}

std::string_view to_string(verify_result r) noexcept {
  switch (r) {
  case verify_result::ok:
    return "ok";
  case verify_result::missing_header:
    return "missing_header";
  case verify_result::bad_timestamp:
    return "bad_timestamp";
  case verify_result::too_old:
    return "too_old";
  case verify_result::too_new:
    return "too_new";
  case verify_result::no_matching_signature:
    return "no_matching_signature";
  }
  return "unknown";
}

verify_result verify(std::span<const secret> keys, const received_headers& headers,
                     std::string_view body, std::chrono::sys_seconds now,
                     std::chrono::seconds tolerance) {
  if (headers.id.empty() || headers.timestamp.empty() || headers.signature.empty())
    return verify_result::missing_header;
  const auto ts = parse_seconds(headers.timestamp);
  if (!ts)
    return verify_result::bad_timestamp;
  const auto now_s = now.time_since_epoch().count();
  const auto tol = tolerance.count();
  if (*ts < now_s - tol)
    return verify_result::too_old;
  if (*ts > now_s + tol)
    return verify_result::too_new;
  if (headers.signature.size() > max_signature_header_size || keys.empty())
    return verify_result::no_matching_signature;

  // Expected signatures (base64 part only), one per active secret.
  const auto content = signed_content(headers.id, *ts, body);
  std::vector<std::string> expected;
  expected.reserve(keys.size());
  for (const auto& key : keys)
    expected.push_back(crypto::base64_encode(crypto::hmac_sha256(key.key(), content)));

  bool matched = false;
  std::string_view rest = headers.signature;
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    const auto token = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    if (!token.starts_with(version_prefix))
      continue;
    const auto candidate = token.substr(version_prefix.size());
    // Compare against every secret, without stopping early, so the time
    // taken does not reveal which secret (if any) matched.
    for (const auto& e : expected)
      matched = crypto::constant_time_equal(candidate, e) || matched;
  }
  return matched ? verify_result::ok : verify_result::no_matching_signature;
}

} // namespace dwt::outbound::standard_webhooks
