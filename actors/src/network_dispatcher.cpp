/// @file
/// The network dispatcher actor (see network_dispatcher.hpp): loads the
/// pending network commands in seq order, calls the MDES Customer Service
/// API for the first command of each token (signed, OAuth 1.0a RSA-SHA256
/// with body hash), retries by the retry schedule, and commits each outcome
/// (and, when a command fails for good, its tokens#network-sync-failed
/// webhook) through the checkpointer.

#include "network_dispatcher.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <pthread.h>
#include <set>
#include <unordered_map>
#include <utility>
#include <variant>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "changes.hpp"
#include "dwt/engine/assert.hpp"
#include "dwt/errors.hpp"
#include "dwt/networks/mdes/customer_service.hpp"
#include "dwt/networks/oauth1.hpp"
#include "dwt/outbound/retry_schedule.hpp"
#include "dwt/persistence/caf_error.hpp"
#include "dwt/persistence/reader.hpp"
#include "network_commands.hpp"

namespace dwt::actors {

namespace mdes = networks::mdes;
using persistence::network_command;
using persistence::network_sync_status;

// -- io ------------------------------------------------------------------------

caf::expected<std::unique_ptr<network_io>>
network_io::start(const mdes_customer_service_options& o) {
  auto self = std::make_unique<network_io>();
  outbound::http_client_options http;
  http.timeout = o.timeout;
  http.ca_file = o.ca_file;
  http.max_response_body = mdes::customer_service_limits::max_response_bytes;
  http.max_idle_per_endpoint = std::max<std::size_t>(1, o.max_in_flight);
  auto created = outbound::http_client::create(self->io_, std::move(http));
  if (!created.client)
    return make_error(runtime_errc::invalid_options, "MDES client: " + created.error);
  self->client_ = std::move(created.client);
  self->work_ =
      std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          self->io_.get_executor());
  self->thread_ = std::thread{[io = &self->io_] {
    pthread_setname_np(pthread_self(), "dwt.network-io");
    io->run();
  }};
  return self;
}

network_io::~network_io() {
  stop();
}

void network_io::stop() {
  work_.reset();
  io_.stop();
  if (thread_.joinable())
    thread_.join();
}

caf::expected<networks::pkey_ptr> check_mdes_options(const mdes_customer_service_options& o) {
  auto bad = [](std::string what) {
    return caf::expected<networks::pkey_ptr>{
        make_error(runtime_errc::invalid_options, "mdes customer service: " + std::move(what))};
  };
  if (!mdes::cs_url(o.url, mdes::cs_operation::suspend))
    return bad("url must be an absolute http(s) URL without query");
  if (o.consumer_key.empty() || o.consumer_key.size() > networks::oauth1::limits::max_consumer_key)
    return bad("oauth_consumer_key must be 1 to 256 characters");
  if (o.audit_user_id.empty() || o.audit_user_name.empty() || o.audit_organization.empty())
    return bad("audit user id, user name and organization are required");
  if (o.timeout.count() <= 0 || o.timeout > network_dispatcher_limits::max_timeout)
    return bad("timeout must be 1 ms to 5 min");
  if (o.max_in_flight == 0 || o.max_in_flight > network_dispatcher_limits::max_in_flight)
    return bad("max_in_flight must be 1 to 1024");
  if (o.max_tracked == 0 || o.max_tracked > network_dispatcher_limits::max_tracked)
    return bad("max_tracked must be 1 to 1048576");
  if (o.poll_interval.count() <= 0 || o.poll_interval > std::chrono::minutes{1})
    return bad("poll_interval must be 1 ms to 1 min");
  if (o.reference_wait.count() < 0)
    return bad("reference_wait must not be negative");
  auto key = networks::private_key_from_pem(o.signing_key_pem);
  if (!key)
    return bad("the OAuth signing key is not a usable RSA private key");
  return std::move(*key);
}

