#include "adapter/crypto/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "adapter/crypto/openssl_util.h"

namespace sa::adapter::crypto {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }  // also wipes the key schedule
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

Status CheckSizes(const SecretBytes& key, std::string_view nonce, size_t text_len, std::string_view aad) {
  if (key.size() != kAesKeyBytes) return Status::Internal("AES-256-GCM: key is not 32 bytes");
  if (nonce.size() != kGcmNonceBytes) return Status::Internal("AES-256-GCM: nonce is not 12 bytes");
  if (text_len > kMaxGcmInputBytes || aad.size() > kMaxGcmInputBytes) {
    return Status::InvalidArgument("AES-256-GCM: input larger than " + std::to_string(kMaxGcmInputBytes) + " bytes");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> AesGcmEncrypt(const SecretBytes& key, std::string_view nonce, std::string_view plaintext,
                                    std::string_view aad) {
  SA_RETURN_IF_ERROR(CheckSizes(key, nonce, plaintext.size(), aad));
  ERR_clear_error();
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpenSslError("EVP_CIPHER_CTX_new");
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1) {
    return OpenSslError("EVP_EncryptInit_ex(aes-256-gcm)");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kGcmNonceBytes), nullptr) != 1) {
    return OpenSslError("EVP_CTRL_GCM_SET_IVLEN");
  }
  if (EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), Bytes(nonce)) != 1) {
    return OpenSslError("EVP_EncryptInit_ex(key, nonce)");
  }
  int len = 0;
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1) {
    return OpenSslError("EVP_EncryptUpdate(aad)");
  }
  std::string out(plaintext.size() + kGcmTagBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  size_t written = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), o, &len, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1) {
      return OpenSslError("EVP_EncryptUpdate");
    }
    written = static_cast<size_t>(len);
  }
  if (EVP_EncryptFinal_ex(ctx.get(), o + written, &len) != 1) return OpenSslError("EVP_EncryptFinal_ex");
  written += static_cast<size_t>(len);
  if (written != plaintext.size()) return Status::Internal("AES-256-GCM: ciphertext length mismatch");
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagBytes), o + written) != 1) {
    return OpenSslError("EVP_CTRL_GCM_GET_TAG");
  }
  return out;
}

Status AesGcmDecrypt(const SecretBytes& key, std::string_view nonce, std::string_view ciphertext_and_tag,
                     std::string_view aad, uint8_t* out) {
  if (ciphertext_and_tag.size() < kGcmTagBytes) {
    return Status::PermissionDenied("AES-256-GCM: ciphertext shorter than its tag");
  }
  const size_t ct_len = ciphertext_and_tag.size() - kGcmTagBytes;
  SA_RETURN_IF_ERROR(CheckSizes(key, nonce, ct_len, aad));
  std::string_view ct = ciphertext_and_tag.substr(0, ct_len);
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer; give it a copy of the tag.
  unsigned char tag[kGcmTagBytes];
  std::memcpy(tag, ciphertext_and_tag.data() + ct_len, kGcmTagBytes);

  // Any failure after plaintext may have been written wipes `out`.
  auto fail = [&](Status s) {
    if (ct_len > 0) OPENSSL_cleanse(out, ct_len);
    return s;
  };
  ERR_clear_error();
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return OpenSslError("EVP_CIPHER_CTX_new");
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1) {
    return OpenSslError("EVP_DecryptInit_ex(aes-256-gcm)");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kGcmNonceBytes), nullptr) != 1) {
    return OpenSslError("EVP_CTRL_GCM_SET_IVLEN");
  }
  if (EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), Bytes(nonce)) != 1) {
    return OpenSslError("EVP_DecryptInit_ex(key, nonce)");
  }
  int len = 0;
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1) {
    return OpenSslError("EVP_DecryptUpdate(aad)");
  }
  size_t written = 0;
  if (ct_len > 0) {
    if (EVP_DecryptUpdate(ctx.get(), out, &len, Bytes(ct), static_cast<int>(ct_len)) != 1) {
      return fail(OpenSslError("EVP_DecryptUpdate"));
    }
    written = static_cast<size_t>(len);
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagBytes), tag) != 1) {
    return fail(OpenSslError("EVP_CTRL_GCM_SET_TAG"));
  }
  // The final step checks the tag; GCM has no padding, so it writes nothing.
  unsigned char final_block[16];
  if (EVP_DecryptFinal_ex(ctx.get(), final_block, &len) != 1) {
    ERR_clear_error();  // a bad tag is not a library fault; nothing useful queued
    return fail(Status::PermissionDenied("AES-256-GCM: tag did not verify"));
  }
  if (written + static_cast<size_t>(len) != ct_len) {
    return fail(Status::Internal("AES-256-GCM: plaintext length mismatch"));
  }
  return Status::Ok();
}

}  // namespace sa::adapter::crypto
