#pragma once
/// @file
/// `secret_bytes`: a fixed-capacity byte buffer for secrets (one-time AES
/// keys, decrypted card data, PANs, security codes) that is wiped with
/// OPENSSL_cleanse when destroyed or overwritten. Its storage is allocated
/// once and never reallocated, so no stale copy is left behind in freed
/// memory (a growing std::string would leave one per reallocation, and its
/// small-string buffer would be copied on move).
///
/// It has no stream operator and no implicit conversion to a string: the
/// holder decides, explicitly, where the bytes go (`view()`), and should
/// never send them to a log.
///
/// Threading: a plain value; not shared.

#include <cstddef>
#include <memory>
#include <string_view>

namespace dwt::networks {

class secret_bytes {
public:
  /// An empty secret (capacity 0).
  secret_bytes() noexcept = default;

  /// A zero-filled buffer of `capacity` bytes, all of them in use.
  explicit secret_bytes(std::size_t capacity);

  /// A copy of `bytes` (the caller wipes its own copy if it has one).
  [[nodiscard]] static secret_bytes copy_of(std::string_view bytes);

  secret_bytes(secret_bytes&& other) noexcept;
  secret_bytes& operator=(secret_bytes&& other) noexcept;
  secret_bytes(const secret_bytes&) = delete;
  secret_bytes& operator=(const secret_bytes&) = delete;
  ~secret_bytes();

  /// The bytes in use.
  [[nodiscard]] std::string_view view() const noexcept { return {data_.get(), size_}; }
  [[nodiscard]] char* data() noexcept { return data_.get(); }
  [[nodiscard]] const char* data() const noexcept { return data_.get(); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

  /// Shrinks the bytes in use to `n` (≤ size()); the bytes cut off are
  /// wiped at once.
  void shrink_to(std::size_t n) noexcept;

  /// Wipes and releases the storage.
  void clear() noexcept;

  /// Constant-time comparison with `other` (the lengths may leak).
  [[nodiscard]] bool equals(std::string_view other) const noexcept;

private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

} // namespace dwt::networks
