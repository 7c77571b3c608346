#include "header_checks.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/core/string.hpp>
#include <boost/json/object.hpp>

namespace dwt::http::detail {

namespace bhttp = boost::beast::http;

namespace {

/// The non-empty elements of a comma-separated field value (RFC 9110 §5.6.1),
/// trimmed of optional whitespace.
void split_list(std::string_view value, std::vector<std::string_view>& out) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (!item.empty())
      out.push_back(item);
    if (comma == std::string_view::npos)
      break;
    value.remove_prefix(comma + 1);
  }
}

/// Every element of every field named `name`, in order.
std::vector<std::string_view> list_of(const request_header& h, bhttp::field name) {
  std::vector<std::string_view> out;
  auto [first, last] = h.equal_range(name);
  for (auto it = first; it != last; ++it)
    split_list(it->value(), out);
  return out;
}

response with_field(unsigned status, std::string_view code, std::string_view detail,
                    std::string_view field) {
  boost::json::object extra;
  extra["field"] = field;
  return problem(status, code, detail, std::move(extra));
}

} // namespace

response invalid_framing(std::string_view detail) {
  return problem(400, "invalid_framing", detail);
}

std::optional<response> framing_problem(const request_header& h) {
  if (h.count(bhttp::field::transfer_encoding) == 0)
    return std::nullopt;
  if (h.version() < 11)
    return invalid_framing("Transfer-Encoding is not allowed in an HTTP/1.0 request.");
  const auto codings = list_of(h, bhttp::field::transfer_encoding);
  if (codings.size() != 1 || !boost::beast::iequals(codings.front(), "chunked"))
    return invalid_framing("The only Transfer-Encoding accepted is a single chunked.");
  if (h.count(bhttp::field::content_length) != 0)
    return invalid_framing("Transfer-Encoding and Content-Length must not both be sent.");
  return std::nullopt;
}

std::optional<response> header_problem(const request_header& h, bool has_body) {
  const auto hosts = h.count(bhttp::field::host);
  if (hosts == 0 && h.version() >= 11)
    return with_field(400, "missing_host", "An HTTP/1.1 request needs a Host header.", "Host");
  // Fields the application reads once: with two, which one counts is a guess.
  static constexpr std::array<std::string_view, 5> single = {
      "Host", "Authorization", "Idempotency-Key", "Content-Type", "Content-Encoding"};
  for (const auto name : single) {
    if (h.count(name) > 1)
      return with_field(400, "duplicate_header",
                        "The " + std::string{name} + " header must be sent at most once.", name);
  }
  if (!has_body)
    return std::nullopt;
  for (const auto coding : list_of(h, bhttp::field::content_encoding)) {
    if (!boost::beast::iequals(coding, "identity")) {
      auto r = with_field(415, "unsupported_content_encoding",
                          "Request bodies must not be content-coded (Content-Encoding: identity).",
                          "Content-Encoding");
      r.with_header("Accept-Encoding", "identity");
      return r;
    }
  }
  return std::nullopt;
}

} // namespace dwt::http::detail
