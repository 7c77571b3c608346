#include "dwt/networks/secret.hpp"

#include <cstring>
#include <utility>

#include <openssl/crypto.h>

#include "dwt/engine/assert.hpp"
#include "dwt/engine/crypto.hpp"

namespace dwt::networks {

secret_bytes::secret_bytes(std::size_t capacity)
    : data_(capacity > 0 ? std::make_unique<char[]>(capacity) : nullptr), size_(capacity),
      capacity_(capacity) {}

secret_bytes secret_bytes::copy_of(std::string_view bytes) {
  secret_bytes out{bytes.size()};
  if (!bytes.empty())
    std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

secret_bytes::secret_bytes(secret_bytes&& other) noexcept
    : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

secret_bytes& secret_bytes::operator=(secret_bytes&& other) noexcept {
  if (this != &other) {
    clear();
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

secret_bytes::~secret_bytes() {
  clear();
}

void secret_bytes::shrink_to(std::size_t n) noexcept {
  DWT_ASSERT(n <= size_);
  if (n < size_)
    OPENSSL_cleanse(data_.get() + n, size_ - n);
  size_ = n;
}

void secret_bytes::clear() noexcept {
  if (data_ && capacity_ > 0)
    OPENSSL_cleanse(data_.get(), capacity_);
  data_.reset();
  size_ = 0;
  capacity_ = 0;
}

bool secret_bytes::equals(std::string_view other) const noexcept {
  return engine::crypto::constant_time_equal(view(), other);
}

} // namespace dwt::networks