namespace {

using clock_ms = std::chrono::milliseconds;

struct tracked {
  network_command cmd;
  /// A call or its record is in flight.
  bool busy = false;
  /// When to look at it next (the stored next attempt, or later while the
  /// token waits for its tokenUniqueReference).
  engine::timestamp due{};
};

struct nd_state {
  std::shared_ptr<network_dispatcher_context> ctx;
  /// Set by nd_start; nothing is done before.
  checkpointer_actor checkpointer;
  std::unique_ptr<engine::random_source> rng;
  std::optional<outbound::retry_schedule> schedule;
  /// Loaded pending commands by seq.
  std::map<std::uint64_t, tracked> cmds;
  /// Per token: its loaded commands in seq order; only the first is worked.
  std::unordered_map<std::string, std::deque<std::uint64_t>> queues;
  /// Every pending command with seq <= cursor has been looked at.
  std::uint64_t cursor = 0;
  std::size_t in_flight = 0;
  /// Seqs an operator retry is committing.
  std::set<std::uint64_t> retrying;
  std::uint64_t tick_gen = 0;
  bool tick_armed = false;
  std::chrono::steady_clock::time_point tick_due{};
  static inline const char* name = "dwt.network_dispatcher";
};

using self_ptr = caf::stateful_actor<nd_state>*;

const mdes_customer_service_options& opts(const nd_state& st) {
  return st.ctx->options.mdes;
}

engine::timestamp now_of(const nd_state& st) {
  return st.ctx->options.clock();
}

mdes::cs_operation cs_op(persistence::network_operation op) {
  switch (op) {
  case persistence::network_operation::suspend:
    return mdes::cs_operation::suspend;
  case persistence::network_operation::unsuspend:
    return mdes::cs_operation::unsuspend;
  case persistence::network_operation::delete_token:
    return mdes::cs_operation::delete_token;
  case persistence::network_operation::activate:
    return mdes::cs_operation::activate;
  }
  return mdes::cs_operation::suspend;
}

// -- timers --------------------------------------------------------------------

void arm(self_ptr self, clock_ms delay) {
  auto& st = self->state;
  delay = std::clamp(delay, clock_ms{1}, opts(st).poll_interval);
  auto due = std::chrono::steady_clock::now() + delay;
  if (st.tick_armed && due >= st.tick_due)
    return;
  st.tick_armed = true;
  st.tick_due = due;
  self->delayed_send(self, delay, nd_tick_atom::value, ++st.tick_gen);
}

void arm_next(self_ptr self) {
  auto& st = self->state;
  auto delay = opts(st).poll_interval;
  // No slot free: a finishing call wakes the dispatcher (on_recorded), so
  // due commands must not spin the timer meanwhile.
  if (st.in_flight >= opts(st).max_in_flight) {
    arm(self, delay);
    return;
  }
  const auto now = now_of(st);
  for (const auto& [token, q] : st.queues) {
    if (q.empty())
      continue;
    const auto& t = st.cmds.at(q.front());
    if (!t.busy)
      delay = std::min(delay, std::chrono::duration_cast<clock_ms>(t.due - now));
  }
  arm(self, delay);
}

// -- loading -------------------------------------------------------------------

/// Adds a pending command to the per-token queue, keeping seq order (a
/// retried command goes back before later ones of its token).
void track(nd_state& st, network_command cmd) {
  const auto seq = cmd.seq;
  auto& q = st.queues[cmd.token.value];
  const auto due = cmd.next_attempt_at;
  st.cmds.emplace(seq, tracked{std::move(cmd), false, due});
  q.insert(std::upper_bound(q.begin(), q.end(), seq), seq);
}

void load(self_ptr self) {
  auto& st = self->state;
  const auto max = opts(st).max_tracked;
  if (st.cmds.size() >= max)
    return;
  auto rd = persistence::reader::begin(*st.ctx->store);
  if (!rd)
    return; // again on the next tick
  auto seqs = rd->pending_network_commands(st.cursor, max - st.cmds.size());
  if (!seqs)
    return;
  for (auto seq : *seqs) {
    st.cursor = seq;
    if (st.cmds.contains(seq))
      continue;
    auto cmd = rd->network_command_at(seq);
    if (!cmd || cmd->status != network_sync_status::pending)
      continue;
    track(st, std::move(*cmd));
  }
}

// -- outcomes ------------------------------------------------------------------

void on_recorded(self_ptr self, nd_recorded& r);

/// Commits `cmd` (the new state of a tracked command) and, when it failed
/// for good, its webhook; the checkpointer's answer goes to on_recorded.
void record(self_ptr self, network_command cmd) {
  auto& st = self->state;
  persistence::write_unit unit;
  unit.put_network_command(cmd);
  if (cmd.status == network_sync_status::failed) {
    persistence::outbox_event ev;
    ev.event_id = new_event_id(cmd.updated_at, *st.rng);
    ev.partner = cmd.partner;
    ev.token = cmd.token;
    ev.type = std::string{network_sync_failed_event_type};
    ev.created_at = cmd.updated_at;
    ev.payload = network_sync_failed_payload(cmd);
    unit.append_outbox(std::move(ev));
  }
  const auto seq = cmd.seq;
  self->request(st.checkpointer, caf::infinite, commit_request{std::move(unit)})
      .then(
          [self, seq, cmd](commit_reply&) mutable {
            nd_recorded r{seq, true, std::move(cmd)};
            on_recorded(self, r);
          },
          [self, seq](caf::error&) {
            nd_recorded r{seq, false, {}};
            on_recorded(self, r);
          });
}

void fail_now(self_ptr self, network_command cmd, std::string reason, std::string description) {
  cmd.status = network_sync_status::failed;
  cmd.updated_at = now_of(self->state);
  cmd.error_source = "dwt";
  cmd.error_reason_code = std::move(reason);
  cmd.error_description = std::move(description);
  cmd.http_status = 0;
  record(self, std::move(cmd));
}

/// Printable ASCII only, at most the comment limit (the partner's reason
/// text is free; the network's field is not).
std::string comment_of(const std::string& reason) {
  std::string out;
  for (char c : reason) {
    if (out.size() >= mdes::customer_service_limits::max_comment_text)
      break;
    if (c >= 0x20 && c < 0x7f)
      out.push_back(c);
  }
  return out;
}

// -- calls ---------------------------------------------------------------------

void start_call(self_ptr self, tracked& t) {
  auto& st = self->state;
  const auto& o = opts(st);
  const auto now = now_of(st);
  auto rd = persistence::reader::begin(*st.ctx->store);
  if (!rd) {
    t.due = now + o.poll_interval;
    return;
  }
  auto token = rd->token(t.cmd.token);
  if (!token) {
    if (token.code() != persistence::errc::not_found) {
      t.due = now + o.poll_interval;
      return;
    }
    t.busy = true;
    fail_now(self, t.cmd, "TOKEN_NOT_FOUND", "the token no longer exists");
    return;
  }
  std::string tur;
  if (token->network)
    tur = token->network->token_unique_reference;
  if (tur.empty()) {
    // MDES names the token (notifyServiceActivated) after dwt knows it:
    // wait for that, a bounded time.
    if (now >= t.cmd.created_at + o.reference_wait) {
      t.busy = true;
      fail_now(self, t.cmd, "NO_TOKEN_UNIQUE_REFERENCE",
               "the network never named the token (no tokenUniqueReference)");
    } else {
      t.due = now + o.poll_interval;
    }
    return;
  }
  mdes::token_lifecycle_request req;
  req.token_unique_reference = tur;
  req.comment_text = comment_of(t.cmd.comment);
  req.reason_code = t.cmd.reason_code;
  req.audit = {o.audit_user_id, o.audit_user_name, o.audit_organization, {}};
  const auto op = cs_op(t.cmd.operation);
  auto body = mdes::render_cs_request(op, req);
  auto url = mdes::cs_url(o.url, op);
  if (!body || !url) {
    t.busy = true;
    fail_now(self, t.cmd, "INVALID_REQUEST", "the request could not be built");
    return;
  }
  const auto nonce = networks::oauth1::make_nonce(*st.rng);
  networks::oauth1::credentials cred;
  cred.consumer_key = o.consumer_key;
  cred.nonce = nonce;
  cred.timestamp =
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, now.time_since_epoch().count() / 1000));
  auto auth =
      networks::oauth1::authorization_header({"POST", *url, *body}, cred, *st.ctx->signing_key);
  if (!auth) {
    t.busy = true;
    fail_now(self, t.cmd, "SIGNING_FAILED", "the request could not be signed");
    return;
  }
  outbound::http_request http;
  http.url = std::move(*url);
  http.body = std::move(*body);
  http.headers = {{"Authorization", std::move(*auth)},
                  {"Content-Type", "application/json"},
                  {"Accept", "application/json"}};
  t.busy = true;
  ++st.in_flight;
  auto me = caf::actor_cast<caf::actor>(self);
  const auto seq = t.cmd.seq;
  st.ctx->client->post(std::move(http), [me, seq](outbound::http_result r) {
    caf::anon_send(me, nd_call_done{seq, std::move(r)});
  });
}

