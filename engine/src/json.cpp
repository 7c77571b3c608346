#include "dwt/engine/json.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/enums.hpp"

namespace dwt::engine::json {

namespace bj = boost::json;

namespace {

[[nodiscard]] bj::string_view sv(std::string_view s) noexcept {
  return {s.data(), s.size()};
}

[[nodiscard]] bool digits_at(std::string_view s, std::size_t pos, std::size_t n,
                             unsigned& out) noexcept {
  if (pos + n > s.size())
    return false;
  unsigned v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  out = v;
  return true;
}

} // namespace

rfc3339_text format_rfc3339(timestamp t) noexcept {
  using namespace std::chrono;
  // RFC 3339 years have four digits: clamp to 0000-01-01 .. 9999-12-31.
  // This also keeps the calendar arithmetic below from overflowing (UB) on
  // an extreme timestamp, e.g. one read from a corrupt stored record.
  constexpr timestamp earliest{sys_days{year{0} / January / 1}};
  constexpr timestamp latest{sys_days{year{9999} / December / 31} + days{1} - milliseconds{1}};
  t = std::clamp(t, earliest, latest);
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{t - day};
  rfc3339_text out{};
  char* p = out.chars;
  // Fixed-width decimal fields; no printf (its locale and format parsing
  // cost more than the rest of a token's JSON).
  const auto put = [&p](unsigned v, int width, char after) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    p += width;
    if (after != '\0')
      *p++ = after;
  };
  put(static_cast<unsigned>(static_cast<int>(ymd.year())), 4, '-');
  put(static_cast<unsigned>(ymd.month()), 2, '-');
  put(static_cast<unsigned>(ymd.day()), 2, 'T');
  put(static_cast<unsigned>(hms.hours().count()), 2, ':');
  put(static_cast<unsigned>(hms.minutes().count()), 2, ':');
  put(static_cast<unsigned>(hms.seconds().count()), 2, '.');
  put(static_cast<unsigned>(hms.subseconds().count()), 3, 'Z');
  DWT_ASSERT(p == out.chars + sizeof out.chars);
  return out;
}

std::string rfc3339(timestamp t) {
  return std::string{format_rfc3339(t).view()};
}

std::optional<timestamp> parse_rfc3339(std::string_view s) noexcept {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (s.size() < 20 || !digits_at(s, 0, 4, y) || s[4] != '-' || !digits_at(s, 5, 2, mo) ||
      s[7] != '-' || !digits_at(s, 8, 2, d) || s[10] != 'T' || !digits_at(s, 11, 2, h) ||
      s[13] != ':' || !digits_at(s, 14, 2, mi) || s[16] != ':' || !digits_at(s, 17, 2, se))
    return std::nullopt;
  std::size_t pos = 19;
  unsigned millis = 0;
  if (s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    unsigned scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += static_cast<unsigned>(s[pos] - '0') * scale; // digits past ms are truncated
      scale /= 10;
      ++pos;
    }
    if (pos == start || pos - start > 9)
      return std::nullopt;
  }
  const auto zone = s.substr(pos);
  if (zone != "Z" && zone != "+00:00")
    return std::nullopt;
  const year_month_day ymd{year{static_cast<int>(y)}, month{mo}, day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 59)
    return std::nullopt;
  return timestamp{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{se} + milliseconds{millis};
}

bj::object profile(const profile_record& p, bj::storage_ptr sp) {
  bj::object o{std::move(sp)};
  o.reserve(5);
  o["id"] = sv(p.id.str());
  o["phoneNumber"] = sv(p.phone_number);
  if (p.email)
    o["email"] = sv(*p.email);
  else
    o["email"] = nullptr;
  o["createdAt"] = sv(format_rfc3339(p.created_at).view());
  o["updatedAt"] = sv(format_rfc3339(p.updated_at).view());
  return o;
}

bj::object card(const card_record& c, bj::storage_ptr sp) {
  bj::object o{std::move(sp)};
  o.reserve(10);
  o["id"] = sv(c.id.str());
  o["profileId"] = sv(c.profile.str());
  o["last4"] = sv(c.last4);
  o["expiryMonth"] = c.expiry_month;
  o["expiryYear"] = c.expiry_year;
  o["cardProduct"] = sv(c.card_product);
  o["type"] = sv(to_string(c.type));
  o["state"] = sv(to_string(c.state));
  o["createdAt"] = sv(format_rfc3339(c.created_at).view());
  o["updatedAt"] = sv(format_rfc3339(c.updated_at).view());
  return o;
}

bj::object device(const device_info& d, bj::storage_ptr sp) {
  bj::object o{std::move(sp)};
  o.reserve(3);
  o["id"] = sv(d.id);
  o["type"] = sv(to_string(d.type));
  o["name"] = sv(d.name);
  return o;
}

namespace {

void put_text(bj::object& o, std::string_view key, const std::string& v) {
  if (!v.empty())
    o[key] = sv(v);
}

void put_count(bj::object& o, std::string_view key, const std::optional<std::uint32_t>& v) {
  if (v)
    o[key] = *v;
}

} // namespace

