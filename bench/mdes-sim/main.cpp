/// dwt-mdes-sim: plays Mastercard MDES against a running dwt (README.md in
/// this directory). Subcommands:
///   provision    one whole tokenisation (authorizeService, the step-up, notifyServiceActivated)
///   notify       notifyTokenUpdated for one token (suspend / resume / delete)
///   serve-csapi  the Customer Service API dwt calls (OAuth 1.0a verified)
#include <charconv>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "csapi_receiver.hpp"
#include "dwt/engine/random.hpp"
#include "network.hpp"

namespace {

namespace json = boost::json;
namespace sim = dwt::mdes_sim;

constexpr int exit_ok = 0;
constexpr int exit_flow_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_failure = 3;

constexpr std::string_view usage_text =
    R"(dwt-mdes-sim: plays Mastercard MDES against a running dwt (bench/mdes-sim/README.md).

usage:
  dwt-mdes-sim provision (--new-card | --pan PAN [--card-id ID]) [options]
      One tokenisation as MDES runs it, printing every message and answer:
      authorizeService (card data FLE-encrypted to the issuer's key), then for
      REQUIRE_ADDITIONAL_AUTHENTICATION requestActivationMethods and
      deliverActivationCode with a code the network made (--step-up sms) or
      the partner's in-app APPROVE (--step-up in-app), then
      notifyServiceActivated with a tokenUniqueReference the network made.
    --new-card               create a profile and a card first (partner API,
                             random PAN in BIN 400000-499999)
    --pan PAN                a card dwt already holds
    --card-id ID             its id (for --step-up in-app with --pan)
    --expiry MM/YY           (default 12/31)
    --recommend approve|step-up|decline|none
                             the network's recommendedDecision (default approve)
    --step-up sms|in-app     how the cardholder passes a step-up (default sms)
    --wallet-id ID           MDES walletId (default 216: GOOGLE_PAY in the example)
  dwt-mdes-sim notify --tur TUR --status suspend|resume|delete [options]
      notifyTokenUpdated for one token (suspend: suspendedBy CARDHOLDER).
  dwt-mdes-sim serve-csapi [options]
      The Customer Service API: POST {base}/csapi/v2/token/suspend|unsuspend|
      delete|activate?Format=JSON, each call's OAuth 1.0a RSA-SHA256 signature
      and body hash verified; one JSON line per call on stdout (or --log).
      Admin: GET {base}/_sim/calls, POST {base}/_sim/mode {"mode":"down"}.
    --listen HOST:PORT       (default 127.0.0.1:8082)
    --base PATH              (default /mdes)
    --oauth-key FILE         the issuer's OAuth public key
                             (default config/dev/mdes-oauth.pub.pem)
    --consumer-key KEY       required oauth_consumer_key (default: any)
    --public-origin URL      the scheme://host[:port] callers sign (default: the Host header)
    --mode ok|error|recoverable|down
                             answer success, a non-recoverable error (400),
                             a recoverable one (500) or 503 (default ok)
    --log FILE               append the call log there instead of stdout

options of provision and notify:
  --target HOST:PORT         dwt (default 127.0.0.1:8080, `make run`)
  --network-key KEY          [network] api_key (default demo-network-key)
  --partner-key KEY          for --new-card and in-app approval (default demo-partner-key)
  --issuer-key FILE          the issuer's FLE public key
                             (default config/dev/mdes-issuer-fle.pub.pem)
  --context-root PATH        [networks.mdes] context_root (default /mdes)
  --tls                      HTTPS to a mutual-TLS listener ([listen.tls] with
                             client_ca_file), presenting the network's client
                             certificate: config/dev/tls-network-client.pem and
                             .key.pem, the server checked against config/dev/tls-ca.pem
  --tls-ca FILE  --client-cert FILE  --client-key FILE
                             the same with other files (each implies --tls;
                             --client-cert "" presents none)
  --quiet                    print only the outcome

Paths are relative to the working directory: run from the repository root.
Exit: 0 done, 1 a step was not answered as MDES expects, 2 usage, 3 cannot start.
)";

struct args {
  std::vector<std::string> list;
  std::size_t i = 0;
  std::string error;

