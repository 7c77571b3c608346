#pragma once
/// @file
/// Internal: the bytes of one outbound POST request, written by the client
/// with a single `async_write` of one buffer.
///
/// Why not Beast's serializer: it walks the header as a chain of buffer
/// views, one per field piece, and under callgrind that walk cost ~26,000
/// instructions per webhook request, about a tenth of a push
/// provisioning's (bench/README.md, "Instructions per push"). The
/// response is still read with Beast's parser.
///
/// Threading: pure.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_url.hpp"

namespace dwt::outbound::detail {

/// `POST <target> HTTP/1.1`, the header fields, an empty line, the body.
/// The fields follow what Beast's `set` and `prepare_payload` did here
/// before:
/// - `Host` (from the URL) and `User-Agent` (`user_agent`) come first, and
///   a caller's field of the same name replaces them;
/// - a caller's field replaces any earlier one of the same name (names
///   compare case-insensitively) and goes to the end, with the caller's
///   spelling;
/// - `Content-Length` is always the body's size: a caller's
///   `Content-Length` or `Transfer-Encoding` is dropped, and so is a
///   `Connection` field (connections are kept alive, HTTP/1.1's default).
/// Names and values must already be free of CR and LF (http_client::post
/// checks them).
[[nodiscard]] std::string
serialize_post(const parsed_url& url, std::string_view user_agent,
               const std::vector<std::pair<std::string, std::string>>& headers,
               std::string_view body);

} // namespace dwt::outbound::detail
