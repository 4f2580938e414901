// Checking the signature of a compact JWS with one public key.
#ifndef SA_ADAPTER_AUTH_JWS_SIGNATURE_H_
#define SA_ADAPTER_AUTH_JWS_SIGNATURE_H_

#include <string_view>

#include "adapter/auth/jws_algorithm.h"
#include "fhir/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace sa::adapter::auth {

// Verifies `signature` (the decoded third part of a JWS) over `signing_input`
// ("header.payload", as received) with `key` under `algorithm`:
// RSASSA-PKCS1-v1_5 (RS*), RSASSA-PSS with MGF1 of the same hash and a salt
// of the digest length (PS256), or ECDSA (ES*) whose raw r||s must be
// exactly 2 * ecdsa_half_bytes long and is converted to DER for OpenSSL.
// The caller has already bound the algorithm to the key's family.
// PermissionDenied "signature has the wrong size" or "signature does not
// verify"; Internal when OpenSSL cannot run at all. Thread-safe.
Status VerifyJwsSignature(evp_pkey_st* key, const JwsAlgorithm& algorithm,
                          std::string_view signing_input, std::string_view signature);

}  // namespace sa::adapter::auth

#endif  // SA_ADAPTER_AUTH_JWS_SIGNATURE_H_
