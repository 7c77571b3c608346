#include "dwt/persistence/codec.hpp"

#include <array>
#include <limits>

namespace dwt::persistence::codec {
namespace {

using namespace dwt::engine;

// Highest valid value of each stored enum. Update together with
// engine/types.hpp when an enum grows (appending keeps old data readable).
constexpr std::uint8_t max_token_state = 4;
constexpr std::uint8_t max_fulfillment = 2;
constexpr std::uint8_t max_card_state = 2;
constexpr std::uint8_t max_card_type = 1;
constexpr std::uint8_t max_wallet = 2;
constexpr std::uint8_t max_device_type = 3;
constexpr std::uint8_t max_channel = 3;
constexpr std::uint8_t max_method = 1;
constexpr std::uint8_t max_delivery_status = 3;
constexpr std::uint8_t max_card_network = 2;
constexpr std::uint8_t max_network_operation = 3;
constexpr std::uint8_t max_network_sync_status = 2;
/// Bounds of a decoded network identity (the adapters bound far lower).
constexpr std::uint64_t max_recommendation_reasons = 256;

// -- encoding -----------------------------------------------------------------

class out {
public:
  out(record_tag tag, std::size_t reserve) {
    buf_.reserve(reserve);
    buf_.push_back(static_cast<char>(tag));
    buf_.push_back(static_cast<char>(current_version));
  }

