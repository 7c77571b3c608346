#pragma once
/// @file
/// The LMDB environment: one data directory, its named databases, the schema
/// version check, and the map size (with automatic growth).
///
/// Threading: an `env` is shared by reference between the writer thread and
/// any number of reader threads; it must outlive every `reader`,
/// `group_commit_writer` and `commit_now` call that uses it. The environment
/// is opened with MDB_NOTLS, so a read transaction is not tied to the thread
/// that began it (actors run on a thread pool) but must be used by one thread
/// at a time. Write transactions are serialised by LMDB; in production only
/// the `group_commit_writer` thread writes.

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <lmdb.h>
#include <memory>
#include <mutex>
#include <string_view>

#include "dwt/persistence/result.hpp"

namespace dwt::persistence {

/// The schema version this build writes. A fresh directory gets it; a
/// directory with a newer version is refused (errc::schema_too_new).
/// 2: cards_by_pan_hash is keyed by len8 pan hash | partner id (PAN
/// uniqueness per partner); a schema-1 directory is re-indexed at open.
inline constexpr std::uint32_t current_schema_version = 2;

/// How commits reach the disk.
enum class durability : std::uint8_t {
  /// fsync (fdatasync) on every commit: an acknowledged unit survives a
  /// process crash and a power loss. The default.
  sync = 0,
  /// MDB_NOSYNC: commits reach the OS page cache only. A process crash
  /// (kill -9) loses nothing; a power loss or kernel crash may lose the last
  /// commits (never corrupts the database: LMDB's meta pages stay
  /// consistent). Acknowledgements then mean "ordered", not "durable".
  nosync = 1,
};

/// "sync" / "nosync".
[[nodiscard]] std::string_view to_string(durability d) noexcept;

/// The named databases of one environment. Key layouts: see keys.hpp and
/// persistence/README.md.
enum class db : std::uint8_t {
  meta = 0, ///< "schema_version" -> be u32, "outbox_last_seq" -> be u64, "network_command_last_seq"
            ///< -> be u64
  partners, ///< partner id -> partner_record
  profiles, ///< profile id -> profile_record
  cards,    ///< card id -> card_record
  cards_by_pan_hash,     ///< len8 pan hash | partner id -> card id
  tokens,                ///< token ref -> token_record
  tokens_by_card,        ///< len8 card id | token ref -> empty
  history,               ///< len8 token ref | be u32 seq -> transition_record
  challenges,            ///< token ref -> verification_challenge
  outbox,                ///< be u64 seq -> outbox_event
  outbox_by_partner,     ///< len8 partner id | be u64 seq -> empty
  outbox_pending,        ///< be u64 seq -> empty (not yet delivered / dead-lettered)
  idempotency,           ///< len8 partner id | key -> idempotency_record
  idempotency_by_expiry, ///< be u64 expires_ms | len8 partner id | key -> empty
  counters,              ///< name -> be u64
  // Added after schema 1 shipped; created empty when an older directory is
  // opened (no schema bump: existing data keeps its format).
  outbox_by_event_id, ///< event id -> be u64 seq (backfilled at open)
  deliveries,         ///< be u64 seq -> delivery_state
  delivery_attempts,  ///< be u64 seq | be u32 attempt_no -> delivery_attempt_record
  tokens_requested,   ///< token ref -> empty: the tokens in state REQUESTED (backfilled at open)
  token_deadlines,    ///< be u64 deadline ms | token ref -> empty: verification deadlines by time
  deadline_of_token,  ///< token ref -> be u64 deadline ms: the reverse of token_deadlines
  /// u8 card_network | network token id (MDES tokenUniqueReference) -> token
  /// ref; kept by put_token / erase_token from token_record::network.
  tokens_by_network_ref,
  network_commands,         ///< be u64 seq -> network_command (issuer -> network calls)
  network_commands_pending, ///< be u64 seq -> empty: commands not yet confirmed or failed
  network_command_of_token, ///< token ref -> be u64 seq of its latest command (networkSync)
};

/// Number of named databases.
inline constexpr std::size_t db_count = 25;

/// The LMDB name of a database, e.g. "tokens_by_card".
[[nodiscard]] std::string_view db_name(db d) noexcept;

/// Options for `env::open`.
struct env_options {
  /// The data directory (created if missing and `create_directory`).
  std::filesystem::path directory;
  /// Initial map size in bytes (rounded up to the OS page size). If the
  /// directory holds a larger map from an earlier run, LMDB keeps that.
  std::size_t map_size = std::size_t{1} << 30;
  /// Upper bound for automatic growth: on MDB_MAP_FULL the writer doubles
  /// the map (capped at this value) and retries the batch once. 0 means
  /// "same as map_size" (no growth).
  std::size_t max_map_size = 0;
  durability mode = durability::sync;
  /// LMDB reader slots: the number of read transactions open at once.
  unsigned max_readers = 126;
  bool create_directory = true;
  /// How long `grow()` waits for open read transactions to end before
  /// giving up with errc::map_full.
  std::chrono::milliseconds grow_wait{2000};
};

/// Usage figures for /metrics.
struct env_info {
  std::size_t map_size = 0;     ///< current map size in bytes
  std::size_t max_map_size = 0; ///< growth limit in bytes
  std::size_t used_bytes = 0;   ///< (last used page + 1) * page size
  std::size_t last_txn_id = 0;
  unsigned readers_used = 0;     ///< reader slots in use
  std::uint64_t map_growths = 0; ///< successful grow() calls since open
};

/// An open LMDB environment with all named databases.
class env {
public:
  /// Opens (and creates if needed) the environment in `options.directory`,
  /// opens or creates every named database and checks the schema version.
  /// Errors: errc::invalid_argument (empty directory path, max < initial
  /// map size), errc::io_error (directory cannot be created or opened,
  /// lock file problem), errc::schema_too_new (meta holds a newer schema
  /// version), errc::corrupt_record (meta's schema version is malformed),
  /// errc::map_full (the map cannot hold the named databases),
  /// errc::internal (other LMDB failures).
  [[nodiscard]] static result<std::unique_ptr<env>> open(env_options options);

