#include "dwt/networks/mdes/fle_json.hpp"

#include <optional>
#include <string>

#include "dwt/networks/caf_error.hpp"

namespace dwt::networks::mdes {

namespace {

/// The string at `name` (nullopt when absent or null); the limit is checked
/// before anything is copied.
caf::error read(const boost::json::object& obj, std::string_view name, std::size_t max,
                std::optional<std::string>& out) {
  out.reset();
  const auto* v = obj.if_contains(name);
  if (v == nullptr || v->is_null())
    return {};
  const auto* s = v->if_string();
  if (s == nullptr)
    return make_error(errc::invalid_field, std::string{name} + " must be a string");
  if (s->size() > max)
    return make_error(errc::payload_too_large, std::string{name} + " longer than its limit");
  out.emplace(s->data(), s->size());
  return {};
}

caf::error read_required(const boost::json::object& obj, std::string_view name, std::size_t max,
                         std::string& out) {
  std::optional<std::string> v;
  if (auto err = read(obj, name, max, v))
    return err;
  if (!v || v->empty())
    return make_error(errc::missing_field, std::string{name} + " is required");
  out = std::move(*v);
  return {};
}

} // namespace

caf::expected<fle_object> parse_fle_object(const boost::json::object& obj) {
  fle_object out;
  if (auto err = read_required(obj, "publicKeyFingerprint", fle_limits::max_fingerprint_hex,
                               out.public_key_fingerprint))
    return err;
  if (auto err =
          read_required(obj, "encryptedKey", fle_limits::max_encrypted_key_hex, out.encrypted_key))
    return err;
  if (auto err = read_required(obj, "encryptedData", fle_limits::max_encrypted_data_hex,
                               out.encrypted_data))
    return err;
  if (auto err = read(obj, "oaepHashingAlgorithm", fle_limits::max_short_field,
                      out.oaep_hashing_algorithm))
    return err;
  if (auto err = read(obj, "iv", fle_limits::max_short_field, out.iv))
    return err;
  return out;
}

boost::json::object to_json(const fle_object& fle) {
  boost::json::object out;
  out["publicKeyFingerprint"] = fle.public_key_fingerprint;
  out["encryptedKey"] = fle.encrypted_key;
  if (fle.oaep_hashing_algorithm)
    out["oaepHashingAlgorithm"] = *fle.oaep_hashing_algorithm;
  if (fle.iv)
    out["iv"] = *fle.iv;
  out["encryptedData"] = fle.encrypted_data;
  return out;
}

} // namespace dwt::networks::mdes