  /// LEB128. Built in a local buffer and appended once: a push_back per
  /// byte (an out-of-line call with a capacity check each) was most of the
  /// cost of encoding a record.
  void u(std::uint64_t v) {
    std::array<char, 10> bytes{}; // ceil(64 / 7)
    std::size_t n = 0;
    while (v >= 0x80) {
      bytes[n++] = static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    bytes[n++] = static_cast<char>(v);
    buf_.append(bytes.data(), n);
  }
  void i(std::int64_t v) {
    // zigzag: small magnitudes of either sign stay short
    u((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void byte(std::uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  template <class E>
  void e(E v) {
    byte(static_cast<std::uint8_t>(v));
  }
  void b(bool v) { byte(v ? 1 : 0); }
  void s(std::string_view v) {
    u(v.size());
    buf_.append(v);
  }
  void opt_s(const std::optional<std::string>& v) {
    b(v.has_value());
    if (v)
      s(*v);
  }
  void t(timestamp v) { i(to_millis(v)); }
  void d(date v) {
    i(static_cast<int>(v.year()));
    byte(static_cast<std::uint8_t>(static_cast<unsigned>(v.month())));
    byte(static_cast<std::uint8_t>(static_cast<unsigned>(v.day())));
  }

  std::string take() { return std::move(buf_); }

private:
  std::string buf_;
};

// -- decoding -----------------------------------------------------------------

// Reads fields; the first failure latches `ok_ = false` and every later read
// returns a default, so decoders read straight through and check once.
class in {
public:
  explicit in(std::string_view data) : data_(data) {}

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] bool at_end() const noexcept { return pos_ == data_.size(); }
  /// The next byte without consuming it; nullopt at the end.
  [[nodiscard]] std::optional<std::uint8_t> peek() const noexcept {
    if (!ok_ || pos_ >= data_.size())
      return std::nullopt;
    return static_cast<std::uint8_t>(data_[pos_]);
  }
  void bad() noexcept { ok_ = false; }

  std::uint64_t u() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!ok_ || pos_ >= data_.size()) {
        ok_ = false;
        return 0;
      }
      auto c = static_cast<unsigned char>(data_[pos_++]);
      // The 10th byte may only carry the top bit of a u64.
      if (shift == 63 && (c & 0x7E) != 0) {
        ok_ = false;
        return 0;
      }
      v |= static_cast<std::uint64_t>(c & 0x7F) << shift;
      if ((c & 0x80) == 0)
        return v;
    }
    ok_ = false;
    return 0;
  }
  template <class T>
  T u_as() {
    auto v = u();
    if (v > std::numeric_limits<T>::max()) {
      ok_ = false;
      return T{};
    }
    return static_cast<T>(v);
  }
  std::int64_t i() {
    auto z = u();
    return static_cast<std::int64_t>(z >> 1) ^ -static_cast<std::int64_t>(z & 1);
  }
  std::uint8_t byte() {
    if (!ok_ || pos_ >= data_.size()) {
      ok_ = false;
      return 0;
    }
    return static_cast<std::uint8_t>(data_[pos_++]);
  }
  template <class E>
  E e(std::uint8_t max) {
    auto v = byte();
    if (v > max) {
      ok_ = false;
      return E{};
    }
    return static_cast<E>(v);
  }
  bool b() {
    auto v = byte();
    if (v > 1)
      ok_ = false;
    return v == 1;
  }
  std::string s() {
    auto n = u();
    if (!ok_ || n > data_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string v{data_.substr(pos_, static_cast<std::size_t>(n))};
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  std::optional<std::string> opt_s() {
    if (!b())
      return std::nullopt;
    return s();
  }
  timestamp t() { return from_millis(i()); }
  date d() {
    auto y = i();
    auto m = byte();
    auto dd = byte();
    if (y < -32767 || y > 32767) {
      ok_ = false;
      return {};
    }
    return date{std::chrono::year{static_cast<int>(y)}, std::chrono::month{m},
                std::chrono::day{dd}};
  }

  /// Checks the tag and version bytes.
  result<void> header(record_tag tag) {
    auto t0 = byte();
    auto v = byte();
    if (!ok_)
      return fail(errc::corrupt_record, "record truncated before its header");
    if (t0 != static_cast<std::uint8_t>(tag))
      return fail(errc::corrupt_record, "record tag " + std::to_string(t0) + " where " +
                                            std::to_string(static_cast<int>(tag)) +
                                            " was expected");
    if (v != current_version)
      return fail(errc::unsupported_version, "record codec version " + std::to_string(v) +
                                                 " is not supported (this build reads " +
                                                 std::to_string(current_version) + ")");
    return {};
  }

private:
  std::string_view data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

template <class T>
result<T> finish(in& r, T value, const char* what) {
  if (!r.ok())
    return fail(errc::corrupt_record, std::string{what} + " record is truncated or malformed");
  if (!r.at_end())
    return fail(errc::corrupt_record, std::string{what} + " record has trailing bytes");
  return value;
}

} // namespace

// -- partner ------------------------------------------------------------------

std::string encode(const partner_record& r) {
  out w{record_tag::partner, 32 + r.id.value.size() + r.name.size()};
  w.s(r.id.value);
  w.s(r.name);
  w.d(r.onboarded_on);
  w.b(r.sms_destination_migrated);
  w.u(r.max_tokens_per_card);
  return w.take();
}

template <>
result<partner_record> decode<partner_record>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::partner); !h)
    return h.err();
  partner_record v;
  v.id.value = r.s();
  v.name = r.s();
  v.onboarded_on = r.d();
  v.sms_destination_migrated = r.b();
  v.max_tokens_per_card = r.u_as<std::uint32_t>();
  return finish(r, std::move(v), "partner");
}

// -- profile ------------------------------------------------------------------

std::string encode(const profile_record& r) {
  out w{record_tag::profile, 48 + r.id.value.size() + r.partner.value.size() +
                                 r.phone_number.size() + (r.email ? r.email->size() : 0)};
  w.s(r.id.value);
  w.s(r.partner.value);
  w.s(r.phone_number);
  w.opt_s(r.email);
  w.t(r.created_at);
  w.t(r.updated_at);
  return w.take();
}

template <>
result<profile_record> decode<profile_record>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::profile); !h)
    return h.err();
  profile_record v;
  v.id.value = r.s();
  v.partner.value = r.s();
  v.phone_number = r.s();
  v.email = r.opt_s();
  v.created_at = r.t();
  v.updated_at = r.t();
  return finish(r, std::move(v), "profile");
}

// -- card ---------------------------------------------------------------------

std::string encode(const card_record& r) {
  out w{record_tag::card, 96 + r.id.value.size() + r.profile.value.size() + r.partner.value.size() +
                              r.pan_hash.size() + r.pan_sealed.size() + r.card_product.size()};
  w.s(r.id.value);
  w.s(r.profile.value);
  w.s(r.partner.value);
  w.s(r.pan_hash);
  w.s(r.last4);
  w.s(r.pan_sealed);
  w.byte(r.expiry_month);
  w.u(r.expiry_year);
  w.s(r.card_product);
  w.e(r.type);
  w.e(r.state);
  w.opt_s(r.phone_number);
  w.t(r.created_at);
  w.t(r.updated_at);
  return w.take();
}

