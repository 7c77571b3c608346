#include "options.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace dwt::load {

namespace {

/// Largest accepted --connections.
constexpr unsigned max_connections = 20000;
/// Largest accepted --threads.
constexpr unsigned max_threads = 64;
/// Longest accepted --duration, seconds.
constexpr double max_duration_s = 3600;

bool to_double(std::string_view s, double& out) {
  if (s.empty())
    return false;
  std::string tmp{s};
  char* end = nullptr;
  out = std::strtod(tmp.c_str(), &end);
  return end == tmp.c_str() + tmp.size() && out >= 0;
}

template <class T>
bool to_uint(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool parse_weights(std::string_view s, mix_weights& w, std::string& err) {
  mix_weights out{0, 0, 0, 0, 0, 0};
  while (!s.empty()) {
    const auto comma = s.find(',');
    const auto item = s.substr(0, comma);
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      err = "--mix: expected name=weight, got '" + std::string{item} + "'";
      return false;
    }
    const auto name = item.substr(0, eq);
    unsigned v = 0;
    if (!to_uint(item.substr(eq + 1), v)) {
      err = "--mix: bad weight in '" + std::string{item} + "'";
      return false;
    }
    if (name == "push")
      out.push = v;
    else if (name == "manual_otp")
      out.manual_otp = v;
    else if (name == "inapp_approve")
      out.inapp_approve = v;
    else if (name == "inapp_decline")
      out.inapp_decline = v;
    else if (name == "lifecycle")
      out.lifecycle = v;
    else if (name == "new_card")
      out.new_card = v;
    else {
      err = "--mix: unknown flow '" + std::string{name} + "'";
      return false;
    }
  }
  if (out.sum() == 0) {
    err = "--mix: all weights are zero";
    return false;
  }
  w = out;
  return true;
}

} // namespace

const char* to_string(run_mode m) noexcept {
  switch (m) {
  case run_mode::open:
    return "open";
  case run_mode::burst:
    return "burst";
  case run_mode::closed:
    return "closed";
  }
  return "?";
}

const char* to_string(scenario_kind s) noexcept {
  switch (s) {
  case scenario_kind::mix:
    return "mix";
  case scenario_kind::provision:
    return "provision";
  case scenario_kind::get:
    return "get";
  case scenario_kind::tokenize:
    return "tokenize";
  }
  return "?";
}

const char* to_string(network_kind n) noexcept {
  switch (n) {
  case network_kind::dwt:
    return "dwt";
  case network_kind::mdes:
    return "mdes";
  }
  return "?";
}

std::string usage() {
  return R"(dwt-load: HTTP/1.1 load generator for dwt-server (keep-alive connections, Beast).

usage: dwt-load [--target HOST:PORT] [--mode open|burst|closed] [options]

modes
  --mode open   --rate R --duration S     open loop: request i is due at i/R;
                                          latency counts from the due time
  --mode burst  --rate R --burst-rate B --burst-at T --burst-for D --duration S
                                          open loop with a burst window at B req/s
  --mode closed --connections C --duration S
                                          each connection sends back to back
scenario
  --scenario mix|provision|tokenize|get   (default mix)
      mix: weighted flows over the API: push provisioning, manual provisioning
           with SMS OTP, in-app APPROVE/DECLINE, suspend/resume/terminate, new
           profile+card; provision: push provisioning only (one durable
           transaction per request); tokenize: network tokenisation approvals
           only (recommendation GREEN / APPROVED: one ACTIVE token per
           request); get: GET --path (no-op server baseline)
  --network dwt|mdes                      the network API of the tokenisation flows
                                          (default dwt: /network/v1). mdes: Mastercard
                                          MDES authorizeService, card data FLE-encrypted
                                          once per card when the card is created (the
                                          client's cost stays out of the measured
                                          requests), a fresh correlationId per request;
                                          in mix, a step-up after authorizeService asks
                                          requestActivationMethods, then goes through
                                          /network/v1's verification routes (SMS OTP,
                                          in-app), then notifyServiceActivated; MDES
                                          tokens are changed by notifyTokenUpdated
  --mdes-root PATH                        [networks.mdes] context_root (default /mdes)
  --mdes-issuer-key FILE                  the issuer's FLE public key (default
                                          config/dev/mdes-issuer-fle.pub.pem)
  --mix push=4,manual_otp=2,inapp_approve=1,inapp_decline=1,lifecycle=3,new_card=1
  --path P                                path for --scenario get (default /)
  --partner-key K                         repeatable (default demo-partner-key)
  --network-key K                         (default demo-network-key)
  --card-product NAME                     (default demo-debit; BIN 400000-499999)
  --sms-file FILE                         the server's file SMS sink (manual_otp)
  --setup-cards N                         cards per connection before measuring (2)
  --tokens-per-card N                     tokens per card before the next (8)
  --idempotency-keys                      send Idempotency-Key on every POST
