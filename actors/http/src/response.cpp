#include "dwt/http/response.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/json/serialize.hpp>

namespace dwt::http {

std::string_view response::header(std::string_view name) const noexcept {
  for (const auto& [k, v] : headers)
    if (boost::beast::iequals(k, name))
      return v;
  return {};
}

response json_response(unsigned status, const boost::json::value& body) {
  response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = boost::json::serialize(body);
  return r;
}

response empty_response(unsigned status) {
  response r;
  r.status = status;
  return r;
}

std::string_view reason_phrase(unsigned status) noexcept {
  const auto s =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  if (s.empty() || s.front() == '<')
    return "Unknown";
  return {s.data(), s.size()};
}

response problem(unsigned status, std::string_view code, std::string_view detail,
                 boost::json::object extra, std::string_view title) {
  boost::json::object body = std::move(extra);
  body["type"] = std::string{problem_type_base} + std::string{code};
  body["title"] = title.empty() ? reason_phrase(status) : title;
  body["status"] = status;
  body["detail"] = detail;
  body["code"] = code;
  response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = boost::json::serialize(body);
  return r;
}

} // namespace dwt::http
