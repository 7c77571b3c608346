/// @file
/// `dwt-scale`: the scale goals of the project — "10 million stored
/// tokens served with <= 1 GiB resident memory" and "restart after kill -9
/// ready in under 2 s at 10 million tokens". See bench/README.md, section
/// "Scale (10M tokens)", for the figures and the exact commands.
///
/// Subcommands:
/// - `fill`: writes N tokens (with their cards, profiles, history and
///   delivered outbox events) into a fresh store through the persistence
///   layer directly: large write units through one group_commit_writer in
///   nosync mode, then one env sync. Keys are monotonic where the layout
///   allows (ids carry a zero-padded index before their random part).
/// - `serve`: starts engine_host on the store with a bounded live set and
///   performs K random calls (get_token, suspend/resume, list_tokens) over
///   the whole key space with at most 100 in flight; reports RSS split into
///   anonymous and file-backed (LMDB's mmap) memory, live actors and ops/s.
/// - `restart`: times process start -> engine_host ready -> first read ->
///   first durable write (verification deadlines are durable: nothing is
///   re-armed).
///   `scripts/restart-timing.sh` pairs it with a SIGKILL during writes.
/// - `smoke`: all three on a tiny temporary store (the CTest smoke test).
///
/// Randomness is seeded (`--seed`, printed); ids are a pure function of
/// their index, so `serve` and `restart` find any token of a filled store
/// from the manifest (`scale-manifest.txt` in the data directory).

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <future>
#include <lmdb.h>
#include <map>
#include <mutex>
#include <optional>
#include <semaphore>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <time.h>
#include <unistd.h>
#include <vector>

#include <boost/json/serialize.hpp>
#include <caf/sec.hpp>
#include <sys/stat.h>

#include "dwt/dwt.hpp"
#include "dwt/engine/json.hpp"
#include "dwt/engine/pan.hpp"
#include "dwt/engine/random.hpp"
#include "dwt/engine/state_machine.hpp"
#include "dwt/persistence/env.hpp"
#include "dwt/persistence/group_commit.hpp"
#include "dwt/persistence/write_unit.hpp"

namespace {

using namespace dwt;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// -- constants shared by every subcommand ------------------------------------

const engine::partner_id scale_partner{"scale"};
constexpr std::string_view manifest_name = "scale-manifest.txt";
constexpr std::string_view base32_upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view base32_lower = "abcdefghijklmnopqrstuvwxyz234567";
/// Created-at of token 0 (2024-01-01T00:00:00Z); token i is 3 s later.
constexpr std::int64_t base_time_ms = 1'704'067'200'000;
/// REQUESTED tokens must not expire while the experiment runs.
constexpr auto scale_verification_expiry = std::chrono::hours{24 * 30};

/// Configuration the store was filled with (written as the manifest).
struct manifest {
  std::uint64_t tokens = 0;
  std::uint64_t tokens_per_card = 2;
  std::uint64_t cards_per_profile = 2;
  std::uint64_t requested_every = 10000; ///< every n-th token stays REQUESTED (0: none)
  std::uint64_t seed = 0;
  [[nodiscard]] std::uint64_t cards() const {
    return (tokens + tokens_per_card - 1) / tokens_per_card;
  }
  [[nodiscard]] std::uint64_t profiles() const {
    return (cards() + cards_per_profile - 1) / cards_per_profile;
  }
  [[nodiscard]] bool is_requested(std::uint64_t i) const {
    return requested_every > 0 && i % requested_every == requested_every - 1;
  }
  [[nodiscard]] std::uint64_t requested_count() const {
    return requested_every == 0 ? 0 : tokens / requested_every;
  }
};

/// splitmix64: the deterministic "random" part of ids.
std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

/// prefix + zero-padded 12-digit index + `tail` base32 characters derived
/// from (salt, index): byte order follows the index (B-tree appends), the
/// tail keeps ids opaque like generated ones.
std::string make_id(std::string_view prefix, std::uint64_t index, std::uint64_t salt,
                    std::size_t tail, std::string_view alphabet) {
  std::string out{prefix};
  auto digits = std::to_string(index);
  out.append(12 - std::min<std::size_t>(12, digits.size()), '0');
  out += digits;
  auto bits = mix(index ^ (salt * 0x100000001B3ULL));
  for (std::size_t i = 0; i < tail; ++i) {
    if (i % 12 == 11)
      bits = mix(bits);
    out.push_back(alphabet[bits & 31U]);
    bits >>= 5U;
  }
  return out;
}

/// "DWT" + 29 characters, like engine::pan::generate_token_ref.
engine::token_ref ref_of(std::uint64_t i) {
  return engine::token_ref{make_id("DWT", i, 1, 17, base32_upper)};
}
engine::card_id card_of(std::uint64_t c) {
  return engine::card_id{make_id("card_", c, 2, 14, base32_lower)};
}
engine::profile_id profile_of(std::uint64_t p) {
  return engine::profile_id{make_id("prof_", p, 3, 14, base32_lower)};
}
std::string event_id_of(std::uint64_t seq) {
  return make_id("evt_", seq, 4, 14, base32_lower);
}
std::string transition_id_of(std::uint64_t i, unsigned n) {
  return make_id("tr_", i * 4 + n, 5, 14, base32_lower);
}
/// A valid 16-digit PAN in BIN range 400000-499999, unique per card.
std::string pan_of(std::uint64_t c) {
  auto digits = std::to_string(c);
  std::string pan = "4" + std::string(14 - std::min<std::size_t>(14, digits.size()), '0') + digits;
  pan += engine::pan::luhn_check_digit(pan);
  return pan;
}

engine::partner_record partner_rec() {
  engine::partner_record p;
  p.id = scale_partner;
  p.name = "Scale test partner";
  p.onboarded_on = engine::date{std::chrono::year{2025}, std::chrono::June, std::chrono::day{1}};
  p.sms_destination_migrated = true;
  p.max_tokens_per_card = 1000;
  return p;
}

const std::string pan_hash_key(32, 'h');
const std::string pan_encryption_key(32, 'e');
const std::string otp_key(32, 'o');

// -- small utilities ---------------------------------------------------------

/// Command-line flags: `--name value` pairs after the subcommand.
class flags {
public:
  flags(int argc, const char* const* argv, int first) {
    for (int i = first; i < argc; ++i) {
      std::string_view a{argv[i]};
      if (a.starts_with("--")) {
        if (i + 1 < argc && !std::string_view{argv[i + 1]}.starts_with("--")) {
          values_[std::string{a.substr(2)}] = argv[i + 1];
          ++i;
        } else {
          values_[std::string{a.substr(2)}] = "1";
        }
      } else {
        bad_ = "unexpected argument '" + std::string{a} + "'";
      }
    }
  }
  [[nodiscard]] std::optional<std::string> str(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end())
      return std::nullopt;
    used_.push_back(name);
    return it->second;
  }
  /// The flag as an unsigned integer (suffixes k, M accepted), or `def`.
  [[nodiscard]] std::uint64_t num(const std::string& name, std::uint64_t def) const {
    auto s = str(name);
    if (!s)
      return def;
    std::uint64_t v = 0;
    const auto* end = s->data() + s->size();
    auto [p, ec] = std::from_chars(s->data(), end, v);
    std::uint64_t mult = 1;
    if (p != end && (*p == 'k' || *p == 'K'))
      mult = 1000;
    else if (p != end && *p == 'M')
      mult = 1'000'000;
    if (ec != std::errc{} || (p != end && (mult == 1 || p + 1 != end))) {
      bad_ = "--" + name + " needs a number, got '" + *s + "'";
      return def;
    }
    return v * mult;
  }
  [[nodiscard]] bool has(const std::string& name) const { return str(name).has_value(); }
  /// An error message for a malformed or unknown flag, else empty.
  [[nodiscard]] std::string error() const {
    if (!bad_.empty())
      return bad_;
    for (const auto& [k, v] : values_)
      if (std::find(used_.begin(), used_.end(), k) == used_.end())
        return "unknown flag --" + k;
    return {};
  }

private:
  std::map<std::string, std::string> values_;
  mutable std::vector<std::string> used_;
  mutable std::string bad_;
};

