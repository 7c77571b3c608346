#pragma once
/// @file
/// Internal: the checks a request's header must pass before it reaches the
/// application.
///
/// - `framing_problem`: how the body is delimited must be unambiguous
///   (RFC 9112 §6.1, §6.3). The only transfer coding served is a single
///   `chunked`; any other Transfer-Encoding (`gzip`, `identity`,
///   `gzip, chunked`, ...), one in an HTTP/1.0 request, or one beside a
///   Content-Length answers 400 `invalid_framing` and the connection is
///   closed: a proxy in front may have framed the body differently, and
///   reading on would run the rest of it as a request the proxy never saw.
/// - `header_problem`: fields that must be unambiguous for the
///   application. An HTTP/1.1 request without Host answers 400
///   `missing_host` (RFC 9112 §3.2); two Host, Authorization,
///   Idempotency-Key, Content-Type or Content-Encoding fields answer 400
///   `duplicate_header` (which one wins would be a guess); a content coding
///   other than `identity` on a body answers 415
///   `unsupported_content_encoding` with `Accept-Encoding: identity`
///   (RFC 9110 §15.5.16: bodies are never decoded, so a compressed body
///   would be read as garbage). The framing is sound, so the connection
///   stays usable.
///
/// Threading: pure functions.

#include <optional>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

#include "dwt/http/response.hpp"

namespace dwt::http::detail {

using request_header = boost::beast::http::request_header<boost::beast::http::fields>;

/// The 400 `invalid_framing` answer for an ambiguous body framing, if any.
[[nodiscard]] std::optional<response> framing_problem(const request_header& h);

/// The 400 `invalid_framing` answer Beast's own framing errors (differing
/// Content-Length values, Transfer-Encoding beside Content-Length) map to.
[[nodiscard]] response invalid_framing(std::string_view detail);

/// The 400 / 415 answer for an ambiguous or unsupported header, if any.
/// `has_body`: the request carries body bytes (a Content-Encoding on a
/// request without any is ignored: there is nothing to misread).
[[nodiscard]] std::optional<response> header_problem(const request_header& h, bool has_body);

} // namespace dwt::http::detail