bj::object network(const network_identity& n, bj::storage_ptr sp) {
  bj::object o{std::move(sp)};
  o.reserve(12);
  o["network"] = sv(to_string(n.network));
  put_text(o, "tokenUniqueReference", n.token_unique_reference);
  put_text(o, "panUniqueReference", n.pan_unique_reference);
  put_text(o, "correlationId", n.correlation_id);
  put_text(o, "tokenRequestorId", n.token_requestor_id);
  put_text(o, "walletId", n.wallet_id);
  put_text(o, "paymentAppInstanceId", n.payment_app_instance_id);
  put_text(o, "tokenType", n.token_type);
  put_text(o, "tokenExpiry", n.token_expiry);
  bj::object d{o.storage()};
  put_text(d, "name", n.device_name);
  put_text(d, "serialNumber", n.serial_number);
  put_text(d, "formFactor", n.form_factor);
  put_text(d, "isoDeviceType", n.iso_device_type);
  put_text(d, "osName", n.os_name);
  put_text(d, "osVersion", n.os_version);
  o["device"] = std::move(d);
  const auto& k = n.risk;
  bj::object r{o.storage()};
  put_text(r, "recommendedDecision", k.recommended_decision);
  put_text(r, "recommendationStandardVersion", k.recommendation_standard_version);
  put_count(r, "deviceScore", k.device_score);
  put_count(r, "accountScore", k.account_score);
  put_count(r, "phoneNumberScore", k.phone_number_score);
  if (!k.recommendation_reasons.empty()) {
    bj::array reasons(o.storage());
    reasons.reserve(k.recommendation_reasons.size());
    for (const auto& reason : k.recommendation_reasons)
      reasons.emplace_back(sv(reason));
    r["recommendationReasons"] = std::move(reasons);
  }
  put_count(r, "activeTokenCount", k.active_token_count);
  put_text(r, "cvcResponse", k.cvc_result);
  if (k.data_valid_until)
    r["dataValidUntil"] = sv(format_rfc3339(*k.data_valid_until).view());
  put_text(r, "cardSource", k.card_source);
  o["risk"] = std::move(r);
  return o;
}

bj::object token(const token_record& t, bj::storage_ptr sp) {
  bj::object o{std::move(sp)};
  o.reserve(11);
  o["tokenUniqueReference"] = sv(t.ref.str());
  o["cardId"] = sv(t.card.str());
  o["walletProvider"] = sv(to_string(t.wallet));
  o["device"] = device(t.device, o.storage());
  o["state"] = sv(to_string(t.state));
  o["fulfillmentStatus"] = sv(to_string(t.fulfillment));
  o["last4"] = sv(t.last4);
  o["tokenLast4"] = sv(t.token_last4);
  o["createdAt"] = sv(format_rfc3339(t.created_at).view());
  o["updatedAt"] = sv(format_rfc3339(t.updated_at).view());
  if (t.network)
    o["network"] = network(*t.network, o.storage());
  return o;
}

bj::object transition(const transition_record& r, bj::storage_ptr sp) {
  bj::object o{std::move(sp)};
  o.reserve(10); // + walletProvider in transition_event_data
  o["id"] = sv(r.id);
  o["tokenUniqueReference"] = sv(r.token.str());
  o["cardId"] = sv(r.card.str());
  if (r.from_state)
    o["fromState"] = sv(to_string(*r.from_state));
  else
    o["fromState"] = nullptr;
  o["state"] = sv(to_string(r.to_state));
  o["fulfillmentStatus"] = sv(to_string(r.fulfillment));
  o["reason"] = sv(r.reason);
  o["channel"] = sv(to_string(r.by));
  o["createdAt"] = sv(format_rfc3339(r.created_at).view());
  return o;
}

bj::object transition_event_data(const transition_record& r, wallet_provider wallet,
                                 bj::storage_ptr sp) {
  auto o = transition(r, std::move(sp));
  o["walletProvider"] = sv(to_string(wallet));
  return o;
}

bj::object transition_event_data(const transition_record& r, const token_record& t,
                                 bj::storage_ptr sp) {
  auto o = transition_event_data(r, t.wallet, std::move(sp));
  if (t.network) {
    bj::object n{o.storage()};
    n["network"] = sv(to_string(t.network->network));
    put_text(n, "tokenUniqueReference", t.network->token_unique_reference);
    o["network"] = std::move(n);
  }
  return o;
}

bj::object manual_verification_event_data(const token_record& t, verification_method method,
                                          bj::storage_ptr sp) {
  bj::object o{std::move(sp)};
  o.reserve(6);
  o["cardId"] = sv(t.card.str());
  o["last4"] = sv(t.last4);
  o["provisioningRequestedAt"] = sv(format_rfc3339(t.created_at).view());
  o["walletProvider"] = sv(to_string(t.wallet));
  o["tokenUniqueReference"] = sv(t.ref.str());
  o["verificationMethod"] = sv(to_string(method));
  return o;
}

std::string webhook_body(std::string_view type, timestamp at, const bj::object& data) {
  return webhook_body(type, at, bj::serialize(data));
}

std::string webhook_body(std::string_view type, timestamp at, std::string_view data_json) {
  const auto type_json = bj::serialize(sv(type));
  const auto when_text = format_rfc3339(at);
  const auto when = when_text.view();
  std::string body;
  body.reserve(data_json.size() + type_json.size() + when.size() + 40);
  body += R"({"type":)";
  body += type_json;
  body += R"(,"timestamp":")";
  body += when;
  body += R"(","data":)";
  body += data_json;
  body += '}';
  return body;
}

} // namespace dwt::engine::json
