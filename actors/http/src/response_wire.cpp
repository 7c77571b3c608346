#include "response_wire.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

#include "dwt/engine/text.hpp"

namespace dwt::http::detail {

namespace {

using boost::beast::iequals;

[[nodiscard]] bool server_owned(std::string_view name, bool has_content_type) noexcept {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "connection") || iequals(name, "x-request-id") ||
         (has_content_type && iequals(name, "content-type"));
}

/// 1xx, 204 and 304 have no body and no Content-Length (RFC 9110 8.6).
[[nodiscard]] bool bodiless(unsigned status) noexcept {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

} // namespace

std::string serialize_response(unsigned version, const response& r, std::string_view request_id,
                               bool keep_alive) {
  const bool has_content_type = !r.content_type.empty();
  const bool no_body = bodiless(r.status);
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(r.status));

  std::size_t size = 64 + reason.size() + r.content_type.size() + request_id.size() +
                     (no_body ? 0 : r.body.size());
  for (const auto& [name, value] : r.headers)
    size += name.size() + value.size() + 4;
  using namespace std::string_view_literals; // appends without a strlen
  std::string out;
  out.reserve(size);

  out.append("HTTP/"sv);
  engine::text::append_decimal(out, version / 10);
  out.push_back('.');
  engine::text::append_decimal(out, version % 10);
  out.push_back(' ');
  engine::text::append_decimal(out, r.status);
  out.push_back(' ');
  out.append(reason.data(), reason.size()).append("\r\n"sv);
  for (const auto& [name, value] : r.headers) {
    if (server_owned(name, has_content_type))
      continue;
    out.append(name).append(": "sv).append(value).append("\r\n"sv);
  }
  if (has_content_type)
    out.append("Content-Type: "sv).append(r.content_type).append("\r\n"sv);
  out.append("X-Request-Id: "sv).append(request_id).append("\r\n"sv);
  if (version >= 11 && !keep_alive)
    out.append("Connection: close\r\n"sv);
  else if (version < 11 && keep_alive)
    out.append("Connection: keep-alive\r\n"sv);
  if (!no_body) {
    out.append("Content-Length: "sv);
    engine::text::append_decimal(out, r.body.size());
    out.append("\r\n"sv);
  }
  out.append("\r\n"sv);
  if (!no_body)
    out.append(r.body);
  return out;
}

} // namespace dwt::http::detail
