#pragma once
/// \file
/// Command line of dwt-load.

#include <cstdint>
#include <string>
#include <vector>

namespace dwt::load {

enum class run_mode { open, burst, closed };
enum class scenario_kind {
  mix,       ///< weighted flows over the whole API
  provision, ///< push provisioning only: one durable transaction per request
  get,       ///< GET --path without authentication (no-op server baseline)
  tokenize   ///< network tokenisation approvals only (one token per request)
};

/// Which network API the tokenisation flows speak.
enum class network_kind {
  dwt, ///< dwt's own /network/v1 (no field-level encryption)
  mdes ///< Mastercard MDES under --mdes-root: authorizeService with FLE card data
};

/// Weights of the flows in `--scenario mix`.
struct mix_weights {
  unsigned push = 4;          ///< push provisioning
  unsigned manual_otp = 2;    ///< tokenisation, SMS OTP, code
  unsigned inapp_approve = 1; ///< tokenisation, in-app, APPROVE
  unsigned inapp_decline = 1; ///< tokenisation, in-app, DECLINE
  unsigned lifecycle = 3;     ///< suspend / resume / terminate an owned token
  unsigned new_card = 1;      ///< profile + card
  [[nodiscard]] unsigned sum() const noexcept {
    return push + manual_otp + inapp_approve + inapp_decline + lifecycle + new_card;
  }
};

struct options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  run_mode mode = run_mode::closed;
  scenario_kind scenario = scenario_kind::mix;
  double rate = 1000; ///< open/burst: sustained requests/s
  double duration_s = 10;
  double burst_rate = 0; ///< burst: requests/s inside the burst
  double burst_at_s = 0;
  double burst_for_s = 0;
  unsigned connections = 64;
  unsigned threads = 1;
  std::string path = "/"; ///< --scenario get
  mix_weights weights;
  std::vector<std::string> partner_keys{"demo-partner-key"};
  std::string network_key = "demo-network-key";
  network_kind network = network_kind::dwt;
  /// --network mdes: the server's [networks.mdes] context_root.
  std::string mdes_root = "/mdes";
  /// --network mdes: the issuer's FLE public key the card data is encrypted to.
  std::string mdes_issuer_key = "config/dev/mdes-issuer-fle.pub.pem";
  std::string card_product = "demo-debit";
  std::string sms_file; ///< the server's file SMS sink; needed for manual OTP
  std::string out;      ///< results JSON
  std::string svg;      ///< chart
  std::string title;    ///< chart title
  bool verify = true;
  std::uint64_t seed = 0;       ///< 0: drawn from std::random_device (printed)
  unsigned setup_cards = 2;     ///< cards each connection creates before measuring
  unsigned tokens_per_card = 8; ///< tokens created per card before using another
  unsigned timeout_ms = 10000;  ///< one request/answer
  unsigned max_retries = 20;    ///< per step on 429/503
  double drain_s = 10;          ///< open loop: most time past the end to send overdue requests
  double progress_s = 0;        ///< 0: every second on a TTY, every 5 s otherwise
  bool idempotency_keys = false;
  /// After the measured phase, wait until this unlabelled gauge of the
  /// target's /metrics reads 0 (e.g. dwt_outbox_pending); empty: no wait.
  std::string await_zero;
  double await_timeout_s = 300; ///< most time that wait may take
};

/// Outcome of parsing: options, or help, or an error message.
struct parse_result {
  options opts;
  bool help = false;
  std::string error;
};

[[nodiscard]] parse_result parse_options(const std::vector<std::string>& args);
[[nodiscard]] std::string usage();
[[nodiscard]] const char* to_string(run_mode m) noexcept;
[[nodiscard]] const char* to_string(scenario_kind s) noexcept;
[[nodiscard]] const char* to_string(network_kind n) noexcept;

} // namespace dwt::load
