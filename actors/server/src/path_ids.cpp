/// @file
/// Over-long path ids answer 404 (path_ids.hpp).

#include "path_ids.hpp"

#include "dwt/engine/caf_error.hpp"
#include "dwt/errors.hpp"
#include "dwt/persistence/keys.hpp"
#include "respond.hpp"

namespace dwt::server {

namespace {

/// The error an unknown id of the parameter's kind answers.
caf::error not_found_for(std::string_view param) {
  if (param == "cardId")
    return engine::make_error(engine::errc::card_not_found);
  if (param == "tokenUniqueReference")
    return engine::make_error(engine::errc::token_not_found);
  if (param == "id") // /v1/profiles/{id}
    return engine::make_error(engine::errc::profile_not_found);
  if (param == "eventId")
    return make_error(runtime_errc::event_not_found);
  return {};
}

} // namespace

std::optional<http::response> overlong_path_id(const http::request_context& ctx) {
  for (const auto& [name, value] : ctx.path_params) {
    if (value.size() <= persistence::keys::max_id_size)
      continue;
    if (auto err = not_found_for(name))
      return error_response(err);
    return http::problem(404, "not_found", "No resource at this path.");
  }
  return std::nullopt;
}

} // namespace dwt::server
