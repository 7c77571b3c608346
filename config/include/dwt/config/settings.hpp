#pragma once
/// @file
/// The whole dwt configuration as plain value structs. Every member carries
/// its default; `load_file` / `load_string` (load.hpp) fill them from TOML.
///
/// Secrets: API keys are kept only as their SHA-256 digest (raw 32 bytes),
/// never in clear. Key material (PAN hash key, PAN encryption key, OTP key)
/// and webhook secrets are kept decoded, as raw bytes, because the engine
/// needs them; they come from environment variables named in the file, or
/// from inline development values.
///
/// Threading: plain values; share by copy or by const reference.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dwt/engine/types.hpp"

namespace dwt::config {

/// HTTPS on the listener. `[listen.tls]`: both files or neither; absent
/// (both empty) means plain HTTP, the default. TLS 1.2 is the minimum.
struct tls_settings {
  /// PEM certificate chain (leaf first).
  std::string cert_file;
  /// PEM private key of the leaf certificate (unencrypted).
  std::string key_file;
  /// PEM CA certificates that sign the clients' certificates (mutual TLS).
  /// When set, the listener asks every client for a certificate and
  /// verifies the one it sends; the network routes then require one
  /// (actors/http/README.md, "Mutual TLS"). Empty: no client certificates.
  std::string client_ca_file;
  /// True when TLS is configured.
  [[nodiscard]] bool enabled() const noexcept { return !cert_file.empty(); }
  /// True when client certificates are asked for and verified.
  [[nodiscard]] bool mutual() const noexcept { return enabled() && !client_ca_file.empty(); }
};

/// Where the HTTP server listens. `[listen]`
struct listen_settings {
  std::string host = "127.0.0.1";
  /// 0 asks the OS for an ephemeral port.
  std::uint16_t port = 8080;
  /// `[listen.tls]`: serve HTTPS instead of HTTP.
  tls_settings tls;
};

/// `store.durability`: "sync" fsyncs every group commit, "nosync" leaves it
/// to the OS (faster, loses the last commits on power failure).
enum class durability : std::uint8_t { sync = 0, nosync = 1 };

/// Group commit of the single LMDB writer. `[store.group_commit]`
struct group_commit_settings {
  /// Most write units folded into one LMDB transaction.
  std::uint32_t max_batch = 1000;
  /// Longest the writer lingers for companions once its queue ran dry
  /// before the batch commits anyway. 0 (the default): no lingering, a
  /// batch is what queued up during the previous commit; measured faster
  /// under load than 2000 (bench/README.md, "Where the time goes now").
  std::uint32_t max_wait_us = 0;
  /// Bound of the writer's queue; beyond it writers are refused (overload).
  std::uint32_t max_queued_units = 100000;
};

/// The LMDB store. `[store]`
struct store_settings {
  /// Initial LMDB map size (1 GiB).
  std::uint64_t map_size_bytes = 1ULL << 30;
  /// The map grows up to this size (64 GiB).
  std::uint64_t max_map_size_bytes = 64ULL << 30;
  durability durability_mode = durability::sync;
  group_commit_settings group_commit;
};

/// The CAF runtime. `[runtime]`
struct runtime_settings {
  /// CAF `scheduler.max-threads`; 0 means "number of cores".
  std::uint32_t scheduler_max_threads = 0;
  /// Registry shards that own card/token actor look-up.
  std::uint32_t shard_count = 16;
  /// Card/token actors idle this long are passivated.
  std::chrono::seconds actor_idle_passivation{60};
  /// Bound of the live-actor cache; beyond it the least recently used idle
  /// actors are passivated.
  std::uint32_t max_live_actors = 200000;
  /// Expired idempotency records are deleted this often; 0 turns it off.
  std::chrono::seconds idempotency_sweep{60};
};

/// HTTP ingress limits. `[http]`
struct http_settings {
  /// Request line plus headers; beyond it 431.
  std::size_t max_header_bytes = 8 * 1024;
  /// Request body; beyond it 413 `payload_too_large`.
  std::size_t max_body_bytes = 64 * 1024;
  /// Open connections; a new connection beyond it gets 503 and is closed.
  std::uint32_t max_connections = 10000;
  /// A keep-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{30000};
  /// Reading one request (first byte to last) must finish within this.
  std::chrono::milliseconds read_timeout{10000};
  /// Writing one response must finish within this.
  std::chrono::milliseconds write_timeout{10000};
  /// Requests handed to the application and not yet answered, across the
  /// server; beyond it 503 `overloaded` with `Retry-After: 1`.
  std::uint32_t max_requests_in_flight = 4096;
  /// Asio I/O threads of the server.
  std::uint32_t io_threads = 1;
  /// `stop()` waits at most this long for in-flight requests.
  std::chrono::milliseconds shutdown_grace{5000};
};

/// A partner's webhook endpoint. `[partners.webhook]`
struct webhook_endpoint {
  std::string url;
  /// Decoded signing secrets (the bytes after `whsec_`, base64-decoded).
  /// The first is the current secret; the others are kept during rotation
  /// and also sign (Standard Webhooks allows several signatures).
  std::vector<std::string> secrets;
};

/// One partner. `[[partners]]`
struct partner_settings {
  engine::partner_id id;
  std::string name;
  /// SHA-256 of the partner's API key (raw 32 bytes). The clear key is
  /// never stored.
  std::string api_key_sha256;
  engine::date onboarded_on{};
  bool sms_destination_migrated = false;
  std::uint32_t max_tokens_per_card = 25;
  std::optional<webhook_endpoint> webhook;