  ~env();
  env(const env&) = delete;
  env& operator=(const env&) = delete;

  /// The options the environment was opened with (map_size updated by
  /// growth is reported by `info()`, not here).
  [[nodiscard]] const env_options& options() const noexcept { return options_; }

  /// The schema version found (or written) at open.
  [[nodiscard]] std::uint32_t schema_version() const noexcept { return schema_version_; }

  /// Current figures. Thread-safe.
  [[nodiscard]] env_info info() const;

  /// Forces a flush to disk (useful in nosync mode before a planned
  /// shutdown). Thread-safe. Errors: errc::io_error.
  [[nodiscard]] result<void> sync();

  /// Doubles the map size, capped at max_map_size. Waits (at most
  /// `grow_wait`) until no read or write transaction is open in this
  /// process, because LMDB may only resize then; new transactions wait
  /// while it runs. Call only from a thread that holds no transaction.
  /// Errors: errc::map_full (already at the maximum, or transactions stayed
  /// open for longer than grow_wait), errc::internal.
  [[nodiscard]] result<void> grow();

  // -- low level (used by reader, group_commit_writer, commit_now) --------

  /// The raw LMDB handle.
  [[nodiscard]] MDB_env* handle() const noexcept { return env_; }
  /// The handle of a named database.
  [[nodiscard]] MDB_dbi dbi(db d) const noexcept { return dbis_[static_cast<std::size_t>(d)]; }

  /// Registers a transaction that is about to begin (blocks while a grow()
  /// runs). Every successful call must be paired with `txn_ended()`.
  void txn_starting();
  /// Unregisters a transaction that has ended (committed or aborted).
  void txn_ended() noexcept;

private:
  struct private_tag {};

public:
  /// Use `open`; this constructor is public only for std::make_unique.
  explicit env(private_tag) {}

private:
  env_options options_;
  MDB_env* env_ = nullptr;
  std::array<MDB_dbi, db_count> dbis_{};
  std::uint32_t schema_version_ = 0;

  // Resize gate: LMDB may only change the map size while no transaction of
  // this process is open.
  mutable std::mutex gate_mutex_;
  std::condition_variable gate_cv_;
  std::size_t open_txns_ = 0;
  bool growing_ = false;
  std::size_t map_size_ = 0;
  std::uint64_t growths_ = 0;
};

} // namespace dwt::persistence