void dispatch(self_ptr self) {
  auto& st = self->state;
  const auto now = now_of(st);
  for (auto& [token, q] : st.queues) {
    if (st.in_flight >= opts(st).max_in_flight)
      break;
    if (q.empty())
      continue;
    auto& t = st.cmds.at(q.front());
    if (t.busy || t.due > now)
      continue;
    start_call(self, t);
  }
}

void work(self_ptr self) {
  if (!self->state.checkpointer)
    return;
  load(self);
  dispatch(self);
  arm_next(self);
}

enum class verdict { confirmed, retry, failed };

/// What an answer means, with the error it carries (if any) put into cmd.
verdict judge(network_command& cmd, const outbound::http_result& r) {
  cmd.http_status = static_cast<std::uint16_t>(r.status);
  cmd.error_source.clear();
  cmd.error_reason_code.clear();
  cmd.error_description.clear();
  if (!r.ok() && r.status == 0) {
    cmd.error_source = "dwt";
    cmd.error_reason_code = "TRANSPORT_ERROR";
    cmd.error_description = r.error;
    return verdict::retry;
  }
  const auto op = cs_op(cmd.operation);
  std::optional<mdes::cs_errors> errors;
  if (auto reply = mdes::parse_cs_reply(op, r.body)) {
    if (std::holds_alternative<mdes::cs_response>(*reply)) {
      if (r.status >= 200 && r.status < 300)
        return verdict::confirmed;
    } else {
      errors = std::get<mdes::cs_errors>(std::move(*reply));
    }
  } else if (r.status >= 200 && r.status < 300) {
    // Success status with a body we cannot read: the network took it.
    return verdict::confirmed;
  }
  if (errors && !errors->errors.empty()) {
    const auto& e = errors->errors.front();
    cmd.error_source = e.source.empty() ? "MDES" : e.source;
    cmd.error_reason_code = e.reason_code;
    cmd.error_description = e.description;
  } else {
    cmd.error_source = "MDES";
    cmd.error_reason_code = "HTTP_" + std::to_string(r.status);
  }
  if (r.status >= 500 || r.status == 429)
    return verdict::retry;
  if (errors && errors->recoverable())
    return verdict::retry;
  return verdict::failed;
}

