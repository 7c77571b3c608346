#include "dwt/config/load.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "sections.hpp"

namespace dwt::config {

std::string_view to_string(errc e) noexcept {
  switch (e) {
  case errc::ok:
    return "ok";
  case errc::io_error:
    return "io_error";
  case errc::syntax_error:
    return "syntax_error";
  case errc::missing_key:
    return "missing_key";
  case errc::wrong_type:
    return "wrong_type";
  case errc::invalid_value:
    return "invalid_value";
  case errc::unknown_key:
    return "unknown_key";
  case errc::missing_env_var:
    return "missing_env_var";
  }
  return "unknown";
}

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str()); // NOLINT(concurrency-mt-unsafe)
  if (v == nullptr)
    return std::nullopt;
  return std::string{v};
}

namespace {

using detail::table_reader;

/// Runs `fn` on the sub-table `key` if present (or reports it if required).
template <class Fn>
void section(table_reader& root, std::string_view key, bool required, Fn&& fn) {
  if (auto t = root.table(key, required))
    fn(*t);
}

void check_token_bin(table_reader& root, const std::string& bin) {
  const bool digits = !bin.empty() && bin.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || bin.size() < 6 || bin.size() > 8)
    root.diag().add(errc::invalid_value, "token_bin", "expected 6 to 8 digits");
}

/// An API key must identify exactly one principal.
void check_unique_keys(detail::diagnostics& diag, const settings& s) {
  std::set<std::string> seen;
  if (!s.network.api_key_sha256.empty())
    seen.insert(s.network.api_key_sha256);
  for (std::size_t i = 0; i < s.partners.size(); ++i) {
    const auto& h = s.partners[i].api_key_sha256;
    if (!h.empty() && !seen.insert(h).second)
      diag.add(errc::invalid_value, "partners[" + std::to_string(i) + "].api_key",
               "the same API key is already used by another partner or the network");
  }
}

settings read_all(const toml::table& doc, detail::diagnostics& diag, const load_options& options) {
  settings s;
  table_reader root{doc, "", diag};
  section(root, "listen", false, [&](table_reader& t) { detail::read_listen(t, s.listen); });
  root.string("data_dir", s.data_dir);
  section(root, "store", false, [&](table_reader& t) { detail::read_store(t, s.store); });
  section(root, "runtime", false, [&](table_reader& t) { detail::read_runtime(t, s.runtime); });
  section(root, "http", false, [&](table_reader& t) { detail::read_http(t, s.http); });
  section(root, "network", true,
          [&](table_reader& t) { detail::read_network(t, s.network, options); });
  detail::read_partners(root, s.partners, options);
  detail::read_card_products(root, s.card_products);
  if (root.string("token_bin", s.token_bin))
    check_token_bin(root, s.token_bin);
  section(root, "keys", true, [&](table_reader& t) { detail::read_keys(t, s.keys, options); });
  section(root, "otp", false, [&](table_reader& t) { detail::read_otp(t, s.otp); });
  section(root, "verification", false,
          [&](table_reader& t) { detail::read_verification(t, s.verification); });
  section(root, "velocity", false, [&](table_reader& t) { detail::read_velocity(t, s.velocity); });
  section(root, "sms", false, [&](table_reader& t) { detail::read_sms(t, s.sms, options); });
  section(root, "webhooks", false, [&](table_reader& t) { detail::read_webhooks(t, s.webhooks); });
  section(root, "networks", false, [&](table_reader& t) { detail::read_networks(t, s.networks); });
  root.finish();
  check_unique_keys(diag, s);
  return s;
}

} // namespace

result<settings> load_string(std::string_view text, const load_options& options,
                             std::string_view source_name) {
  toml::table doc;
  try {
    doc = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source_name << ':' << e.source().begin.line << ':' << e.source().begin.column << ": "
        << e.description();
    return error{errc::syntax_error, msg.str()};
  } catch (const std::exception& e) {
    return error{errc::syntax_error, std::string{source_name} + ": " + e.what()};
  }
  detail::diagnostics diag;
  try {
    settings s = read_all(doc, diag, options);
    if (!diag.empty())
      return diag.to_error();
    return s;
  } catch (const std::exception& e) {
    return error{errc::invalid_value, std::string{source_name} + ": " + e.what()};
  }
}

result<settings> load_file(const std::filesystem::path& path, const load_options& options) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return error{errc::io_error, path.string() + ": cannot open the file"};
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad())
    return error{errc::io_error, path.string() + ": cannot read the file"};
  return load_string(buf.str(), options, path.string());
}

} // namespace dwt::config
