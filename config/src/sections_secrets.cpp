// Sections that carry secrets: network, partners (API keys and webhook
// secrets), keys, sms. Clear API keys are hashed at once and never stored.
#include <set>

#include "codec.hpp"
#include "sections.hpp"

namespace dwt::config::detail {

std::optional<std::string> decode_webhook_secret(std::string_view text) {
  constexpr std::string_view prefix = "whsec_";
  if (!text.starts_with(prefix))
    return std::nullopt;
  auto bytes = decode_base64(text.substr(prefix.size()));
  if (!bytes || bytes->size() < 24 || bytes->size() > 64)
    return std::nullopt;
  return bytes;
}

std::optional<std::string> decode_key_material(std::string_view text) {
  if (text.starts_with("hex:"))
    return decode_hex(text.substr(4));
  if (text.starts_with("base64:"))
    return decode_base64(text.substr(7));
  return std::nullopt;
}

void read_network(table_reader& r, network_settings& out, const load_options& options) {
  if (auto key = secret(r, "api_key", options, true))
    out.api_key_sha256 = sha256(*key);
  r.finish();
}

namespace {

std::optional<std::string> read_webhook_secret(table_reader& r, std::string_view key,
                                               const load_options& options, bool required) {
  auto text = secret(r, key, options, required);
  if (!text)
    return std::nullopt;
  auto decoded = decode_webhook_secret(*text);
  if (!decoded)
    r.diag().add(errc::invalid_value, r.path_of(key),
                 "expected whsec_ followed by base64 of 24 to 64 bytes");
  return decoded;
}

void read_webhook(table_reader& w, webhook_endpoint& out, const load_options& options) {
  if (w.string("url", out.url, true) && !out.url.starts_with("http://") &&
      !out.url.starts_with("https://"))
    w.diag().add(errc::invalid_value, w.path_of("url"), "expected an http:// or https:// URL");
  if (auto s = read_webhook_secret(w, "secret", options, true))
    out.secrets.push_back(std::move(*s));
  if (const auto* extra = w.array("extra_secrets")) {
    for (std::size_t i = 0; i < extra->size(); ++i) {
      const std::string path = w.path_of("extra_secrets") + "[" + std::to_string(i) + "]";
      const auto* s = (*extra)[i].as_string();
      auto decoded = s != nullptr ? decode_webhook_secret(s->get()) : std::nullopt;
      if (!decoded)
        w.diag().add(s != nullptr ? errc::invalid_value : errc::wrong_type, path,
                     "expected whsec_ followed by base64 of 24 to 64 bytes");
      else
        out.secrets.push_back(std::move(*decoded));
    }
  }
  if (const auto* extra = w.array("extra_secrets_env")) {
    for (std::size_t i = 0; i < extra->size(); ++i) {
      const std::string path = w.path_of("extra_secrets_env") + "[" + std::to_string(i) + "]";
      const auto* s = (*extra)[i].as_string();
      if (s == nullptr) {
        w.diag().add(errc::wrong_type, path, "expected the name of an environment variable");
        continue;
      }
      auto value = options.getenv ? options.getenv(s->get()) : std::nullopt;
      if (!value || value->empty()) {
        w.diag().add(errc::missing_env_var, path,
                     "environment variable " + s->get() + " is not set");
        continue;
      }
      auto decoded = decode_webhook_secret(*value);
      if (!decoded)
        w.diag().add(errc::invalid_value, path,
                     "environment variable " + s->get() +
                         " must hold whsec_ followed by base64 of 24 to 64 bytes");
      else
        out.secrets.push_back(std::move(*decoded));
    }
  }
  w.finish();
}

} // namespace

void read_partners(table_reader& root, std::vector<partner_settings>& out,
                   const load_options& options) {
  const toml::array* arr = root.array("partners");
  if (arr == nullptr)
    return;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string path = "partners[" + std::to_string(i) + "]";
    const auto* t = (*arr)[i].as_table();
    if (t == nullptr) {
      root.diag().add(errc::wrong_type, path, "expected a table ([[partners]])");
      continue;
    }
    table_reader r{*t, path, root.diag()};
    partner_settings p;
    if (r.string("id", p.id.value, true) && !ids.insert(p.id.value).second)
      r.diag().add(errc::invalid_value, r.path_of("id"), "duplicate partner id " + p.id.value);
    r.string("name", p.name);
    if (p.name.empty())
      p.name = p.id.value;
    if (auto key = secret(r, "api_key", options, true))
      p.api_key_sha256 = sha256(*key);
    r.date("onboarded_on", p.onboarded_on, true);
    r.boolean("sms_destination_migrated", p.sms_destination_migrated);
    r.uint("max_tokens_per_card", p.max_tokens_per_card, 1, 1000);
    if (auto w = r.table("webhook")) {
      webhook_endpoint endpoint;
      read_webhook(*w, endpoint, options);
      p.webhook = std::move(endpoint);
    }
    r.finish();
    out.push_back(std::move(p));
  }
}

void read_keys(table_reader& r, key_settings& out, const load_options& options) {
  struct key_spec {
    std::string_view name;
    std::string* target;
    std::size_t min_size;
    std::size_t max_size;
  };
  const key_spec specs[] = {
      {"pan_hash_key", &out.pan_hash_key, 32, 1024},
      {"pan_encryption_key", &out.pan_encryption_key, 32, 32},
      {"otp_key", &out.otp_key, 32, 1024},
  };
  for (const auto& spec : specs) {
    auto text = secret(r, spec.name, options, true);
    if (!text)
      continue;
    auto bytes = decode_key_material(*text);
    const std::string size_text = spec.min_size == spec.max_size
                                      ? "exactly " + std::to_string(spec.min_size) + " bytes"
                                      : "at least " + std::to_string(spec.min_size) + " bytes";
    if (!bytes)
      r.diag().add(errc::invalid_value, r.path_of(spec.name),
                   "expected hex:<hex digits> or base64:<base64> of " + size_text);
    else if (bytes->size() < spec.min_size || bytes->size() > spec.max_size)
      r.diag().add(errc::invalid_value, r.path_of(spec.name),
                   "key must be " + size_text + ", got " + std::to_string(bytes->size()));
    else
      *spec.target = std::move(*bytes);
  }
  r.finish();
}

void read_sms(table_reader& r, sms_settings& out, const load_options& options) {
  if (auto c = r.choice("sink", {"file", "twilio"}))
    out.sink = *c == 0 ? sms_sink_kind::file : sms_sink_kind::twilio;
  if (auto f = r.table("file")) {
    f->string("path", out.file_path);
    f->finish();
  }
  auto t = r.table("twilio", out.sink == sms_sink_kind::twilio);
  if (t) {
    auto& tw = out.twilio;
    const bool used = out.sink == sms_sink_kind::twilio;
    t->string("base_url", tw.base_url);
    t->string("account_sid", tw.account_sid, used);
    t->string("from", tw.from, used);
    if (auto token = secret(*t, "auth_token", options, used))
      tw.auth_token = std::move(*token);
    if (const auto* n = t->node("auth_token_env"); n != nullptr && n->is_string())
      tw.auth_token_env = n->as_string()->get();
    t->finish();
  }
  r.finish();
}

} // namespace dwt::config::detail