  /// The engine's view of this partner.
  [[nodiscard]] engine::partner_record to_record() const {
    return engine::partner_record{id, name, onboarded_on, sms_destination_migrated,
                                  max_tokens_per_card};
  }
};

/// The card network (token service provider). `[network]`
struct network_settings {
  /// SHA-256 of the network API key (raw 32 bytes).
  std::string api_key_sha256;
};

/// Key material, decoded to raw bytes. `[keys]`
struct key_settings {
  /// HMAC-SHA256 key for PAN look-up hashes (>= 32 bytes).
  std::string pan_hash_key;
  /// AES-256-GCM key for sealed PANs (exactly 32 bytes).
  std::string pan_encryption_key;
  /// HMAC-SHA256 key for OTP hashes (>= 32 bytes).
  std::string otp_key;
};

/// One-time passcodes. `[otp]`
struct otp_settings {
  std::chrono::seconds ttl{600};
  std::uint32_t max_wrong_attempts = 3;
  std::uint32_t max_resends = 3;
};

/// Step-up verification. `[verification]`
struct verification_settings {
  /// A token in REQUIRE_VERIFICATION that is not verified (method chosen and
  /// completed, or partner APPROVE) within this is declined.
  std::chrono::seconds expiry{1800};
};

/// Tokenisation request velocity per card. `[velocity]`
struct velocity_settings {
  std::uint32_t max_requests_per_card = 10;
  std::chrono::seconds window{3600};
};

enum class sms_sink_kind : std::uint8_t { file = 0, twilio = 1 };

/// The Twilio Messages API client. `[sms.twilio]`
struct twilio_settings {
  std::string base_url = "https://api.twilio.com";
  std::string account_sid;
  /// Name of the environment variable that held the token (for messages).
  std::string auth_token_env;
  /// The resolved auth token.
  std::string auth_token;
  /// Sender number (E.164) or messaging service id.
  std::string from;
};

/// SMS delivery. `[sms]`
struct sms_settings {
  sms_sink_kind sink = sms_sink_kind::file;
  /// File sink: one JSON object per line.
  std::string file_path = "var/sms.jsonl";
  twilio_settings twilio;
};

/// Most attempts a custom webhook schedule may have; equals
/// dwt::outbound::max_retry_attempts (static_assert in the server's
/// engine_config.cpp), so a schedule the engine would refuse fails here,
/// at load time, with its key path.
inline constexpr std::uint32_t max_webhook_attempts = 64;

/// A custom webhook retry schedule (`[webhooks]` initial_backoff_ms,
/// max_backoff_ms, max_attempts, set together): attempt 1 at once, then
/// `initial_backoff` doubling up to `max_backoff`, `max_attempts` attempts
/// in all, then dead-letter.
struct webhook_backoff_settings {
  std::chrono::milliseconds initial_backoff{0};
  std::chrono::milliseconds max_backoff{0};
  std::uint32_t max_attempts = 0;
  friend bool operator==(const webhook_backoff_settings&,
                         const webhook_backoff_settings&) = default;
};

/// Webhook delivery. `[webhooks]`
struct webhook_delivery_settings {
  std::chrono::milliseconds timeout{5000};
  /// HTTP requests in flight per endpoint; the engine's default and why
  /// it is not lower: dwt::webhook_dispatcher_options.
  std::uint32_t max_concurrency_per_endpoint = 32;
  /// CA bundle for HTTPS endpoints; empty means the system default.
  std::string ca_file;
  /// nullopt (the default): the engine's built-in schedule
  /// (dwt::outbound::retry_schedule: 10 attempts, 5 s ... 24 h apart,
  /// dead-lettered ≈ 2.8–3.2 days after the first). Kept unset rather than
  /// copied here so the configuration cannot drift from the one table in
  /// actors/outbound, which this library must not depend on.
  std::optional<webhook_backoff_settings> backoff;
};

/// One issuer FLE private key of `[networks.mdes]` (`issuer_fle_keys`):
/// a PEM path, or a table `{key_file, certificate_file}` when MDES names
/// the key by its certificate's fingerprint.
struct mdes_fle_key_file {
  std::string key_file;
  /// Optional PEM certificate of the same key (empty: none).
  std::string certificate_file;
  friend bool operator==(const mdes_fle_key_file&, const mdes_fle_key_file&) = default;
};

/// Mastercard MDES issuer services. `[networks.mdes]`
///
/// Paths are read when the server starts (a bad file: `dwt-server` exits
/// 1), relative to its working directory like `data_dir`. The routes are
/// authenticated with the network API key (`[network]`) until mutual TLS
/// on the listener exists.
struct mdes_settings {
  bool enabled = false;
  /// Where the services are served: `{context_root}/authorizeService` ...
  /// Starts with '/', no trailing '/', segments of A-Z a-z 0-9 . _ ~ -.
  std::string context_root = "/mdes";
  /// Issuer FLE private keys (several during a rotation); each is indexed
  /// under every fingerprint variant (SPKI SHA-256 and SHA-1, and the
  /// certificate's when given). At least one when enabled.
  std::vector<mdes_fle_key_file> issuer_fle_keys;
  /// MDES's public key (PEM) that response payloads are encrypted to
  /// (empty: none configured).
  std::string network_fle_public_key;
  /// `walletId` → the engine's wallet (values APPLE_PAY, GOOGLE_PAY,
  /// SAMSUNG_PAY), as `[networks.mdes.wallet_ids]`.
  std::vector<std::pair<std::string, engine::wallet_provider>> wallet_ids;
  /// The wallet of a request whose walletId is absent or not mapped.
  engine::wallet_provider default_wallet = engine::wallet_provider::google_pay;