template <>
result<card_record> decode<card_record>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::card); !h)
    return h.err();
  card_record v;
  v.id.value = r.s();
  v.profile.value = r.s();
  v.partner.value = r.s();
  v.pan_hash = r.s();
  v.last4 = r.s();
  v.pan_sealed = r.s();
  v.expiry_month = r.byte();
  v.expiry_year = r.u_as<std::uint16_t>();
  v.card_product = r.s();
  v.type = r.e<card_type>(max_card_type);
  v.state = r.e<card_state>(max_card_state);
  v.phone_number = r.opt_s();
  v.created_at = r.t();
  v.updated_at = r.t();
  return finish(r, std::move(v), "card");
}

// -- token --------------------------------------------------------------------

namespace {

void put_opt_u(out& w, const std::optional<std::uint32_t>& v) {
  w.b(v.has_value());
  if (v)
    w.u(*v);
}

std::optional<std::uint32_t> get_opt_u(in& r) {
  if (!r.b())
    return std::nullopt;
  return r.u_as<std::uint32_t>();
}

void put_network(out& w, const network_identity& n) {
  w.e(n.network);
  w.s(n.token_unique_reference);
  w.s(n.pan_unique_reference);
  w.s(n.correlation_id);
  w.s(n.token_requestor_id);
  w.s(n.wallet_id);
  w.s(n.payment_app_instance_id);
  w.s(n.token_type);
  w.s(n.token_expiry);
  w.s(n.device_name);
  w.s(n.serial_number);
  w.s(n.form_factor);
  w.s(n.iso_device_type);
  w.s(n.os_name);
  w.s(n.os_version);
  const auto& k = n.risk;
  w.s(k.recommended_decision);
  w.s(k.recommendation_standard_version);
  put_opt_u(w, k.device_score);
  put_opt_u(w, k.account_score);
  put_opt_u(w, k.phone_number_score);
  w.u(k.recommendation_reasons.size());
  for (const auto& reason : k.recommendation_reasons)
    w.s(reason);
  put_opt_u(w, k.active_token_count);
  w.s(k.cvc_result);
  w.b(k.data_valid_until.has_value());
  if (k.data_valid_until)
    w.t(*k.data_valid_until);
  w.s(k.card_source);
}

network_identity get_network(in& r) {
  network_identity n;
  n.network = r.e<card_network>(max_card_network);
  n.token_unique_reference = r.s();
  n.pan_unique_reference = r.s();
  n.correlation_id = r.s();
  n.token_requestor_id = r.s();
  n.wallet_id = r.s();
  n.payment_app_instance_id = r.s();
  n.token_type = r.s();
  n.token_expiry = r.s();
  n.device_name = r.s();
  n.serial_number = r.s();
  n.form_factor = r.s();
  n.iso_device_type = r.s();
  n.os_name = r.s();
  n.os_version = r.s();
  auto& k = n.risk;
  k.recommended_decision = r.s();
  k.recommendation_standard_version = r.s();
  k.device_score = get_opt_u(r);
  k.account_score = get_opt_u(r);
  k.phone_number_score = get_opt_u(r);
  const auto reasons = r.u();
  if (reasons > max_recommendation_reasons) {
    r.bad();
    return n;
  }
  for (std::uint64_t i = 0; i < reasons && r.ok(); ++i)
    k.recommendation_reasons.push_back(r.s());
  k.active_token_count = get_opt_u(r);
  k.cvc_result = r.s();
  if (r.b())
    k.data_valid_until = r.t();
  k.card_source = r.s();
  return n;
}

} // namespace

std::string encode(const token_record& r) {
  out w{record_tag::token, 64 + r.ref.value.size() + r.card.value.size() + r.partner.value.size() +
                               r.device.id.size() + r.device.name.size()};
  w.s(r.ref.value);
  w.s(r.card.value);
  w.s(r.partner.value);
  w.e(r.wallet);
  w.s(r.device.id);
  w.e(r.device.type);
  w.s(r.device.name);
  w.e(r.state);
  w.e(r.fulfillment);
  w.e(r.suspended_by);
  w.s(r.last4);
  w.s(r.token_last4);
  w.t(r.created_at);
  w.t(r.updated_at);
  w.u(r.history_count);
  // Optional trailing section (added by issue #21 without a codec version
  // bump: a record without it is a token of no network).
  if (r.network) {
    w.byte(1);
    put_network(w, *r.network);
  }
  return w.take();
}

