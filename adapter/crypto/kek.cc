#include "adapter/crypto/kek.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "adapter/crypto/openssl_util.h"

namespace sa::adapter::crypto {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Strict standard base64: whole quads, alphabet only, '=' padding only at the
// very end. EVP_DecodeBlock is lenient about some of this (and decodes padding
// as zero bytes), so the shape is checked here first.
bool IsStrictBase64(std::string_view s, size_t* padding) {
  if (s.empty() || s.size() % 4 != 0) return false;
  size_t pad = 0;
  if (s.back() == '=') ++pad;
  if (s.size() >= 2 && s[s.size() - 2] == '=') {
    if (pad == 0) return false;  // "x=y" style: '=' not at the end
    ++pad;
  }
  for (size_t i = 0; i < s.size() - pad; ++i) {
    if (!IsBase64Char(s[i])) return false;
  }
  *padding = pad;
  return true;
}

// Reads at most kMaxKekTextBytes + 1 bytes with read(2) into a wiped buffer
// (no stdio buffers left holding the key).
Status ReadSmallFile(const std::string& path, SecretBytes* out, size_t* used) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("KEK file '" + path + "' does not exist");
    return Status::FailedPrecondition("cannot open KEK file '" + path + "': " + std::strerror(err));
  }
  SecretBytes buf(kMaxKekTextBytes + 1);
  size_t n = 0;
  while (n < buf.size()) {
    ssize_t r = ::read(fd, buf.data() + n, buf.size() - n);
    if (r < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Status::FailedPrecondition("cannot read KEK file '" + path + "': " + std::strerror(err));
    }
    if (r == 0) break;
    n += static_cast<size_t>(r);
  }
  ::close(fd);
  if (n > kMaxKekTextBytes) {
    return Status::InvalidArgument("KEK file '" + path + "' is larger than " + std::to_string(kMaxKekTextBytes) +
                                   " bytes; expected 32 bytes of base64 on one line");
  }
  *out = std::move(buf);
  *used = n;
  return Status::Ok();
}

}  // namespace

bool IsValidKekId(std::string_view id) {
  if (id.size() != kKekIdChars) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

StatusOr<Kek> KekFromBytes(SecretBytes key) {
  if (key.size() != kKekBytes) {
    return Status::InvalidArgument("KEK must be " + std::to_string(kKekBytes) + " bytes, got " +
                                   std::to_string(key.size()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  ERR_clear_error();
  if (EVP_Digest(key.data(), key.size(), digest, &digest_len, EVP_sha256(), nullptr) != 1) {
    return OpenSslError("SHA-256 of KEK for its id");
  }
  Kek kek;
  kek.id = HexLower(digest, kKekIdChars / 2);
  OPENSSL_cleanse(digest, sizeof digest);
  kek.key = std::move(key);
  return kek;
}

StatusOr<Kek> ParseKekBase64(std::string_view text, std::string_view source) {
  const std::string where(source);
  const std::string expected = "expected " + std::to_string(kKekBytes) + " bytes as base64 on one line";
  std::string_view b64 = Trim(text);
  if (b64.empty()) return Status::InvalidArgument(where + " is empty; " + expected);
  if (b64.size() > kMaxKekTextBytes) return Status::InvalidArgument(where + " is too long; " + expected);
  size_t padding = 0;
  if (!IsStrictBase64(b64, &padding)) return Status::InvalidArgument(where + " is not valid base64; " + expected);

  SecretBytes decoded(b64.size() / 4 * 3);
  ERR_clear_error();
  int n = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return Status::InvalidArgument(where + " is not valid base64; " + expected);
  size_t key_len = static_cast<size_t>(n) - padding;
  if (key_len != kKekBytes) {
    return Status::InvalidArgument(where + " decodes to " + std::to_string(key_len) + " bytes; " + expected);
  }
  return KekFromBytes(SecretBytes(decoded.data(), key_len));
}

StatusOr<Kek> LoadKekFromFile(const std::string& path) {
  SecretBytes buf;
  size_t used = 0;
  SA_RETURN_IF_ERROR(ReadSmallFile(path, &buf, &used));
  return ParseKekBase64(std::string_view(reinterpret_cast<const char*>(buf.data()), used),
                        "KEK file '" + path + "'");
}

StatusOr<Kek> LoadKekFromEnv(const std::string& var_name) {
  const char* value = std::getenv(var_name.c_str());
  if (value == nullptr) return Status::NotFound("KEK environment variable '" + var_name + "' is not set");
  return ParseKekBase64(value, "KEK environment variable '" + var_name + "'");
}

StatusOr<std::string> GenerateKekBase64() {
  SA_ASSIGN_OR_RETURN(SecretBytes key, RandomSecret(kKekBytes));
  SecretBytes encoded((kKekBytes + 2) / 3 * 4 + 1);  // + NUL written by EVP_EncodeBlock
  int n = EVP_EncodeBlock(encoded.data(), key.data(), static_cast<int>(key.size()));
  if (n <= 0) return OpenSslError("EVP_EncodeBlock");
  return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<size_t>(n));
}

}  // namespace sa::adapter::crypto
