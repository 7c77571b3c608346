#pragma once
/// @file
/// The embedding API of dwt: start the engine on a data directory and call
/// every flow asynchronously. This is the one header a host application
/// (an API gateway, the `dwt-server`, the tests) includes.
///
/// Threading: every member function of `dwt::engine_host` is thread-safe and
/// never blocks on I/O or on the actor system, except `start` (opens the
/// store) and `stop` (drains). Callbacks run on an actor-system worker
/// thread (or the LMDB writer thread) exactly once per call: they must be
/// quick and must never block (post to your own executor). A callback is
/// called even when the engine is stopping (with `runtime_errc::stopping`).
///
/// Durability: a callback reporting success for a mutating call runs only
/// after the change (state, history, outbox event and idempotency record,
/// as one atomic unit) is durable in LMDB.
///
/// Errors: results are `caf::expected<T>`; `describe(err)` maps any error
/// to its stable API code and HTTP status (see errors.hpp).

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <caf/expected.hpp>

#include "dwt/engine/decision.hpp"
#include "dwt/engine/otp.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/engine/types.hpp"
#include "dwt/errors.hpp"
#include "dwt/persistence/env.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/records.hpp"
#include "dwt/sms.hpp"

namespace dwt {

/// Every callback has this shape.
template <class T>
using callback = std::function<void(caf::expected<T>)>;

/// The answer that is stored with an idempotency record and replayed.
struct rendered_response {
  std::uint16_t status = 200;
  std::string body;
};

/// Makes a mutating call idempotent: the actor stores `render(result)` under
/// (scope, key) in the same atomic unit as the change. A later call with
/// the same key is answered from the store by the caller (see
/// `engine_host::find_idempotent`). When two calls race with one key, the
/// loser fails with `runtime_errc::idempotency_in_progress` and nothing of
/// it is applied.
template <class T>
struct idempotency {
  std::string key;
  /// SHA-256 of the canonical request (method, path, body).
  std::string fingerprint;
  std::function<rendered_response(const T&)> render;
};

/// The idempotency scope of network-facing calls (partners use their id).
inline const engine::partner_id network_scope{"__network__"};

// -- requests and results ----------------------------------------------------

struct profile_create {
  std::string phone_number; ///< E.164
  std::optional<std::string> email;
};

struct profile_patch {
  std::optional<std::string> phone_number;
  /// Set: change the email; `std::optional<std::string>{}` inside clears it.
  std::optional<std::optional<std::string>> email;
};

struct card_register {
  engine::profile_id profile;
  std::string pan; ///< in clear only in memory, for this call
  unsigned expiry_month = 0;
  unsigned expiry_year = 0;
  std::string card_product;
  engine::card_type type = engine::card_type::virtual_card;
  std::optional<std::string> phone_number;
};

struct tokenization_request {
  std::string pan;
  unsigned expiry_month = 0;
  unsigned expiry_year = 0;
  std::optional<std::string> cvc; ///< checked for shape only, never stored
  engine::wallet_provider wallet = engine::wallet_provider::apple_pay;
  engine::device_info device;
  std::optional<engine::token_ref> token_ref; ///< else the engine makes one
  engine::wallet_recommendation recommendation = engine::wallet_recommendation::green;
  /// What the card network sent (its ids, the device, its risk inputs),
  /// stored on the token whatever the decision; none for /network/v1.
  std::optional<engine::network_identity> network;
};

struct tokenization_result {
  engine::decision decision = engine::decision::declined;
  engine::token_ref token_ref;
  engine::token_state state = engine::token_state::request_declined;
  /// errc::ok unless declined.
  engine::errc reason = engine::errc::ok;
  std::vector<engine::offered_method> methods;
  /// The token as stored (absent only when the request was refused before a
  /// token could be recorded, e.g. an unknown PAN).
  std::optional<engine::token_record> token;
};

struct verification_started {
  engine::verification_method method = engine::verification_method::sms_otp;
  engine::timestamp expires_at{};
};

struct otp_outcome {
  engine::otp_result result = engine::otp_result::incorrect;
  std::uint8_t attempts_left = 0;
  engine::token_record token; ///< after the attempt
};

struct event_page {
  std::vector<persistence::outbox_event> events;
  /// Cursor for the next page (the last seq returned, or `after`).
  std::uint64_t next = 0;
};

/// Which outbox event: by its id (the `webhook-id`) or by its outbox seq.
using event_ref = std::variant<std::string, std::uint64_t>;

/// Webhook dispatcher counters (zero when no endpoint is configured).
struct webhook_stats {
  /// Events delivered (2xx) since start.
  std::uint64_t delivered = 0;
  /// Attempts that did not deliver (non-2xx, timeout, connection error).
  std::uint64_t failed_attempts = 0;
  /// Events given up on since start.
  std::uint64_t dead_lettered = 0;
  /// Events the dispatcher holds in memory awaiting delivery (the rest of
  /// the backlog is `runtime_stats::outbox_pending`).
  std::uint64_t pending = 0;
  /// HTTP requests in flight.
  std::uint64_t in_flight = 0;
  /// Attempt records that failed to commit (re-submitted later).
  std::uint64_t record_failures = 0;
  /// Age, on the engine's clock, of the oldest event not yet delivered or
  /// dead-lettered to an endpoint (0: none waiting): how far behind the
  /// partners' view is, whether the endpoint fails or delivery cannot keep
  /// up. Events of partners without an endpoint are not counted.
  std::chrono::milliseconds oldest_undelivered_age{0};
};

/// How many tokenisation decisions had this outcome and reason.
struct decision_count {
  engine::decision decision = engine::decision::approved;
  /// errc::ok when the decision gives none.
  engine::errc reason = engine::errc::ok;
  std::uint64_t count = 0;
};

/// Verification figures since start.
struct verification_stats {
  /// OTP SMS handed to the SMS gateway (each issue and resend).
  std::uint64_t otp_sent = 0;
  /// OTP checks by result (engine::otp_result order: verified, incorrect,
  /// exhausted, expired).
  std::array<std::uint64_t, 4> otp_checks{};
  /// SMS the gateway accepted, and those it refused or could not send.
  std::uint64_t sms_sent = 0;
  std::uint64_t sms_failed = 0;
};

/// Counters for /metrics.
struct runtime_stats {
  std::uint64_t live_cards = 0;
  std::uint64_t live_tokens = 0;
  std::uint64_t activations = 0;
  std::uint64_t passivations = 0;
  std::uint64_t outbox_pending = 0;
  /// Network commands (issue #21) not yet CONFIRMED or FAILED.
  std::uint64_t network_commands_pending = 0;
  /// Idempotency records in the store (expired ones until swept), and the
  /// sweeper's work since start.
  std::uint64_t idempotency_records = 0;
  std::uint64_t idempotency_sweeps = 0;
  std::uint64_t idempotency_swept = 0;
  persistence::group_commit_stats commit;
  webhook_stats webhooks;
  /// Tokenisation decisions since start, one entry per (decision, reason)
  /// seen, in decision then reason order.
  std::vector<decision_count> decisions;
  verification_stats verification;
  /// The LMDB map: size, growth limit, bytes in use (a 507 map_full comes
  /// when use reaches the limit).
  persistence::env_info store;
};

// -- options -----------------------------------------------------------------

/// A partner's webhook endpoint.
struct webhook_endpoint_config {
  engine::partner_id partner;
  /// `http://...` or `https://...`.
  std::string url;
  /// Standard Webhooks secrets (`whsec_` + base64), 1 to 4; every one signs
  /// each delivery, so several are configured while rotating.
  std::vector<std::string> secrets;
};

/// How the webhook dispatcher delivers (docs/API.md, Webhooks).
struct webhook_dispatcher_options {
  /// Total time allowed for one delivery attempt.
  std::chrono::milliseconds timeout{5000};
  /// HTTP requests in flight per endpoint (each endpoint has its own slots).
  /// Delivery to one endpoint is bound by round trips, not bandwidth: with
  /// 4 slots a single partner's webhooks fell ever further behind a closed
  /// loop of push provisioning here, with 32 they nearly keep up
  /// (bench/README.md, "Webhook concurrency"). Per-token order holds at
  /// any value.
  std::size_t max_concurrent_per_endpoint = 32;
  /// Upper bound between two looks at the outbox and at due retries (new
  /// events wake the dispatcher at once; this is the fallback).
  std::chrono::milliseconds poll_interval{1000};
  /// PEM file of trusted CAs for https endpoints; empty: system defaults.
  std::string ca_file;
  /// Threads running the dispatcher's own io_context.
  std::size_t io_threads = 1;
  /// Events held in memory per endpoint; the rest wait in LMDB
  /// (outbox_pending) and are loaded in seq order as room frees up.
  std::size_t max_tracked_per_endpoint = 4096;
  /// Redeliveries queued per endpoint beyond the tracked events.
  std::size_t max_redeliveries_per_endpoint = 256;
  /// Retry delays: `retry_delays[i]` before attempt i + 1 (the first is
  /// normally 0). Empty: the default schedule (~3 days, 10 attempts, see
  /// actors/outbound/README.md). After the last attempt: dead-letter.
  std::vector<std::chrono::milliseconds> retry_delays;
  /// Each delay is drawn from [delay * (1 - jitter%), delay].
  std::uint32_t retry_jitter_percent = 10;
};

/// The issuer → MDES Customer Service API calls (issue #21): a partner's
/// or a card cascade's suspend / resume / terminate of a token that came
/// through MDES becomes a durable command (written with the transition),
/// carried out by the network dispatcher (actors/README.md, "Network
/// dispatcher").
struct mdes_customer_service_options {
  /// Base URL (`{url}/csapi/v2/token/suspend?Format=JSON`). Empty: the
  /// dispatcher does not run; commands are still written and wait, PENDING,
  /// until a start with a URL.
  std::string url;
  /// OAuth 1.0a consumer key.
  std::string consumer_key;
  /// PEM text of the RSA private key that signs (a secret: never logged).
  std::string signing_key_pem;
  /// AuditInfo sent with every call.
  std::string audit_user_id;
  std::string audit_user_name;
  std::string audit_organization;
  /// Total time allowed for one call.
  std::chrono::milliseconds timeout{10000};
  /// Calls in flight at once (over all tokens; one per token at most).
  std::size_t max_in_flight = 16;
  /// Pending commands held in memory; the rest wait in LMDB
  /// (network_commands_pending) and are loaded in seq order.
  std::size_t max_tracked = 4096;
  /// Upper bound between two looks at pending commands and due retries
  /// (new commands wake the dispatcher at once; this is the fallback).
  std::chrono::milliseconds poll_interval{1000};
  /// How long a command waits for its token's tokenUniqueReference (MDES
  /// names it in notifyServiceActivated) before it FAILS with
  /// NO_TOKEN_UNIQUE_REFERENCE.
  std::chrono::milliseconds reference_wait{std::chrono::hours{24}};
  /// Retry delays: `retry_delays[i]` before attempt i + 1. Empty: the
  /// default schedule of actors/outbound/README.md. After the last: FAILED.
  std::vector<std::chrono::milliseconds> retry_delays;
  std::uint32_t retry_jitter_percent = 10;
  /// PEM file of trusted CAs for an https URL; empty: system defaults.
  std::string ca_file;
};

/// Everything the engine needs; the server fills it from its configuration.
struct engine_options {
  std::filesystem::path data_dir;
  persistence::env_options store; ///< `directory` is overwritten with data_dir
  persistence::group_commit_options commit;

