#pragma once
/// @file
/// The token state machine (docs/API.md, Token lifecycle). Pure: the caller passes the
/// time and the new transition's id in; nothing here reads a clock or draws
/// randomness.
///
/// Who may move a token (the `channel`):
///
/// | from \ to  | ACTIVE | SUSPENDED | TERMINATED | REQUEST_DECLINED |
/// |------------|--------|-----------|------------|------------------|
/// | REQUESTED  | network, partner_api, system | refused | card_cascade | partner_api, system,
/// network | | ACTIVE     | refused (same state) | partner_api, card_cascade, network |
/// partner_api, card_cascade, network | refused | | SUSPENDED  | resume: the suspending party for
/// an issuer suspension (partner_api or card_cascade); partner_api or network for a network
/// suspension | refused (same state) | partner_api, card_cascade, network | refused | | final |
/// refused with errc::token_final |||
///
/// Fulfillment status: PENDING until the first ACTIVE (→ PROVISIONED) or a
/// decline (→ REJECTED; also when a REQUESTED token is terminated by its
/// card). Once PROVISIONED or REJECTED it never changes.
///
/// Every refused resume (SUSPENDED → ACTIVE) answers errc::resume_not_allowed;
/// every other refusal of a non-final token answers errc::illegal_transition.
/// `suspended_by` is set to the channel on entering SUSPENDED and reset to
/// `channel::system` on leaving it.
///
/// Threading: pure functions.

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "dwt/engine/errc.hpp"
#include "dwt/engine/types.hpp"

namespace dwt::engine {

/// True for TERMINATED and REQUEST_DECLINED.
[[nodiscard]] constexpr bool is_final(token_state s) noexcept {
  return s == token_state::terminated || s == token_state::request_declined;
}

/// Checks whether `by` may move `token` to `target`, without changing
/// anything. Errors (as engine errc): token_final, illegal_transition,
/// resume_not_allowed.
[[nodiscard]] errc check_transition(const token_record& token, token_state target,
                                    channel by) noexcept;

/// The result of an applied transition: the token after the change and the
/// DigitalWalletTokenTransition to record (history) and emit (webhook).
struct transition_outcome {
  token_record token;
  transition_record record;
};

/// Applies a transition: checks it (see check_transition), then returns the
/// updated token (state, fulfillment, suspended_by, updated_at = now,
/// history_count + 1) and its transition record (id = `transition_id`,
/// from/to, fulfillment after the change, reason, channel, created_at = now).
/// Errors: those of check_transition, as `caf::error` in the engine category.
[[nodiscard]] caf::expected<transition_outcome> apply_transition(const token_record& token,
                                                                 token_state target, channel by,
                                                                 std::string reason, timestamp now,
                                                                 std::string transition_id);

/// The creation record of a new REQUESTED token (from_state empty,
/// fulfillment PENDING); also bumps `token.history_count` to 1.
[[nodiscard]] transition_outcome record_creation(token_record token, channel by, std::string reason,
                                                 timestamp now, std::string transition_id);

/// What a change of the card's state does to one of its tokens:
/// - card SUSPENDED: an ACTIVE token is suspended (channel card_cascade);
/// - card ACTIVE again: a token suspended by the card cascade is resumed;
/// - card TERMINATED: every non-final token is terminated.
/// Returns the target state, or nullopt when the token is not affected.
[[nodiscard]] std::optional<token_state> cascade_target(const token_record& token,
                                                        card_state new_card_state) noexcept;

/// Allowed changes of a card's own state: ACTIVE↔SUSPENDED, either to
/// TERMINATED; TERMINATED is final (errc::card_final); the same state again
/// is errc::illegal_transition.
[[nodiscard]] errc check_card_transition(card_state from, card_state to) noexcept;

/// Whether the card's state lets one of its tokens move to `target`: a
/// token becomes ACTIVE (partner APPROVE, verification passed, resume by
/// the partner or the network) only while its card is ACTIVE, else
/// errc::card_not_active; every other target is errc::ok. The card's own
/// cascade (resume when the card is ACTIVE again) satisfies it trivially.
[[nodiscard]] errc check_card_allows(token_state target, card_state card) noexcept;

/// Counts the tokens that occupy the per-card cap (ACTIVE and SUSPENDED).
[[nodiscard]] std::size_t count_toward_cap(const std::vector<token_record>& tokens) noexcept;

} // namespace dwt::engine