  // -- issuer → MDES: the Customer Service API (token/suspend, unsuspend,
  // -- delete when a partner or a card cascade changes an MDES token) ------
  /// Base URL (`{url}/csapi/v2/token/suspend?Format=JSON`); empty: no
  /// calls are made (commands are kept, PENDING, until one is set).
  std::string customer_service_url;
  /// OAuth 1.0a consumer key (required with a URL).
  std::string oauth_consumer_key;
  /// PEM path of the RSA private key that signs the calls (required with
  /// a URL; the development key is refused when DWT_ENV=production).
  std::string oauth_signing_key;
  /// AuditInfo of every call (required with a URL).
  std::string audit_user_id;
  std::string audit_user_name;
  std::string audit_organization;
  /// Total time for one call.
  std::chrono::milliseconds customer_service_timeout{10000};
  /// How long a command waits for MDES to name the token
  /// (tokenUniqueReference) before it fails.
  std::chrono::seconds token_reference_wait{24 * 3600};
  /// nullopt: the engine's built-in retry schedule; else
  /// `retry_initial_backoff_ms`, `retry_max_backoff_ms`,
  /// `retry_max_attempts` (set together, like `[webhooks]`).
  std::optional<webhook_backoff_settings> customer_service_backoff;
};

/// Card network adapters. `[networks]`
struct networks_settings {
  mdes_settings mdes;
};

/// The whole configuration.
struct settings {
  listen_settings listen;
  std::string data_dir = "var";
  store_settings store;
  runtime_settings runtime;
  http_settings http;
  network_settings network;
  std::vector<partner_settings> partners;
  std::vector<engine::card_product> card_products;
  /// BIN (6-8 digits) of the DPANs the engine issues.
  std::string token_bin = "489537";
  key_settings keys;
  otp_settings otp;
  verification_settings verification;
  velocity_settings velocity;
  sms_settings sms;
  webhook_delivery_settings webhooks;
  networks_settings networks;

  /// The partner with this id, or nullptr.
  [[nodiscard]] const partner_settings* find_partner(std::string_view id) const noexcept {
    for (const auto& p : partners)
      if (p.id.value == id)
        return &p;
    return nullptr;
  }
};

} // namespace dwt::config