  /// CAF scheduler threads (0: CAF's default) and policy ("sharing",
  /// "stealing" or "testing" for deterministic tests).
  std::size_t scheduler_threads = 2;
  std::string scheduler_policy = "sharing";
  /// Registry shards: ids are hashed onto this many registry actors.
  std::size_t shard_count = 8;
  /// Card and token actors idle this long are passivated.
  std::chrono::seconds passivate_after{300};
  /// Most live card + token actors; beyond it the least recently used go.
  std::size_t max_live_actors = 100000;

  std::vector<engine::partner_record> partners;
  std::vector<engine::card_product> products;
  engine::decision_policy decision;
  engine::otp_policy otp;
  /// Expired idempotency records (kept 24 h) are deleted this often, at
  /// most `idempotency_sweep_batch` per write unit (a full batch is
  /// followed at once by the next). 0 turns the sweeper off.
  std::chrono::milliseconds idempotency_sweep_interval{std::chrono::minutes{1}};
  std::size_t idempotency_sweep_batch = 1000;
  /// An unverified REQUESTED token is declined after this long.
  std::chrono::seconds verification_expiry{std::chrono::minutes{30}};
  /// The expiry scheduler looks for due verification deadlines (the
  /// durable deadline index) this often, so a decline fires at most this
  /// long after its deadline (a read of the token after the deadline
  /// declines it at once). 1 ms to 1 h.
  std::chrono::milliseconds expiry_scan_interval{1000};
  /// Due deadlines handled per batch (one expiry message each, all
  /// answered before the next batch; a full batch is followed at once by
  /// the next). 1 to 100000.
  std::size_t expiry_scan_batch = 256;
  /// Token BIN and length of generated DPANs.
  std::string token_bin = "489537";
  unsigned dpan_length = 16;

