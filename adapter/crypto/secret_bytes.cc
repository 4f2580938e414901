#include "adapter/crypto/secret_bytes.h"

#include <openssl/crypto.h>

#include <ostream>

namespace sa::adapter::crypto {

SecretBytes SecretBytes::CopyFrom(std::string_view text) {
  return SecretBytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    Clear();
    bytes_ = other.bytes_;
  }
  return *this;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Clear();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

SecretBytes::~SecretBytes() { Clear(); }

void SecretBytes::Clear() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

bool operator==(const SecretBytes& a, const SecretBytes& b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::ostream& operator<<(std::ostream& os, const SecretBytes& s) {
  return os << "SecretBytes(" << s.size() << " bytes, redacted)";
}

}  // namespace sa::adapter::crypto
