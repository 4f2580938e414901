#include "adapter/auth/jws_signature.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "fhir/jwt.h"

namespace sa::adapter::auth {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

const EVP_MD* Digest(int bits) {
  switch (bits) {
    case 256:
      return EVP_sha256();
    case 384:
      return EVP_sha384();
    case 512:
      return EVP_sha512();
  }
  return nullptr;
}

}  // namespace

Status VerifyJwsSignature(evp_pkey_st* key, const JwsAlgorithm& algorithm,
                          std::string_view signing_input, std::string_view signature) {
  auto wrong_size = [] { return Status::PermissionDenied("signature has the wrong size"); };
  std::string der;
  if (algorithm.ecdsa_half_bytes > 0) {
    if (signature.size() != 2 * algorithm.ecdsa_half_bytes) return wrong_size();
    StatusOr<std::string> converted = fhir::EcdsaRawToDer(signature);
    if (!converted.ok()) {
      ERR_clear_error();
      return Status::PermissionDenied("signature does not verify");
    }
    der = std::move(converted).value();
    signature = der;
  } else if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key))) {
    return wrong_size();  // an RSA signature is exactly as long as the modulus
  }
  const EVP_MD* md = Digest(algorithm.digest_bits);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!md || !ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) != 1) {
    ERR_clear_error();
    return Status::Internal("signature verification could not start");
  }
  if (algorithm.pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    ERR_clear_error();
    return Status::Internal("signature verification could not start");
  }
  int rc = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  ERR_clear_error();  // a failed verify leaves reasons on this thread's queue
  if (rc != 1) return Status::PermissionDenied("signature does not verify");
  return Status::Ok();
}

}  // namespace sa::adapter::auth
