#pragma once
/// @file
/// Error codes of the persistence module. Registered with CAF as the error
/// category `persist` (see `caf_error.hpp`) so actors can pass them on as
/// `caf::error` values.
///
/// Values are stable: never renumber, only append.

#include <cstdint>
#include <string>
#include <string_view>

namespace dwt::persistence {

enum class errc : std::uint8_t {
  ok = 0,
  /// The LMDB map is full and may not grow further (max_map_size reached).
  map_full = 1,
  /// The operating system reported an I/O error (open, read, write, fsync).
  io_error = 2,
  /// A stored record could not be decoded (truncated, bad tag, bad enum
  /// value, length past the end, trailing bytes).
  corrupt_record = 3,
  /// A stored record carries a codec version this build cannot read.
  unsupported_version = 4,
  /// The data directory was written by a newer schema version.
  schema_too_new = 5,
  /// The requested record does not exist.
  not_found = 6,
  /// Validation failed inside a write unit: a put-if-absent found an
  /// existing key, an expected version differed, or an index entry points
  /// at another record.
  conflict = 7,
  /// An argument is out of range (e.g. an id longer than 255 bytes, an
  /// empty id, a key larger than LMDB allows).
  invalid_argument = 8,
  /// The environment or the writer is closed / stopping.
  closed = 9,
  /// The writer's submission queue is full; retry later (maps to 503/429).
  overloaded = 10,
  /// All LMDB reader slots are in use (MDB_READERS_FULL).
  readers_full = 11,
  /// Any other LMDB failure (a bug or an environment problem); the message
  /// carries LMDB's text.
  internal = 12,
};

/// The stable snake_case code, e.g. "map_full".
[[nodiscard]] std::string_view to_code(errc e) noexcept;

/// A short English description of the error.
[[nodiscard]] std::string_view describe(errc e) noexcept;

/// CAF's `to_string` hook for the error category renderer (the code).
[[nodiscard]] std::string to_string(errc e);

} // namespace dwt::persistence
