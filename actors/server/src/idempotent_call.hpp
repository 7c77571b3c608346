#pragma once
/// @file
/// The Idempotency-Key dance, once for every mutating route:
///
/// 1. validate the header (absent: a plain call; bad: 400
///    `invalid_idempotency_key`);
/// 2. look the key up in the caller's scope: a stored answer with the same
///    request fingerprint is replayed (status + body, `Idempotent-Replayed:
///    true`); another fingerprint answers 422 `idempotency_key_reused`;
/// 3. otherwise call the engine with `idempotency<T>{key, fingerprint,
///    render}`, so the actor stores exactly the bytes `render` makes, and
///    answer with the same `render` (one rendering function per route for
///    the live and the stored answer). A concurrent call with the same key
///    loses with 409 `idempotency_in_progress` (describe()).
///
/// Threading: runs on the I/O thread (the look-up is a snapshot read that
/// never waits for the writer); the answer comes from the engine callback.

#include <optional>
#include <string>
#include <utility>

#include "api_context.hpp"
#include "dwt/http/idempotency.hpp"
#include "respond.hpp"

namespace dwt::server {

/// A pure function rendering a route's answer from the engine's result.
template <class T>
using render_fn = rendered_response (*)(const T&);

/// `call(std::optional<idempotency<T>>, callback<T>)` issues the engine call.
template <class T, class Call>
void idempotent_call(const api_context& api, const http::request_context& ctx, http::responder res,
                     const engine::partner_id& scope, render_fn<T> render, Call&& call) {
  auto key = http::idempotency_key(ctx);
  if (!key)
    return res.respond(std::move(key).error());
  auto out = share(std::move(res));
  if (!key->has_value()) {
    call(std::optional<idempotency<T>>{}, reply<T>(std::move(out), render));
    return;
  }
  auto fingerprint = http::request_fingerprint(ctx);
  auto found = api.host->find_idempotent(scope, **key);
  if (!found)
    return out->respond(error_response(found.error()));
  if (const auto& rec = *found) {
    if (rec->request_fingerprint == fingerprint)
      return out->respond(replayed(rec->http_status, rec->response_body));
    return out->respond(
        http::problem(422, "idempotency_key_reused",
                      "This Idempotency-Key was used with a different request; use a new key."));
  }
  call(std::optional<idempotency<T>>{idempotency<T>{std::move(**key), std::move(fingerprint),
                                                    render}},
       reply<T>(std::move(out), render));
}

} // namespace dwt::server
