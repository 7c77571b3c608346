/// @file
/// Snapshot reads shared by the card and token actors (lookups.hpp).

#include "lookups.hpp"

#include "dwt/engine/caf_error.hpp"
#include "dwt/engine/decision.hpp"
#include "dwt/persistence/caf_error.hpp"

namespace dwt::actors {

caf::expected<persistence::reader> begin_read(const runtime& rt) {
  auto rd = persistence::reader::begin(*rt.store);
  if (!rd)
    return persistence::to_caf_error(rd.err());
  return std::move(*rd);
}

caf::expected<engine::partner_record>
lookup_partner(const runtime& rt, const persistence::reader& rd, const engine::partner_id& id) {
  auto p = rd.partner(id);
  if (p)
    return std::move(*p);
  if (p.code() != persistence::errc::not_found)
    return persistence::to_caf_error(p.err());
  if (const auto* cfg = rt.partner(id))
    return *cfg;
  return engine::make_error(engine::errc::invalid_request, "unknown partner");
}

caf::expected<std::optional<std::string>> lookup_sms_destination(const runtime& rt,
                                                                 const persistence::reader& rd,
                                                                 const engine::card_record& card) {
  auto partner = lookup_partner(rt, rd, card.partner);
  if (!partner)
    return std::move(partner.error());
  std::optional<std::string> profile_phone;
  auto prof = rd.profile(card.profile);
  if (prof)
    profile_phone = prof->phone_number;
  else if (prof.code() != persistence::errc::not_found)
    return persistence::to_caf_error(prof.err());
  return engine::sms_destination(*partner, profile_phone, card.phone_number);
}

} // namespace dwt::actors
