/// @file
/// runtime_errc and the one mapping from any engine error to API code and
/// HTTP status (errors.hpp).

#include "dwt/errors.hpp"

#include <caf/sec.hpp>

#include "dwt/engine/caf_error.hpp"
#include "dwt/persistence/caf_error.hpp"

namespace dwt {

caf::error make_error(runtime_errc e) {
  return caf::error{static_cast<std::uint8_t>(e), runtime_error_category};
}

caf::error make_error(runtime_errc e, std::string context) {
  return caf::error{static_cast<std::uint8_t>(e), runtime_error_category,
                    caf::make_message(std::move(context))};
}

std::string to_string(runtime_errc e) {
  switch (e) {
  case runtime_errc::ok:
    return "ok";
  case runtime_errc::stopping:
    return "stopping";
  case runtime_errc::overloaded:
    return "overloaded";
  case runtime_errc::idempotency_in_progress:
    return "idempotency_in_progress";
  case runtime_errc::invalid_options:
    return "invalid_options";
  case runtime_errc::timeout:
    return "timeout";
  case runtime_errc::internal:
    return "internal";
  case runtime_errc::event_not_found:
    return "event_not_found";
  case runtime_errc::no_webhook_endpoint:
    return "no_webhook_endpoint";
  case runtime_errc::network_command_not_found:
    return "network_command_not_found";
  case runtime_errc::network_command_not_failed:
    return "network_command_not_failed";
  case runtime_errc::no_network_dispatcher:
    return "no_network_dispatcher";
  }
  return "internal";
}

namespace {

std::string context_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

std::string with_context(std::string_view base, const caf::error& err) {
  auto ctx = context_of(err);
  std::string out{base};
  if (!ctx.empty()) {
    out += ": ";
    out += ctx;
  }
  return out;
}

std::uint16_t engine_status(engine::errc e) {
  using engine::errc;
  switch (e) {
  case errc::ok:
    return 200;
  case errc::invalid_request:
    return 400;
  case errc::card_not_found:
  case errc::token_not_found:
  case errc::profile_not_found:
    return 404;
  case errc::illegal_transition:
  case errc::token_final:
  case errc::resume_not_allowed:
  case errc::card_final:
  case errc::no_pending_verification:
  case errc::card_not_active:
  case errc::token_exists:
  case errc::verification_not_started:
  case errc::pan_already_registered:
    return 409;
  case errc::otp_resend_limit:
  case errc::velocity_exceeded:
    return 429;
  case errc::crypto_failure:
    return 500;
  default:
    return 422;
  }
}

error_info describe_engine(const caf::error& err) {
  auto e = static_cast<engine::errc>(err.code());
  return {std::string{engine::to_code(e)}, engine_status(e),
          with_context(engine::describe(e), err)};
}

error_info describe_persistence(const caf::error& err) {
  using persistence::errc;
  auto e = static_cast<errc>(err.code());
  std::uint16_t status = 500;
  switch (e) {
  case errc::overloaded:
  case errc::closed:
  case errc::readers_full:
    status = 503;
    break;
  case errc::map_full:
    status = 507;
    break;
  case errc::conflict:
    status = 409;
    break;
  case errc::not_found:
    status = 404;
    break;
  case errc::invalid_argument:
    status = 400;
    break;
  default:
    status = 500;
    break;
  }
  return {std::string{persistence::to_code(e)}, status,
          with_context(persistence::describe(e), err)};
}

error_info describe_runtime(const caf::error& err) {
  auto e = static_cast<runtime_errc>(err.code());
  switch (e) {
  case runtime_errc::ok:
    return {"ok", 200, "ok"};
  case runtime_errc::stopping:
    return {"stopping", 503, with_context("the engine is stopping", err)};
  case runtime_errc::overloaded:
    return {"overloaded", 503, with_context("too much work queued; retry later", err)};
  case runtime_errc::idempotency_in_progress:
    return {"idempotency_in_progress", 409,
            with_context("another request with this Idempotency-Key is in progress", err)};
  case runtime_errc::invalid_options:
    return {"invalid_options", 500, with_context("invalid engine options", err)};
  case runtime_errc::timeout:
    return {"timeout", 504, with_context("the engine did not answer in time", err)};
  case runtime_errc::event_not_found:
    return {"event_not_found", 404, with_context("no such event", err)};
  case runtime_errc::no_webhook_endpoint:
    return {"no_webhook_endpoint", 409,
            with_context("no webhook endpoint is configured for this partner", err)};
  case runtime_errc::network_command_not_found:
    return {"network_command_not_found", 404,
            with_context("the token has no network command", err)};
  case runtime_errc::network_command_not_failed:
    return {"network_command_not_failed", 409,
            with_context("the token's latest network command has not failed", err)};
  case runtime_errc::no_network_dispatcher:
    return {"no_network_dispatcher", 409,
            with_context("no network Customer Service API is configured", err)};
  case runtime_errc::internal:
    break;
  }
  return {"internal", 500, with_context("internal error", err)};
}

} // namespace

error_info describe(const caf::error& err) {
  if (!err)
    return {"ok", 200, "ok"};
  if (err.category() == engine::error_category)
    return describe_engine(err);
  if (err.category() == persistence::error_category)
    return describe_persistence(err);
  if (err.category() == runtime_error_category)
    return describe_runtime(err);
  if (err.category() == caf::atom("system")) {
    auto s = static_cast<caf::sec>(err.code());
    if (s == caf::sec::request_timeout)
      return {"timeout", 504, "the engine did not answer in time"};
    if (s == caf::sec::request_receiver_down)
      return {"stopping", 503, "the engine is stopping"};
    return {"internal", 500, "internal actor system error"};
  }
  return {"internal", 500, "internal error"};
}

} // namespace dwt
