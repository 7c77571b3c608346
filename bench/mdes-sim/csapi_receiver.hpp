#pragma once
/// @file
/// The simulator's Customer Service API: what MDES answers when the issuer
/// calls `POST {base}/csapi/v2/token/suspend|unsuspend|delete|activate?Format=JSON`
/// (NETWORKS.md section 1). Each call's OAuth 1.0a signature (RSA-SHA256)
/// and `oauth_body_hash` are checked with `networks::oauth1::verify` against
/// the issuer's public key (config/dev/mdes-oauth.pub.pem for the
/// development key), then the timestamp window, nonce replay and, when
/// configured, the consumer key. Every call is recorded and handed to an
/// observer (the CLI writes JSON lines).
///
/// Answers: MDES's success body
/// `{"Token<Op>Response":{"Token":{"TokenUniqueReference","CommentId"}}}`;
/// in `mode::error` a non-recoverable `{"Errors":{"Error":[…]}}` (400), in
/// `mode::recoverable` a recoverable one (500), in `mode::down` a bare 503,
/// to play a network that refuses or is away. A bad signature is 401 with the
/// error shape, in every mode.
///
/// Admin (for tests and people, not MDES's): `GET {base}/_sim/calls` (every
/// recorded call), `POST {base}/_sim/mode` with `{"mode":"ok|error|recoverable|down"}`.
///
/// `handle` is the whole logic without sockets (tested directly); `start`
/// serves it on one I/O thread (Beast, coroutines), every connection and
/// body bounded by the named limits below.
///
/// Threading: `handle`, `calls`, `set_mode` may be called from any thread.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <caf/expected.hpp>

#include "dwt/networks/keys.hpp"

namespace dwt::mdes_sim {

namespace csapi_limits {
/// A request body (the Customer Service API's are a few hundred bytes).
inline constexpr std::size_t max_body_bytes = 64 * 1024;
/// Request header bytes.
inline constexpr std::size_t max_header_bytes = 8 * 1024;
/// Connections served at once (beyond: closed at once).
inline constexpr std::size_t max_connections = 256;
/// Calls kept for `calls()` (the oldest dropped first).
inline constexpr std::size_t max_recorded_calls = 10000;
/// Nonces remembered for the replay check.
inline constexpr std::size_t max_nonces = 100000;
/// Requests on one keep-alive connection (a bound, never reached).
inline constexpr std::uint64_t max_requests_per_connection = 1'000'000;
} // namespace csapi_limits

enum class csapi_mode { ok, error, recoverable, down };

[[nodiscard]] std::string_view to_string(csapi_mode m) noexcept;
[[nodiscard]] std::optional<csapi_mode> parse_csapi_mode(std::string_view s) noexcept;

struct csapi_options {
  /// Where to listen.
  std::string host = "127.0.0.1";
  std::uint16_t port = 8082;
  /// The path prefix dwt is configured with (`http://127.0.0.1:8082/mdes`).
  std::string base = "/mdes";
  /// The URL the caller signs is rebuilt as `http://{Host header}{target}`
  /// (a Host without a port gets the listener's); set this
  /// (scheme://host[:port]) when the caller signs another one (e.g. behind
  /// a proxy).
  std::string public_origin;
  /// Required `oauth_consumer_key`; empty: any.
  std::string consumer_key;
  /// Accepted distance of `oauth_timestamp` from now.
  std::chrono::seconds timestamp_window{300};
  csapi_mode mode = csapi_mode::ok;
  std::chrono::milliseconds io_timeout{10000};
};

/// One received call.
struct csapi_call {
  std::uint64_t seq = 0;
  std::string received_at; ///< ISO 8601
  std::string method;
  std::string target;
  /// suspend | unsuspend | delete | activate; "" when the path is none.
  std::string operation;
  bool signature_ok = false;
  /// The networks error code of the check (e.g. signature_mismatch,
  /// body_hash_mismatch), "replayed_nonce", "stale_timestamp",
  /// "wrong_consumer_key"; "" when verified.
  std::string auth_error;
  std::string consumer_key;
  std::string token_unique_reference;
  std::string reason_code;
  std::string body;
  int status = 0;
  std::string answer;

  /// One JSON object (a line of the call log).
  [[nodiscard]] std::string to_json() const;
};

/// What `handle` is given.
struct csapi_request {
  std::string method;
  std::string target;
  std::string host; ///< the Host header
  std::string authorization;
  std::string body;
};

struct csapi_response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class csapi_receiver {
public:
  using observer = std::function<void(const csapi_call&)>;
  using clock = std::function<std::chrono::system_clock::time_point()>;

  /// `oauth_public_key`: the issuer's signing key's public half. `now`
  /// defaults to the system clock.
  csapi_receiver(csapi_options opts, networks::pkey_ptr oauth_public_key, clock now = {});
  ~csapi_receiver();
  csapi_receiver(const csapi_receiver&) = delete;
  csapi_receiver& operator=(const csapi_receiver&) = delete;

  /// Loads the PEM public key file.
  [[nodiscard]] static caf::expected<std::unique_ptr<csapi_receiver>>
  from_key_file(csapi_options opts, const std::string& public_key_pem, clock now = {});

  void set_observer(observer o);

  /// The whole handling of one request (also what the server runs).
  csapi_response handle(const csapi_request& req);

  /// Binds and serves on a private thread. "" or why not.
  [[nodiscard]] std::string start();
  /// Stops serving (idempotent; also on destruction).
  void stop();
  /// The bound port (after start).
  [[nodiscard]] std::uint16_t port() const noexcept { return bound_port_; }

  [[nodiscard]] std::vector<csapi_call> calls() const;
  void set_mode(csapi_mode m);
  [[nodiscard]] csapi_mode mode() const;

private:
  struct server;
  csapi_response admin(const csapi_request& req, std::string_view path);
  void record(csapi_call call);
  /// "" or the freshness error; remembers the nonce.
  std::string check_fresh(std::uint64_t timestamp, const std::string& nonce);

  csapi_options opts_;
  networks::pkey_ptr key_;
  clock now_;
  mutable std::mutex mutex_;
  csapi_mode mode_;
  observer observer_;
  std::deque<csapi_call> calls_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t next_comment_ = 1;
  std::set<std::string> nonces_;
  std::deque<std::string> nonce_order_;
  std::unique_ptr<server> server_;
  std::uint16_t bound_port_ = 0;
};

} // namespace dwt::mdes_sim
