#include "dwt/outbound/twilio_sms.hpp"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>

#include "dwt/engine/crypto.hpp"
#include "dwt/outbound/form_encoding.hpp"

namespace dwt::outbound {

namespace {

[[nodiscard]] bool retryable(const http_result& r) noexcept {
  if (!r.ok())
    return !r.error.starts_with("invalid request");
  return r.status >= 500 || r.status == 429;
}

} // namespace

struct twilio_sms::state {
  boost::asio::io_context& io;
  std::shared_ptr<http_client> client;
  twilio_options options;
  std::string url;
  std::string authorization;
};

namespace {

/// One message's retries.
struct send_state {
  send_state(boost::asio::io_context& io, std::string body, std::function<void(bool)> cb)
      : form(std::move(body)), done(std::move(cb)), timer(io) {}
  std::string form;
  std::function<void(bool)> done;
  boost::asio::steady_timer timer;
  std::uint32_t attempts = 0;

  void finish(bool accepted) {
    auto cb = std::move(done);
    cb(accepted);
  }
};

void attempt(std::shared_ptr<const twilio_sms::state> cfg, std::shared_ptr<send_state> st) {
  ++st->attempts;
  http_request req;
  req.url = cfg->url;
  req.headers = {
      {"authorization", cfg->authorization},
      {"content-type", "application/x-www-form-urlencoded"},
      {"accept", "application/json"},
  };
  req.body = st->form;
  auto client = cfg->client;
  client->post(std::move(req), [cfg = std::move(cfg), st](http_result r) mutable {
    if (r.ok() && r.status >= 200 && r.status < 300)
      return st->finish(true);
    if (!retryable(r) || st->attempts >= cfg->options.max_attempts)
      return st->finish(false);
    const auto shift = std::min<std::uint32_t>(st->attempts - 1, 20);
    const auto backoff = std::min(cfg->options.initial_backoff * (std::int64_t{1} << shift),
                                  cfg->options.max_backoff);
    st->timer.expires_after(backoff);
    st->timer.async_wait([cfg = std::move(cfg), st](boost::system::error_code ec) mutable {
      if (ec)
        return st->finish(false);
      attempt(std::move(cfg), std::move(st));
    });
  });
}

} // namespace

twilio_sms::twilio_sms(boost::asio::io_context& io, std::shared_ptr<http_client> client,
                       twilio_options options) {
  options.max_attempts = std::clamp<std::uint32_t>(options.max_attempts, 1, max_twilio_attempts);
  std::string url = options.base_url;
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  url.append("/2010-04-01/Accounts/")
      .append(percent_encode(options.account_sid))
      .append("/Messages.json");
  std::string credentials = options.account_sid;
  credentials.push_back(':');
  credentials.append(options.auth_token);
  std::string authorization = "Basic ";
  authorization.append(engine::crypto::base64_encode(credentials));
  state_ = std::make_shared<const state>(
      state{io, std::move(client), std::move(options), std::move(url), std::move(authorization)});
}

const std::string& twilio_sms::messages_url() const noexcept {
  return state_->url;
}

void twilio_sms::send(sms_message msg, std::function<void(bool accepted)> done) {
  auto form = form_encode({{"To", msg.to}, {"From", state_->options.from}, {"Body", msg.body}});
  attempt(state_, std::make_shared<send_state>(state_->io, std::move(form), std::move(done)));
}

} // namespace dwt::outbound