  /// Key material (raw bytes; 32 bytes each). Never logged.
  std::string pan_hash_key;
  std::string pan_encryption_key;
  std::string otp_key;

  /// Where SMS go. Default: a file sink at data_dir/sms.jsonl.
  std::shared_ptr<sms_gateway> sms;
  /// The clock (default: the system clock, milliseconds).
  std::function<engine::timestamp()> clock;
  /// Random sources, one per actor (default: OpenSSL's CSPRNG). Tests pass
  /// a factory of seeded generators so that a failure replays from a seed.
  std::function<std::unique_ptr<engine::random_source>()> random;

  /// Webhook endpoints, at most one per partner. The dispatcher runs when
  /// at least one is configured; events of partners without an endpoint
  /// are feed-only (delivery_status::feed_only, never delivered; see
  /// actors/README.md, "Feed-only events").
  std::vector<webhook_endpoint_config> webhooks;
  webhook_dispatcher_options dispatcher;
  /// Issuer → MDES calls (issue #21).
  mdes_customer_service_options mdes;
};

// -- the engine --------------------------------------------------------------

class engine_host {
public:
  /// Opens the store, seeds configured partners, starts the actor system.
  /// Errors: persistence errors (store cannot be opened), runtime_errc::
  /// invalid_options.
  [[nodiscard]] static caf::expected<std::unique_ptr<engine_host>> start(engine_options options);

