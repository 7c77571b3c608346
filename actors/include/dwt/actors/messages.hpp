#pragma once
/// @file
/// Every message of the actor runtime and every typed actor interface, in
/// one place (docs/ARCHITECTURE.md). CAF 0.17 style: message types are plain
/// C++ values that never leave the process, declared with
/// CAF_ALLOW_UNSAFE_MESSAGE_TYPE at the end of this file (they carry
/// callables such as idempotency renderers, so they are not serialisable
/// on purpose: the runtime is in-process only).
///
/// Interfaces:
/// - `token_actor`: one virtual actor per token (lifecycle, OTP, expiry).
/// - `card_actor`: one virtual actor per card (decision, creation, cascade).
/// - `registry_actor`: one shard of the id -> live actor map; routes
///   requests by delegation (it never holds outstanding requests itself,
///   except for the few calls queued while an actor passivates).
/// - `checkpointer_actor`: wraps persistence::group_commit_writer.
/// - `verification_actor`: a worker of the verification pool (OTP, SMS).
/// - `webhook_dispatcher_actor`: delivers the durable outbox (issue #6).
///
/// Threading: values only; moved into messages.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "dwt/dwt.hpp"
#include "dwt/persistence/write_unit.hpp"

namespace dwt::actors {

// -- atoms -------------------------------------------------------------------

/// Registry asks a live actor that was routed nothing for a whole
/// passivate_after to report idle.
using idle_atom = caf::atom_constant<caf::atom("idle")>;
/// Registry shard timer: look for actors idle for a whole passivate_after.
using idle_sweep_atom = caf::atom_constant<caf::atom("idle_sweep")>;
/// Registry asks a live actor to passivate if it can (LRU eviction).
using evict_atom = caf::atom_constant<caf::atom("evict")>;
/// Registry tells an actor that reported idle to stop now.
using stop_atom = caf::atom_constant<caf::atom("stop")>;
/// Reload state from LMDB (after a card cascade changed the token).
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;
/// The engine stops: kill every live child.
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
/// Tells the webhook dispatcher that outbox events up to a seq are durable.
using outbox_atom = caf::atom_constant<caf::atom("outbox")>;
/// Checkpointer → network dispatcher: network commands up to a seq are
/// durable.
using nd_commands_atom = caf::atom_constant<caf::atom("nd_cmds")>;
/// Dispatcher: look at the outbox now (coalesces many outbox_atom).
using wh_load_atom = caf::atom_constant<caf::atom("wh_load")>;
/// Dispatcher timer (with its generation): retries may be due, poll.
using wh_tick_atom = caf::atom_constant<caf::atom("wh_tick")>;
/// Dispatcher: submit the attempt records collected since the last flush
/// as one write unit (sent to itself, so every attempt outcome already in
/// its mailbox joins the same unit).
using wh_flush_atom = caf::atom_constant<caf::atom("wh_flush")>;

// -- token commands ----------------------------------------------------------

/// Read the token. `partner` set: scoped (another partner's token is
/// token_not_found).
struct tk_get {
  std::optional<engine::partner_id> partner;
};
/// Read the token's history (oldest first).
struct tk_history {
  std::optional<engine::partner_id> partner;
};
/// Choose a verification method (network).
struct tk_choose {
  engine::verification_method method = engine::verification_method::sms_otp;
  std::optional<idempotency<verification_started>> idem;
};
/// Submit an OTP (network).
struct tk_submit_otp {
  std::string code;
  std::optional<idempotency<otp_outcome>> idem;
};
/// Resend the OTP (network).
struct tk_resend {
  std::optional<idempotency<verification_started>> idem;
};
/// A partner-requested transition.
struct tk_transition {
  engine::partner_id partner;
  engine::card_id card;
  engine::token_state target = engine::token_state::active;
  std::string reason;
  std::optional<idempotency<engine::token_record>> idem;
  /// Reported by the card network (MDES notifyTokenUpdated): no network
  /// command is written for it (the network already knows; no echo).
  bool from_network = false;
};
/// The partner's in-app verification answer.
struct tk_activate {
  engine::partner_id partner;
  engine::card_id card;
  engine::activation answer = engine::activation::approve;
  std::optional<idempotency<engine::token_record>> idem;
};
/// A network lifecycle event.
struct tk_network {
  engine::network_event event = engine::network_event::device_lost;
  std::optional<idempotency<engine::token_record>> idem;
};

/// The expiry scheduler found the deadline-index entry (at, token) due:
/// a REQUESTED token past its deadline is declined (verification_expired);
/// a token that left REQUESTED (or a stale entry) only has the entry
/// removed. Answers the token as it is afterwards.
struct tk_expire {
  engine::timestamp at{};
};

/// The card network names the token (MDES: deliverActivationCode,
/// notifyServiceActivated): records `network_ref` (tokenUniqueReference) on
/// the token's network identity, and the token's own expiry (MMYY) and
/// last four when given, with the index entry (network, ref) -> token in
/// the same unit. Idempotent: the same ref again changes nothing; another
/// ref than the one recorded is token_exists. No transition, no event.
struct tk_bind_network {
  engine::card_network network = engine::card_network::mdes;
  std::string network_ref;
  std::string token_expiry; ///< MMYY, empty: unchanged
  std::string token_last4;  ///< empty: unchanged
};

/// Deliver a code the card network generated (MDES deliverActivationCode)
/// by SMS to the card's SMS destination (the partner's rule, as for dwt's
/// own OTP). The token must be REQUESTED. The code is never stored: the
/// challenge recorded has no code hash (the network checks the code, so
/// dwt's own OTP submission and resend are refused for it). The first
/// delivery reaches the verification step: the
/// cards#manual-provisioning-verification event (SMS_OTP, masked
/// destination) is committed with the challenge. Answers the step.
struct tk_deliver_code {
  std::string code;
  /// When the network's code stops working; none: the OTP TTL.
  std::optional<engine::timestamp> expires_at;
};

using token_command =
    std::variant<tk_get, tk_history, tk_choose, tk_submit_otp, tk_resend, tk_transition,
                 tk_activate, tk_network, tk_expire, tk_bind_network, tk_deliver_code>;

/// A command for the token `ref` (routed by the registry).
struct token_request {
  engine::token_ref ref;
  token_command cmd;
};

/// What token commands answer: the token (get, transition, activate,
/// network), its history, a started verification (choose, resend) or an OTP
/// outcome (submit).
using token_reply = std::variant<engine::token_record, std::vector<engine::transition_record>,
                                 verification_started, otp_outcome>;

// -- card commands -----------------------------------------------------------

/// Register a new card under the routed id.
struct cd_create {
  engine::partner_id partner;
  card_register req;
  std::optional<idempotency<engine::card_record>> idem;
};
struct cd_get {
  engine::partner_id partner;
};
struct cd_set_state {
  engine::partner_id partner;
  engine::card_state state = engine::card_state::active;
  std::optional<idempotency<engine::card_record>> idem;
};
struct cd_list_tokens {
  engine::partner_id partner;
};
struct cd_push {
  engine::partner_id partner;
  engine::wallet_provider wallet = engine::wallet_provider::apple_pay;
  engine::device_info device;
  std::optional<idempotency<engine::token_record>> idem;
};
/// A tokenisation request for the card whose PAN hash matched.
struct cd_tokenize {
  tokenization_request req;
  std::optional<idempotency<tokenization_result>> idem;
};

using card_command =
    std::variant<cd_create, cd_get, cd_set_state, cd_list_tokens, cd_push, cd_tokenize>;

struct card_request {
  engine::card_id id;
  card_command cmd;
};

using card_reply = std::variant<engine::card_record, std::vector<engine::token_record>,
                                engine::token_record, tokenization_result>;

// -- registry bookkeeping ----------------------------------------------------

enum class actor_kind : std::uint8_t { card = 0, token = 1 };

/// An actor reports that it has been idle (or was asked to go): the
/// registry stops it if nothing was routed to it since.
struct idle_report {
  actor_kind kind = actor_kind::token;
  std::string id;
  /// Requests the actor has received so far (the registry compares it with
  /// the number it routed: equal means nothing is in flight).
  std::uint64_t received = 0;
};

/// An actor has stopped (after stop_atom); queued calls may proceed.
struct stopped_report {
  actor_kind kind = actor_kind::token;
  std::string id;
};

/// Tell the live actor of token `ref`, if any, to reload (card cascade).
struct refresh_token {
  engine::token_ref ref;
};

// -- checkpointer ------------------------------------------------------------

/// One atomic unit to make durable.
struct commit_request {
  persistence::write_unit unit;
};
/// A durable unit's acknowledgement.
struct commit_reply {
  persistence::commit_ack ack;
};

// -- verification pool -------------------------------------------------------

/// Issue an SMS OTP (fresh, or a resend of `previous`).
struct otp_issue {
  engine::token_ref token;
  std::string destination_masked;
  std::optional<engine::verification_challenge> previous; ///< set: resend
  engine::timestamp now{};
};
/// The issued challenge (hash only) and the clear code for the SMS, which
/// the token actor hands back in `sms_send` once the challenge is durable.
struct otp_issued {
  engine::verification_challenge challenge;
  std::string code;
};
/// Check a submitted code.
struct otp_check {
  engine::verification_challenge challenge;
  std::string code;
  engine::timestamp now{};
};
/// Hand one SMS to the gateway.
struct sms_send {
  sms_message msg;
};

// -- webhook dispatcher ------------------------------------------------------

/// Re-queue an event for delivery now (already resolved to a seq; the
/// dispatcher checks that it belongs to `partner`).
struct wh_redeliver {
  engine::partner_id partner;
  std::uint64_t seq = 0;
};
/// Internal: an HTTP attempt finished (sent from an io_context thread).
struct wh_attempt_done {
  std::size_t endpoint = 0;
  std::uint64_t seq = 0;
  /// seq and attempt_no are filled by the dispatcher.
  persistence::delivery_attempt_record attempt;
  /// 0 delivered, 1 retry, 2 invalid (never retried).
  std::uint8_t outcome = 1;
};
/// Internal: the durable record of a redelivery committed or failed (sent
/// from the writer thread). Attempt records come back as wh_records_done.
struct wh_recorded {
  std::size_t endpoint = 0;
  std::uint64_t seq = 0;
  /// The id of the pending redelivery answer (never 0).
  std::uint64_t redelivery = 0;
  bool ok = false;
  persistence::error err; ///< when !ok
};

/// Internal: a flushed group of attempt records committed or failed (sent
/// from the writer thread); one unit, so all or none are durable.
struct wh_records_done {
  std::vector<std::pair<std::size_t, std::uint64_t>> keys; ///< (endpoint, seq)
  bool ok = false;
  persistence::error err; ///< when !ok
};

// -- typed interfaces --------------------------------------------------------

using token_actor = caf::typed_actor<caf::replies_to<token_request>::with<token_reply>,
                                     caf::reacts_to<refresh_atom>, caf::reacts_to<idle_atom>,
                                     caf::reacts_to<evict_atom>, caf::reacts_to<stop_atom>>;

using card_actor =
    caf::typed_actor<caf::replies_to<card_request>::with<card_reply>, caf::reacts_to<idle_atom>,
                     caf::reacts_to<evict_atom>, caf::reacts_to<stop_atom>>;

using registry_actor =
    caf::typed_actor<caf::replies_to<token_request>::with<token_reply>,
                     caf::replies_to<card_request>::with<card_reply>, caf::reacts_to<refresh_token>,
                     caf::reacts_to<idle_report>, caf::reacts_to<stopped_report>,
                     caf::reacts_to<idle_sweep_atom>, caf::reacts_to<shutdown_atom>>;

using checkpointer_actor = caf::typed_actor<caf::replies_to<commit_request>::with<commit_reply>>;

using verification_actor = caf::typed_actor<caf::replies_to<otp_issue>::with<otp_issued>,
                                            caf::replies_to<otp_check>::with<engine::otp_verdict>,
                                            caf::reacts_to<sms_send>>;

/// The webhook dispatcher: told the highest durable outbox seq after each
/// commit that appended events (by the checkpointer); answers redelivery
/// requests; the rest are its own internal messages.
using webhook_dispatcher_actor =
    caf::typed_actor<caf::reacts_to<outbox_atom, std::uint64_t>,
                     caf::replies_to<wh_redeliver>::with<persistence::delivery_state>,
                     caf::reacts_to<wh_attempt_done>, caf::reacts_to<wh_recorded>,
                     caf::reacts_to<wh_records_done>, caf::reacts_to<wh_flush_atom>,
                     caf::reacts_to<wh_load_atom>, caf::reacts_to<wh_tick_atom, std::uint64_t>>;

} // namespace dwt::actors

// Message types (in-process only; see the file comment).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::token_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::token_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::card_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::card_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::idle_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::stopped_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::refresh_token)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::commit_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::commit_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::otp_issue)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::otp_issued)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::otp_check)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::sms_send)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::engine::otp_verdict)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::engine::token_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::engine::card_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::engine::profile_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<dwt::engine::token_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<dwt::engine::transition_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::verification_started)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::otp_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::tokenization_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::wh_redeliver)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::wh_attempt_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::wh_recorded)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::wh_records_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::persistence::delivery_state)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<dwt::persistence::delivery_attempt_record>)