/// kB figures of /proc/self/status.
struct memory_figures {
  std::uint64_t vm_rss_kb = 0;
  std::uint64_t vm_hwm_kb = 0;
  std::uint64_t rss_anon_kb = 0;
  std::uint64_t rss_file_kb = 0;
  std::uint64_t rss_shmem_kb = 0;
  std::uint64_t vm_size_kb = 0;
};

memory_figures read_memory() {
  memory_figures m;
  std::ifstream in{"/proc/self/status"};
  std::string line;
  for (int guard = 0; guard < 200 && std::getline(in, line); ++guard) {
    auto field = [&](std::string_view name, std::uint64_t& out) {
      if (!line.starts_with(name))
        return;
      std::istringstream is{line.substr(name.size())};
      is >> out;
    };
    field("VmRSS:", m.vm_rss_kb);
    field("VmHWM:", m.vm_hwm_kb);
    field("RssAnon:", m.rss_anon_kb);
    field("RssFile:", m.rss_file_kb);
    field("RssShmem:", m.rss_shmem_kb);
    field("VmSize:", m.vm_size_kb);
  }
  return m;
}

void print_memory(std::string_view when, const memory_figures& m) {
  std::printf("memory.%.*s: VmRSS=%.1f MiB VmHWM=%.1f MiB RssAnon=%.1f MiB RssFile=%.1f MiB "
              "RssShmem=%.1f MiB VmSize=%.1f GiB\n",
              static_cast<int>(when.size()), when.data(), static_cast<double>(m.vm_rss_kb) / 1024,
              static_cast<double>(m.vm_hwm_kb) / 1024, static_cast<double>(m.rss_anon_kb) / 1024,
              static_cast<double>(m.rss_file_kb) / 1024, static_cast<double>(m.rss_shmem_kb) / 1024,
              static_cast<double>(m.vm_size_kb) / 1024 / 1024);
}

std::string load_average() {
  std::ifstream in{"/proc/loadavg"};
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double seconds_since(steady::time_point t0) {
  return std::chrono::duration<double>(steady::now() - t0).count();
}

/// Size of a file: apparent bytes and allocated bytes.
std::pair<std::uint64_t, std::uint64_t> store_file_size(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0)
    return {0, 0};
  return {static_cast<std::uint64_t>(st.st_size), static_cast<std::uint64_t>(st.st_blocks) * 512};
}

double gib(std::uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024 * 1024);
}

bool write_manifest(const std::filesystem::path& dir, const manifest& m) {
  std::ofstream out{dir / manifest_name};
  out << "tokens " << m.tokens << "\ntokens_per_card " << m.tokens_per_card
      << "\ncards_per_profile " << m.cards_per_profile << "\nrequested_every " << m.requested_every
      << "\nseed " << m.seed << "\n";
  return static_cast<bool>(out);
}

std::optional<manifest> read_manifest(const std::filesystem::path& dir) {
  std::ifstream in{dir / manifest_name};
  if (!in)
    return std::nullopt;
  manifest m;
  std::string key;
  std::uint64_t value = 0;
  for (int guard = 0; guard < 32 && (in >> key >> value); ++guard) {
    if (key == "tokens")
      m.tokens = value;
    else if (key == "tokens_per_card")
      m.tokens_per_card = value;
    else if (key == "cards_per_profile")
      m.cards_per_profile = value;
    else if (key == "requested_every")
      m.requested_every = value;
    else if (key == "seed")
      m.seed = value;
  }
  if (m.tokens == 0 || m.tokens_per_card == 0 || m.cards_per_profile == 0)
    return std::nullopt;
  return m;
}

