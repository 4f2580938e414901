// Owning an OpenSSL public or private key, and telling which JWS key family
// it belongs to. OpenSSL's headers stay out of this one (as in fhir/jwt.h).
#ifndef SA_ADAPTER_AUTH_EVP_KEY_H_
#define SA_ADAPTER_AUTH_EVP_KEY_H_

#include <memory>

#include "adapter/auth/jws_algorithm.h"
#include "fhir/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace sa::adapter::auth {

// Frees an EVP_PKEY; lets EvpKey be a plain unique_ptr.
struct EvpKeyFree {
  void operator()(evp_pkey_st* key) const;
};

// An owned OpenSSL key. Read-only use from several threads is safe.
using EvpKey = std::unique_ptr<evp_pkey_st, EvpKeyFree>;

// The family of `key` if it is one the API accepts: RSA of kMinRsaBits to
// kMaxRsaBits, or EC on P-256 or P-384. Anything else is InvalidArgument
// (the message names the problem, never the key).
StatusOr<KeyFamily> KeyFamilyOf(evp_pkey_st* key);

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_EVP_KEY_H_
