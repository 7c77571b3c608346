#pragma once
/// @file
/// The one answer to an over-long id in a path: 404 with the id's own
/// not-found code, exactly what an unknown id of that kind answers. No
/// stored object can have such an id (the store refuses ids longer than
/// `persistence::keys::max_id_size`), so it names nothing, and answering as
/// for any unknown id reveals nothing more (another partner's id also
/// answers 404). Checked for every path parameter of every route, after
/// authentication and before the body is read.
///
/// Threading: pure function.

#include <optional>

#include "dwt/http/request_context.hpp"
#include "dwt/http/response.hpp"

namespace dwt::server {

/// The 404 for the first path parameter longer than the store's id limit
/// (`card_not_found`, `token_not_found`, `profile_not_found`,
/// `event_not_found`, else `not_found`), or nullopt.
[[nodiscard]] std::optional<http::response> overlong_path_id(const http::request_context& ctx);

} // namespace dwt::server
