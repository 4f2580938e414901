#include "adapter/crypto/openssl_util.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <climits>

namespace sa::adapter::crypto {

Status OpenSslError(std::string_view what) {
  std::string message = std::string(what) + " failed";
  bool first = true;
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    message += first ? ": " : "; ";
    message += buf;
    first = false;
  }
  return Status::Internal(std::move(message));
}

Status RandomBytes(uint8_t* out, size_t size) {
  // RAND_bytes takes an int; the callers here ask for a few dozen bytes.
  if (size > static_cast<size_t>(INT_MAX)) {
    return Status::Internal("RandomBytes: request too large");
  }
  if (size == 0) return Status::Ok();
  ERR_clear_error();
  if (RAND_bytes(out, static_cast<int>(size)) != 1) return OpenSslError("RAND_bytes");
  return Status::Ok();
}

StatusOr<SecretBytes> RandomSecret(size_t size) {
  SecretBytes secret(size);
  SA_RETURN_IF_ERROR(RandomBytes(secret.data(), secret.size()));
  return secret;
}

std::string HexLower(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

}  // namespace sa::adapter::crypto