  /// Stops accepting calls, waits for in-flight changes to be durable,
  /// stops the actor system and closes the store. Idempotent.
  void stop();
  ~engine_host();

  engine_host(const engine_host&) = delete;
  engine_host& operator=(const engine_host&) = delete;

  /// True while the store is open and calls are accepted.
  [[nodiscard]] bool ready() const noexcept;
  [[nodiscard]] runtime_stats stats() const;

  /// The stored answer for (scope, key), if any (a snapshot read; safe on
  /// any thread, does not block on the writer).
  [[nodiscard]] caf::expected<std::optional<persistence::idempotency_record>>
  find_idempotent(const engine::partner_id& scope, const std::string& key) const;

  // -- partner-facing (every call is scoped to `partner`: another partner's
  // -- ids answer not-found exactly like unknown ids) -------------------------

  void create_profile(engine::partner_id partner, profile_create req,
                      std::optional<idempotency<engine::profile_record>> idem,
                      callback<engine::profile_record> done);
  void update_profile(engine::partner_id partner, engine::profile_id id, profile_patch patch,
                      std::optional<idempotency<engine::profile_record>> idem,
                      callback<engine::profile_record> done);
  void get_profile(engine::partner_id partner, engine::profile_id id,
                   callback<engine::profile_record> done);