void on_call_done(self_ptr self, nd_call_done& d) {
  auto& st = self->state;
  DWT_ASSERT(st.in_flight > 0);
  --st.in_flight;
  auto i = st.cmds.find(d.seq);
  DWT_ASSERT(i != st.cmds.end() && i->second.busy);
  auto cmd = i->second.cmd;
  const auto now = now_of(st);
  ++cmd.attempts;
  cmd.updated_at = now;
  switch (judge(cmd, d.result)) {
  case verdict::confirmed:
    cmd.status = network_sync_status::confirmed;
    break;
  case verdict::retry:
    if (auto next = st.schedule->next_attempt_at(cmd.attempts - cmd.round_base, now, *st.rng)) {
      cmd.status = network_sync_status::pending;
      cmd.next_attempt_at = *next;
    } else {
      cmd.status = network_sync_status::failed;
    }
    break;
  case verdict::failed:
    cmd.status = network_sync_status::failed;
    break;
  }
  record(self, std::move(cmd));
}

void on_recorded(self_ptr self, nd_recorded& r) {
  auto& st = self->state;
  auto i = st.cmds.find(r.seq);
  DWT_ASSERT(i != st.cmds.end());
  auto& t = i->second;
  t.busy = false;
  if (!r.ok) {
    // Not durable: the command stays as it was and is tried again (the
    // network may hear it twice: at least once).
    t.due = now_of(st) + opts(st).poll_interval;
  } else if (r.cmd.status == network_sync_status::pending) {
    t.cmd = std::move(r.cmd);
    t.due = t.cmd.next_attempt_at;
  } else {
    auto& q = st.queues[t.cmd.token.value];
    DWT_ASSERT(!q.empty() && q.front() == r.seq);
    q.pop_front();
    if (q.empty())
      st.queues.erase(t.cmd.token.value);
    st.cmds.erase(i);
  }
  work(self);
}

