#include "dwt/outbound/webhook_sender.hpp"

#include <algorithm>
#include <chrono>
#include <span>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "dwt/engine/json.hpp"

namespace dwt::outbound {

namespace {

[[nodiscard]] std::string clip(std::string s) {
  if (s.size() > max_attempt_error_size)
    s.resize(max_attempt_error_size);
  return s;
}

} // namespace

std::string_view to_string(delivery_outcome o) noexcept {
  switch (o) {
  case delivery_outcome::delivered:
    return "delivered";
  case delivery_outcome::retry:
    return "retry";
  case delivery_outcome::invalid:
    return "invalid";
  }
  return "unknown";
}

std::optional<std::string> webhook_body(const persistence::outbox_event& event) {
  if (event.payload.size() > max_webhook_payload_size)
    return std::nullopt;
  // The payload is checked, not rebuilt: engine::json serialised it when the
  // event was written. The check parses into a stack arena (no heap for
  // payloads up to its size) and the text is then copied into the envelope;
  // a DOM copy and a second serialisation cost ~2x (bench: BM_webhook_body).
  // The check is what the envelope's precondition asks for.
  unsigned char arena[4096];
  boost::json::monotonic_resource scratch{arena, sizeof arena};
  boost::system::error_code ec;
  (void)boost::json::parse(event.payload, ec, &scratch);
  if (ec)
    return std::nullopt;
  return engine::json::webhook_body(event.type, event.created_at, event.payload);
}

delivery_outcome classify(const http_result& result) noexcept {
  if (result.status >= 200 && result.status < 300 && result.ok())
    return delivery_outcome::delivered;
  return delivery_outcome::retry;
}

webhook_sender::webhook_sender(std::shared_ptr<http_client> client, std::string user_agent)
    : client_(std::move(client)), user_agent_(std::move(user_agent)) {}

void webhook_sender::send(const persistence::outbox_event& event, const webhook_endpoint& endpoint,
                          engine::timestamp now, std::function<void(delivery_attempt)> done) const {
  delivery_attempt attempt;
  attempt.at = now;
  auto invalid = [&](std::string why) {
    attempt.outcome = delivery_outcome::invalid;
    attempt.error = std::move(why);
    done(std::move(attempt));
  };
  if (endpoint.secrets.empty() || endpoint.secrets.size() > standard_webhooks::max_active_secrets)
    return invalid("endpoint: no or too many secrets");
  if (event.event_id.empty())
    return invalid("event: no id");
  auto body = webhook_body(event);
  if (!body)
    return invalid("event: payload is not JSON or too large");

  const auto seconds = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  http_request req;
  req.url = endpoint.url;
  // emplace_back, not an initializer list: that would build each string
  // twice (the list's elements are copied, never moved).
  req.headers.reserve(5);
  req.headers.emplace_back(standard_webhooks::id_header, event.event_id);
  req.headers.emplace_back(standard_webhooks::timestamp_header, std::to_string(seconds));
  req.headers.emplace_back(
      standard_webhooks::signature_header_name,
      standard_webhooks::signature_header(endpoint.secrets, event.event_id, seconds, *body));
  req.headers.emplace_back("content-type", "application/json");
  req.headers.emplace_back("user-agent", user_agent_);
  req.body = std::move(*body);
  client_->post(std::move(req), [attempt, done = std::move(done)](http_result r) mutable {
    attempt.status = static_cast<std::uint16_t>(std::min(r.status, 999u));
    attempt.latency_ms = static_cast<std::uint32_t>(std::max<std::int64_t>(r.latency.count(), 0));
    attempt.outcome = classify(r);
    if (r.error.starts_with("invalid request"))
      attempt.outcome = delivery_outcome::invalid;
    attempt.error = clip(std::move(r.error));
    done(std::move(attempt));
  });
}

} // namespace dwt::outbound
