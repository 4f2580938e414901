#include "adapter/crypto/sealed.h"

#include "adapter/crypto/aes_gcm.h"
#include "adapter/crypto/kek.h"
#include "adapter/crypto/key_wrap.h"
#include "adapter/crypto/wire.h"

namespace sa::adapter::crypto {
namespace {

constexpr std::string_view kMagic = "SAE";

// Reads one length-prefixed field off the front of `in`.
Status ReadField(std::string_view* in, std::string_view name, std::string* out) {
  if (in->size() < 4) return Status::InvalidArgument("sealed record truncated before the length of " + std::string(name));
  uint32_t len = wire::ReadU32Be(*in);
  in->remove_prefix(4);
  if (len > in->size()) return Status::InvalidArgument("sealed record truncated inside " + std::string(name));
  out->assign(in->data(), len);
  in->remove_prefix(len);
  return Status::Ok();
}

Status CheckSize(std::string_view name, size_t got, size_t want) {
  if (got == want) return Status::Ok();
  return Status::InvalidArgument("sealed record " + std::string(name) + " is " + std::to_string(got) +
                                 " bytes, expected " + std::to_string(want));
}

}  // namespace

std::string Serialize(const Sealed& sealed) {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kSealedFormatVersion));
  for (const std::string* field : {&sealed.kek_id, &sealed.wrapped_key, &sealed.nonce, &sealed.ciphertext}) {
    wire::AppendU32Be(out, static_cast<uint32_t>(field->size()));
    out.append(*field);
  }
  return out;
}

StatusOr<Sealed> ParseSealed(std::string_view in) {
  if (in.size() < kMagic.size() + 1 || in.substr(0, kMagic.size()) != kMagic) {
    return Status::InvalidArgument("not a sealed record (bad magic)");
  }
  uint8_t version = static_cast<uint8_t>(in[kMagic.size()]);
  if (version != kSealedFormatVersion) {
    return Status::InvalidArgument("sealed record has unsupported format version " + std::to_string(version));
  }
  in.remove_prefix(kMagic.size() + 1);
  Sealed s;
  SA_RETURN_IF_ERROR(ReadField(&in, "kek id", &s.kek_id));
  SA_RETURN_IF_ERROR(ReadField(&in, "wrapped key", &s.wrapped_key));
  SA_RETURN_IF_ERROR(ReadField(&in, "nonce", &s.nonce));
  SA_RETURN_IF_ERROR(ReadField(&in, "ciphertext", &s.ciphertext));
  if (!in.empty()) {
    return Status::InvalidArgument("sealed record has " + std::to_string(in.size()) + " trailing bytes");
  }
  if (!IsValidKekId(s.kek_id)) return Status::InvalidArgument("sealed record kek id is malformed");
  SA_RETURN_IF_ERROR(CheckSize("wrapped key", s.wrapped_key.size(), kWrappedKeyBytes));
  SA_RETURN_IF_ERROR(CheckSize("nonce", s.nonce.size(), kGcmNonceBytes));
  if (s.ciphertext.size() < kGcmTagBytes) return Status::InvalidArgument("sealed record ciphertext is shorter than its tag");
  if (s.ciphertext.size() - kGcmTagBytes > kMaxSealedPlaintextBytes) {
    return Status::InvalidArgument("sealed record ciphertext exceeds the size limit");
  }
  return s;
}

}  // namespace sa::adapter::crypto
