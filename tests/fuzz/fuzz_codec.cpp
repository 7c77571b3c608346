/// Fuzz target: the persistence record codec. Every input is offered to
/// all ten decoders (the tag byte decides which one may accept it). When a
/// decode succeeds: re-encoding and decoding again gives the same record,
/// and the re-encoding is a fixed point (encode(decode(e)) == e).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dwt/persistence/codec.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dwt::persistence;

template <class T>
void round_trip(std::string_view bytes) {
  auto first = codec::decode<T>(bytes);
  if (!first) {
    const auto code = first.err().code;
    DWT_FUZZ_CHECK(code == errc::corrupt_record || code == errc::unsupported_version);
    return;
  }
  const std::string encoded = codec::encode(*first);
  DWT_FUZZ_CHECK(encoded.size() <= bytes.size()); // canonical form is never longer
  auto second = codec::decode<T>(encoded);
  DWT_FUZZ_CHECK(second.has_value());
  DWT_FUZZ_CHECK(*second == *first);
  DWT_FUZZ_CHECK(codec::encode(*second) == encoded);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes{reinterpret_cast<const char*>(data), size};
  round_trip<dwt::engine::partner_record>(bytes);
  round_trip<dwt::engine::profile_record>(bytes);
  round_trip<dwt::engine::card_record>(bytes);
  round_trip<dwt::engine::token_record>(bytes);
  round_trip<dwt::engine::transition_record>(bytes);
  round_trip<dwt::engine::verification_challenge>(bytes);
  round_trip<outbox_event>(bytes);
  round_trip<idempotency_record>(bytes);
  round_trip<delivery_state>(bytes);
  round_trip<delivery_attempt_record>(bytes);
  round_trip<network_command>(bytes);
  return 0;
}
