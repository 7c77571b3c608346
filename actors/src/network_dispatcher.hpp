#pragma once
/// @file
/// The network dispatcher actor (issue #21): carries out the durable
/// network commands (persistence network_commands) against the MDES
/// Customer Service API, one command at a time per token, in seq order,
/// with retries, and records each outcome (the token's networkSync). See
/// actors/README.md, "Network dispatcher".
///
/// Threading: the actor runs on CAF's scheduler; HTTP runs on the
/// dispatcher's own io_context thread (`network_io`), whose callbacks only
/// `anon_send` to the actor. Outcomes are committed through the
/// checkpointer (request/response). The signing key is only read.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>

#include "dwt/actors/messages.hpp"
#include "dwt/dwt.hpp"
#include "dwt/networks/keys.hpp"
#include "dwt/outbound/http_client.hpp"
#include "dwt/persistence/env.hpp"

namespace dwt::actors {

/// Named bounds of the dispatcher's configuration.
namespace network_dispatcher_limits {
inline constexpr std::size_t max_in_flight = 1024;
inline constexpr std::size_t max_tracked = 1 << 20;
inline constexpr std::chrono::milliseconds max_timeout{std::chrono::minutes{5}};
} // namespace network_dispatcher_limits

/// Dispatcher timer (with its generation).
using nd_tick_atom = caf::atom_constant<caf::atom("nd_tick")>;

/// The checkpointer to commit through, sent once after both are spawned
/// (the checkpointer also needs the dispatcher's handle); the dispatcher
/// starts working when it arrives.
struct nd_start {
  checkpointer_actor checkpointer;
};
/// Operator: retry the token's latest (FAILED) command.
struct nd_retry {
  engine::token_ref token;
};
/// Internal: a call finished (sent from the io thread).
struct nd_call_done {
  std::uint64_t seq = 0;
  outbound::http_result result;
};
/// Internal: an outcome's unit committed (ok) or not (passed from the
/// checkpointer's answer handler; not a message).
struct nd_recorded {
  std::uint64_t seq = 0;
  bool ok = false;
  persistence::network_command cmd;
};

/// Everything the dispatcher needs; `store` and the checkpointer must
/// outlive the actor.
struct network_dispatcher_context {
  engine_options options; ///< normalised (clock and random set)
  persistence::env* store = nullptr;
  networks::pkey_ptr signing_key;
  std::shared_ptr<outbound::http_client> client;
};

/// The dispatcher's io_context, its thread and the HTTP client.
class network_io {
public:
  /// Errors: runtime_errc::invalid_options (an unreadable CA file).
  [[nodiscard]] static caf::expected<std::unique_ptr<network_io>>
  start(const mdes_customer_service_options& o);
  ~network_io();
  network_io(const network_io&) = delete;
  network_io& operator=(const network_io&) = delete;
  network_io() = default; ///< use start()

  [[nodiscard]] std::shared_ptr<outbound::http_client> client() const { return client_; }
  /// Stops the io_context and joins its thread; call after the actor ended.
  void stop();

private:
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::shared_ptr<outbound::http_client> client_;
  std::thread thread_;
};

/// Checks `o` (when its url is set): a usable URL, a consumer key, a
/// signing key that parses, the audit fields, bounds. Returns the key.
/// Errors: runtime_errc::invalid_options (never quoting the key).
[[nodiscard]] caf::expected<networks::pkey_ptr>
check_mdes_options(const mdes_customer_service_options& o);

/// Spawns the dispatcher; it loads pending commands at once.
[[nodiscard]] caf::actor spawn_network_dispatcher(caf::actor_system& sys,
                                                  std::shared_ptr<network_dispatcher_context> ctx);

} // namespace dwt::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::nd_start)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::nd_retry)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::actors::nd_call_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(dwt::persistence::network_command)
