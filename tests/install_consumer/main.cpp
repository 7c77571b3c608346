// Starts the engine on a temporary directory, registers a profile and a
// card, stops; parses an MDES message with the installed networks module.
// Exit code 0 on success.
#include <cstdio>
#include <filesystem>
#include <future>
#include <unistd.h>

#include <dwt/dwt.hpp>
#include <dwt/engine/pan.hpp>
#include <dwt/networks/mdes/notify_token_updated.hpp>

int main() {
  auto ntu = dwt::networks::mdes::parse_notify_token_updated_request(
      R"({"requestId":"r1","tokens":[{"tokenUniqueReference":"DWSPMC1","status":"SUSPENDED"}]})");
  if (!ntu || ntu->tokens.size() != 1) {
    std::fprintf(stderr, "the networks module did not parse an MDES message\n");
    return 4;
  }
  namespace fs = std::filesystem;
  auto dir = fs::temp_directory_path() / ("dwt_consumer_" + std::to_string(::getpid()));
  dwt::engine_options o;
  o.data_dir = dir;
  o.store.map_size = std::size_t{16} << 20;
  dwt::engine::partner_record p;
  p.id = dwt::engine::partner_id{"demo"};
  p.onboarded_on =
      dwt::engine::date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};
  o.partners = {p};
  dwt::engine::card_product prod;
  prod.name = "demo-debit";
  prod.bins = {dwt::engine::bin_range{400000, 499999, 6}};
  prod.tokenization_enabled = true;
  o.products = {prod};
  o.pan_hash_key = std::string(32, 'a');
  o.pan_encryption_key = std::string(32, 'b');
  o.otp_key = std::string(32, 'c');
  auto host = dwt::engine_host::start(o);
  if (!host) {
    std::fprintf(stderr, "start failed: %s\n", dwt::describe(host.error()).detail.c_str());
    return 1;
  }
  std::promise<caf::expected<dwt::engine::profile_record>> prof;
  (*host)->create_profile(dwt::engine::partner_id{"demo"}, {"+447700900123", std::nullopt},
                          std::nullopt, [&](auto r) { prof.set_value(std::move(r)); });
  auto profile = prof.get_future().get();
  if (!profile)
    return 2;
  std::string pan = "411111111111111";
  pan += dwt::engine::pan::luhn_check_digit(pan);
  dwt::card_register req;
  req.profile = profile->id;
  req.pan = pan;
  req.expiry_month = 12;
  req.expiry_year = 2035;
  req.card_product = "demo-debit";
  std::promise<caf::expected<dwt::engine::card_record>> card;
  (*host)->register_card(dwt::engine::partner_id{"demo"}, req, std::nullopt,
                         [&](auto r) { card.set_value(std::move(r)); });
  auto c = card.get_future().get();
  (*host)->stop();
  fs::remove_all(dir);
  if (!c) {
    std::fprintf(stderr, "register failed: %s\n", dwt::describe(c.error()).detail.c_str());
    return 3;
  }
  std::printf("ok card %s last4 %s\n", c->id.value.c_str(), c->last4.c_str());
  return 0;
}
