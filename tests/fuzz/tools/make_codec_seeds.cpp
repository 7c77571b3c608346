/// Writes one encoded example of each stored record type (two where an
/// optional field changes the layout) into the directory given as argv[1]:
/// the seed corpus of the codec fuzz target. Run once; output committed.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "dwt/persistence/codec.hpp"

namespace {

using namespace dwt::engine;
using namespace dwt::persistence;
using namespace std::chrono;

void write(const std::filesystem::path& dir, const char* name, const std::string& bytes) {
  std::ofstream out{dir / name, std::ios::binary | std::ios::trunc};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir{argv[1]};
  std::filesystem::create_directories(dir);
  const timestamp t0 = from_millis(1'764'000'000'123);
  const timestamp t1 = from_millis(1'764'000'600'456);

  partner_record partner{partner_id{"partner_demo"}, "Demo Partner", year{2025} / June / 1, false,
                         25};
  write(dir, "partner", codec::encode(partner));

  profile_record profile{profile_id{"prof_01"},        partner.id, "+447700900123",
                         std::string{"a@example.com"}, t0,         t1};
  write(dir, "profile_email", codec::encode(profile));
  profile.email.reset();
  write(dir, "profile_no_email", codec::encode(profile));

  card_record card;
  card.id = card_id{"card_01"};
  card.profile = profile.id;
  card.partner = partner.id;
  card.pan_hash = std::string(32, '\x5a');
  card.last4 = "4242";
  card.pan_sealed = std::string(44, '\x11');
  card.expiry_month = 12;
  card.expiry_year = 2030;
  card.card_product = "demo-debit";
  card.type = card_type::physical;
  card.state = card_state::suspended;
  card.phone_number = "+15551234567";
  card.created_at = t0;
  card.updated_at = t1;
  write(dir, "card", codec::encode(card));

  token_record token;
  token.ref = token_ref{"DWTABCDEFGHIJKLMNOPQRSTUVWXYZ234"};
  token.card = card.id;
  token.partner = partner.id;
  token.wallet = wallet_provider::google_pay;
  token.device = device_info{"device-1", device_type::watch, "Pixel Watch"};
  token.state = token_state::active;
  token.fulfillment = fulfillment_status::provisioned;
  token.suspended_by = channel::partner_api;
  token.last4 = "4242";
  token.token_last4 = "9876";
  token.created_at = t0;
  token.updated_at = t1;
  token.history_count = 3;
  write(dir, "token", codec::encode(token));

  transition_record tr{"tr_01",
                       token.ref,
                       card.id,
                       token_state::requested,
                       token_state::active,
                       fulfillment_status::provisioned,
                       "verification passed",
                       channel::network,
                       t1};
  write(dir, "transition_from", codec::encode(tr));
  tr.from_state.reset();
  tr.to_state = token_state::requested;
  write(dir, "transition_create", codec::encode(tr));

  verification_challenge ch{
      token.ref, verification_method::sms_otp, std::string(32, '\x07'), "+********0123", t0, t1, 1,
      2};
  write(dir, "challenge", codec::encode(ch));

  outbox_event ev{42,
                  "evt_01",
                  partner.id,
                  token.ref,
                  "DigitalWalletTokenTransition",
                  t1,
                  R"({"type":"DigitalWalletTokenTransition","data":{}})"};
  write(dir, "outbox_event", codec::encode(ev));

  idempotency_record idem{
      partner.id, "idem-key-1", std::string(64, 'f'), 201, R"({"id":"card_01"})", t0, t1};
  write(dir, "idempotency", codec::encode(idem));

  delivery_state ds{42, 3, 1, t1, delivery_status::pending, t0};
  write(dir, "delivery_state", codec::encode(ds));

  delivery_attempt_record da{42, 2, t0, 503, 1500, "HTTP 503"};
  write(dir, "delivery_attempt", codec::encode(da));
  return 0;
}