/// Per-database figures (entries, B-tree depth, bytes in pages).
void print_db_stats(persistence::env& store) {
  store.txn_starting();
  MDB_txn* txn = nullptr;
  if (mdb_txn_begin(store.handle(), nullptr, MDB_RDONLY, &txn) != 0) {
    store.txn_ended();
    return;
  }
  for (std::size_t i = 0; i < persistence::db_count; ++i) {
    auto d = static_cast<persistence::db>(i);
    MDB_stat st{};
    if (mdb_stat(txn, store.dbi(d), &st) != 0)
      continue;
    auto pages = st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
    if (st.ms_entries == 0)
      continue;
    auto name = persistence::db_name(d);
    std::printf("  db %-22.*s entries=%-10zu depth=%u pages=%-9zu %.3f GiB\n",
                static_cast<int>(name.size()), name.data(), st.ms_entries, st.ms_depth, pages,
                gib(static_cast<std::uint64_t>(pages) * st.ms_psize));
  }
  mdb_txn_abort(txn);
  store.txn_ended();
}

// -- fill --------------------------------------------------------------------

/// What one token contributes to a unit.
struct fill_counts {
  std::uint64_t tokens = 0, cards = 0, profiles = 0, history = 0, events = 0, challenges = 0;
  [[nodiscard]] std::uint64_t records() const {
    return tokens + cards + profiles + history + events + challenges;
  }
};

/// Appends token i (and its card / profile when it is their first token).
/// `next_seq` is the outbox seq the writer will assign next: the fill is the
/// only writer of a fresh store, so events are marked delivered (removed
/// from outbox_pending) in the same unit.
void add_token(persistence::write_unit& u, const manifest& m, std::uint64_t i,
               std::uint64_t& next_seq, engine::random_source& rng, engine::timestamp now,
               fill_counts& n) {
  const auto c = i / m.tokens_per_card;
  const auto p = c / m.cards_per_profile;
  const bool requested = m.is_requested(i);
  const engine::timestamp at{
      std::chrono::milliseconds{base_time_ms + static_cast<std::int64_t>(i) * 3000}};
  const auto created_at = requested ? now : at;
  if (c % m.cards_per_profile == 0 && i % m.tokens_per_card == 0) {
    engine::profile_record prof;
    prof.id = profile_of(p);
    prof.partner = scale_partner;
    prof.phone_number = "+4477009" + std::to_string(10000 + p % 90000);
    if (p % 2 == 0)
      prof.email = "holder" + std::to_string(p) + "@example.com";
    prof.created_at = at;
    prof.updated_at = at;
    u.put_profile(std::move(prof));
    ++n.profiles;
  }
  if (i % m.tokens_per_card == 0) {
    engine::card_record card;
    card.id = card_of(c);
    card.profile = profile_of(p);
    card.partner = scale_partner;
    auto pan = pan_of(c);
    card.pan_hash = engine::pan::lookup_hash(pan_hash_key, pan);
    card.last4 = engine::pan::last4(pan);
    card.pan_sealed = engine::pan::seal(pan_encryption_key, pan, card.id, rng).value_or("");
    card.expiry_month = static_cast<std::uint8_t>(1 + c % 12);
    card.expiry_year = static_cast<std::uint16_t>(2027 + c % 5);
    card.card_product = "debit";
    card.type = c % 3 == 0 ? engine::card_type::physical : engine::card_type::virtual_card;
    card.state = engine::card_state::active;
    card.created_at = at;
    card.updated_at = at;
    u.put_card(std::move(card));
    ++n.cards;
  }
  engine::token_record t;
  t.ref = ref_of(i);
  t.card = card_of(c);
  t.partner = scale_partner;
  t.wallet = static_cast<engine::wallet_provider>(i % 3);
  t.device =
      engine::device_info{make_id("dev_", i, 6, 10, base32_lower),
                          i % 4 == 3 ? engine::device_type::watch : engine::device_type::phone,
                          i % 2 == 0 ? "iPhone 15" : "Pixel 8"};
  t.last4 = engine::pan::last4(pan_of(c));
  t.token_last4 = std::to_string(1000 + rng.uniform(9000));
  t.created_at = created_at;
  t.updated_at = created_at;
  auto created =
      engine::record_creation(std::move(t), engine::channel::network, "tokenization_request",
                              created_at, transition_id_of(i, 0));
  std::vector<engine::transition_outcome> steps;
  steps.push_back(created);
  if (!requested) {
    auto active = engine::apply_transition(created.token, engine::token_state::active,
                                           engine::channel::network, "tokenization_approved",
                                           created_at, transition_id_of(i, 1));
    if (active)
      steps.push_back(std::move(*active));
  }
  u.put_token(steps.back().token);
  if (requested) // as the card actor does: the deadline with the token
    u.set_token_deadline(ref_of(i), created_at + scale_verification_expiry);
  ++n.tokens;
  for (const auto& s : steps) {
    u.append_history(s.token.history_count - 1, s.record);
    persistence::outbox_event ev;
    ev.event_id = event_id_of(next_seq);
    ev.partner = s.token.partner;
    ev.token = s.token.ref;
    ev.type = std::string{engine::json::transition_event_type};
    ev.created_at = s.record.created_at;
    ev.payload =
        boost::json::serialize(engine::json::transition_event_data(s.record, s.token.wallet));
    u.append_outbox(std::move(ev));
    u.erase_outbox_pending(next_seq);
    ++next_seq;
    ++n.history;
    ++n.events;
  }
  if (requested) {
    engine::verification_challenge ch;
    ch.token = ref_of(i);
    ch.method = engine::verification_method::sms_otp;
    ch.code_hash = std::string(32, static_cast<char>(rng.uniform(256)));
    ch.destination_masked = "+44*******" + std::to_string(10 + i % 90);
    ch.issued_at = created_at;
    ch.expires_at = created_at + scale_verification_expiry;
    u.put_challenge(std::move(ch));
    ++n.challenges;
  }
}