load
  --target HOST:PORT                      (default 127.0.0.1:8080)
  --connections C                         keep-alive connections (64)
  --threads M                             I/O threads (1)
  --rate R  --duration S  --burst-rate B  --burst-at T  --burst-for D
  --timeout-ms MS                         per request (10000)
  --max-retries N                         per step on 429/503 (20)
  --drain S                               open loop: stop sending overdue requests
                                          S seconds after the end (10)
output
  --out FILE.json  --svg FILE.svg  --title TEXT
  --await-zero GAUGE                      after the measured phase, poll the target's
                                          /metrics until GAUGE reads 0 (for example
                                          dwt_outbox_pending: every webhook delivered)
                                          and report the 2xx rate with that time included
  --await-timeout S                       most time that wait may take (300)
  --verify / --no-verify                  read back every acknowledged token and
                                          card (default on); exit 1 on a mismatch
  --progress S                            progress interval (1 on a TTY, else 5)
  --seed N                                (default: random, printed)
  --help
)";
}

parse_result parse_options(const std::vector<std::string>& args) {
  parse_result r;
  auto& o = r.opts;
  bool partner_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) {
        r.error = a + ": missing value";
        return false;
      }
      out = args[++i];
      return true;
    };
    auto number = [&](double& out) {
      std::string v;
      if (!value(v))
        return false;
      if (!to_double(v, out)) {
        r.error = a + ": expected a non-negative number, got '" + v + "'";
        return false;
      }
      return true;
    };
    auto count = [&](unsigned& out) {
      std::string v;
      if (!value(v))
        return false;
      if (!to_uint(v, out)) {
        r.error = a + ": expected a non-negative integer, got '" + v + "'";
        return false;
      }
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      r.help = true;
      return r;
    } else if (a == "--target") {
      if (!value(v))
        return r;
      const auto colon = v.rfind(':');
      if (colon == std::string::npos || !to_uint(std::string_view{v}.substr(colon + 1), o.port) ||
          colon == 0) {
        r.error = "--target: expected HOST:PORT, got '" + v + "'";
        return r;
      }
      o.host = v.substr(0, colon);
    } else if (a == "--mode") {
      if (!value(v))
        return r;
      if (v == "open")
        o.mode = run_mode::open;
      else if (v == "burst")
        o.mode = run_mode::burst;
      else if (v == "closed")
        o.mode = run_mode::closed;
      else {
        r.error = "--mode: expected open, burst or closed, got '" + v + "'";
        return r;
      }
    } else if (a == "--scenario") {
      if (!value(v))
        return r;
      if (v == "mix")
        o.scenario = scenario_kind::mix;
      else if (v == "provision")
        o.scenario = scenario_kind::provision;
      else if (v == "get")
        o.scenario = scenario_kind::get;
      else if (v == "tokenize")
        o.scenario = scenario_kind::tokenize;
      else {
        r.error = "--scenario: expected mix, provision, tokenize or get, got '" + v + "'";
        return r;
      }
    } else if (a == "--network") {
      if (!value(v))
        return r;
      if (v == "dwt")
        o.network = network_kind::dwt;
      else if (v == "mdes")
        o.network = network_kind::mdes;
      else {
        r.error = "--network: expected dwt or mdes, got '" + v + "'";
        return r;
      }
    } else if (a == "--mdes-root") {
      if (!value(o.mdes_root))
        return r;
    } else if (a == "--mdes-issuer-key") {
      if (!value(o.mdes_issuer_key))
        return r;
    } else if (a == "--mix") {
      if (!value(v) || !parse_weights(v, o.weights, r.error))
        return r;
    } else if (a == "--rate") {
      if (!number(o.rate))
        return r;
    } else if (a == "--duration") {
      if (!number(o.duration_s))
        return r;
    } else if (a == "--burst-rate") {
      if (!number(o.burst_rate))
        return r;
    } else if (a == "--burst-at") {
      if (!number(o.burst_at_s))
        return r;
    } else if (a == "--burst-for") {
      if (!number(o.burst_for_s))
        return r;
    } else if (a == "--drain") {
      if (!number(o.drain_s))
        return r;
    } else if (a == "--progress") {
      if (!number(o.progress_s))
        return r;
    } else if (a == "--connections") {
      if (!count(o.connections))
        return r;
    } else if (a == "--threads") {
      if (!count(o.threads))
        return r;
    } else if (a == "--setup-cards") {
      if (!count(o.setup_cards))
        return r;
    } else if (a == "--tokens-per-card") {
      if (!count(o.tokens_per_card))
        return r;
    } else if (a == "--timeout-ms") {
      if (!count(o.timeout_ms))
        return r;
    } else if (a == "--max-retries") {
      if (!count(o.max_retries))
        return r;
    } else if (a == "--seed") {
      if (!value(v))
        return r;
      if (!to_uint(v, o.seed)) {
        r.error = "--seed: expected an unsigned integer";
        return r;
      }
    } else if (a == "--path") {
      if (!value(o.path))
        return r;
    } else if (a == "--partner-key") {
      if (!value(v))
        return r;
      if (!partner_given)
        o.partner_keys.clear();
      partner_given = true;
      o.partner_keys.push_back(v);
    } else if (a == "--network-key") {
      if (!value(o.network_key))
        return r;
    } else if (a == "--card-product") {
      if (!value(o.card_product))
        return r;
    } else if (a == "--sms-file") {
      if (!value(o.sms_file))
        return r;
    } else if (a == "--out") {
      if (!value(o.out))
        return r;
    } else if (a == "--svg") {
      if (!value(o.svg))
        return r;
    } else if (a == "--title") {
      if (!value(o.title))
        return r;
    } else if (a == "--verify") {
      o.verify = true;
    } else if (a == "--no-verify") {
      o.verify = false;
    } else if (a == "--await-zero") {
      if (!value(o.await_zero))
        return r;
    } else if (a == "--await-timeout") {
      if (!number(o.await_timeout_s))
        return r;
    } else if (a == "--idempotency-keys") {
      o.idempotency_keys = true;
    } else {
      r.error = "unknown argument '" + a + "' (see --help)";
      return r;
    }
  }
  if (o.connections == 0 || o.connections > max_connections)
    r.error = "--connections: must be in [1, " + std::to_string(max_connections) + "]";
  else if (o.threads == 0 || o.threads > max_threads)
    r.error = "--threads: must be in [1, " + std::to_string(max_threads) + "]";
  else if (o.duration_s <= 0 || o.duration_s > max_duration_s)
    r.error =
        "--duration: must be in (0, " + std::to_string(static_cast<int>(max_duration_s)) + "]";
  else if (o.mode != run_mode::closed && o.rate <= 0)
    r.error = "--rate: must be positive in open and burst modes";
  else if (o.mode == run_mode::burst && (o.burst_rate <= 0 || o.burst_for_s <= 0))
    r.error = "--mode burst needs --burst-rate and --burst-for";
  else if (o.scenario == scenario_kind::mix && o.weights.manual_otp > 0 && o.sms_file.empty())
    r.error = "--scenario mix with manual_otp > 0 needs --sms-file (or --mix manual_otp=0,...)";
  else if (o.tokens_per_card == 0)
    r.error = "--tokens-per-card: must be positive";
  else if (o.timeout_ms == 0)
    r.error = "--timeout-ms: must be positive";
  else if (o.await_timeout_s <= 0 || o.await_timeout_s > max_duration_s)
    r.error =
        "--await-timeout: must be in (0, " + std::to_string(static_cast<int>(max_duration_s)) + "]";
  return r;
}

} // namespace dwt::load
