#pragma once
/// @file
/// The success answer of the MDES notifications and of Deliver Activation
/// Code: `{responseId}` (= the request's requestId). Errors use
/// `error_response.hpp`.
///
/// Threading: pure functions.

#include <string>

#include <boost/json/object.hpp>

namespace dwt::networks::mdes {

struct acknowledgement {
  std::string response_id;
};

/// `{responseId}` (an empty object when the id is empty).
[[nodiscard]] boost::json::object to_json(const acknowledgement& a);

} // namespace dwt::networks::mdes