int cmd_fill(const flags& f) {
  auto dir_s = f.str("data-dir");
  manifest m;
  m.tokens = f.num("tokens", 0);
  m.tokens_per_card = f.num("tokens-per-card", 2);
  m.cards_per_profile = f.num("cards-per-profile", 2);
  m.requested_every = f.num("requested-every", 10000);
  m.seed = f.num("seed", 42);
  const auto tokens_per_unit = std::max<std::uint64_t>(1, f.num("tokens-per-unit", 1000));
  const auto units_in_flight = std::max<std::uint64_t>(1, f.num("units-in-flight", 4));
  const bool quiet = f.has("quiet");
  if (auto e = f.error();
      !e.empty() || !dir_s || m.tokens == 0 || m.tokens_per_card == 0 || m.cards_per_profile == 0) {
    std::fprintf(stderr,
                 "fill: %s\nusage: dwt-scale fill --data-dir D --tokens N "
                 "[--tokens-per-card 2] [--cards-per-profile 2] [--requested-every 10000] "
                 "[--tokens-per-unit 1000] [--units-in-flight 4] [--seed 42]\n",
                 e.empty() ? "missing --data-dir or --tokens" : e.c_str());
    return 2;
  }
  const std::filesystem::path dir{*dir_s};
  if (std::filesystem::exists(dir / "data.mdb")) {
    std::fprintf(stderr, "fill: %s already holds a store; fill needs a fresh directory\n",
                 dir.c_str());
    return 2;
  }
  std::printf("fill: data_dir=%s tokens=%llu cards=%llu profiles=%llu requested=%llu seed=%llu "
              "loadavg=%s\n",
              dir.c_str(), static_cast<unsigned long long>(m.tokens),
              static_cast<unsigned long long>(m.cards()),
              static_cast<unsigned long long>(m.profiles()),
              static_cast<unsigned long long>(m.requested_count()),
              static_cast<unsigned long long>(m.seed), load_average().c_str());
  persistence::env_options eo;
  eo.directory = dir;
  // ~2.5 KiB per token with B-tree slack; grows by doubling if short.
  eo.map_size = std::max<std::size_t>(std::size_t{1} << 30, m.tokens * 3072);
  eo.max_map_size = eo.map_size * 4;
  eo.mode = persistence::durability::nosync;
  auto store = persistence::env::open(eo);
  if (!store) {
    std::fprintf(stderr, "fill: open failed: %s\n", store.err().message.c_str());
    return 1;
  }
  persistence::group_commit_options go;
  go.max_batch = 8;
  go.max_queued_units = 64;
  auto writer = persistence::group_commit_writer::start(**store, go);
  if (!writer) {
    std::fprintf(stderr, "fill: writer failed: %s\n", writer.err().message.c_str());
    return 1;
  }
  engine::seeded_random rng{m.seed};
  const auto now = engine::timestamp{std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch())};

  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t in_flight = 0;
  std::string first_error;
  std::uint64_t failed_units = 0;
  fill_counts n;
  std::uint64_t next_seq = 1;
  const auto t0 = steady::now();
  auto last_report = t0;
  const auto units = (m.tokens + tokens_per_unit - 1) / tokens_per_unit;
  for (std::uint64_t k = 0; k < units; ++k) {
    persistence::write_unit u;
    if (k == 0)
      u.put_partner(partner_rec());
    const auto end = std::min(m.tokens, (k + 1) * tokens_per_unit);
    for (auto i = k * tokens_per_unit; i < end; ++i)
      add_token(u, m, i, next_seq, rng, now, n);
    {
      std::unique_lock<std::mutex> lk{mu};
      cv.wait(lk, [&] { return in_flight < units_in_flight; });
      if (!first_error.empty())
        break;
      ++in_flight;
    }
    auto s = (*writer)->submit(std::move(u), [&](persistence::result<persistence::commit_ack> r) {
      std::lock_guard<std::mutex> lk{mu};
      if (!r) {
        ++failed_units;
        if (first_error.empty())
          first_error = r.err().message;
      }
      --in_flight;
      cv.notify_all();
    });
    if (!s) {
      std::lock_guard<std::mutex> lk{mu};
      --in_flight;
      first_error = s.err().message;
      break;
    }
    if (!quiet && steady::now() - last_report > 10s) {
      last_report = steady::now();
      std::printf("  %llu tokens, %.0f tokens/s, loadavg=%s\n",
                  static_cast<unsigned long long>(end),
                  static_cast<double>(end) / seconds_since(t0), load_average().c_str());
      std::fflush(stdout);
    }
  }
  (*writer)->stop();
  const auto t_written = seconds_since(t0);
  auto synced = (*store)->sync();
  const auto t_total = seconds_since(t0);
  if (!first_error.empty() || !synced) {
    std::fprintf(stderr, "fill: FAILED (%llu units): %s\n",
                 static_cast<unsigned long long>(failed_units),
                 first_error.empty() ? synced.err().message.c_str() : first_error.c_str());
    return 1;
  }
  auto stats = (*writer)->stats();
  auto info = (*store)->info();
  print_db_stats(**store);
  writer->reset();
  store->reset();
  if (!write_manifest(dir, m)) {
    std::fprintf(stderr, "fill: cannot write the manifest\n");
    return 1;
  }
  auto [apparent, allocated] = store_file_size(dir / "data.mdb");
  std::printf("fill.result: tokens=%llu cards=%llu profiles=%llu history=%llu events=%llu "
              "challenges=%llu records=%llu\n",
              static_cast<unsigned long long>(n.tokens), static_cast<unsigned long long>(n.cards),
              static_cast<unsigned long long>(n.profiles),
              static_cast<unsigned long long>(n.history), static_cast<unsigned long long>(n.events),
              static_cast<unsigned long long>(n.challenges),
              static_cast<unsigned long long>(n.records()));
  std::printf("fill.result: write=%.1f s (+ sync %.1f s) records/s=%.0f tokens/s=%.0f "
              "batches=%llu map_growths=%llu\n",
              t_written, t_total - t_written, static_cast<double>(n.records()) / t_total,
              static_cast<double>(n.tokens) / t_total,
              static_cast<unsigned long long>(stats.batches),
              static_cast<unsigned long long>(stats.map_growths));
  std::printf("fill.result: data.mdb=%.2f GiB (allocated %.2f GiB, used pages %.2f GiB, "
              "map %.2f GiB) bytes/token=%.0f loadavg=%s\n",
              gib(apparent), gib(allocated), gib(info.used_bytes), gib(info.map_size),
              static_cast<double>(info.used_bytes) / static_cast<double>(n.tokens),
              load_average().c_str());
  return 0;
}

