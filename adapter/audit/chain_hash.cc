#include "adapter/audit/chain_hash.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>

namespace sa::adapter::audit {
namespace {

// Identifies this canonical form; a new form gets a new tag.
constexpr std::string_view kFormatTag = "sa-audit-v1";

void AppendNetstring(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// Internal("<what> failed"), clearing the thread's OpenSSL error queue so a
// stale error does not surface in an unrelated call later.
Status DigestError(const char* what) {
  ERR_clear_error();
  return Status::Internal(std::string("audit hash: ") + what + " failed");
}

}  // namespace

std::string CanonicalForm(const AuditEntry& entry) {
  std::string out;
  out.reserve(160 + entry.at.size() + entry.record.actor.size() + entry.record.action.size() +
              entry.record.object.size() + entry.record.outcome.size() +
              entry.record.detail.size() + entry.prev_hash.size());
  AppendNetstring(out, kFormatTag);
  AppendNetstring(out, std::to_string(entry.seq));
  AppendNetstring(out, entry.at);
  AppendNetstring(out, entry.record.actor);
  AppendNetstring(out, entry.record.action);
  AppendNetstring(out, entry.record.object);
  AppendNetstring(out, entry.record.outcome);
  AppendNetstring(out, entry.record.detail);
  AppendNetstring(out, entry.prev_hash);
  return out;
}

StatusOr<std::string> ChainHash(const AuditEntry& entry) {
  const std::string form = CanonicalForm(entry);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return DigestError("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return DigestError("EVP_DigestInit_ex(SHA-256)");
  }
  if (EVP_DigestUpdate(ctx.get(), form.data(), form.size()) != 1) {
    return DigestError("EVP_DigestUpdate");
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) return DigestError("EVP_DigestFinal_ex");
  if (length != 32) return Status::Internal("audit hash: SHA-256 returned an unexpected length");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(std::size_t{2} * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0f];
  }
  return hex;
}

bool IsHashHex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace sa::adapter::audit