  void register_card(engine::partner_id partner, card_register req,
                     std::optional<idempotency<engine::card_record>> idem,
                     callback<engine::card_record> done);
  void get_card(engine::partner_id partner, engine::card_id id, callback<engine::card_record> done);
  /// Changes the card's state and cascades to its tokens (one atomic unit).
  void set_card_state(engine::partner_id partner, engine::card_id id, engine::card_state state,
                      std::optional<idempotency<engine::card_record>> idem,
                      callback<engine::card_record> done);

  void list_tokens(engine::partner_id partner, engine::card_id card,
                   callback<std::vector<engine::token_record>> done);
  /// Push provisioning: REQUESTED then ACTIVE at once (two transitions).
  void push_provision(engine::partner_id partner, engine::card_id card,
                      engine::wallet_provider wallet, engine::device_info device,
                      std::optional<idempotency<engine::token_record>> idem,
                      callback<engine::token_record> done);
  /// A partner-requested transition (channel PARTNER_API).
  void transition_token(engine::partner_id partner, engine::card_id card, engine::token_ref token,
                        engine::token_state target, std::string reason,
                        std::optional<idempotency<engine::token_record>> idem,
                        callback<engine::token_record> done);
  /// The same transition (channel PARTNER_API) reported by the card network
  /// itself (MDES notifyTokenUpdated: the issuer suspended it there): no
  /// network command is written, the network already knows (no echo).
  void transition_token_from_network(engine::partner_id partner, engine::card_id card,
                                     engine::token_ref token, engine::token_state target,
                                     std::string reason, callback<engine::token_record> done);
  /// In-app verification answer: APPROVE → ACTIVE, DECLINE → REQUEST_DECLINED.
  void activate(engine::partner_id partner, engine::card_id card, engine::token_ref token,
                engine::activation answer, std::optional<idempotency<engine::token_record>> idem,
                callback<engine::token_record> done);
  void get_token(engine::partner_id partner, engine::token_ref token,
                 callback<engine::token_record> done);
  void token_history(engine::partner_id partner, engine::token_ref token,
                     callback<std::vector<engine::transition_record>> done);
  /// Events (webhooks) emitted for `partner`, seq > after, at most limit.
  void events(engine::partner_id partner, std::uint64_t after, std::size_t limit,
              callback<event_page> done);
  /// Every recorded delivery attempt of one of `partner`'s events, oldest
  /// first (empty if none yet). Errors: runtime_errc::event_not_found
  /// (unknown, or another partner's event).
  void delivery_attempts(engine::partner_id partner, event_ref event,
                         callback<std::vector<persistence::delivery_attempt_record>> done);
  /// The delivery state of one of `partner`'s events (an event without
  /// attempts answers a pending state with 0 attempts).
  void delivery_state(engine::partner_id partner, event_ref event,
                      callback<persistence::delivery_state> done);
  /// Re-queues a delivered or dead-lettered event for delivery now (a new
  /// round of the retry schedule; attempts keep their numbering); a pending
  /// event is made due now. Answers the new state once it is durable.
  /// Errors: runtime_errc::event_not_found (also for another partner's
  /// event), runtime_errc::no_webhook_endpoint, runtime_errc::overloaded.
  void redeliver(engine::partner_id partner, event_ref event,
                 callback<persistence::delivery_state> done);
  /// The same with an Idempotency-Key: `render(state)` is stored under
  /// (partner, key) in a unit committed once the redelivery is durable. A
  /// crash in between, or a concurrent call with the same key (which then
  /// answers runtime_errc::idempotency_in_progress), may queue one more
  /// delivery: harmless under at-least-once delivery.
  void redeliver(engine::partner_id partner, event_ref event,
                 std::optional<idempotency<persistence::delivery_state>> idem,
                 callback<persistence::delivery_state> done);

