#pragma once
/// @file
/// The MDES error shape (public MDES issuer documentation): `{responseId, errorCode,
/// errorDescription}`. The description is for people and must never hold
/// card data or key material.
///
/// Threading: pure functions.

#include <string>

#include <boost/json/object.hpp>

namespace dwt::networks::mdes {

struct error_response {
  /// = the request's requestId (omitted when the request had none).
  std::string response_id;
  std::string error_code;
  std::string error_description;
};

/// `{responseId, errorCode, errorDescription}`, empty fields omitted.
[[nodiscard]] boost::json::object to_json(const error_response& e);

} // namespace dwt::networks::mdes
