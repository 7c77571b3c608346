#include "dwt/engine/random.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "dwt/engine/assert.hpp"

namespace dwt::engine {

namespace {

[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

[[nodiscard]] constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
  return (x << k) | (x >> (64 - k));
}

} // namespace

std::uint64_t random_source::uniform(std::uint64_t bound) {
  DWT_ASSERT(bound > 0);
  // Rejection sampling: accept x only when x >= 2^64 mod bound, so that the
  // accepted range is an exact multiple of bound.
  const std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    std::byte buf[sizeof(std::uint64_t)];
    fill(buf);
    std::uint64_t x = 0;
    std::memcpy(&x, buf, sizeof x);
    if (x >= threshold)
      return x % bound;
  }
}

seeded_random::seeded_random(std::uint64_t seed) noexcept : s_{} {
  std::uint64_t sm = seed;
  for (auto& word : s_)
    word = splitmix64(sm);
}

std::uint64_t seeded_random::next() noexcept {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17U;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

void seeded_random::fill(std::span<std::byte> out) {
  std::size_t i = 0;
  while (i < out.size()) {
    std::uint64_t word = next();
    for (std::size_t k = 0; k < sizeof word && i < out.size(); ++k, ++i) {
      out[i] = static_cast<std::byte>(word & 0xffU);
      word >>= 8U;
    }
  }
}

namespace {

void rand_bytes(unsigned char* p, std::size_t size) {
  std::size_t left = size;
  while (left > 0) {
    const auto n = left > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(left);
    if (RAND_bytes(p, n) != 1) {
      std::fputs("dwt: RAND_bytes failed; refusing to continue without a CSPRNG\n", stderr);
      std::abort();
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

/// The calling thread's buffer of CSPRNG bytes not yet handed out.
struct random_buffer {
  /// A push provisioning draws ~500 bytes (ids take 8 bytes per character):
  /// 1 KiB was refilled every other request, ~0.6 RAND_bytes (and getpid)
  /// calls per request in `perf trace`; 4 KiB lasts about eight requests.
  static constexpr std::size_t size = 4096;
  std::array<unsigned char, size> bytes{};
  std::size_t next = size; ///< first unused byte; `size` = empty
  random_buffer() = default;
  random_buffer(const random_buffer&) = delete;
  random_buffer& operator=(const random_buffer&) = delete;
  ~random_buffer() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

} // namespace

void secure_random::fill(std::span<std::byte> out) {
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (out.size() > random_buffer::size / 4) {
    // Large draws gain nothing from the buffer.
    rand_bytes(p, out.size());
    return;
  }
  thread_local random_buffer buf;
  std::size_t done = 0;
  while (done < out.size()) {
    if (buf.next == random_buffer::size) {
      rand_bytes(buf.bytes.data(), random_buffer::size);
      buf.next = 0;
    }
    const std::size_t n = std::min(out.size() - done, random_buffer::size - buf.next);
    std::memcpy(p + done, buf.bytes.data() + buf.next, n);
    // Bytes handed out may become secrets (OTPs, ids): wipe the copy left here.
    OPENSSL_cleanse(buf.bytes.data() + buf.next, n);
    buf.next += n;
    done += n;
  }
}

} // namespace dwt::engine
