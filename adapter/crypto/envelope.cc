#include "adapter/crypto/envelope.h"

#include <openssl/crypto.h>

#include "adapter/crypto/aes_gcm.h"
#include "adapter/crypto/key_wrap.h"
#include "adapter/crypto/openssl_util.h"

namespace sa::adapter::crypto {
namespace {

// Fixed-size fields of a Sealed built in memory (ParseSealed checks these for
// stored bytes; this covers a Sealed assembled or altered by hand).
Status CheckShape(const Sealed& s) {
  if (s.nonce.size() != kGcmNonceBytes) {
    return Status::PermissionDenied("sealed record failed to authenticate: nonce is " + std::to_string(s.nonce.size()) +
                                    " bytes, expected " + std::to_string(kGcmNonceBytes));
  }
  if (s.ciphertext.size() < kGcmTagBytes) {
    return Status::PermissionDenied("sealed record failed to authenticate: ciphertext is shorter than its tag");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Sealed> Seal(const Kek& kek, std::string_view plaintext, std::string_view aad) {
  if (plaintext.size() > kMaxSealedPlaintextBytes) {
    return Status::InvalidArgument("record of " + std::to_string(plaintext.size()) + " bytes exceeds the " +
                                   std::to_string(kMaxSealedPlaintextBytes) + "-byte limit");
  }
  SA_ASSIGN_OR_RETURN(SecretBytes data_key, RandomSecret(kDataKeyBytes));
  Sealed sealed;
  sealed.kek_id = kek.id;
  sealed.nonce.assign(kGcmNonceBytes, '\0');
  SA_RETURN_IF_ERROR(RandomBytes(reinterpret_cast<uint8_t*>(sealed.nonce.data()), sealed.nonce.size()));
  SA_ASSIGN_OR_RETURN(sealed.wrapped_key, WrapKey(kek, data_key, aad));
  SA_ASSIGN_OR_RETURN(sealed.ciphertext, AesGcmEncrypt(data_key, sealed.nonce, plaintext, aad));
  return sealed;
}

StatusOr<std::string> Open(const KeyRing& ring, const Sealed& sealed, std::string_view aad) {
  SA_ASSIGN_OR_RETURN(const Kek* kek, ring.Find(sealed.kek_id));
  SA_RETURN_IF_ERROR(CheckShape(sealed));
  SA_ASSIGN_OR_RETURN(SecretBytes data_key, UnwrapKey(*kek, sealed.wrapped_key, aad));
  std::string plaintext(sealed.ciphertext.size() - kGcmTagBytes, '\0');
  Status s = AesGcmDecrypt(data_key, sealed.nonce, sealed.ciphertext, aad, reinterpret_cast<uint8_t*>(plaintext.data()));
  if (s.code() == StatusCode::kPermissionDenied) {
    return Status::PermissionDenied("sealed record ciphertext failed to authenticate (wrong record AAD or altered bytes)");
  }
  SA_RETURN_IF_ERROR(s);
  return plaintext;
}

StatusOr<Sealed> Rewrap(const KeyRing& ring, const Sealed& sealed, std::string_view aad, const Kek& new_kek) {
  SA_ASSIGN_OR_RETURN(const Kek* old_kek, ring.Find(sealed.kek_id));
  SA_RETURN_IF_ERROR(CheckShape(sealed));
  SA_ASSIGN_OR_RETURN(SecretBytes data_key, UnwrapKey(*old_kek, sealed.wrapped_key, aad));
  Sealed out;
  out.kek_id = new_kek.id;
  SA_ASSIGN_OR_RETURN(out.wrapped_key, WrapKey(new_kek, data_key, aad));
  out.nonce = sealed.nonce;
  out.ciphertext = sealed.ciphertext;
  return out;
}

}  // namespace sa::adapter::crypto
