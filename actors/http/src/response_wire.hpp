#pragma once
/// @file
/// Internal: the bytes of one response, written by the session with a
/// single `async_write` of one buffer.
///
/// Why not Beast's serializer: it walks the header as a chain of buffer
/// views, ~20,000 instructions per answer under callgrind, about 5 % of a
/// push provisioning's (bench/README.md, "Instructions per push"). The
/// output is byte for byte what `boost::beast::http::response<string_body>`
/// gave here before, after `keep_alive(keep)` and `prepare_payload()`
/// (response_wire_test.cpp compares the two), except that a 204 or 304
/// no longer carries `Content-Length: 0`, which RFC 9110 (8.6) forbids.
/// Requests are still read with Beast's parser.
///
/// Threading: pure.

#include <string>
#include <string_view>

#include "dwt/http/response.hpp"

namespace dwt::http::detail {

/// Status line `HTTP/<major>.<minor> <status> <reason>` (`version` as in
/// Beast: 11 is HTTP/1.1), then:
/// - `r.headers` in order (repeats allowed), except the fields the server
///   owns (`Content-Length`, `Transfer-Encoding`, `Connection`,
///   `X-Request-Id`) and, when `r.content_type` is set, `Content-Type`;
/// - `Content-Type: r.content_type` when set;
/// - `X-Request-Id: request_id`;
/// - `Connection: close` (HTTP/1.1, not `keep_alive`) or
///   `Connection: keep-alive` (HTTP/1.0, `keep_alive`);
/// - `Content-Length` of the body, except for 1xx, 204 and 304, which
///   carry neither the field nor a body;
/// - an empty line and the body.
/// A `Connection` field in `r.headers` is dropped, not merged with the
/// server's token. Names and values must be free of CR and LF (the session
/// checks).
[[nodiscard]] std::string serialize_response(unsigned version, const response& r,
                                             std::string_view request_id, bool keep_alive);

} // namespace dwt::http::detail