// -- engine start ------------------------------------------------------------

struct host_options {
  std::filesystem::path dir;
  std::size_t max_live = 100000;
  bool nosync = false;
  std::size_t threads = 2;
  std::chrono::seconds passivate_after{300}; ///< engine default
};

caf::expected<std::unique_ptr<engine_host>> start_host(const host_options& h) {
  engine_options o;
  o.data_dir = h.dir;
  auto [apparent, allocated] = store_file_size(h.dir / "data.mdb");
  (void)allocated;
  // Room for the stored data plus 1 GiB of new writes; an existing larger
  // map is kept by LMDB. Growth doubles up to 4x.
  o.store.map_size = std::max<std::size_t>(
      std::size_t{1} << 30, static_cast<std::size_t>(apparent) + (std::size_t{1} << 30));
  o.store.max_map_size = o.store.map_size * 4;
  o.store.mode = h.nosync ? persistence::durability::nosync : persistence::durability::sync;
  o.scheduler_threads = h.threads;
  o.max_live_actors = h.max_live;
  o.passivate_after = h.passivate_after;
  o.partners = {partner_rec()};
  o.products = {engine::card_product{"debit", {engine::bin_range{400000, 499999, 6}}, true}};
  o.verification_expiry = scale_verification_expiry;
  o.pan_hash_key = pan_hash_key;
  o.pan_encryption_key = pan_encryption_key;
  o.otp_key = otp_key;
  return engine_host::start(std::move(o));
}

// -- serve -------------------------------------------------------------------

/// Latency histogram: bucket i holds calls of < 2^i microseconds.
struct latency_histogram {
  static constexpr std::size_t buckets = 32;
  std::array<std::atomic<std::uint64_t>, buckets> counts{};
  void add(steady::duration d) {
    auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(
        1, std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
    std::size_t b = 0;
    while (b + 1 < buckets && (std::uint64_t{1} << b) <= us)
      ++b;
    counts[b].fetch_add(1, std::memory_order_relaxed);
  }
  /// Upper bound (us) of the bucket holding quantile q.
  [[nodiscard]] std::uint64_t quantile(double q) const {
    std::uint64_t total = 0;
    for (const auto& c : counts)
      total += c.load();
    auto target = static_cast<std::uint64_t>(q * static_cast<double>(total));
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < buckets; ++b) {
      seen += counts[b].load();
      if (seen > target)
        return std::uint64_t{1} << b;
    }
    return std::uint64_t{1} << (buckets - 1);
  }
};

struct serve_counters {
  std::atomic<std::uint64_t> reads{0}, read_fail{0};
  std::atomic<std::uint64_t> transitions{0}, transition_fail{0}, transition_skipped{0},
      transition_raced{0};
  std::atomic<std::uint64_t> lists{0}, list_fail{0};
  std::string first_error;
  std::mutex error_mutex;
  latency_histogram latency;
  void error(const caf::error& e) {
    std::lock_guard<std::mutex> lk{error_mutex};
    if (first_error.empty())
      first_error = describe(e).code + ": " + describe(e).detail;
  }
};

void print_stats(std::string_view when, const engine_host& host) {
  auto s = host.stats();
  std::printf(
      "engine.%.*s: live_tokens=%llu live_cards=%llu activations=%llu passivations=%llu "
      "commit_batches=%llu commit_units=%llu\n",
      static_cast<int>(when.size()), when.data(), static_cast<unsigned long long>(s.live_tokens),
      static_cast<unsigned long long>(s.live_cards), static_cast<unsigned long long>(s.activations),
      static_cast<unsigned long long>(s.passivations),
      static_cast<unsigned long long>(s.commit.batches),
      static_cast<unsigned long long>(s.commit.units));
}

struct serve_config {
  host_options host;
  std::uint64_t ops = 100000;
  std::uint64_t in_flight = 100;
  std::uint64_t seed = 1;
  std::uint64_t read_pct = 70, toggle_pct = 20; ///< the rest: list_tokens
  bool quiet = false;
};

