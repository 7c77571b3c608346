#include "dwt/outbound/webhook_sender.hpp"

#include <algorithm>
#include <chrono>
#include <span>

#include <boost/json/basic_parser_impl.hpp>

#include "dwt/engine/json.hpp"

namespace dwt::outbound {

namespace {

/// A boost::json::basic_parser handler that builds nothing: the parser
/// alone checks the grammar (and the nesting limit), which is all
/// `webhook_body` needs of the stored payload. Parsing into a DOM, even on a
/// stack arena, built every string and object only to drop them.
struct json_validator {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  using error_code = boost::system::error_code;
  using string_view = boost::json::string_view;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t, error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_key_part(string_view, std::size_t, error_code&) { return true; }
  bool on_key(string_view, std::size_t, error_code&) { return true; }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
  bool on_double(double, string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

/// True if `text` is exactly one JSON value (RFC 8259, as boost::json::parse
/// accepts it with default options), with nothing after it.
[[nodiscard]] bool is_json(std::string_view text) {
  boost::json::basic_parser<json_validator> p{boost::json::parse_options{}};
  boost::system::error_code ec;
  const auto n = p.write_some(false, text.data(), text.size(), ec);
  return !ec && n == text.size() && p.done();
}

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
  // event was written. The check runs the parser without building a value
  // (is_json) and the text is then copied into the envelope; a DOM copy and
  // a second serialisation cost ~2x (bench: BM_webhook_body). The check is
  // what the envelope's precondition asks for.
  if (!is_json(event.payload))
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