// -- operator retry ------------------------------------------------------------

caf::result<network_command> on_retry(self_ptr self, const nd_retry& req) {
  auto& st = self->state;
  if (!st.checkpointer)
    return make_error(runtime_errc::stopping);
  auto rd = persistence::reader::begin(*st.ctx->store);
  if (!rd)
    return persistence::to_caf_error(rd.err());
  auto latest = rd->latest_network_command(req.token);
  if (!latest)
    return latest.code() == persistence::errc::invalid_argument
               ? make_error(runtime_errc::network_command_not_found)
               : persistence::to_caf_error(latest.err());
  if (!*latest)
    return make_error(runtime_errc::network_command_not_found);
  auto cmd = std::move(**latest);
  if (cmd.status != network_sync_status::failed || st.cmds.contains(cmd.seq) ||
      st.retrying.contains(cmd.seq))
    return make_error(runtime_errc::network_command_not_failed);
  if (st.cmds.size() >= opts(st).max_tracked)
    return make_error(runtime_errc::overloaded, "too many network commands pending");
  const auto now = now_of(st);
  cmd.status = network_sync_status::pending;
  cmd.round_base = cmd.attempts;
  cmd.next_attempt_at = now;
  cmd.updated_at = now;
  cmd.error_source.clear();
  cmd.error_reason_code.clear();
  cmd.error_description.clear();
  cmd.http_status = 0;
  persistence::write_unit unit;
  unit.put_network_command(cmd);
  st.retrying.insert(cmd.seq);
  auto rp = self->make_response_promise<network_command>();
  self->request(st.checkpointer, caf::infinite, commit_request{std::move(unit)})
      .then(
          [self, rp, cmd](commit_reply&) mutable {
            auto& s = self->state;
            s.retrying.erase(cmd.seq);
            track(s, cmd);
            rp.deliver(cmd);
            work(self);
          },
          [self, rp, seq = cmd.seq](caf::error& err) mutable {
            self->state.retrying.erase(seq);
            rp.deliver(std::move(err));
          });
  return rp;
}

caf::behavior dispatcher_impl(self_ptr self, std::shared_ptr<network_dispatcher_context> ctx) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.rng = st.ctx->options.random();
  st.schedule.emplace(
      outbound::make_retry_schedule(opts(st).retry_delays, opts(st).retry_jitter_percent));
  return {
      [self](nd_start& s) {
        self->state.checkpointer = std::move(s.checkpointer);
        work(self);
      },
      [self](nd_commands_atom, std::uint64_t) { work(self); },
      [self](nd_tick_atom, std::uint64_t gen) {
        auto& s = self->state;
        if (gen == s.tick_gen)
          s.tick_armed = false;
        work(self);
      },
      [self](nd_call_done& d) { on_call_done(self, d); },
      [self](const nd_retry& req) -> caf::result<network_command> { return on_retry(self, req); },
  };
}

} // namespace

caf::actor spawn_network_dispatcher(caf::actor_system& sys,
                                    std::shared_ptr<network_dispatcher_context> ctx) {
  return sys.spawn(dispatcher_impl, std::move(ctx));
}

} // namespace dwt::actors
