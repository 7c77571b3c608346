#pragma once
/// @file
/// `response`: what an application handler answers, independent of Beast.
/// Helpers build JSON (`application/json`) and problem+json (RFC 9457)
/// answers.
///
/// Threading: plain values.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace dwt::http {

/// An HTTP response. `Content-Length`, `Connection` and `X-Request-Id` are
/// set by the server; everything else is up to the application.
struct response {
  unsigned status = 200;
  /// Extra header fields, in order (e.g. `Allow`, `Retry-After`).
  std::vector<std::pair<std::string, std::string>> headers;
  /// `Content-Type`; empty when there is no body.
  std::string content_type;
  std::string body;

  /// Adds a header field; returns *this for chaining.
  response& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }

  /// The value of the first field named `name` (case-insensitive), or "".
  [[nodiscard]] std::string_view header(std::string_view name) const noexcept;
};

/// `status` with a JSON body (`application/json`).
[[nodiscard]] response json_response(unsigned status, const boost::json::value& body);

/// `status` without a body (e.g. 204, 202).
[[nodiscard]] response empty_response(unsigned status);

/// The standard reason phrase for a status ("Not Found"), or "Unknown".
[[nodiscard]] std::string_view reason_phrase(unsigned status) noexcept;

/// Base of the problem `type` URIs: `type` is this prefix plus the code.
inline constexpr std::string_view problem_type_base = "urn:dwt:problem:";

/// An `application/problem+json` answer (RFC 9457):
/// `{type, title, status, detail, code}` plus `extra` members (e.g.
/// `attemptsLeft`). `title` defaults to the status's reason phrase.
[[nodiscard]] response problem(unsigned status, std::string_view code, std::string_view detail,
                               boost::json::object extra = {}, std::string_view title = {});

} // namespace dwt::http
