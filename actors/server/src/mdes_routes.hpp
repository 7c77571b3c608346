#pragma once
/// @file
/// Internal to the MDES routes (routes_mdes*.cpp): MDES's error shape, the
/// request-error mapping, the network-key wrapper, and the handlers.
///
/// Threading: pure helpers; handlers run on an I/O thread and answer from
/// engine callbacks on any thread.

#include <string>
#include <string_view>

#include <caf/error.hpp>

#include "dwt/http/response.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"
#include "respond.hpp"

namespace dwt::server::mdes_impl {

namespace mdes = networks::mdes;

/// `{responseId, errorCode, errorDescription}` as application/json.
[[nodiscard]] http::response mdes_error(unsigned status, std::string request_id,
                                        std::string_view code, std::string_view description);

/// "invalid_field" → "INVALID_FIELD".
[[nodiscard]] std::string upper(std::string_view code);

/// The requestId of a body that failed to parse, when there is one to echo.
[[nodiscard]] std::string request_id_of(std::string_view body);

/// A networks error of a request envelope: its code upper-cased and the
/// field it names; 413 for payload_too_large, else 400.
[[nodiscard]] http::response request_error(const caf::error& err, std::string request_id);

/// The one answer for every failure past the key look-up of cardInfo.
[[nodiscard]] http::response decryption_failed(std::string request_id);

/// An engine failure that is not a decision, in MDES's shape.
[[nodiscard]] http::response engine_failure(const caf::error& err, std::string request_id);

/// Wraps an MDES handler: with mutual TLS configured a verified client
/// certificate is required (403 `CLIENT_CERTIFICATE_REQUIRED`), then the
/// network key (401); both in MDES's error shape.
[[nodiscard]] http::handler mdes_route(api_ptr api, network_handler h);

/// POST {context_root}/authorizeService (routes_mdes_authorize.cpp).
void authorize_service(const api_context& api, http::request_context ctx, http::responder res);
/// POST {context_root}/requestActivationMethods (routes_mdes_methods.cpp).
void request_activation_methods(const api_context& api, http::request_context ctx,
                                http::responder res);
/// POST {context_root}/notifyTokenUpdated (routes_mdes_notify.cpp).
void notify_token_updated(const api_context& api, http::request_context ctx, http::responder res);
/// POST {context_root}/notifyServiceActivated (routes_mdes_notify.cpp).
void notify_service_activated(const api_context& api, http::request_context ctx,
                              http::responder res);

} // namespace dwt::server::mdes_impl
