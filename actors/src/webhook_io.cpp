/// @file
/// webhook_io: the dispatcher's io_context, threads and sender.

#include "webhook_io.hpp"

#include <algorithm>
#include <pthread.h>

#include "dwt/errors.hpp"
#include "webhook_config.hpp"

namespace dwt::actors {

caf::expected<std::unique_ptr<webhook_io>> webhook_io::start(const webhook_dispatcher_options& o) {
  auto self = std::make_unique<webhook_io>();
  outbound::http_client_options http;
  http.timeout = o.timeout;
  http.ca_file = o.ca_file;
  http.max_idle_per_endpoint = std::max<std::size_t>(1, o.max_concurrent_per_endpoint);
  http.user_agent = std::string{outbound::default_webhook_user_agent};
  auto created = outbound::http_client::create(self->io_, std::move(http));
  if (!created.client)
    return make_error(runtime_errc::invalid_options, "webhook client: " + created.error);
  self->client_ = std::move(created.client);
  self->sender_ = std::make_unique<outbound::webhook_sender>(self->client_);
  self->work_ =
      std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          self->io_.get_executor());
  const auto n = std::clamp<std::size_t>(o.io_threads, 1, max_webhook_io_threads);
  for (std::size_t i = 0; i < n; ++i)
    self->threads_.emplace_back([io = &self->io_] {
      pthread_setname_np(pthread_self(), "dwt.webhook-io");
      io->run();
    });
  return self;
}

webhook_io::~webhook_io() {
  stop();
}

void webhook_io::stop() {
  work_.reset();
  io_.stop();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
  threads_.clear();
}

} // namespace dwt::actors