template <>
result<token_record> decode<token_record>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::token); !h)
    return h.err();
  token_record v;
  v.ref.value = r.s();
  v.card.value = r.s();
  v.partner.value = r.s();
  v.wallet = r.e<wallet_provider>(max_wallet);
  v.device.id = r.s();
  v.device.type = r.e<device_type>(max_device_type);
  v.device.name = r.s();
  v.state = r.e<token_state>(max_token_state);
  v.fulfillment = r.e<fulfillment_status>(max_fulfillment);
  v.suspended_by = r.e<channel>(max_channel);
  v.last4 = r.s();
  v.token_last4 = r.s();
  v.created_at = r.t();
  v.updated_at = r.t();
  v.history_count = r.u_as<std::uint32_t>();
  if (r.peek() == std::uint8_t{1}) {
    r.byte();
    v.network = get_network(r);
  }
  return finish(r, std::move(v), "token");
}

// -- transition ---------------------------------------------------------------

std::string encode(const transition_record& r) {
  out w{record_tag::transition,
        48 + r.id.size() + r.token.value.size() + r.card.value.size() + r.reason.size()};
  w.s(r.id);
  w.s(r.token.value);
  w.s(r.card.value);
  w.b(r.from_state.has_value());
  if (r.from_state)
    w.e(*r.from_state);
  w.e(r.to_state);
  w.e(r.fulfillment);
  w.s(r.reason);
  w.e(r.by);
  w.t(r.created_at);
  return w.take();
}

template <>
result<transition_record> decode<transition_record>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::transition); !h)
    return h.err();
  transition_record v;
  v.id = r.s();
  v.token.value = r.s();
  v.card.value = r.s();
  if (r.b())
    v.from_state = r.e<token_state>(max_token_state);
  v.to_state = r.e<token_state>(max_token_state);
  v.fulfillment = r.e<fulfillment_status>(max_fulfillment);
  v.reason = r.s();
  v.by = r.e<channel>(max_channel);
  v.created_at = r.t();
  return finish(r, std::move(v), "transition");
}

// -- challenge ----------------------------------------------------------------

std::string encode(const verification_challenge& r) {
  out w{record_tag::challenge,
        48 + r.token.value.size() + r.code_hash.size() + r.destination_masked.size()};
  w.s(r.token.value);
  w.e(r.method);
  w.s(r.code_hash);
  w.s(r.destination_masked);
  w.t(r.issued_at);
  w.t(r.expires_at);
  w.byte(r.wrong_attempts);
  w.byte(r.resends);
  return w.take();
}

template <>
result<verification_challenge> decode<verification_challenge>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::challenge); !h)
    return h.err();
  verification_challenge v;
  v.token.value = r.s();
  v.method = r.e<verification_method>(max_method);
  v.code_hash = r.s();
  v.destination_masked = r.s();
  v.issued_at = r.t();
  v.expires_at = r.t();
  v.wrong_attempts = r.byte();
  v.resends = r.byte();
  return finish(r, std::move(v), "challenge");
}

// -- outbox event -------------------------------------------------------------

std::string encode(const outbox_event& r) {
  out w{record_tag::outbox_event, 48 + r.event_id.size() + r.partner.value.size() +
                                      r.token.value.size() + r.type.size() + r.payload.size()};
  w.u(r.seq);
  w.s(r.event_id);
  w.s(r.partner.value);
  w.s(r.token.value);
  w.s(r.type);
  w.t(r.created_at);
  w.s(r.payload);
  return w.take();
}

template <>
result<outbox_event> decode<outbox_event>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::outbox_event); !h)
    return h.err();
  outbox_event v;
  v.seq = r.u();
  v.event_id = r.s();
  v.partner.value = r.s();
  v.token.value = r.s();
  v.type = r.s();
  v.created_at = r.t();
  v.payload = r.s();
  return finish(r, std::move(v), "outbox event");
}

// -- idempotency --------------------------------------------------------------

