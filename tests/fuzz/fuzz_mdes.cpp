/// Fuzz target: the MDES adapter's decoders (dwt::networks), all fed the
/// same input: the authorizeService request parser, the FLE object reader
/// and decoder (against the development issuer key, with the fingerprint
/// also forced to the ring's so that inputs reach the RSA unwrap and
/// AES-CBC), and the decrypted card-data parser. Properties: no crash, no
/// leak, no undefined behaviour; every refusal is a networks errc; parsed
/// card data is valid (Luhn PAN of 12-19 digits, month 1-12, a four-digit
/// year, a 3-4 digit security code); what we encrypt decrypts to the input.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "dwt/engine/pan.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/networks/caf_error.hpp"
#include "dwt/networks/mdes/authorize_service.hpp"
#include "dwt/networks/mdes/card_info.hpp"
#include "dwt/networks/mdes/fle.hpp"
#include "dwt/networks/mdes/fle_json.hpp"
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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s{reinterpret_cast<const char*>(data), size};
  requests(s);
  fle_objects(s);
  card_data(s);
  round_trip(s);
  return 0;
}
