// SecretBytes: a byte buffer for key material that is wiped when it dies.
//
// Keys live in SecretBytes rather than std::string or a bare vector so that a
// freed buffer never leaves a key behind on the heap. The size is fixed at
// construction (no push_back/resize) because growing a vector copies the old
// bytes into a new block and frees the old one without wiping it.
#ifndef SA_ADAPTER_CRYPTO_SECRET_BYTES_H_
#define SA_ADAPTER_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string_view>
#include <vector>

namespace sa::adapter::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  // A zero-filled secret of `size` bytes, to be written through data().
  explicit SecretBytes(size_t size) : bytes_(size, 0) {}
  // Copies `size` bytes from `data`; the caller still owns (and should wipe) the source.
  SecretBytes(const uint8_t* data, size_t size) : bytes_(data, data + size) {}
  // Copies the bytes of `text` (e.g. a key read back from the database).
  static SecretBytes CopyFrom(std::string_view text);

  SecretBytes(const SecretBytes& other) = default;
  SecretBytes(SecretBytes&& other) noexcept = default;
  // Assignment wipes the old contents first so the replaced key is not left behind.
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

  // Wipes and empties the buffer now, before destruction.
  void Clear();

  // Constant-time comparison (CRYPTO_memcmp), so tests and callers never leak timing.
  friend bool operator==(const SecretBytes& a, const SecretBytes& b);

 private:
  std::vector<uint8_t> bytes_;
};

// Prints only the size ("SecretBytes(32 bytes, redacted)") so a stray log line
// or a failing gtest assertion never prints key material.
std::ostream& operator<<(std::ostream& os, const SecretBytes& s);

}  // namespace sa::adapter::crypto

#endif  // SA_ADAPTER_CRYPTO_SECRET_BYTES_H_
