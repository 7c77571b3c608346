/// @file
/// The configured SMS gateway and the io_context thread of the Twilio
/// client (sms_gateway.hpp).

#include "dwt/server/sms_gateway.hpp"

#include <optional>
#include <pthread.h>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "dwt/outbound/http_client.hpp"
#include "dwt/outbound/twilio_sms.hpp"

namespace dwt::server {

namespace {

/// Owns the Twilio gateway together with its io_context. Members are
/// destroyed in reverse order, so the gateway (and the pooled connections of
/// its HTTP client) goes first, while the io_context whose reactor their
/// sockets are registered with still exists, whoever drops the last
/// reference: the verification pool may hold the gateway beyond
/// `sms_resources` (found by ASan: a pooled socket closed after its
/// io_context was freed, at shutdown).
struct twilio_holder {
  std::shared_ptr<boost::asio::io_context> io;
  std::shared_ptr<outbound::twilio_sms> sms;
};

} // namespace

struct sms_resources::state {
  std::shared_ptr<sms_gateway> gateway;
  /// Only for Twilio: the client's io_context (shared with the gateway's
  /// holder, above) and its one thread.
  std::shared_ptr<boost::asio::io_context> io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::thread thread;
};

sms_resources::sms_resources(std::unique_ptr<state> self) : self_(std::move(self)) {}

sms_resources::~sms_resources() {
  stop();
}

std::shared_ptr<sms_gateway> sms_resources::gateway() const {
  return self_->gateway;
}

void sms_resources::stop() {
  if (!self_ || !self_->io)
    return;
  self_->work.reset();
  self_->io->stop();
  if (self_->thread.joinable())
    self_->thread.join();
}

sms_resources::made sms_resources::make(const config::sms_settings& settings,
                                        const std::string& ca_file) {
  auto st = std::make_unique<state>();
  if (settings.sink == config::sms_sink_kind::file) {
    // Relative paths are relative to the working directory, as configured.
    st->gateway = make_file_sms_sink(settings.file_path);
    return {std::unique_ptr<sms_resources>{new sms_resources{std::move(st)}}, {}};
  }
  st->io = std::make_shared<boost::asio::io_context>(1);
  outbound::http_client_options client_options;
  client_options.ca_file = ca_file;
  auto client = outbound::http_client::create(*st->io, client_options);
  if (!client.client)
    return {nullptr, "sms.twilio: " + client.error};
  outbound::twilio_options t;
  t.base_url = settings.twilio.base_url;
  t.account_sid = settings.twilio.account_sid;
  t.auth_token = settings.twilio.auth_token;
  t.from = settings.twilio.from;
  auto holder = std::make_shared<twilio_holder>();
  holder->io = st->io;
  holder->sms = std::make_shared<outbound::twilio_sms>(*st->io, client.client, std::move(t));
  // Aliasing constructor: the gateway pointer keeps the whole holder alive.
  st->gateway = std::shared_ptr<sms_gateway>{holder, holder->sms.get()};
  st->work.emplace(st->io->get_executor());
  st->thread = std::thread{[io = st->io.get()] {
    pthread_setname_np(pthread_self(), "dwt.sms-io");
    io->run();
  }};
  return {std::unique_ptr<sms_resources>{new sms_resources{std::move(st)}}, {}};
}

} // namespace dwt::server
