#pragma once
/// @file
/// The FLE object's JSON shape: `{publicKeyFingerprint, encryptedKey,
/// oaepHashingAlgorithm, iv, encryptedData}` (e.g. `cardInfo`, or an
/// `encryptedPayload`). Other members (`panUniqueReference` beside the FLE
/// fields of `cardInfo`) are ignored here.
///
/// Threading: pure functions.

#include <boost/json/object.hpp>
#include <caf/expected.hpp>

#include "dwt/networks/mdes/fle.hpp"

namespace dwt::networks::mdes {

/// Reads the FLE fields of `obj`. Errors: invalid_field (a field that is
/// not a string), payload_too_large (a field beyond its fle_limits bound),
/// missing_field (publicKeyFingerprint, encryptedKey, encryptedData).
/// The hex is decoded (and checked) by `decrypt`.
[[nodiscard]] caf::expected<fle_object> parse_fle_object(const boost::json::object& obj);

/// The object with its fields; `oaepHashingAlgorithm` and `iv` omitted when
/// absent.
[[nodiscard]] boost::json::object to_json(const fle_object& fle);

} // namespace dwt::networks::mdes
