#include "request_wire.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>

#include "dwt/engine/text.hpp"

namespace dwt::outbound::detail {

namespace {

using boost::beast::iequals;

/// Fields the serializer owns: a caller's value would contradict the body
/// or the connection handling.
[[nodiscard]] bool owned_field(std::string_view name) noexcept {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "connection");
}

} // namespace

std::string serialize_post(const parsed_url& url, std::string_view user_agent,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string_view body) {
  using namespace std::string_view_literals; // appends without a strlen
  using field = std::pair<std::string_view, std::string_view>;
  std::vector<field> fields;
  fields.reserve(headers.size() + 2);
  fields.emplace_back("Host", url.host_header);
  fields.emplace_back("User-Agent", user_agent);
  for (const auto& [name, value] : headers) {
    if (owned_field(name))
      continue;
    std::erase_if(fields, [&](const field& f) { return iequals(f.first, name); });
    fields.emplace_back(name, value);
  }

  // 64 covers the request line's and the framing's fixed text and the
  // Content-Length digits (at most 20).
  std::size_t size = url.target.size() + body.size() + 64;
  for (const auto& [name, value] : fields)
    size += name.size() + value.size() + 4;
  std::string out;
  out.reserve(size);
  out.append("POST "sv).append(url.target).append(" HTTP/1.1\r\n"sv);
  for (const auto& [name, value] : fields)
    out.append(name).append(": "sv).append(value).append("\r\n"sv);
  out.append("Content-Length: "sv);
  engine::text::append_decimal(out, body.size());
  out.append("\r\n\r\n"sv);
  out.append(body);
  return out;
}

} // namespace dwt::outbound::detail
