/// @file
/// Route answers (render.hpp).

#include "render.hpp"

#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "dwt/actors/network_sync.hpp"
#include "dwt/engine/enums.hpp"
#include "dwt/engine/errc.hpp"
#include "dwt/engine/json.hpp"
#include "respond.hpp"

namespace dwt::server::render {

namespace json = boost::json;

namespace {

rendered_response ok(std::uint16_t status, const json::value& v) {
  return rendered_response{status, json::serialize(v)};
}

/// `status` with the JSON of one record, built on a stack arena
/// (engine::json::scratch_serialize): the one-record answers of the hot
/// paths allocate only their text.
template <class Record>
rendered_response ok_record(std::uint16_t status, const Record& r,
                            json::object (*build)(const Record&, json::storage_ptr)) {
  return rendered_response{status, engine::json::scratch_serialize([&](json::storage_ptr sp) {
                             return build(r, std::move(sp));
                           })};
}

json::string str(std::string_view s) {
  return json::string{s.data(), s.size()};
}

} // namespace

rendered_response profile_created(const engine::profile_record& p) {
  return ok_record(201, p, &engine::json::profile);
}

rendered_response profile(const engine::profile_record& p) {
  return ok_record(200, p, &engine::json::profile);
}

rendered_response card_created(const engine::card_record& c) {
  return ok_record(201, c, &engine::json::card);
}

rendered_response card(const engine::card_record& c) {
  return ok_record(200, c, &engine::json::card);
}

rendered_response token_created(const engine::token_record& t) {
  return ok_record(201, t, &engine::json::token);
}

rendered_response token(const engine::token_record& t) {
  return ok_record(200, t, &engine::json::token);
}

rendered_response token_list(const std::vector<engine::token_record>& ts) {
  json::array data;
  data.reserve(ts.size());
  for (const auto& t : ts)
    data.emplace_back(engine::json::token(t));
  json::object o;
  o["data"] = std::move(data);
  return ok(200, o);
}

rendered_response transition_result(const engine::token_record& t) {
  json::object o;
  o["state"] = str(engine::to_string(t.state));
  o["digitalWalletToken"] = t.ref.value;
  o["fulfillmentStatus"] = str(engine::to_string(t.fulfillment));
  return ok(201, o);
}

rendered_response activation(const engine::token_record&) {
  return rendered_response{204, {}};
}

rendered_response history(const std::vector<engine::transition_record>& h) {
  json::array data;
  data.reserve(h.size());
  for (const auto& r : h)
    data.emplace_back(engine::json::transition(r));
  json::object o;
  o["data"] = std::move(data);
  return ok(200, o);
}

rendered_response events(const event_page& page) {
  json::array data;
  data.reserve(page.events.size());
  for (const auto& e : page.events) {
    json::object ev;
    ev["id"] = e.event_id;
    ev["seq"] = e.seq;
    ev["type"] = e.type;
    ev["timestamp"] = engine::json::rfc3339(e.created_at);
    if (!e.token.empty())
      ev["tokenUniqueReference"] = e.token.value;
    boost::system::error_code ec;
    auto payload = json::parse(e.payload, ec);
    ev["data"] = ec ? json::value(json::object{}) : std::move(payload);
    data.emplace_back(std::move(ev));
  }
  json::object o;
  o["data"] = std::move(data);
  // The cursor is opaque text; null only while the feed is empty.
  if (page.next == 0)
    o["next"] = nullptr;
  else
    o["next"] = std::to_string(page.next);
  return ok(200, o);
}

namespace {

std::string_view status_name(persistence::delivery_status s) {
  switch (s) {
  case persistence::delivery_status::pending:
    return "PENDING";
  case persistence::delivery_status::delivered:
    return "DELIVERED";
  case persistence::delivery_status::dead_lettered:
    return "DEAD_LETTERED";
  case persistence::delivery_status::feed_only:
    return "FEED_ONLY";
  }
  return "PENDING";
}

/// `{status, attempts, nextAttemptAt, updatedAt}`; nextAttemptAt is null
/// unless the event is pending.
json::object delivery_state_json(const persistence::delivery_state& s) {
  json::object o;
  o["status"] = str(status_name(s.status));
  o["attempts"] = s.attempts;
  if (s.status == persistence::delivery_status::pending)
    o["nextAttemptAt"] = engine::json::rfc3339(s.next_attempt_at);
  else
    o["nextAttemptAt"] = nullptr;
  o["updatedAt"] = engine::json::rfc3339(s.updated_at);
  return o;
}

/// `{status, network, operation, attempts, updatedAt, nextAttemptAt,
/// error}`; nextAttemptAt is null unless pending, error null when none.
json::object network_sync_json(const persistence::network_command& c) {
  json::object o;
  o["status"] = str(actors::to_string(c.status));
  o["network"] = "MDES";
  o["operation"] = str(actors::to_string(c.operation));
  o["attempts"] = c.attempts;
  o["updatedAt"] = engine::json::rfc3339(c.updated_at);
  if (c.status == persistence::network_sync_status::pending)
    o["nextAttemptAt"] = engine::json::rfc3339(c.next_attempt_at);
  else
    o["nextAttemptAt"] = nullptr;
  if (c.error_source.empty() && c.error_reason_code.empty()) {
    o["error"] = nullptr;
  } else {
    json::object e;
    e["source"] = c.error_source;
    e["reasonCode"] = c.error_reason_code;
    e["description"] = c.error_description;
    if (c.http_status != 0)
      e["httpStatus"] = c.http_status;
    else
      e["httpStatus"] = nullptr;
    o["error"] = std::move(e);
  }
  return o;
}

} // namespace

rendered_response token_with_sync(const engine::token_record& t,
                                  const std::optional<persistence::network_command>& sync) {
  if (!sync)
    return token(t);
  auto o = engine::json::token(t, {});
  o["networkSync"] = network_sync_json(*sync);
  return ok(200, o);
}

rendered_response network_sync(const persistence::network_command& c) {
  return ok(202, network_sync_json(c));
}

rendered_response deliveries(const delivery_report& r) {
  json::array data;
  data.reserve(r.attempts.size());
  for (const auto& a : r.attempts) {
    json::object o;
    o["attempt"] = a.attempt_no;
    o["at"] = engine::json::rfc3339(a.at);
    if (a.status == 0)
      o["status"] = nullptr;
    else
      o["status"] = a.status;
    o["latencyMs"] = a.latency_ms;
    if (a.error.empty())
      o["error"] = nullptr;
    else
      o["error"] = a.error;
    const bool delivered = a.status >= 200 && a.status < 300;
    o["outcome"] = delivered ? "DELIVERED" : "FAILED";
    data.emplace_back(std::move(o));
  }
  json::object o;
  o["data"] = std::move(data);
  o["state"] = delivery_state_json(r.state);
  return ok(200, o);
}

rendered_response redelivery(const persistence::delivery_state& s) {
  return ok(202, delivery_state_json(s));
}

rendered_response tokenization(const tokenization_result& r) {
  json::object o;
  o["decision"] = str(engine::to_string(r.decision));
  o["tokenUniqueReference"] = r.token_ref.value;
  o["state"] = str(engine::to_string(r.state));
  if (r.reason != engine::errc::ok)
    o["reason"] = str(engine::to_code(r.reason));
  if (!r.methods.empty()) {
    json::array methods;
    for (const auto& m : r.methods) {
      json::object mo;
      mo["type"] = str(engine::to_string(m.type));
      if (m.type == engine::verification_method::sms_otp)
        mo["destination"] = m.destination_masked;
      methods.emplace_back(std::move(mo));
    }
    o["verificationMethods"] = std::move(methods);
  }
  return ok(200, o);
}

rendered_response verification_started(const dwt::verification_started& v) {
  json::object o;
  o["method"] = str(engine::to_string(v.method));
  o["expiresAt"] = engine::json::rfc3339(v.expires_at);
  return ok(202, o);
}

rendered_response otp(const otp_outcome& o) {
  switch (o.result) {
  case engine::otp_result::verified: {
    json::object body;
    body["result"] = "VERIFIED";
    body["state"] = str(engine::to_string(o.token.state));
    return ok(200, body);
  }
  case engine::otp_result::incorrect: {
    json::object extra;
    extra["attemptsLeft"] = o.attempts_left;
    return {422,
            problem_body(422, "otp_incorrect", "The one-time code is wrong.", std::move(extra))};
  }
  case engine::otp_result::exhausted:
    return {422, problem_body(422, "otp_attempts_exhausted",
                              "Too many wrong codes: the request was declined; start again.")};
  case engine::otp_result::expired:
    return {422, problem_body(422, "otp_expired",
                              "The verification expired: the request was declined; start "
                              "again.")};
  }
  return {500, problem_body(500, "internal", "unexpected OTP result")};
}

} // namespace dwt::server::render