int run_serve(const serve_config& cfg, const manifest& m) {
  std::printf("serve: data_dir=%s tokens=%llu ops=%llu live_max=%zu in_flight=%llu seed=%llu "
              "mix=read %llu%% / suspend-resume %llu%% / list %llu%% durability=%s loadavg=%s\n",
              cfg.host.dir.c_str(), static_cast<unsigned long long>(m.tokens),
              static_cast<unsigned long long>(cfg.ops), cfg.host.max_live,
              static_cast<unsigned long long>(cfg.in_flight),
              static_cast<unsigned long long>(cfg.seed),
              static_cast<unsigned long long>(cfg.read_pct),
              static_cast<unsigned long long>(cfg.toggle_pct),
              static_cast<unsigned long long>(100 - cfg.read_pct - cfg.toggle_pct),
              cfg.host.nosync ? "nosync" : "sync", load_average().c_str());
  print_memory("before_start", read_memory());
  auto host = start_host(cfg.host);
  if (!host) {
    std::fprintf(stderr, "serve: start failed: %s\n", to_string(host.error()).c_str());
    return 1;
  }
  print_memory("after_start", read_memory());
  serve_counters c;
  std::counting_semaphore<128> slots{static_cast<std::ptrdiff_t>(cfg.in_flight)};
  engine::seeded_random rng{cfg.seed};
  auto* h = host->get();
  const auto t0 = steady::now();
  auto last_report = t0;
  for (std::uint64_t k = 0; k < cfg.ops; ++k) {
    slots.acquire();
    const auto i = rng.uniform(m.tokens);
    const auto kind = rng.uniform(100);
    const auto started = steady::now();
    auto finish = [&c, &slots, started] {
      c.latency.add(steady::now() - started);
      slots.release();
    };
    if (kind < cfg.read_pct) {
      h->get_token(scale_partner, ref_of(i), [&c, finish](caf::expected<engine::token_record> r) {
        if (r) {
          c.reads.fetch_add(1);
        } else {
          c.read_fail.fetch_add(1);
          c.error(r.error());
        }
        finish();
      });
    } else if (kind < cfg.read_pct + cfg.toggle_pct) {
      // Read, then suspend an ACTIVE token or resume a SUSPENDED one.
      auto card = card_of(i / m.tokens_per_card);
      h->get_token(scale_partner, ref_of(i),
                   [&c, h, card, i, finish](caf::expected<engine::token_record> r) mutable {
                     if (!r) {
                       c.read_fail.fetch_add(1);
                       c.error(r.error());
                       finish();
                       return;
                     }
                     c.reads.fetch_add(1);
                     engine::token_state target;
                     if (r->state == engine::token_state::active)
                       target = engine::token_state::suspended;
                     else if (r->state == engine::token_state::suspended)
                       target = engine::token_state::active;
                     else {
                       c.transition_skipped.fetch_add(1);
                       finish();
                       return;
                     }
                     h->transition_token(
                         scale_partner, card, ref_of(i), target, "scale_test", std::nullopt,
                         [&c, finish](caf::expected<engine::token_record> t) {
                           if (t) {
                             c.transitions.fetch_add(1);
                           } else if (describe(t.error()).code == "illegal_transition") {
                             // Another call toggled the token
                             // between our read and write.
                             c.transition_raced.fetch_add(1);
                           } else {
                             c.transition_fail.fetch_add(1);
                             c.error(t.error());
                           }
                           finish();
                         });
                   });
    } else {
      h->list_tokens(scale_partner, card_of(i / m.tokens_per_card),
                     [&c, finish](caf::expected<std::vector<engine::token_record>> r) {
                       if (r && !r->empty()) {
                         c.lists.fetch_add(1);
                       } else {
                         c.list_fail.fetch_add(1);
                         if (!r)
                           c.error(r.error());
                       }
                       finish();
                     });
    }
    if (!cfg.quiet && steady::now() - last_report > 10s) {
      last_report = steady::now();
      auto mem = read_memory();
      auto s = h->stats();
      std::printf("  %llu ops, %.0f ops/s, RssAnon=%.1f MiB RssFile=%.1f MiB live_tokens=%llu "
                  "live_cards=%llu loadavg=%s\n",
                  static_cast<unsigned long long>(k), static_cast<double>(k) / seconds_since(t0),
                  static_cast<double>(mem.rss_anon_kb) / 1024,
                  static_cast<double>(mem.rss_file_kb) / 1024,
                  static_cast<unsigned long long>(s.live_tokens),
                  static_cast<unsigned long long>(s.live_cards), load_average().c_str());
      std::fflush(stdout);
    }
  }
  for (std::uint64_t k = 0; k < cfg.in_flight; ++k)
    slots.acquire();
  const auto elapsed = seconds_since(t0);
  auto mem = read_memory();
  print_stats("after_ops", *h);
  print_memory("after_ops", mem);
  const auto calls = c.reads.load() + c.read_fail.load() + c.transitions.load() +
                     c.transition_fail.load() + c.transition_raced.load() + c.lists.load() +
                     c.list_fail.load();
  std::printf("serve.result: ops=%llu calls=%llu elapsed=%.2f s ops/s=%.0f calls/s=%.0f "
              "p50<=%llu us p99<=%llu us loadavg=%s\n",
              static_cast<unsigned long long>(cfg.ops), static_cast<unsigned long long>(calls),
              elapsed, static_cast<double>(cfg.ops) / elapsed, static_cast<double>(calls) / elapsed,
              static_cast<unsigned long long>(c.latency.quantile(0.5)),
              static_cast<unsigned long long>(c.latency.quantile(0.99)), load_average().c_str());
  std::printf("serve.result: reads=%llu (failed %llu) transitions=%llu (failed %llu, skipped %llu, "
              "raced %llu) lists=%llu (failed %llu)\n",
              static_cast<unsigned long long>(c.reads.load()),
              static_cast<unsigned long long>(c.read_fail.load()),
              static_cast<unsigned long long>(c.transitions.load()),
              static_cast<unsigned long long>(c.transition_fail.load()),
              static_cast<unsigned long long>(c.transition_skipped.load()),
              static_cast<unsigned long long>(c.transition_raced.load()),
              static_cast<unsigned long long>(c.lists.load()),
              static_cast<unsigned long long>(c.list_fail.load()));
  std::printf("serve.result: VmRSS=%.1f MiB VmHWM=%.1f MiB RssAnon=%.1f MiB (engine heap, goal "
              "<= 1024) RssFile=%.1f MiB (LMDB pages, page cache)\n",
              static_cast<double>(mem.vm_rss_kb) / 1024, static_cast<double>(mem.vm_hwm_kb) / 1024,
              static_cast<double>(mem.rss_anon_kb) / 1024,
              static_cast<double>(mem.rss_file_kb) / 1024);
  if (!c.first_error.empty())
    std::printf("serve.result: first error: %s\n", c.first_error.c_str());
  (*host)->stop();
  const auto failures = c.read_fail.load() + c.transition_fail.load() + c.list_fail.load();
  return failures == 0 ? 0 : 1;
}

