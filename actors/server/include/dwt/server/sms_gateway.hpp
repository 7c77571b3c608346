#pragma once
/// @file
/// The SMS gateway chosen by `[sms]`: the development file sink (path as
/// configured, relative to the working directory) or the Twilio Messages
/// API client of dwt::outbound, which runs on an io_context thread owned
/// here.
///
/// Threading: `make` and `stop` run on the owner's thread; the gateway is
/// thread-safe.

#include <memory>
#include <string>

#include "dwt/config/settings.hpp"
#include "dwt/sms.hpp"

namespace dwt::server {

class sms_resources {
public:
  struct state;

  /// The gateway for `settings`, or `error` (e.g. an unreadable CA file).
  struct made {
    std::unique_ptr<sms_resources> resources;
    std::string error;
  };
  [[nodiscard]] static made make(const config::sms_settings& settings, const std::string& ca_file);

  [[nodiscard]] std::shared_ptr<sms_gateway> gateway() const;

  /// Stops the Twilio client's thread (pending sends are abandoned). Call
  /// after the engine stopped. Idempotent.
  void stop();
  ~sms_resources();

  sms_resources(const sms_resources&) = delete;
  sms_resources& operator=(const sms_resources&) = delete;

private:
  explicit sms_resources(std::unique_ptr<state> self);
  std::unique_ptr<state> self_;
};

} // namespace dwt::server
