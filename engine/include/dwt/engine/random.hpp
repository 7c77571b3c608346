#pragma once
/// @file
/// Randomness is passed into the engine, never taken from a global source,
/// so that every test replays from its seed.
///
/// Threading: a random_source is not thread-safe; give each thread or actor
/// its own.

#include <cstddef>
#include <cstdint>
#include <span>

namespace dwt::engine {

/// Source of random bytes.
class random_source {
public:
  virtual ~random_source() = default;
  /// Fills `out` with random bytes.
  virtual void fill(std::span<std::byte> out) = 0;

  /// A uniformly distributed integer in [0, bound), bound > 0, without
  /// modulo bias.
  [[nodiscard]] std::uint64_t uniform(std::uint64_t bound);
};

/// Deterministic generator (xoshiro256** seeded by splitmix64) for tests,
/// simulations and benchmarks. Never use it for secrets in production.
class seeded_random final : public random_source {
public:
  explicit seeded_random(std::uint64_t seed) noexcept;
  void fill(std::span<std::byte> out) override;
  [[nodiscard]] std::uint64_t next() noexcept;

private:
  std::uint64_t s_[4];
};

/// Cryptographically secure bytes from OpenSSL's RAND_bytes (the production
/// source). Aborts if the CSPRNG fails: continuing would be unsafe.
///
/// Small draws are served from a per-thread buffer refilled by one
/// RAND_bytes call: ids are drawn one character (8 bytes) at a time, and a
/// RAND_bytes call per draw cost a getpid system call each (OpenSSL's fork
/// check), 6-9 % of the server's samples under load. Per thread, not per
/// instance, so that 200,000 live actors do not each hold a buffer. Bytes
/// handed out are wiped from the buffer. Not fork-safe: a child process
/// must not draw from a buffer inherited from its parent (dwt never forks).
class secure_random final : public random_source {
public:
  void fill(std::span<std::byte> out) override;
};

} // namespace dwt::engine
