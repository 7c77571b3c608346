// [networks.mdes]: the Mastercard MDES issuer services. Key files are only
// named here; the server reads them at start-up (this library does not
// depend on dwt::networks).
#include <string>

#include "sections.hpp"

namespace dwt::config::detail {

namespace {

/// `/seg/seg`: starts with '/', no trailing '/', no empty segment, segments
/// of unreserved URL characters (so the router pattern is literal).
bool context_root_ok(std::string_view root) {
  if (root.size() < 2 || root.size() > 128 || root.front() != '/' || root.back() == '/')
    return false;
  char prev = 0;
  for (char c : root) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~' || c == '-';
    if (c == '/' ? prev == '/' : !unreserved)
      return false;
    prev = c;
  }
  return true;
}

/// The roots of dwt's own APIs: MDES must not shadow them.
bool collides(std::string_view root) {
  for (std::string_view own : {"/v1", "/network", "/metrics", "/healthz", "/readyz"})
    if (root == own || (root.starts_with(own) && root[own.size()] == '/'))
      return true;
  return false;
}

std::optional<engine::wallet_provider> wallet_of(std::string_view s) {
  if (s == "APPLE_PAY")
    return engine::wallet_provider::apple_pay;
  if (s == "GOOGLE_PAY")
    return engine::wallet_provider::google_pay;
  if (s == "SAMSUNG_PAY")
    return engine::wallet_provider::samsung_pay;
  return std::nullopt;
}

constexpr std::string_view wallet_expected = "expected APPLE_PAY, GOOGLE_PAY or SAMSUNG_PAY";

void read_fle_keys(table_reader& r, mdes_settings& out) {
  const auto* keys = r.array("issuer_fle_keys");
  if (keys == nullptr)
    return;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const std::string path = r.path_of("issuer_fle_keys") + "[" + std::to_string(i) + "]";
    const auto& node = (*keys)[i];
    if (const auto* s = node.as_string()) {
      if (s->get().empty())
        r.diag().add(errc::invalid_value, path, "must not be empty");
      else
        out.issuer_fle_keys.push_back({s->get(), {}});
    } else if (const auto* t = node.as_table()) {
      table_reader k{*t, path, r.diag()};
      mdes_fle_key_file f;
      const bool ok = k.string("key_file", f.key_file, /*required=*/true);
      k.string("certificate_file", f.certificate_file);
      k.finish();
      if (ok)
        out.issuer_fle_keys.push_back(std::move(f));
    } else {
      r.diag().add(errc::wrong_type, path,
                   "expected a PEM file path or a table {key_file, certificate_file}");
    }
  }
}

/// The Customer Service API keys: with a URL, the credentials and the
/// audit fields are required.
void read_customer_service(table_reader& r, mdes_settings& out) {
  r.string("customer_service_url", out.customer_service_url);
  if (!out.customer_service_url.empty() && !out.customer_service_url.starts_with("http://") &&
      !out.customer_service_url.starts_with("https://"))
    r.diag().add(errc::invalid_value, r.path_of("customer_service_url"),
                 "expected an http:// or https:// URL");
  const bool required = !out.customer_service_url.empty();
  r.string("oauth_consumer_key", out.oauth_consumer_key, required);
  r.string("oauth_signing_key", out.oauth_signing_key, required);
  r.string("audit_user_id", out.audit_user_id, required);
  r.string("audit_user_name", out.audit_user_name, required);
  r.string("audit_organization", out.audit_organization, required);
  r.duration("customer_service_timeout_ms", out.customer_service_timeout, 1, 300 * 1000);
  r.duration("token_reference_wait_seconds", out.token_reference_wait, 1, 30 * 24 * 3600);
  if (r.has("retry_initial_backoff_ms") || r.has("retry_max_backoff_ms") ||
      r.has("retry_max_attempts")) {
    std::int64_t initial = 0;
    std::int64_t max = 0;
    webhook_backoff_settings b;
    constexpr std::int64_t day_ms = 24 * 3600 * 1000;
    const bool ok_initial = r.integer("retry_initial_backoff_ms", initial, 1, day_ms, true);
    const bool ok_max = r.integer("retry_max_backoff_ms", max, 1, 7 * day_ms, true);
    const bool ok_attempts =
        r.uint("retry_max_attempts", b.max_attempts, 1, max_webhook_attempts, true);
    b.initial_backoff = std::chrono::milliseconds{initial};
    b.max_backoff = std::chrono::milliseconds{max};
    if (ok_initial && ok_max && max < initial)
      r.diag().add(errc::invalid_value, r.path_of("retry_max_backoff_ms"),
                   "must be at least retry_initial_backoff_ms");
    if (ok_initial && ok_max && ok_attempts)
      out.customer_service_backoff = b;
  }
}

void read_mdes(table_reader& r, mdes_settings& out) {
  r.boolean("enabled", out.enabled);
  if (r.string("context_root", out.context_root)) {
    if (!context_root_ok(out.context_root))
      r.diag().add(errc::invalid_value, r.path_of("context_root"),
                   "expected a path like /mdes: a leading '/', no trailing '/', "
                   "segments of A-Z a-z 0-9 . _ ~ -");
    else if (collides(out.context_root))
      r.diag().add(errc::invalid_value, r.path_of("context_root"),
                   "must not lie under dwt's own routes (/v1, /network, /metrics, /healthz, "
                   "/readyz)");
  }
  read_fle_keys(r, out);
  r.string("network_fle_public_key", out.network_fle_public_key);
  if (auto ids = r.table("wallet_ids")) {
    for (const auto& [key, node] : ids->raw()) {
      const std::string id{key.str()};
      (void)ids->node(id); // marks it read
      const auto* s = node.as_string();
      const auto wallet = s != nullptr ? wallet_of(s->get()) : std::nullopt;
      if (!wallet)
        r.diag().add(s != nullptr ? errc::invalid_value : errc::wrong_type, ids->path_of(id),
                     wallet_expected);
      else
        out.wallet_ids.emplace_back(id, *wallet);
    }
    ids->finish();
  }
  std::string wallet;
  if (r.string("default_wallet", wallet)) {
    if (auto w = wallet_of(wallet))
      out.default_wallet = *w;
    else
      r.diag().add(errc::invalid_value, r.path_of("default_wallet"), wallet_expected);
  }
  read_customer_service(r, out);
  if (out.enabled && out.issuer_fle_keys.empty())
    r.diag().add(errc::missing_key, r.path_of("issuer_fle_keys"),
                 "at least one issuer FLE private key is required when MDES is enabled");
  r.finish();
}

} // namespace

void read_networks(table_reader& r, networks_settings& out) {
  if (auto mdes = r.table("mdes"))
    read_mdes(*mdes, out.mdes);
  r.finish();
}

} // namespace dwt::config::detail