std::string encode(const idempotency_record& r) {
  out w{record_tag::idempotency, 48 + r.partner.value.size() + r.key.size() +
                                     r.request_fingerprint.size() + r.response_body.size()};
  w.s(r.partner.value);
  w.s(r.key);
  w.s(r.request_fingerprint);
  w.u(r.http_status);
  w.s(r.response_body);
  w.t(r.created_at);
  w.t(r.expires_at);
  return w.take();
}

template <>
result<idempotency_record> decode<idempotency_record>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::idempotency); !h)
    return h.err();
  idempotency_record v;
  v.partner.value = r.s();
  v.key = r.s();
  v.request_fingerprint = r.s();
  v.http_status = r.u_as<std::uint16_t>();
  v.response_body = r.s();
  v.created_at = r.t();
  v.expires_at = r.t();
  return finish(r, std::move(v), "idempotency");
}

// -- delivery state -----------------------------------------------------------

std::string encode(const delivery_state& r) {
  out w{record_tag::delivery_state, 32};
  w.u(r.seq);
  w.u(r.attempts);
  w.u(r.round_base);
  w.t(r.next_attempt_at);
  w.e(r.status);
  w.t(r.updated_at);
  return w.take();
}

template <>
result<delivery_state> decode<delivery_state>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::delivery_state); !h)
    return h.err();
  delivery_state v;
  v.seq = r.u();
  v.attempts = r.u_as<std::uint32_t>();
  v.round_base = r.u_as<std::uint32_t>();
  v.next_attempt_at = r.t();
  v.status = r.e<delivery_status>(max_delivery_status);
  v.updated_at = r.t();
  return finish(r, std::move(v), "delivery state");
}

// -- delivery attempt ---------------------------------------------------------

std::string encode(const delivery_attempt_record& r) {
  out w{record_tag::delivery_attempt, 40 + r.error.size()};
  w.u(r.seq);
  w.u(r.attempt_no);
  w.t(r.at);
  w.u(r.status);
  w.u(r.latency_ms);
  w.s(r.error);
  return w.take();
}

template <>
result<delivery_attempt_record> decode<delivery_attempt_record>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::delivery_attempt); !h)
    return h.err();
  delivery_attempt_record v;
  v.seq = r.u();
  v.attempt_no = r.u_as<std::uint32_t>();
  v.at = r.t();
  v.status = r.u_as<std::uint16_t>();
  v.latency_ms = r.u_as<std::uint32_t>();
  v.error = r.s();
  return finish(r, std::move(v), "delivery attempt");
}

// -- network command ----------------------------------------------------------

std::string encode(const network_command& r) {
  out w{record_tag::network_command, 64 + r.token.value.size() + r.partner.value.size() +
                                         r.reason_code.size() + r.comment.size() +
                                         r.error_source.size() + r.error_reason_code.size() +
                                         r.error_description.size()};
  w.u(r.seq);
  w.s(r.token.value);
  w.s(r.partner.value);
  w.e(r.network);
  w.e(r.operation);
  w.s(r.reason_code);
  w.s(r.comment);
  w.e(r.status);
  w.u(r.attempts);
  w.u(r.round_base);
  w.t(r.created_at);
  w.t(r.updated_at);
  w.t(r.next_attempt_at);
  w.s(r.error_source);
  w.s(r.error_reason_code);
  w.s(r.error_description);
  w.u(r.http_status);
  return w.take();
}

template <>
result<network_command> decode<network_command>(std::string_view bytes) {
  in r{bytes};
  if (auto h = r.header(record_tag::network_command); !h)
    return h.err();
  network_command v;
  v.seq = r.u();
  v.token.value = r.s();
  v.partner.value = r.s();
  v.network = r.e<engine::card_network>(max_card_network);
  v.operation = r.e<network_operation>(max_network_operation);
  v.reason_code = r.s();
  v.comment = r.s();
  v.status = r.e<network_sync_status>(max_network_sync_status);
  v.attempts = r.u_as<std::uint32_t>();
  v.round_base = r.u_as<std::uint32_t>();
  v.created_at = r.t();
  v.updated_at = r.t();
  v.next_attempt_at = r.t();
  v.error_source = r.s();
  v.error_reason_code = r.s();
  v.error_description = r.s();
  v.http_status = r.u_as<std::uint16_t>();
  return finish(r, std::move(v), "network command");
}

} // namespace dwt::persistence::codec
