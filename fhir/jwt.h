// Signing compact JWS tokens (JWTs) with OpenSSL's EVP API, for the SMART
// Backend Services client assertion.
//
// Supported algorithms: RS384 and RS512 (RSASSA-PKCS1-v1_5, RSA key of at
// least 2048 bits) and ES384 (ECDSA on P-384). JWS carries ECDSA signatures
// as the raw 96-byte r||s, not the DER that OpenSSL produces; Sign converts.
// The API's own tokens (adapter/auth) may also use RS256, PS256 (RSASSA-PSS,
// salt as long as the SHA-256 digest) and ES256 (ECDSA on P-256, 64-byte
// r||s); ParseJwtAlgorithm still accepts only the SMART set above.
#ifndef SA_FHIR_JWT_H_
#define SA_FHIR_JWT_H_

#include <memory>
#include <string>
#include <string_view>

#include "fhir/resource.h"
#include "fhir/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY; its header stays out of ours

namespace sa::fhir {

// kRS256, kPS256 and kES256 were added after the SMART set; values keep their order.
enum class JwtAlgorithm { kRS384, kRS512, kES384, kRS256, kPS256, kES256 };

// Parses "RS384", "RS512" or "ES384"; anything else is InvalidArgument.
// This is the SMART Backend Services set, so a client assertion never uses another.
StatusOr<JwtAlgorithm> ParseJwtAlgorithm(std::string_view name);

// Parses every algorithm JwtSigner supports: the SMART set plus "RS256",
// "PS256" and "ES256" (for tokens the adapter issues itself); else InvalidArgument.
StatusOr<JwtAlgorithm> ParseAnyJwtAlgorithm(std::string_view name);

// The JWS "alg" name of `algorithm`.
const char* JwtAlgorithmName(JwtAlgorithm algorithm);

// Base64url without padding (RFC 7515 §2).
std::string Base64UrlEncode(std::string_view bytes);

// Decodes base64url with or without padding; InvalidArgument on bad input.
StatusOr<std::string> Base64UrlDecode(std::string_view text);

// Converts a DER ECDSA-Sig-Value to raw r||s, each left-padded to
// `half_bytes` (48 for P-384).
StatusOr<std::string> EcdsaDerToRaw(std::string_view der, size_t half_bytes);

// Converts raw r||s back to DER, so OpenSSL can verify a JWS signature.
StatusOr<std::string> EcdsaRawToDer(std::string_view raw);

// 128 random bits from OpenSSL's CSPRNG as 32 lower-case hex digits: a jti
// that never repeats in practice.
StatusOr<std::string> RandomJti();

// A private key bound to one algorithm and key id, producing signed JWTs.
// Thread-safe: Sign only reads the key.
class JwtSigner {
 public:
  // Loads an unencrypted PEM private key (PKCS#8 or traditional) and checks
  // it suits `algorithm` (RSA >= 2048 bits, or EC on P-384 / P-256 for ES256).
  static StatusOr<std::unique_ptr<JwtSigner>> FromPem(std::string_view pem,
                                                      JwtAlgorithm algorithm,
                                                      std::string key_id);
  // As FromPem, reading the key from `path`.
  static StatusOr<std::unique_ptr<JwtSigner>> FromPemFile(const std::string& path,
                                                          JwtAlgorithm algorithm,
                                                          std::string key_id);
  ~JwtSigner();
  JwtSigner(const JwtSigner&) = delete;
  JwtSigner& operator=(const JwtSigner&) = delete;

  // Returns header.claims.signature with header {"alg","typ":"JWT"[,"kid"]}.
  StatusOr<std::string> Sign(const Json& claims) const;

  // The algorithm and key id this signer puts in every header.
  JwtAlgorithm algorithm() const { return algorithm_; }
  const std::string& key_id() const { return key_id_; }

 private:
  JwtSigner(evp_pkey_st* key, JwtAlgorithm algorithm, std::string key_id)
      : key_(key), algorithm_(algorithm), key_id_(std::move(key_id)) {}

  evp_pkey_st* key_;  // owned; freed in the destructor
  JwtAlgorithm algorithm_;
  std::string key_id_;
};

}  // namespace sa::fhir

#endif  // SA_FHIR_JWT_H_
