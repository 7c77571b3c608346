/// ThreadSanitizer annotations for Debian's uninstrumented CAF 0.17.6.
///
/// Why: libcaf_core.so is not built with -fsanitize=thread, so TSan cannot
/// see the atomics of CAF's lock-free mailbox and work-stealing scheduler.
/// Every message hand-over (built on the sender's thread, read by the
/// receiving actor on a worker) and every move of an actor between workers
/// then looks like a data race. CAF's real guarantee is simple and is what
/// we annotate: whatever a thread did before enqueueing a message to an
/// actor, or before launching it, happens before that actor's next run; and
/// whatever an actor did while running happens before its next run, on any
/// worker.
///
/// How: this shared library is linked (first) into every executable of a
/// DWT_TSAN build and interposes the few exported libcaf_core functions
/// through which every hand-over passes. Each wrapper tells TSan about the
/// edge (`__tsan_release` / `__tsan_acquire` on the actor's address) and
/// forwards to the library's own function found with `dlsym(RTLD_NEXT)`.
/// Nothing else changes: the annotations add happens-before edges that CAF
/// does provide, they hide no race between two actors' own code or between
/// an actor and a plain thread that shares memory with it.
///
/// Interposed (all called through the PLT or a vtable inside libcaf):
/// - scheduled_actor::enqueue, blocking_actor::enqueue: release(receiver),
///   and release(element), which the bouncer below acquires.
/// - detail::sync_request_bouncer::operator()(const mailbox_element&):
///   acquire(element). An actor that terminates discards the messages still
///   in its mailbox: after closing it, its cleanup passes each one to this
///   bouncer (which answers a request with an error) and then destroys it.
///   A message enqueued while the actor was already finalizing arrives
///   after the actor's acquire at the start of that run, so without this
///   edge TSan saw the element's construction (sender's thread) race with
///   its destruction (seen once in CI: a group-commit completion's message
///   to a webhook dispatcher that was stopping for a restart).
/// - scheduled_actor::launch, blocking_actor::launch: release(actor), the
///   spawn arguments written before the first run.
/// - scheduled_actor::activate(execution_unit*): acquire(actor), at the
///   start of every run of an event-based actor (resume calls it first).
/// - scheduled_actor::mailbox_visitor::operator()(mailbox_element&) and
///   blocking_actor::mailbox_visitor::operator()(mailbox_element&): acquire
///   before a message is handled, release after, so that the next run on
///   another worker (or a message enqueued during this run) is ordered.
/// - scheduled_actor::finalize: release after an actor's teardown code.
/// - intrusive_ptr_release(actor_control_block*) and its weak twin: the
///   library's three-line reference counting, re-compiled here so TSan sees
///   the decrement that orders an actor's last use before its destructor.
///
/// A startup check aborts if the interposition did not take (the library
/// linked after libcaf_core), so the annotations can never be silently off.

#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <string_view>
#include <utility>

#include <caf/actor_control_block.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/detail/sync_request_bouncer.hpp>
#include <caf/scheduled_actor.hpp>
#include <sanitizer/tsan_interface.h>

namespace {

/// The library's own definition of `symbol`, resolved once; aborts when it
/// cannot be found (a programmer error in this file or a CAF ABI change).
template <class Fn>
Fn next_definition(const char* symbol) {
  void* fn = dlsym(RTLD_NEXT, symbol);
  if (fn == nullptr) {
    std::fprintf(stderr, "dwt tsan_caf: libcaf_core has no %s\n", symbol);
    std::abort();
  }
  return reinterpret_cast<Fn>(fn);
}

constexpr const char* scheduled_enqueue_sym =
    "_ZN3caf15scheduled_actor7enqueueESt10unique_ptrINS_15mailbox_elementENS_6detail8disposerEEPNS_"
    "14execution_unitE";
constexpr const char* blocking_enqueue_sym =
    "_ZN3caf14blocking_actor7enqueueESt10unique_ptrINS_15mailbox_elementENS_6detail8disposerEEPNS_"
    "14execution_unitE";
constexpr const char* scheduled_launch_sym =
    "_ZN3caf15scheduled_actor6launchEPNS_14execution_unitEbb";
constexpr const char* blocking_launch_sym =
    "_ZN3caf14blocking_actor6launchEPNS_14execution_unitEbb";
constexpr const char* scheduled_activate_sym =
    "_ZN3caf15scheduled_actor8activateEPNS_14execution_unitE";
constexpr const char* scheduled_visit_sym =
    "_ZN3caf15scheduled_actor15mailbox_visitorclERNS_15mailbox_elementE";
constexpr const char* blocking_visit_sym =
    "_ZN3caf14blocking_actor15mailbox_visitorclERNS_15mailbox_elementE";
constexpr const char* scheduled_finalize_sym = "_ZN3caf15scheduled_actor8finalizeEv";
constexpr const char* bouncer_visit_sym =
    "_ZNK3caf6detail20sync_request_bouncerclERKNS_15mailbox_elementE";

/// Runs `real(args...)` as one run of `actor`: acquire before (everything
/// released to the actor so far is visible), release after (its next run,
/// on any thread, sees this one). `actor` is taken before the call because
/// the call may end the actor.
template <class Fn, class... Args>
auto as_run_of(void* actor, Fn real, Args&&... args) {
  __tsan_acquire(actor);
  auto result = real(std::forward<Args>(args)...);
  __tsan_release(actor);
  return result;
}

/// Aborts at load time unless this library's definitions are the ones the
/// process uses (it must come before libcaf_core in the search order).
[[gnu::constructor]] void check_interposition() {
  for (const char* sym :
       {scheduled_enqueue_sym, blocking_enqueue_sym, scheduled_visit_sym, bouncer_visit_sym}) {
    Dl_info mine{};
    void* used = dlsym(RTLD_DEFAULT, sym);
    if (used == nullptr || dladdr(used, &mine) == 0 || mine.dli_fname == nullptr ||
        std::string_view{mine.dli_fname}.find("dwt_tsan_caf") == std::string_view::npos) {
      std::fprintf(stderr,
                   "dwt tsan_caf: %s resolves to %s, not to the annotations; link "
                   "dwt_tsan_caf before libcaf_core\n",
                   sym, (used && mine.dli_fname) ? mine.dli_fname : "nothing");
      std::abort();
    }
  }
}

} // namespace

