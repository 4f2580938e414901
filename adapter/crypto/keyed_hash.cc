#include "adapter/crypto/keyed_hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

#include "adapter/crypto/openssl_util.h"
#include "adapter/crypto/wire.h"

namespace sa::adapter::crypto {
namespace {

struct MacFree {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

StatusOr<std::string> KeyedHasher::Hash(std::string_view domain, std::string_view value) const {
  if (key_.size() != kKeyedHashKeyBytes) {
    return Status::InvalidArgument("keyed-hash key must be " + std::to_string(kKeyedHashKeyBytes) + " bytes");
  }
  if (domain.empty()) return Status::InvalidArgument("keyed-hash domain must not be empty");
  std::string prefix = "sa-kh-v1";
  wire::AppendU32Be(prefix, static_cast<uint32_t>(domain.size()));
  prefix.append(domain);

  ERR_clear_error();
  std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return OpenSslError("EVP_MAC_fetch(HMAC)");
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return OpenSslError("EVP_MAC_CTX_new");
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), key_.data(), key_.size(), params) != 1) return OpenSslError("EVP_MAC_init");
  if (EVP_MAC_update(ctx.get(), Bytes(prefix), prefix.size()) != 1) return OpenSslError("EVP_MAC_update");
  if (!value.empty() && EVP_MAC_update(ctx.get(), Bytes(value), value.size()) != 1) {
    return OpenSslError("EVP_MAC_update");
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t out_len = 0;
  if (EVP_MAC_final(ctx.get(), out, &out_len, sizeof out) != 1) return OpenSslError("EVP_MAC_final");
  if (out_len != 32) return Status::Internal("HMAC-SHA256 returned an unexpected length");
  return HexLower(out, out_len);
}

StatusOr<SecretBytes> NewRandomKey() { return RandomSecret(kKeyedHashKeyBytes); }

}  // namespace sa::adapter::crypto
