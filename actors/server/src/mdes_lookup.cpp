/// @file
/// How the MDES routes find the token a message is about (mdes_routes.hpp):
/// by the correlationId authorizeService made it under
/// (`mdes-c-{correlationId}`), by the index the network's own
/// tokenUniqueReference was bound in, or by a tokenUniqueReference that is
/// dwt's own token reference (a token dwt told the network of).

#include <memory>

#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/state_machine.hpp"
#include "dwt/errors.hpp"
#include "mdes_context.hpp"
#include "mdes_routes.hpp"
#include "validate.hpp"

namespace dwt::server::mdes_impl {

namespace {

struct lookup {
  engine_host* host = nullptr;
  std::string correlation_id;
  std::string tur;
  found_callback done;
};

bool not_found(const caf::error& err) {
  return describe(err).code == "token_not_found";
}

/// Step 3: the reference as dwt's own.
void by_own_ref(const std::shared_ptr<lookup>& l) {
  if (!validate::token_ref_ok(l->tur))
    return l->done(engine::make_error(engine::errc::token_not_found));
  l->host->get_token_network(engine::token_ref{l->tur}, [l](caf::expected<engine::token_record> t) {
    if (!t)
      return l->done(std::move(t.error()));
    l->done(found_token{std::move(*t), found_by::own_ref});
  });
}

/// Step 2: the index of bound network references.
void by_network_ref(const std::shared_ptr<lookup>& l) {
  if (l->tur.empty())
    return l->done(engine::make_error(engine::errc::token_not_found));
  l->host->find_token_by_network_ref(
      engine::card_network::mdes, l->tur, [l](caf::expected<engine::token_record> t) {
        if (t)
          return l->done(found_token{std::move(*t), found_by::network_ref});
        if (!not_found(t.error()))
          return l->done(std::move(t.error()));
        by_own_ref(l);
      });
}

} // namespace

void find_mdes_token(engine_host* host, std::string correlation_id, std::string tur,
                     found_callback done) {
  auto l = std::make_shared<lookup>(
      lookup{host, std::move(correlation_id), std::move(tur), std::move(done)});
  auto ref = l->correlation_id.empty() ? std::nullopt : token_ref_of_correlation(l->correlation_id);
  if (!ref)
    return by_network_ref(l);
  host->get_token_network(std::move(*ref), [l](caf::expected<engine::token_record> t) {
    if (t)
      return l->done(found_token{std::move(*t), found_by::correlation});
    if (!not_found(t.error()))
      return l->done(std::move(t.error()));
    by_network_ref(l);
  });
}

http::response lookup_failure(const caf::error& err, const std::string& request_id) {
  auto info = describe(err);
  if (info.code == "token_not_found")
    return mdes_error(404, request_id, "TOKEN_NOT_FOUND",
                      "No token has this correlationId or tokenUniqueReference.");
  if (info.code == "token_exists")
    return mdes_error(409, request_id, "TOKEN_EXISTS",
                      "The token is bound to another tokenUniqueReference; nothing changed.");
  if (info.code == "conflict")
    return mdes_error(409, request_id, "CONFLICT",
                      "The tokenUniqueReference names another token; nothing changed.");
  return engine_failure(err, request_id);
}

void bind_found(engine_host* host, found_token found, const std::string& tur,
                const std::string& token_expiry, const std::string& token_last4,
                found_callback done) {
  // A reference that is dwt's own names the token already; an empty one
  // names nothing; a declined or terminated token is not bound to anything.
  if (found.by == found_by::own_ref || tur.empty() || engine::is_final(found.token.state))
    return done(std::move(found));
  auto by = found.by;
  host->bind_network_ref(found.token.ref, engine::card_network::mdes, tur, token_expiry,
                         token_last4, [by, done](caf::expected<engine::token_record> t) {
                           if (!t)
                             return done(std::move(t.error()));
                           done(found_token{std::move(*t), by});
                         });
}

} // namespace dwt::server::mdes_impl
