/// Fuzz target: the MDES adapter's decoders (dwt::networks), all fed the
/// same input: the authorizeService request parser, the FLE object reader
/// and decoder (against the development issuer key, with the fingerprint
/// also forced to the ring's so that inputs reach the RSA unwrap and
/// AES-CBC), the decrypted card-data parser, the other inbound services
/// (requestActivationMethods, deliverActivationCode, notifyServiceActivated,
/// notifyTokenUpdated and its status mapping), the Customer Service API
/// answers, and OAuth 1.0a (the Authorization header parser, the URL rules,
/// the verifier). Properties: no crash, no leak, no undefined behaviour;
/// every refusal is a networks errc; parsed card data is valid (Luhn PAN of
/// 12-19 digits, month 1-12, a four-digit year, a 3-4 digit security code);
/// parsed messages keep their limits; what we encrypt decrypts to the
/// input; whatever URL and body we accept, we sign and verify.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "dwt/engine/pan.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/keys.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"
#include "dwt/networks/mdes/card_info.hpp"
#include "dwt/networks/mdes/customer_service.hpp"
#include "dwt/networks/mdes/deliver_activation_code.hpp"
#include "dwt/networks/mdes/fle.hpp"
#include "dwt/networks/mdes/fle_json.hpp"
#include "dwt/networks/mdes/notify_service_activated.hpp"
#include "dwt/networks/mdes/notify_token_updated.hpp"
#include "dwt/networks/mdes/request_activation_methods.hpp"
#include "dwt/networks/oauth1.hpp"
#include "fuzz_check.hpp"