  bool more() const { return i < list.size(); }
  const std::string& next() { return list[i++]; }
  bool value(std::string& out) {
    if (!more()) {
      error = list[i - 1] + ": missing value";
      return false;
    }
    out = next();
    return true;
  }
};

bool parse_host_port(const std::string& v, std::string& host, std::uint16_t& port) {
  const auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return false;
  auto [p, ec] = std::from_chars(v.data() + colon + 1, v.data() + v.size(), port);
  if (ec != std::errc{} || p != v.data() + v.size())
    return false;
  host = v.substr(0, colon);
  return true;
}

std::string luhn_complete(std::string digits) {
  int sum = 0;
  bool dbl = true;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (dbl) {
      d *= 2;
      if (d > 9)
        d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  digits.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
  return digits;
}

std::string masked(const std::string& pan) {
  return pan.size() > 4 ? "****" + pan.substr(pan.size() - 4) : "****";
}

std::string field(const json::value& v, std::string_view key) {
  if (const auto* o = v.if_object())
    if (const auto* f = o->if_contains(key))
      if (const auto* s = f->if_string())
        return std::string{s->data(), s->size()};
  return {};
}

void print_exchange(const sim::exchange& x) {
  std::printf("-> POST %s\n   %s\n", x.target.c_str(), x.request.c_str());
  if (x.answer.answered())
    std::printf("<- %d %s\n\n", x.answer.status, x.answer.body.c_str());
  else
    std::printf("<- no answer: %s\n\n", x.answer.error.c_str());
  std::fflush(stdout);
}

struct common_options {
  sim::network_options net;
  std::string partner_key = "demo-partner-key";
  bool quiet = false;
};

/// Reads an option of provision/notify; false when `a` is none of them.
bool common_option(const std::string& a, args& in, common_options& o) {
  std::string v;
  if (a == "--target") {
    if (in.value(v) && !parse_host_port(v, o.net.host, o.net.port))
      in.error = "--target: expected HOST:PORT, got '" + v + "'";
  } else if (a == "--network-key") {
    (void)in.value(o.net.network_key);
  } else if (a == "--partner-key") {
    (void)in.value(o.partner_key);
  } else if (a == "--issuer-key") {
    if (in.value(v))
      o.net.issuer_fle_public_key = v;
  } else if (a == "--context-root") {
    (void)in.value(o.net.context_root);
  } else if (a == "--quiet") {
    o.quiet = true;
  } else if (a == "--tls") {
    if (!o.net.tls)
      o.net.tls = sim::tls_options{"config/dev/tls-ca.pem", "config/dev/tls-network-client.pem",
                                   "config/dev/tls-network-client.key.pem"};
  } else if (a == "--tls-ca" || a == "--client-cert" || a == "--client-key") {
    if (!o.net.tls)
      o.net.tls = sim::tls_options{"config/dev/tls-ca.pem", "config/dev/tls-network-client.pem",
                                   "config/dev/tls-network-client.key.pem"};
    if (in.value(v))
      (a == "--tls-ca"        ? o.net.tls->ca_file
       : a == "--client-cert" ? o.net.tls->cert_file
                              : o.net.tls->key_file) = v;
  } else {
    return false;
  }
  return true;
}

/// A partner API call; the parsed answer or null (with the reason printed).
json::value partner_call(sim::http_client& c, const std::string& key, const std::string& target,
                         const json::object& body, int expect) {
  auto r = c.send("POST", target, json::serialize(body), {{"Authorization", "Bearer " + key}});
  if (r.status != expect) {
    std::fprintf(stderr, "dwt-mdes-sim: POST %s: %s\n", target.c_str(),
                 r.answered() ? (std::to_string(r.status) + " " + r.body).c_str()
                              : r.error.c_str());
    return nullptr;
  }
  if (r.body.empty())
    return json::object{};
  boost::system::error_code ec;
  return json::parse(r.body, ec);
}

int provision(args& in) {
  common_options o;
  sim::provision_options p;
  bool new_card = false;
  std::string card_id;
  std::string recommend = "approve";
  std::string step_up = "sms";
  while (in.more() && in.error.empty()) {
    const auto a = in.next();
    std::string v;
    if (common_option(a, in, o))
      continue;
    if (a == "--new-card") {
      new_card = true;
    } else if (a == "--pan") {
      (void)in.value(p.card.pan);
    } else if (a == "--card-id") {
      (void)in.value(card_id);
    } else if (a == "--expiry") {
      if (in.value(v)) {
        if (v.size() != 5 || v[2] != '/')
          in.error = "--expiry: expected MM/YY";
        p.card.expiry_month = v.substr(0, 2);
        p.card.expiry_year = v.substr(3);
      }
    } else if (a == "--recommend") {
      (void)in.value(recommend);
    } else if (a == "--step-up") {
      (void)in.value(step_up);
    } else if (a == "--wallet-id") {
      (void)in.value(p.wallet_id);
    } else {
      in.error = "provision: unknown argument '" + a + "'";
    }
  }
  if (in.error.empty() && new_card == !p.card.pan.empty())
    in.error = "provision: give exactly one of --new-card and --pan";
  if (recommend == "approve")
    p.recommendation = "APPROVED";
  else if (recommend == "step-up")
    p.recommendation = "REQUIRE_ADDITIONAL_AUTHENTICATION";
  else if (recommend == "decline")
    p.recommendation = "DECLINED";
  else if (recommend == "none")
    p.recommendation.clear();
  else if (in.error.empty())
    in.error = "--recommend: expected approve, step-up, decline or none";
  if (step_up == "sms")
    p.how = sim::step_up::sms;
  else if (step_up == "in-app")
    p.how = sim::step_up::in_app;
  else if (in.error.empty())
    in.error = "--step-up: expected sms or in-app";
  if (!in.error.empty()) {
    std::fprintf(stderr, "dwt-mdes-sim: %s (see --help)\n", in.error.c_str());
    return exit_usage;
  }

  dwt::engine::secure_random rng;
  sim::http_client partner{o.net.host, o.net.port, o.net.timeout, o.net.tls};
  if (new_card) {
    std::random_device rd;
    std::mt19937_64 gen{(static_cast<std::uint64_t>(rd()) << 32) ^ rd()};
    std::uniform_int_distribution<std::uint64_t> digits{0, 999'999'999};
    char buf[32];
    std::snprintf(buf, sizeof buf, "4%05llu%09llu",
                  static_cast<unsigned long long>(digits(gen) % 100000),
                  static_cast<unsigned long long>(digits(gen)));
    p.card.pan = luhn_complete(buf);
    std::snprintf(buf, sizeof buf, "+4477009%05llu",
                  static_cast<unsigned long long>(digits(gen) % 100000));
    const std::string phone = buf;
    auto profile = partner_call(partner, o.partner_key, "/v1/profiles",
                                json::object{{"phoneNumber", phone}}, 201);
    if (profile.is_null())
      return exit_flow_failed;
    auto card = partner_call(partner, o.partner_key, "/v1/cards",
                             json::object{{"profileId", field(profile, "id")},
                                          {"pan", p.card.pan},
                                          {"expiryMonth", std::stoi(p.card.expiry_month)},
                                          {"expiryYear", 2000 + std::stoi(p.card.expiry_year)},
                                          {"cardProduct", "demo-debit"},
                                          {"type", "VIRTUAL"}},
                             201);
    if (card.is_null())
      return exit_flow_failed;
    card_id = field(card, "id");
    std::printf("new card %s (PAN %s, profile phone %s) for partner key %s\n\n", card_id.c_str(),
                masked(p.card.pan).c_str(), phone.c_str(), o.partner_key.c_str());
  }
  if (p.how == sim::step_up::in_app) {
    p.in_app_approval = [&](const std::string& ref) -> std::string {
      if (card_id.empty())
        return "--step-up in-app needs --card-id (or --new-card)";
      // The cardholder picks the issuer's app. MDES has no message for that
      // choice, so the simulator tells dwt through its own network API
      // (verification IN_APP); then the partner's app approves.
      auto v =
          partner_call(partner, o.net.network_key, "/network/v1/tokens/" + ref + "/verification",
                       json::object{{"method", "IN_APP"}}, 202);
      if (v.is_null())
        return "dwt refused the in-app verification";
      auto r = partner_call(partner, o.partner_key,
                            "/v1/cards/" + card_id + "/payment-tokens/" + ref + "/activation",
                            json::object{{"activation", "APPROVE"}}, 204);
      if (r.is_null())
        return "the partner API refused the approval";
      if (!o.quiet)
        std::printf("(the cardholder chose the issuer's app: POST /network/v1/tokens/%s/"
                    "verification IN_APP; the partner's app approved: activation APPROVE)\n\n",
                    ref.c_str());
      return "";
    };
  }
  auto net = sim::network::make(o.net, rng);
  if (!net) {
    std::fprintf(stderr, "dwt-mdes-sim: cannot load %s: %s\n", o.net.issuer_fle_public_key.c_str(),
                 to_string(net.error()).c_str());
    return exit_failure;
  }
  if (!o.quiet) {
    std::printf("card data encrypted to %s (SPKI SHA-256 %s)\n\n",
                o.net.issuer_fle_public_key.c_str(), net->issuer().fingerprint().c_str());
    net->set_observer(print_exchange);
  }
  auto r = net->provision(p);
  if (!r.activation_code.empty())
    std::printf("network's activation code: %s (the cardholder reads it in the SMS)\n",
                r.activation_code.c_str());
  std::printf("correlationId %s, tokenUniqueReference %s, dwt token %s\n", r.correlation_id.c_str(),
              r.tur.empty() ? "-" : r.tur.c_str(), sim::dwt_token_ref(r.correlation_id).c_str());
  if (!r.completed) {
    std::printf("FAILED: %s\n", r.error.c_str());
    return exit_flow_failed;
  }
  std::printf("done: %s\n", r.decision == "DECLINED" ? "DECLINED" : "token active");
  return exit_ok;
}

int notify(args& in) {
  common_options o;
  std::string tur;
  std::string status;
  std::string reason = "STATUS_UPDATE";
  while (in.more() && in.error.empty()) {
    const auto a = in.next();
    if (common_option(a, in, o))
      continue;
    if (a == "--tur")
      (void)in.value(tur);
    else if (a == "--status")
      (void)in.value(status);
    else if (a == "--reason")
      (void)in.value(reason);
    else
      in.error = "notify: unknown argument '" + a + "'";
  }
  auto t = sim::status_for(status, tur);
  if (in.error.empty() && (tur.empty() || !t))
    in.error = "notify: needs --tur TUR and --status suspend|resume|delete";
  if (!in.error.empty()) {
    std::fprintf(stderr, "dwt-mdes-sim: %s (see --help)\n", in.error.c_str());
    return exit_usage;
  }
  dwt::engine::secure_random rng;
  auto net = sim::network::make(o.net, rng);
  if (!net) {
    std::fprintf(stderr, "dwt-mdes-sim: cannot load %s: %s\n", o.net.issuer_fle_public_key.c_str(),
                 to_string(net.error()).c_str());
    return exit_failure;
  }
  auto x = net->notify_token_updated({*t}, reason);
  print_exchange(x);
  return x.ok() ? exit_ok : exit_flow_failed;
}

int serve_csapi(args& in) {
  sim::csapi_options o;
  std::string key_file = "config/dev/mdes-oauth.pub.pem";
  std::string log_file;
  while (in.more() && in.error.empty()) {
    const auto a = in.next();
    std::string v;
    if (a == "--listen") {
      if (in.value(v) && !parse_host_port(v, o.host, o.port))
        in.error = "--listen: expected HOST:PORT, got '" + v + "'";
    } else if (a == "--base") {
      (void)in.value(o.base);
    } else if (a == "--oauth-key") {
      (void)in.value(key_file);
    } else if (a == "--consumer-key") {
      (void)in.value(o.consumer_key);
    } else if (a == "--public-origin") {
      (void)in.value(o.public_origin);
    } else if (a == "--mode") {
      if (in.value(v)) {
        auto m = sim::parse_csapi_mode(v);
        if (!m)
          in.error = "--mode: expected ok, error, recoverable or down";
        else
          o.mode = *m;
      }
    } else if (a == "--log") {
      (void)in.value(log_file);
    } else {
      in.error = "serve-csapi: unknown argument '" + a + "'";
    }
  }
  if (!in.error.empty()) {
    std::fprintf(stderr, "dwt-mdes-sim: %s (see --help)\n", in.error.c_str());
    return exit_usage;
  }
  // SIGINT/SIGTERM are taken by sigwait below: blocked before the server's
  // thread starts, so it inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto r = sim::csapi_receiver::from_key_file(o, key_file);
  if (!r) {
    std::fprintf(stderr, "dwt-mdes-sim: cannot load %s: %s\n", key_file.c_str(),
                 to_string(r.error()).c_str());
    return exit_failure;
  }
  std::ofstream log;
  if (!log_file.empty()) {
    log.open(log_file, std::ios::app);
    if (!log) {
      std::fprintf(stderr, "dwt-mdes-sim: cannot open %s\n", log_file.c_str());
      return exit_failure;
    }
  }
  std::mutex out_mutex;
  (*r)->set_observer([&](const sim::csapi_call& c) {
    std::lock_guard lock{out_mutex};
    if (log.is_open())
      log << c.to_json() << '\n' << std::flush;
    else
      std::cout << c.to_json() << '\n' << std::flush;
  });
  if (auto err = (*r)->start(); !err.empty()) {
    std::fprintf(stderr, "dwt-mdes-sim: %s\n", err.c_str());
    return exit_failure;
  }
  std::fprintf(stderr,
               "dwt-mdes-sim csapi listening on http://%s:%u%s (mode %s, key %s); Ctrl-C stops\n",
               o.host.c_str(), (*r)->port(), o.base.c_str(), std::string{to_string(o.mode)}.c_str(),
               key_file.c_str());
  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*r)->stop();
  return exit_ok;
}

} // namespace

int main(int argc, char** argv) {
  args in;
  in.list.assign(argv + 1, argv + argc);
  if (!in.more() || in.list[0] == "--help" || in.list[0] == "-h" || in.list[0] == "help") {
    std::fputs(usage_text.data(), in.more() ? stdout : stderr);
    return in.more() ? exit_ok : exit_usage;
  }
  const auto cmd = in.next();
  if (cmd == "provision")
    return provision(in);
  if (cmd == "notify")
    return notify(in);
  if (cmd == "serve-csapi")
    return serve_csapi(in);
  std::fprintf(stderr, "dwt-mdes-sim: unknown subcommand '%s' (see --help)\n", cmd.c_str());
  return exit_usage;
}
