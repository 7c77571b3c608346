/// Fuzz target: the server's route-level request validation
/// (actors/server/src/validate.cpp) over a parsed JSON body: wallet,
/// device, E.164 phone, OTP code, required text, e-mail, token reference,
/// CVC and the PAN rule, as the /network/v1 and /v1 handlers use them
/// before they build an engine command. (The handlers themselves call the
/// engine directly, so this is the decoding part that can run alone.)
/// Properties: what is accepted obeys the documented rule; a rejected PAN
/// is a 422 `invalid_pan` that never echoes the PAN.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dwt/engine/decision.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/http/body.hpp"
#include "fuzz_check.hpp"
#include "validate.hpp"

namespace {

namespace v = dwt::server::validate;
using dwt::http::field_reader;

bool six_digits(std::string_view s) {
  return s.size() == 6 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void fields(const boost::json::object& obj) {
  field_reader f{obj};
  (void)v::wallet(f, "walletProvider");
  if (auto d = v::device(f, "device"))
    DWT_FUZZ_CHECK(!d->id.empty() && d->id.size() <= v::max_text && d->name.size() <= v::max_text);
  if (auto p = v::phone(f, "phoneNumber", false))
    DWT_FUZZ_CHECK(dwt::engine::is_e164(*p));
  if (auto c = v::otp_code(f, "code"))
    DWT_FUZZ_CHECK(six_digits(*c));
  if (auto t = v::required_text(f, "cardProduct"))
    DWT_FUZZ_CHECK(!t->empty() && t->size() <= v::max_text);
  (void)f.failure();
}

void strings(const boost::json::object& obj) {
  for (const auto& [key, value] : obj) {
    if (!value.is_string())
      continue;
    const std::string_view s{value.get_string().data(), value.get_string().size()};
    if (v::email_ok(s))
      DWT_FUZZ_CHECK(s.find('@') != std::string_view::npos && s.size() <= 254);
    if (v::token_ref_ok(s))
      DWT_FUZZ_CHECK(!s.empty() && s.size() <= 64);
    if (v::cvc_ok(s))
      DWT_FUZZ_CHECK(s.size() == 3 || s.size() == 4);
    auto bad = v::pan(s);
    DWT_FUZZ_CHECK(bad.has_value() == (dwt::engine::pan::validate(s) != dwt::engine::errc::ok));
    if (bad) {
      DWT_FUZZ_CHECK(bad->status == 422);
      // A digit run long enough to be a PAN (the message's own words are not).
      if (s.size() >= 12 && s.find_first_not_of("0123456789") == std::string_view::npos)
        DWT_FUZZ_CHECK(bad->body.find(s) == std::string::npos);
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = dwt::http::parse_json_object({reinterpret_cast<const char*>(data), size});
  if (!parsed)
    return 0;
  fields(*parsed);
  strings(*parsed);
  return 0;
}
