#pragma once
/// @file
/// The SMS gateway interface, and the development file sink: one JSON
/// object per line, `{"to", "body", "sentAt"}`, appended to a file.
///
/// Threading: `send` may be called from any thread; `done` is called
/// exactly once, from any thread, and must not block. Implementations never
/// log the body (it holds the OTP).

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "dwt/engine/types.hpp"

namespace dwt {

struct sms_message {
  std::string to; ///< E.164
  std::string body;
  engine::timestamp sent_at{};
};

class sms_gateway {
public:
  virtual ~sms_gateway() = default;
  /// Hands one message to the gateway; `done(true)` once accepted.
  virtual void send(sms_message msg, std::function<void(bool accepted)> done) = 0;
};

/// Appends each message as one JSON line to `path` (created with mode 0600;
/// parent directories are created). Thread-safe.
[[nodiscard]] std::shared_ptr<sms_gateway> make_file_sms_sink(std::filesystem::path path);

} // namespace dwt