int cmd_serve(const flags& f) {
  auto dir_s = f.str("data-dir");
  serve_config cfg;
  cfg.ops = f.num("ops", 100000);
  cfg.host.max_live = f.num("live-max", 100000);
  cfg.in_flight = std::clamp<std::uint64_t>(f.num("in-flight", 100), 1, 100);
  cfg.seed = f.num("seed", 1);
  cfg.read_pct = f.num("read-pct", 70);
  cfg.toggle_pct = f.num("toggle-pct", 20);
  cfg.host.nosync = f.has("nosync");
  cfg.host.threads = f.num("threads", 2);
  cfg.host.passivate_after = std::chrono::seconds{f.num("passivate-after-s", 300)};
  cfg.quiet = f.has("quiet");
  if (auto e = f.error(); !e.empty() || !dir_s || cfg.read_pct + cfg.toggle_pct > 100) {
    std::fprintf(stderr,
                 "serve: %s\nusage: dwt-scale serve --data-dir D --ops K --live-max M "
                 "[--in-flight 100] [--read-pct 70] [--toggle-pct 20] [--seed 1] "
                 "[--threads 2] [--passivate-after-s 300] [--nosync]\n",
                 e.empty() ? "missing --data-dir or bad mix" : e.c_str());
    return 2;
  }
  cfg.host.dir = *dir_s;
  auto m = read_manifest(cfg.host.dir);
  if (!m) {
    std::fprintf(stderr, "serve: no %s in %s (run fill first)\n", manifest_name.data(),
                 cfg.host.dir.c_str());
    return 2;
  }
  return run_serve(cfg, *m);
}

// -- restart -----------------------------------------------------------------

double realtime_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

/// Evicts data.mdb's clean pages from the page cache (this file only), so
/// the restart reads the store from the disk like after a reboot.
bool drop_file_cache(const std::filesystem::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ::fdatasync(fd);
  bool ok = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
  ::close(fd);
  return ok;
}

struct restart_config {
  host_options host;
  std::optional<double> t0_ns; ///< CLOCK_REALTIME when the caller launched us
  bool drop_cache = false;
  std::uint64_t seed = 7;
};

template <class T>
caf::expected<T> wait_for(std::future<caf::expected<T>>& f, std::chrono::seconds limit) {
  if (f.wait_for(limit) != std::future_status::ready)
    return caf::make_error(caf::sec::request_timeout);
  return f.get();
}

