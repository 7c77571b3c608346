#include "network.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "dwt/networks/caf_error.hpp"

namespace dwt::mdes_sim {

namespace json = boost::json;

std::string exchange::field(std::string_view name) const {
  if (const auto* o = answer_json.if_object())
    if (const auto* v = o->if_contains(name))
      if (const auto* s = v->if_string())
        return std::string{s->data(), s->size()};
  return {};
}

caf::expected<network> network::make(network_options opts, engine::random_source& rng) {
  auto issuer = networks::mdes::fle_recipient::from_pem_file(opts.issuer_fle_public_key);
  if (!issuer)
    return issuer.error();
  return network{std::move(opts), std::move(*issuer), rng};
}

network::network(network_options opts, networks::mdes::fle_recipient issuer,
                 engine::random_source& rng)
    : opts_(std::move(opts)), rng_(&rng),
      client_(opts_.host, opts_.port, opts_.timeout, opts_.tls) {
  issuer_.emplace(std::move(issuer));
}

exchange network::call(const std::string& service, const json::object& body) {
  exchange x;
  x.service = service;
  x.target = opts_.context_root + "/" + service;
  x.request = json::serialize(body);
  x.answer =
      client_.send("POST", x.target, x.request, {{"Authorization", "Bearer " + opts_.network_key}});
  if (!x.answer.body.empty()) {
    boost::system::error_code ec;
    auto v = json::parse(x.answer.body, ec);
    if (!ec)
      x.answer_json = std::move(v);
  }
  if (observer_)
    observer_(x);
  return x;
}

exchange network::authorize(const card& c, const authorize_params& p,
                            std::chrono::seconds data_valid_for) {
  const auto valid_until = iso8601(std::chrono::system_clock::now() + data_valid_for);
  auto info = encrypt_card_info(c, valid_until, *issuer_, opts_.wrap, *rng_);
  if (!info) {
    exchange x;
    x.service = "authorizeService";
    x.answer.error = "cannot encrypt the card data: " + to_string(info.error());
    return x;
  }
  return call("authorizeService", authorize_service(p, std::move(*info)));
}

exchange network::notify_token_updated(const std::vector<token_status>& tokens,
                                       std::string_view reason) {
  return call("notifyTokenUpdated",
              mdes_sim::notify_token_updated(ids().request_id(), tokens, reason));
}

namespace {

/// Why `x` is not the success answer of its service ("" when it is);
/// `responseId` must echo the request's `requestId`.
std::string failure_of(const exchange& x) {
  if (!x.answer.answered())
    return x.service + ": no answer (" + x.answer.error + ")";
  if (!x.ok())
    return x.service + ": HTTP " + std::to_string(x.answer.status) + " " + x.answer.body;
  boost::system::error_code ec;
  auto sent = json::parse(x.request, ec);
  const auto* id = ec ? nullptr : sent.as_object().if_contains("requestId");
  if (id == nullptr || !id->is_string() || x.field("responseId") != id->as_string())
    return x.service + ": responseId does not echo requestId";
  return {};
}

} // namespace

provision_result network::provision(const provision_options& o) {
  provision_result r;
  auto id = ids();
  r.correlation_id = id.correlation_id();
  const auto instance = id.payment_app_instance_id();
  auto keep = [&r](exchange x) -> const exchange& {
    r.steps.push_back(std::move(x));
    return r.steps.back();
  };

  authorize_params p;
  p.request_id = id.request_id();
  p.correlation_id = r.correlation_id;
  p.wallet_id = o.wallet_id;
  p.payment_app_instance_id = instance;
  p.recommendation = o.recommendation;
  const auto& auth = keep(authorize(o.card, p, o.data_valid_for));
  if (r.error = failure_of(auth); !r.error.empty())
    return r;
  r.decision = auth.field("decision");
  if (r.decision == "DECLINED") {
    r.completed = true;
    return r;
  }
  if (r.decision != "APPROVED" && r.decision != "REQUIRE_ADDITIONAL_AUTHENTICATION") {
    r.error = "authorizeService: unknown decision '" + r.decision + "'";
    return r;
  }
  // The network names the token from here on.
  r.tur = id.token_unique_reference();
  unsigned attempts = 0;
  if (r.decision == "REQUIRE_ADDITIONAL_AUTHENTICATION") {
    if (o.how == step_up::sms) {
      const auto& methods =
          keep(call("requestActivationMethods",
                    request_activation_methods(id.request_id(), r.tur, r.correlation_id)));
      if (r.error = failure_of(methods); !r.error.empty())
        return r;
      std::optional<activation_method> sms;
      if (const auto* list = methods.answer_json.as_object().if_contains("activationMethods"))
        if (list->is_array())
          for (const auto& m : list->as_array()) {
            const auto* mo = m.if_object();
            if (mo == nullptr)
              continue;
            const auto* type = mo->if_contains("type");
            const auto* value = mo->if_contains("value");
            if (type != nullptr && type->is_string() &&
                type->as_string() == "TEXT_TO_CARDHOLDER_NUMBER")
              sms = activation_method{"TEXT_TO_CARDHOLDER_NUMBER",
                                      value != nullptr && value->is_string()
                                          ? std::string{value->as_string()}
                                          : std::string{}};
          }
      if (!sms) {
        r.error = "requestActivationMethods: no TEXT_TO_CARDHOLDER_NUMBER method";
        return r;
      }
      r.activation_code = id.activation_code();
      const auto expires = iso8601(std::chrono::system_clock::now() + o.code_valid_for);
      const auto& delivered = keep(call(
          "deliverActivationCode", deliver_activation_code(id.request_id(), r.tur, r.correlation_id,
                                                           r.activation_code, expires, *sms)));
      if (r.error = failure_of(delivered); !r.error.empty())
        return r;
      // The cardholder types the code into the wallet; the network checks
      // it against its own copy (the issuer never sees it again).
      attempts = 1;
    } else {
      if (!o.in_app_approval) {
        r.error = "in-app step-up without an approval callback";
        return r;
      }
      if (r.error = o.in_app_approval(dwt_token_ref(r.correlation_id)); !r.error.empty()) {
        r.error = "in-app approval: " + r.error;
        return r;
      }
    }
  }
  activated_params a;
  a.request_id = id.request_id();
  a.tur = r.tur;
  a.correlation_id = r.correlation_id;
  a.wallet_id = o.wallet_id;
  a.payment_app_instance_id = instance;
  a.account_pan_suffix = o.card.pan.size() >= 4 ? o.card.pan.substr(o.card.pan.size() - 4) : "";
  a.decision = r.decision;
  a.activated_at = iso8601(std::chrono::system_clock::now());
  a.activation_attempts = attempts;
  const auto& activated = keep(call("notifyServiceActivated", notify_service_activated(a)));
  if (r.error = failure_of(activated); !r.error.empty())
    return r;
  r.completed = true;
  return r;
}

} // namespace dwt::mdes_sim