namespace {

namespace n = dwt::networks;
namespace m = dwt::networks::mdes;

const m::fle_key_ring& ring() {
  static const m::fle_key_ring r = [] {
    m::fle_key_ring out;
    DWT_FUZZ_CHECK(!out.add_pem_files(DWT_FUZZ_KEY_DIR "/mdes-issuer-fle.key.pem"));
    return out;
  }();
  return r;
}

const m::fle_recipient& recipient() {
  static const m::fle_recipient r = [] {
    auto to = m::fle_recipient::from_pem_file(DWT_FUZZ_KEY_DIR "/mdes-issuer-fle.pub.pem");
    DWT_FUZZ_CHECK(static_cast<bool>(to));
    return std::move(*to);
  }();
  return r;
}

template <class Expected>
void refused_with_networks_errc(const Expected& e) {
  if (!e)
    DWT_FUZZ_CHECK(n::is_networks_error(e.error()) && n::code_of(e.error()) != n::errc::ok);
}

void card_data(std::string_view s) {
  auto c = m::parse_card_info(s);
  refused_with_networks_errc(c);
  if (!c)
    return;
  DWT_FUZZ_CHECK(dwt::engine::pan::validate(c->account_number.view()) == dwt::engine::errc::ok);
  DWT_FUZZ_CHECK(c->expiry_month >= 1 && c->expiry_month <= 12);
  DWT_FUZZ_CHECK(c->expiry_year >= 2000 && c->expiry_year <= 2999);
  DWT_FUZZ_CHECK(c->security_code.empty() || c->security_code.size() == 3 ||
                 c->security_code.size() == 4);
}

void decode(const m::fle_object& fle) {
  auto plain = m::decrypt(fle, ring());
  refused_with_networks_errc(plain);
  if (plain) {
    DWT_FUZZ_CHECK(plain->size() <= m::fle_limits::max_plaintext_bytes + 16);
    card_data(plain->view());
  }
  // The same object named by the ring's key reaches the unwrap.
  auto forced = fle;
  forced.public_key_fingerprint = ring().fingerprints(0).spki_sha256;
  refused_with_networks_errc(m::decrypt(forced, ring()));
}

void fle_objects(std::string_view s) {
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 16;
  const auto v = boost::json::parse(s, ec, {}, opts);
  if (ec || !v.is_object())
    return;
  auto fle = m::parse_fle_object(v.as_object());
  refused_with_networks_errc(fle);
  if (fle)
    decode(*fle);
}

void requests(std::string_view s) {
  auto r = m::parse_authorize_service_request(s);
  refused_with_networks_errc(r);
  if (!r)
    return;
  DWT_FUZZ_CHECK(!r->request_id.empty() &&
                 r->request_id.size() <= m::authorize_service_limits::max_request_id);
  DWT_FUZZ_CHECK(r->correlation_id.size() <= m::authorize_service_limits::max_correlation_id);
  DWT_FUZZ_CHECK(r->token_requestor_id.size() <=
                 m::authorize_service_limits::max_token_requestor_id);
  decode(r->card_info);
}

void round_trip(std::string_view s) {
  // An RSA private operation costs about a millisecond: small inputs only,
  // so the parsers keep most of the fuzzing time.
  if (s.size() > 64)
    return;
  dwt::engine::seeded_random rng{s.size()};
  auto fle = m::encrypt(s, recipient(), m::key_wrap::oaep_sha256, rng);
  DWT_FUZZ_CHECK(static_cast<bool>(fle));
  auto plain = m::decrypt(*fle, ring());
  DWT_FUZZ_CHECK(static_cast<bool>(plain) && plain->view() == s);
}

void inbound_services(std::string_view s) {
  auto ram = m::parse_request_activation_methods_request(s);
  refused_with_networks_errc(ram);
  if (ram)
    DWT_FUZZ_CHECK(!ram->request_id.empty() &&
                   (!ram->token_unique_reference.empty() || !ram->correlation_id.empty()));

  auto dac = m::parse_deliver_activation_code_request(s);
  refused_with_networks_errc(dac);
  if (dac) {
    const auto code = dac->activation_code.view();
    DWT_FUZZ_CHECK(!code.empty() &&
                   code.size() <= m::deliver_activation_code_limits::max_activation_code);
    for (char c : code)
      DWT_FUZZ_CHECK(c >= 0x20 && c <= 0x7e);
  }

  auto nsa = m::parse_notify_service_activated_request(s);
  refused_with_networks_errc(nsa);
  if (nsa)
    DWT_FUZZ_CHECK(!nsa->card.token_unique_reference.empty() &&
                   nsa->card.token_unique_reference.size() <=
                       m::notify_service_activated_limits::max_token_unique_reference);

  auto ntu = m::parse_notify_token_updated_request(s);
  refused_with_networks_errc(ntu);
  if (ntu) {
    DWT_FUZZ_CHECK(!ntu->tokens.empty() &&
                   ntu->tokens.size() <= m::notify_token_updated_limits::max_tokens);
    for (const auto& t : ntu->tokens) {
      DWT_FUZZ_CHECK(!t.token_unique_reference.empty());
      const auto target = m::target_of(t, ntu->reason);
      DWT_FUZZ_CHECK(target.has_value() == (t.status != m::token_status::other));
      if (target && target->by != dwt::engine::channel::network)
        DWT_FUZZ_CHECK(target->state == dwt::engine::token_state::suspended &&
                       target->by == dwt::engine::channel::partner_api);
    }
  }
}

void customer_service_answers(std::string_view s) {
  for (auto op :
       {m::cs_operation::suspend, m::cs_operation::unsuspend, m::cs_operation::delete_token,
        m::cs_operation::update, m::cs_operation::activate}) {
    auto reply = m::parse_cs_reply(op, s);
    refused_with_networks_errc(reply);
    if (reply && std::holds_alternative<m::cs_errors>(*reply)) {
      const auto& e = std::get<m::cs_errors>(*reply);
      DWT_FUZZ_CHECK(!e.errors.empty());
      bool all = true;
      for (const auto& one : e.errors)
        all = all && one.recoverable;
      DWT_FUZZ_CHECK(e.recoverable() == all);
    }
  }
}

const dwt::networks::pkey_ptr& oauth_key() {
  static const dwt::networks::pkey_ptr k = [] {
    auto key = n::load_private_key(DWT_FUZZ_KEY_DIR "/mdes-oauth.key.pem");
    DWT_FUZZ_CHECK(static_cast<bool>(key));
    return std::move(*key);
  }();
  return k;
}

const dwt::networks::pkey_ptr& oauth_pub() {
  static const dwt::networks::pkey_ptr k = [] {
    auto key = n::load_public_key(DWT_FUZZ_KEY_DIR "/mdes-oauth.pub.pem");
    DWT_FUZZ_CHECK(static_cast<bool>(key));
    return std::move(*key);
  }();
  return k;
}

void oauth(std::string_view s) {
  namespace o = dwt::networks::oauth1;
  auto auth = o::parse_authorization(s);
  refused_with_networks_errc(auth);
  if (auth)
    DWT_FUZZ_CHECK(!auth->consumer_key.empty() && !auth->nonce.empty() &&
                   !auth->signature.empty() && !auth->body_hash.empty());
  // The input as a header never verifies for a fixed request (the chance
  // of a forged RSA signature is nil), and never crashes.
  constexpr std::string_view url = "https://api.example/mdes/csapi/v2/token/suspend?Format=JSON";
  DWT_FUZZ_CHECK(!o::verify(s, {"POST", url, ""}, *oauth_pub()));

  auto uri = o::base_string_uri(s);
  refused_with_networks_errc(uri);
  if (uri) {
    DWT_FUZZ_CHECK(uri->starts_with("http://") || uri->starts_with("https://"));
    DWT_FUZZ_CHECK(uri->find('?') == std::string::npos && uri->find('#') == std::string::npos);
  }
  auto query = o::query_parameters(s);
  refused_with_networks_errc(query);
  // What we accept as a URL, and any body, we sign and verify (small
  // inputs only: an RSA signature costs about a millisecond).
  if (s.size() > 64)
    return;
  const std::string_view sign_url = uri && query ? s : url;
  auto header = o::authorization_header({"POST", sign_url, s}, {"ck", "nonce", 1}, *oauth_key());
  DWT_FUZZ_CHECK(static_cast<bool>(header));
  auto ok = o::verify(*header, {"POST", sign_url, s}, *oauth_pub());
  DWT_FUZZ_CHECK(static_cast<bool>(ok) && ok->consumer_key == "ck");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s{reinterpret_cast<const char*>(data), size};
  requests(s);
  fle_objects(s);
  card_data(s);
  round_trip(s);
  inbound_services(s);
  customer_service_answers(s);
  oauth(s);
  return 0;
}
