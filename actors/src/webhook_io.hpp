#pragma once
/// @file
/// The webhook dispatcher's own I/O: an asio io_context run by
/// `io_threads` threads, the outbound HTTP client on it and the webhook
/// sender. Kept apart from CAF's scheduler so that slow or hanging
/// endpoints never occupy an actor worker.
///
/// Threading: `sender()` may be used from any thread until `stop()`.
/// `stop()` (also run by the destructor) stops the io_context, joins its
/// threads and destroys pending handlers; call it only after the
/// dispatcher actor has terminated (nothing sends through it any more).

#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <caf/expected.hpp>

#include "dwt/dwt.hpp"
#include "dwt/outbound/webhook_sender.hpp"

namespace dwt::actors {

class webhook_io {
public:
  /// Creates the client (errors: runtime_errc::invalid_options, e.g. an
  /// unreadable CA file) and starts the threads.
  [[nodiscard]] static caf::expected<std::unique_ptr<webhook_io>>
  start(const webhook_dispatcher_options& options);

  ~webhook_io();
  webhook_io(const webhook_io&) = delete;
  webhook_io& operator=(const webhook_io&) = delete;

  [[nodiscard]] const outbound::webhook_sender& sender() const noexcept { return *sender_; }
  void stop();

  webhook_io() = default; ///< use start()

private:
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::shared_ptr<outbound::http_client> client_;
  std::unique_ptr<outbound::webhook_sender> sender_;
  std::vector<std::thread> threads_;
};

} // namespace dwt::actors
