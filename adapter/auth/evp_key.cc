#include "adapter/auth/evp_key.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <string>

namespace sa::adapter::auth {

void EvpKeyFree::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

StatusOr<KeyFamily> KeyFamilyOf(evp_pkey_st* key) {
  if (key == nullptr) return Status::InvalidArgument("no key");
  if (EVP_PKEY_is_a(key, "RSA")) {
    int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaBits) {
      return Status::InvalidArgument("RSA key shorter than " + std::to_string(kMinRsaBits) +
                                     " bits");
    }
    if (bits > kMaxRsaBits) {
      return Status::InvalidArgument("RSA key longer than " + std::to_string(kMaxRsaBits) +
                                     " bits");
    }
    return KeyFamily::kRsa;
  }
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1) {
      std::string name(group);
      if (name == "prime256v1") return KeyFamily::kEcP256;
      if (name == "secp384r1") return KeyFamily::kEcP384;
    }
    ERR_clear_error();
    return Status::InvalidArgument("EC key is not on curve P-256 or P-384");
  }
  return Status::InvalidArgument("key type not supported (use RSA, or EC on P-256 or P-384)");
}

}  // namespace sa::adapter::auth
