// Helper process for the crash-safety test (tests/persistence/crash_test.cpp).
//
// Usage: dwt_persistence_crash_child DIR PREFIX
// Opens the store in DIR (durability sync) and submits units forever from
// two producer threads. Each unit n creates token PREFIX-n with one history
// entry, one outbox event and one idempotency record. Only after a unit's
// completion reports success does it write "n seq\n" to stdout (unbuffered
// write(2)), so every line the parent reads is an acknowledged unit. The
// parent kills this process with SIGKILL at a random moment.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "dwt/persistence/group_commit.hpp"

using namespace dwt;
using namespace dwt::persistence;

namespace {

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    auto n = ::write(fd, s.data() + off, s.size() - off);
    if (n <= 0)
      std::_Exit(3); // parent gone
    off += static_cast<std::size_t>(n);
  }
}

write_unit make_unit(const std::string& prefix, std::uint64_t n) {
  auto ref = prefix + "-" + std::to_string(n);
  engine::token_record t;
  t.ref = engine::token_ref{ref};
  t.card = engine::card_id{prefix + "-card-" + std::to_string(n % 16)};
  t.partner = engine::partner_id{"partner_crash"};
  t.state = engine::token_state::active;
  t.fulfillment = engine::fulfillment_status::provisioned;
  t.history_count = 1;
  t.created_at = engine::from_millis(static_cast<std::int64_t>(n));
  engine::transition_record h;
  h.id = "tr-" + ref;
  h.token = t.ref;
  h.card = t.card;
  h.to_state = engine::token_state::active;
  outbox_event ev;
  ev.event_id = "evt-" + ref;
  ev.partner = t.partner;
  ev.token = t.ref;
  ev.type = "DigitalWalletTokenTransition";
  ev.payload = R"({"tokenUniqueReference":")" + ref + R"("})";
  idempotency_record idem;
  idem.partner = t.partner;
  idem.key = "idem-" + ref;
  idem.request_fingerprint = std::string(32, 'f');
  idem.http_status = 201;
  idem.expires_at = engine::from_millis(86'400'000);
  write_unit u;
  u.put_token_if_absent(std::move(t));
  u.append_history(0, std::move(h));
  u.append_outbox(std::move(ev));
  u.put_idempotency_if_absent(std::move(idem));
  return u;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DIR PREFIX\n", argv[0]);
    return 2;
  }
  env_options o;
  o.directory = argv[1];
  o.map_size = std::size_t{256} << 20;
  auto e = env::open(o);
  if (!e) {
    std::fprintf(stderr, "open: %s\n", e.err().message.c_str());
    return 1;
  }
  auto w = group_commit_writer::start(**e, {.max_batch = 64});
  if (!w) {
    std::fprintf(stderr, "writer: %s\n", w.err().message.c_str());
    return 1;
  }
  const std::string prefix = argv[2];
  std::atomic<std::uint64_t> next{0};
  std::atomic<int> in_flight{0};
  auto producer = [&] {
    for (;;) {
      if (in_flight.load() > 256) {
        std::this_thread::yield();
        continue;
      }
      auto n = next.fetch_add(1);
      ++in_flight;
      auto s = (*w)->submit(make_unit(prefix, n), [n, &in_flight](result<commit_ack> r) {
        --in_flight;
        if (!r) {
          std::fprintf(stderr, "unit %llu failed: %s\n", static_cast<unsigned long long>(n),
                       r.err().message.c_str());
          std::_Exit(4);
        }
        write_all(1, std::to_string(n) + " " + std::to_string(r->outbox_seqs.at(0)) + "\n");
      });
      if (!s) {
        std::fprintf(stderr, "submit failed: %s\n", s.err().message.c_str());
        std::_Exit(5);
      }
    }
  };
  write_all(1, "ready\n");
  std::thread a{producer};
  std::thread b{producer};
  a.join(); // never returns: the parent kills the process
  b.join();
  return 0;
}
