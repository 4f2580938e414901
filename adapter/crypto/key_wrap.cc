#include "adapter/crypto/key_wrap.h"

#include "adapter/crypto/openssl_util.h"

namespace sa::adapter::crypto {
namespace {

Status CheckKek(const Kek& kek) {
  if (kek.key.size() != kKekBytes || !IsValidKekId(kek.id)) {
    return Status::InvalidArgument("KEK is malformed (expected a 32-byte key and a 16-hex-char id)");
  }
  return Status::Ok();
}

}  // namespace

std::string KeyWrapAad(std::string_view kek_id, std::string_view record_aad) {
  std::string aad = "sa-dek-v1|";
  aad.append(kek_id);
  aad.push_back('|');
  aad.append(record_aad);
  return aad;
}

StatusOr<std::string> WrapKey(const Kek& kek, const SecretBytes& key, std::string_view record_aad) {
  SA_RETURN_IF_ERROR(CheckKek(kek));
  if (key.size() != kDataKeyBytes) return Status::InvalidArgument("key to wrap must be 32 bytes");
  std::string nonce(kGcmNonceBytes, '\0');
  SA_RETURN_IF_ERROR(RandomBytes(reinterpret_cast<uint8_t*>(nonce.data()), nonce.size()));
  std::string_view key_view(reinterpret_cast<const char*>(key.data()), key.size());
  SA_ASSIGN_OR_RETURN(std::string ct, AesGcmEncrypt(kek.key, nonce, key_view, KeyWrapAad(kek.id, record_aad)));
  return nonce + ct;
}

StatusOr<SecretBytes> UnwrapKey(const Kek& kek, std::string_view wrapped, std::string_view record_aad) {
  SA_RETURN_IF_ERROR(CheckKek(kek));
  if (wrapped.size() != kWrappedKeyBytes) {
    return Status::PermissionDenied("wrapped data key failed to authenticate: it is " +
                                    std::to_string(wrapped.size()) + " bytes, expected " +
                                    std::to_string(kWrappedKeyBytes));
  }
  SecretBytes key(kDataKeyBytes);
  Status s = AesGcmDecrypt(kek.key, wrapped.substr(0, kGcmNonceBytes), wrapped.substr(kGcmNonceBytes),
                           KeyWrapAad(kek.id, record_aad), key.data());
  if (s.code() == StatusCode::kPermissionDenied) {
    return Status::PermissionDenied("wrapped data key failed to authenticate under KEK " + kek.id +
                                    " (wrong record, wrong KEK, or altered bytes)");
  }
  SA_RETURN_IF_ERROR(s);
  return key;
}

}  // namespace sa::adapter::crypto
