#pragma once
/// @file
/// Short snapshot reads shared by the card and token actors.
///
/// Threading: called on the actor's thread; each opens and closes its own
/// read transaction (never held across a message).

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <caf/expected.hpp>

#include "dwt/actors/runtime.hpp"
#include "dwt/persistence/caf_error.hpp"
#include "dwt/persistence/reader.hpp"

namespace dwt::actors {

/// The partner record (stored, else configured). Errors:
/// engine::errc::invalid_request if unknown.
[[nodiscard]] caf::expected<engine::partner_record>
lookup_partner(const runtime& rt, const persistence::reader& rd, const engine::partner_id& id);

/// The SMS destination (unmasked) for a card, by the partner's rule.
[[nodiscard]] caf::expected<std::optional<std::string>>
lookup_sms_destination(const runtime& rt, const persistence::reader& rd,
                       const engine::card_record& card);

/// Opens a snapshot as caf::expected.
[[nodiscard]] caf::expected<persistence::reader> begin_read(const runtime& rt);

/// One read in a fresh snapshot: `read(reader)` (a persistence::result<T>)
/// as caf::expected<T>, or the error of opening the snapshot.
template <class Read, class Result = std::invoke_result_t<Read, const persistence::reader&>>
[[nodiscard]] auto snapshot_read(const runtime& rt, Read read)
    -> caf::expected<std::decay_t<decltype(std::declval<Result&>().value())>> {
  auto rd = begin_read(rt);
  if (!rd)
    return std::move(rd.error());
  auto value = read(*rd);
  if (!value)
    return persistence::to_caf_error(value.err());
  return std::move(*value);
}

} // namespace dwt::actors
