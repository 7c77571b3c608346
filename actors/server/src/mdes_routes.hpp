#pragma once
/// @file
/// Internal to the MDES routes (routes_mdes*.cpp): MDES's error shape, the
/// request-error mapping, the network-key wrapper, and the handlers.
///
/// Threading: pure helpers; handlers run on an I/O thread and answer from
/// engine callbacks on any thread.

#include <cstdint>
#include <functional>
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

/// Wraps an MDES handler: the network key is required (401 in MDES's
/// error shape otherwise).
[[nodiscard]] http::handler mdes_route(api_ptr api, network_handler h);

/// How a token was found (mdes_lookup.cpp).
enum class found_by : std::uint8_t {
  correlation, ///< `mdes-c-{correlationId}`
  network_ref, ///< the index of bound tokenUniqueReferences
  own_ref,     ///< the tokenUniqueReference is dwt's own token reference
};
struct found_token {
  engine::token_record token;
  found_by by = found_by::own_ref;
};
using found_callback = std::function<void(caf::expected<found_token>)>;

/// The token of `correlation_id` (when not empty and it has one), else the
/// token bound to the network reference `tur`, else the token whose own
/// ref is `tur`; token_not_found when none; another engine error stops the
/// search.
void find_mdes_token(engine_host* host, std::string correlation_id, std::string tur,
                     found_callback done);

/// Binds `tur` (and the token's expiry MMYY / last four when not empty) to
/// a token found by correlation or index (engine_host::bind_network_ref,
/// idempotent); a token found by its own ref, or an empty `tur`, is
/// answered as it is.
void bind_found(engine_host* host, found_token found, const std::string& tur,
                const std::string& token_expiry, const std::string& token_last4,
                found_callback done);

/// A failure of find_mdes_token / bind_found in MDES's shape: 404
/// TOKEN_NOT_FOUND, 409 TOKEN_EXISTS (bound to another reference), 409
/// CONFLICT (the reference names another token), else engine_failure.
[[nodiscard]] http::response lookup_failure(const caf::error& err, const std::string& request_id);

/// POST {context_root}/authorizeService (routes_mdes_authorize.cpp).
void authorize_service(const api_context& api, http::request_context ctx, http::responder res);
/// POST {context_root}/deliverActivationCode (routes_mdes_deliver.cpp).
void deliver_activation_code(const api_context& api, http::request_context ctx,
                             http::responder res);
/// POST {context_root}/notifyTokenUpdated (routes_mdes_notify.cpp).
void notify_token_updated(const api_context& api, http::request_context ctx, http::responder res);
/// POST {context_root}/notifyServiceActivated (routes_mdes_notify.cpp).
void notify_service_activated(const api_context& api, http::request_context ctx,
                              http::responder res);

} // namespace dwt::server::mdes_impl