int run_restart(const restart_config& cfg, const manifest& m) {
  const auto drop_t0 = steady::now();
  if (cfg.drop_cache && !drop_file_cache(cfg.host.dir / "data.mdb"))
    std::printf("restart: could not drop the page cache of data.mdb\n");
  // Launch-relative figures exclude the cache drop (it stands for a reboot).
  const double dropped_ms = seconds_since(drop_t0) * 1e3;
  const auto main_t0 = steady::now();
  const auto start_t0 = steady::now();
  auto host = start_host(cfg.host);
  if (!host) {
    std::fprintf(stderr, "restart: start failed: %s\n", to_string(host.error()).c_str());
    return 1;
  }
  const auto t_ready = seconds_since(main_t0);
  const auto start_only = seconds_since(start_t0);
  const double ready_since_t0_ms = cfg.t0_ns ? (realtime_ns() - *cfg.t0_ns) / 1e6 - dropped_ms : -1;
  auto* h = host->get();
  engine::seeded_random rng{cfg.seed};
  // First successful read of a random token.
  const auto i = rng.uniform(m.tokens);
  std::promise<caf::expected<engine::token_record>> read_p;
  auto read_f = read_p.get_future();
  h->get_token(scale_partner, ref_of(i), [&read_p](caf::expected<engine::token_record> r) {
    read_p.set_value(std::move(r));
  });
  auto read = wait_for(read_f, 30s);
  const auto t_read = seconds_since(main_t0);
  const double read_since_t0_ms = cfg.t0_ns ? (realtime_ns() - *cfg.t0_ns) / 1e6 - dropped_ms : -1;
  // First durable write: suspend or resume another random token.
  caf::expected<engine::token_record> wrote = caf::make_error(caf::sec::runtime_error);
  std::uint64_t j = 0;
  for (int attempt = 0; attempt < 16 && !wrote; ++attempt) {
    j = rng.uniform(m.tokens);
    if (m.is_requested(j))
      continue;
    std::promise<caf::expected<engine::token_record>> tp;
    auto tf = tp.get_future();
    h->get_token(scale_partner, ref_of(j),
                 [&tp](caf::expected<engine::token_record> r) { tp.set_value(std::move(r)); });
    auto t = wait_for(tf, 30s);
    if (!t)
      continue;
    auto target = t->state == engine::token_state::active ? engine::token_state::suspended
                                                          : engine::token_state::active;
    std::promise<caf::expected<engine::token_record>> wp;
    auto wf = wp.get_future();
    h->transition_token(
        scale_partner, card_of(j / m.tokens_per_card), ref_of(j), target, "restart_probe",
        std::nullopt, [&wp](caf::expected<engine::token_record> r) { wp.set_value(std::move(r)); });
    wrote = wait_for(wf, 30s);
  }
  const auto t_write = seconds_since(main_t0);
  print_memory("after_first_write", read_memory());
  // Verification deadlines are durable (the token_deadlines index, written
  // at fill time like the card actor does): no REQUESTED token is activated
  // or re-armed at start; the expiry scheduler reads only due entries.
  const auto expected = m.requested_count();
  auto mem = read_memory();
  print_stats("after_start", *h);
  print_memory("after_start", mem);
  std::printf("restart.result: tokens=%llu requested=%llu drop_cache=%d loadavg=%s\n",
              static_cast<unsigned long long>(m.tokens), static_cast<unsigned long long>(expected),
              cfg.drop_cache ? 1 : 0, load_average().c_str());
  std::printf("restart.result: drop_cache=%.1f ms (excluded below) engine_start=%.1f ms\n",
              dropped_ms, start_only * 1e3);
  std::printf("restart.result: main_to_ready=%.1f ms main_to_first_read=%.1f ms (%s) "
              "main_to_first_write=%.1f ms (%s)\n",
              t_ready * 1e3, t_read * 1e3, read ? "ok" : to_string(read.error()).c_str(),
              t_write * 1e3, wrote ? "ok" : to_string(wrote.error()).c_str());
  if (cfg.t0_ns)
    std::printf("restart.result: launch_to_ready=%.1f ms launch_to_first_read=%.1f ms "
                "(from the shell's timestamp before exec)\n",
                ready_since_t0_ms, read_since_t0_ms);
  (*host)->stop();
  return read && wrote ? 0 : 1;
}

int cmd_restart(const flags& f) {
  auto dir_s = f.str("data-dir");
  restart_config cfg;
  if (auto t0 = f.str("t0-ns"))
    cfg.t0_ns = std::strtod(t0->c_str(), nullptr);
  cfg.drop_cache = f.has("drop-cache");
  cfg.host.nosync = f.has("nosync");
  cfg.host.max_live = f.num("live-max", 100000);
  cfg.host.threads = f.num("threads", 2);
  cfg.seed = f.num("seed", 7);
  if (auto e = f.error(); !e.empty() || !dir_s) {
    std::fprintf(stderr,
                 "restart: %s\nusage: dwt-scale restart --data-dir D [--t0-ns NS] "
                 "[--drop-cache] [--live-max M] [--seed 7] [--nosync]\n",
                 e.empty() ? "missing --data-dir" : e.c_str());
    return 2;
  }
  cfg.host.dir = *dir_s;
  auto m = read_manifest(cfg.host.dir);
  if (!m) {
    std::fprintf(stderr, "restart: no %s in %s (run fill first)\n", manifest_name.data(),
                 cfg.host.dir.c_str());
    return 2;
  }
  return run_restart(cfg, *m);
}

// -- smoke -------------------------------------------------------------------

/// fill + serve + restart on a tiny temporary store (CTest, label bench).
int cmd_smoke(const flags& f, const char* self) {
  const auto tokens = f.num("tokens", 2000);
  const auto ops = f.num("ops", 2000);
  if (auto e = f.error(); !e.empty()) {
    std::fprintf(stderr, "smoke: %s\n", e.c_str());
    return 2;
  }
  auto dir =
      std::filesystem::temp_directory_path() / ("dwt_scale_smoke_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string tokens_s = std::to_string(tokens);
  std::string dir_s = dir.string();
  std::array<const char*, 9> fill_args{
      self,       "fill",           "--data-dir",        dir_s.c_str(),
      "--tokens", tokens_s.c_str(), "--requested-every", "100",
      "--quiet"};
  int rc = cmd_fill(flags{static_cast<int>(fill_args.size()), fill_args.data(), 2});
  auto m = read_manifest(dir);
  if (rc == 0 && m) {
    serve_config cfg;
    cfg.host.dir = dir;
    cfg.host.max_live = 200; // smaller than the key space: passivation runs
    cfg.host.nosync = true;
    cfg.ops = ops;
    cfg.quiet = true;
    rc = run_serve(cfg, *m);
  } else if (rc == 0) {
    rc = 1;
  }
  if (rc == 0) {
    restart_config cfg;
    cfg.host.dir = dir;
    cfg.host.nosync = true;
    cfg.drop_cache = true;
    rc = run_restart(cfg, *m);
  }
  std::filesystem::remove_all(dir);
  std::printf("smoke: %s\n", rc == 0 ? "ok" : "FAILED");
  return rc;
}

} // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string_view cmd = argc > 1 ? std::string_view{argv[1]} : std::string_view{};
  flags f{argc, argv, 2};
  if (cmd == "fill")
    return cmd_fill(f);
  if (cmd == "serve")
    return cmd_serve(f);
  if (cmd == "restart")
    return cmd_restart(f);
  if (cmd == "smoke")
    return cmd_smoke(f, argv[0]);
  std::fprintf(stderr, "usage: dwt-scale fill|serve|restart|smoke --data-dir D ... "
                       "(see bench/README.md, section Scale)\n");
  return 2;
}
