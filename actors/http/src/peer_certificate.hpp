#pragma once
/// @file
/// Internal: the verified client certificate of a TLS connection, as the
/// plain values of `request_context::client_certificate`.
///
/// Threading: reads the connection's SSL object; call on its strand.

#include <memory>

#include <openssl/ssl.h>

#include "dwt/http/request_context.hpp"

namespace dwt::http::detail {

/// The client's certificate after a completed handshake, when it sent one
/// and it verified against the listener's client CAs; null otherwise.
[[nodiscard]] std::shared_ptr<const peer_certificate> verified_peer(SSL* ssl);

} // namespace dwt::http::detail