namespace caf {

void scheduled_actor::enqueue(mailbox_element_ptr ptr, execution_unit* eu) {
  using fn = void (*)(scheduled_actor*, mailbox_element_ptr, execution_unit*);
  static const auto real = next_definition<fn>(scheduled_enqueue_sym);
  __tsan_release(ptr.get());
  __tsan_release(this);
  real(this, std::move(ptr), eu);
}

void blocking_actor::enqueue(mailbox_element_ptr ptr, execution_unit* eu) {
  using fn = void (*)(blocking_actor*, mailbox_element_ptr, execution_unit*);
  static const auto real = next_definition<fn>(blocking_enqueue_sym);
  __tsan_release(ptr.get());
  __tsan_release(this);
  real(this, std::move(ptr), eu);
}

void scheduled_actor::launch(execution_unit* eu, bool lazy, bool hide) {
  using fn = void (*)(scheduled_actor*, execution_unit*, bool, bool);
  static const auto real = next_definition<fn>(scheduled_launch_sym);
  __tsan_release(this);
  real(this, eu, lazy, hide);
}

void blocking_actor::launch(execution_unit* eu, bool lazy, bool hide) {
  using fn = void (*)(blocking_actor*, execution_unit*, bool, bool);
  static const auto real = next_definition<fn>(blocking_launch_sym);
  __tsan_release(this);
  real(this, eu, lazy, hide);
}

bool scheduled_actor::activate(execution_unit* ctx) {
  using fn = bool (*)(scheduled_actor*, execution_unit*);
  static const auto real = next_definition<fn>(scheduled_activate_sym);
  return as_run_of(this, real, this, ctx);
}

intrusive::task_result scheduled_actor::mailbox_visitor::operator()(mailbox_element& x) {
  using fn = intrusive::task_result (*)(mailbox_visitor*, mailbox_element&);
  static const auto real = next_definition<fn>(scheduled_visit_sym);
  return as_run_of(self, real, this, x);
}

intrusive::task_result blocking_actor::mailbox_visitor::operator()(mailbox_element& x) {
  using fn = intrusive::task_result (*)(mailbox_visitor*, mailbox_element&);
  static const auto real = next_definition<fn>(blocking_visit_sym);
  return as_run_of(self, real, this, x);
}

void detail::sync_request_bouncer::operator()(const mailbox_element& e) const {
  using fn = void (*)(const detail::sync_request_bouncer*, const mailbox_element&);
  static const auto real = next_definition<fn>(bouncer_visit_sym);
  __tsan_acquire(const_cast<mailbox_element*>(&e));
  real(this, e);
}

// The reference counts of an actor's control block: the same code as
// libcaf_core's actor_control_block.cpp (0.17.6), compiled here so TSan
// sees the acq_rel decrement that orders every holder's last use of the
// actor before its destructor, which may run on any thread.

void intrusive_ptr_release_weak(actor_control_block* x) {
  if (x->weak_refs.load() == 1 || x->weak_refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
    x->block_dtor(x);
}

void intrusive_ptr_release(actor_control_block* x) {
  if (x->strong_refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    x->data_dtor(x->get());
    intrusive_ptr_release_weak(x);
  }
}

bool scheduled_actor::finalize() {
  using fn = bool (*)(scheduled_actor*);
  static const auto real = next_definition<fn>(scheduled_finalize_sym);
  return as_run_of(this, real, this);
}

} // namespace caf