  /// The token's network sync: its latest network command (nullopt: none
  /// was ever written). A snapshot read; safe on any thread, does not block
  /// on the writer. The caller has checked the token is visible.
  [[nodiscard]] caf::expected<std::optional<persistence::network_command>>
  network_sync(const engine::token_ref& token) const;
  /// Operator: retries the token's latest network command, which must be
  /// FAILED (a new round of the retry schedule, due now). Answers the
  /// command once it is PENDING again and durable. Errors:
  /// runtime_errc::network_command_not_found (the token has none),
  /// runtime_errc::network_command_not_failed, runtime_errc::
  /// no_network_dispatcher (no Customer Service URL configured),
  /// runtime_errc::overloaded.
  /// With an Idempotency-Key, `render(command)` is stored under
  /// (partner, key) in a unit committed once the retry is durable.
  void retry_network_command(engine::partner_id partner, engine::token_ref token,
                             std::optional<idempotency<persistence::network_command>> idem,
                             callback<persistence::network_command> done);

  // -- network-facing ---------------------------------------------------------

  void tokenize(tokenization_request req, std::optional<idempotency<tokenization_result>> idem,
                callback<tokenization_result> done);
  void choose_verification(engine::token_ref token, engine::verification_method method,
                           std::optional<idempotency<verification_started>> idem,
                           callback<verification_started> done);
  void submit_otp(engine::token_ref token, std::string code,
                  std::optional<idempotency<otp_outcome>> idem, callback<otp_outcome> done);
  void resend_otp(engine::token_ref token, std::optional<idempotency<verification_started>> idem,
                  callback<verification_started> done);
  /// DEVICE_LOST → SUSPENDED, DEVICE_FOUND → ACTIVE, DELETED_FROM_WALLET →
  /// TERMINATED (channel NETWORK).
  void network_event(engine::token_ref token, engine::network_event event,
                     std::optional<idempotency<engine::token_record>> idem,
                     callback<engine::token_record> done);
  void get_token_network(engine::token_ref token, callback<engine::token_record> done);
  /// The verification methods a REQUESTED token's card offers now (MDES
  /// requestActivationMethods): SMS_OTP with the destination masked (the
  /// partner's profile/card rule; absent without a destination) and IN_APP
  /// when the policy offers it; the list may be empty. Reads the token
  /// through its actor, then the card in one snapshot; changes nothing.
  /// Errors: token_not_found; token_final or no_pending_verification (the
  /// token is not REQUESTED); store errors.
  void offered_methods(engine::token_ref token, callback<std::vector<engine::offered_method>> done);
  /// The token a card network names `network_ref` (MDES's
  /// tokenUniqueReference), through the persistence index
  /// tokens_by_network_ref: token_not_found when none does (or the ref is
  /// empty or longer than an id).
  void find_token_by_network_ref(engine::card_network network, std::string network_ref,
                                 callback<engine::token_record> done);
  /// Delivers a code the card network generated (MDES
  /// deliverActivationCode) by SMS to the card's SMS destination, keeping no
  /// copy of it; the first delivery reaches the token's verification step
  /// (cards#manual-provisioning-verification, SMS_OTP). Errors:
  /// token_not_found, token_final / no_pending_verification (not
  /// REQUESTED), verification_method_unavailable (no SMS destination).
  void deliver_network_code(engine::token_ref token, std::string code,
                            std::optional<engine::timestamp> expires_at,
                            callback<verification_started> done);
  /// Records the network's name for the token (its tokenUniqueReference),
  /// and its expiry MMYY / last four when not empty, on the token's network
  /// identity and in the index, in one unit. Idempotent; another reference
  /// than the one recorded: token_exists; a reference that names another
  /// token: persistence conflict.
  void bind_network_ref(engine::token_ref token, engine::card_network network,
                        std::string network_ref, std::string token_expiry, std::string token_last4,
                        callback<engine::token_record> done);

  struct impl;

private:
  explicit engine_host(std::unique_ptr<impl> self);
  std::unique_ptr<impl> self_;
};

} // namespace dwt
