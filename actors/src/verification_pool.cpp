/// @file
/// The verification pool: a round-robin caf::actor_pool of workers that
/// issue and check OTPs (HMAC work off the token actors) and hand SMS to
/// the gateway. Each worker owns its random source.

#include <caf/actor_pool.hpp>
#include <caf/scoped_execution_unit.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "dwt/actors/runtime.hpp"
#include "dwt/engine/otp.hpp"

namespace dwt::actors {
namespace {

struct verification_state {
  std::shared_ptr<const runtime> rt;
  std::unique_ptr<engine::random_source> rng;
  static inline const char* name = "dwt.verification";
};

verification_actor::behavior_type
verification_impl(verification_actor::stateful_pointer<verification_state> self,
                  std::shared_ptr<const runtime> rt) {
  self->state.rt = rt;
  self->state.rng = rt->make_random();
  return {
      [self](otp_issue& req) -> caf::result<otp_issued> {
        auto& st = self->state;
        const auto& opts = st.rt->options;
        if (req.previous) {
          auto r = engine::resend_otp(*req.previous, opts.otp_key, *st.rng, req.now, opts.otp);
          if (!r)
            return std::move(r.error());
          return otp_issued{std::move(r->challenge), std::move(r->code)};
        }
        auto r = engine::issue_otp(req.token, req.destination_masked, opts.otp_key, *st.rng,
                                   req.now, opts.otp);
        return otp_issued{std::move(r.challenge), std::move(r.code)};
      },
      [self](otp_check& req) -> caf::result<engine::otp_verdict> {
        const auto& run = *self->state.rt;
        auto v = engine::verify_otp(req.challenge, req.code, run.options.otp_key, req.now,
                                    run.options.otp);
        run.counters->count_otp_check(v.result);
        return v;
      },
      [self](sms_send& req) {
        const auto& run = *self->state.rt;
        // Every SMS is an OTP (issue or resend), sent once its challenge is
        // durable.
        run.counters->otp_sent.fetch_add(1, std::memory_order_relaxed);
        if (const auto& gw = run.options.sms) {
          // The counters outlive the gateway's callback (shared).
          gw->send(std::move(req.msg), [counters = run.counters](bool accepted) {
            (accepted ? counters->sms_sent : counters->sms_failed)
                .fetch_add(1, std::memory_order_relaxed);
          });
        }
      },
  };
}

} // namespace

std::string otp_sms_body(const std::string& code, std::chrono::seconds ttl) {
  auto minutes = std::max<std::int64_t>(1, (ttl.count() + 59) / 60);
  return "Your dwt verification code is " + code + ". It expires in " + std::to_string(minutes) +
         (minutes == 1 ? " minute." : " minutes.");
}

std::string activation_code_sms_body(std::string_view code, std::chrono::seconds ttl) {
  std::string body = "Your card activation code is ";
  body += code;
  body += '.';
  if (ttl.count() > 0) {
    auto minutes = std::max<std::int64_t>(1, (ttl.count() + 59) / 60);
    body += " It expires in " + std::to_string(minutes) + (minutes == 1 ? " minute." : " minutes.");
  }
  return body;
}

verification_actor spawn_verification_pool(caf::actor_system& sys,
                                           const std::shared_ptr<runtime>& rt,
                                           std::size_t workers) {
  std::shared_ptr<const runtime> crt = rt;
  caf::scoped_execution_unit ctx{&sys};
  auto factory = [&sys, crt] {
    return caf::actor_cast<caf::actor>(sys.spawn(verification_impl, crt));
  };
  auto pool = caf::actor_pool::make(&ctx, std::max<std::size_t>(1, workers), factory,
                                    caf::actor_pool::round_robin());
  return caf::actor_cast<verification_actor>(pool);
}

} // namespace dwt::actors
