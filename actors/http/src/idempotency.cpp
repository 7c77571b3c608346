#include "dwt/http/idempotency.hpp"

#include <algorithm>

#include "dwt/http/auth.hpp"

namespace dwt::http {

checked<std::optional<std::string>> idempotency_key(const request_context& ctx) {
  const auto key = ctx.idempotency_key();
  if (!key)
    return std::optional<std::string>{};
  const bool visible =
      std::all_of(key->begin(), key->end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
  if (key->empty() || key->size() > max_idempotency_key_length || !visible)
    return problem(400, "invalid_idempotency_key",
                   "Idempotency-Key must be 1 to 255 visible ASCII characters.");
  return std::optional<std::string>{std::string{*key}};
}

std::string request_fingerprint(std::string_view method, std::string_view path,
                                std::string_view body) {
  std::string input;
  input.reserve(method.size() + path.size() + body.size() + 48);
  for (std::string_view part : {method, path, body}) {
    input += std::to_string(part.size());
    input += ':';
    input += part;
  }
  return to_hex(sha256(input));
}

std::string request_fingerprint(const request_context& ctx) {
  return request_fingerprint(ctx.method, ctx.path, ctx.body);
}

} // namespace dwt::http
