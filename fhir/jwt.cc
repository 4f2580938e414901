#include "fhir/jwt.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace sa::fhir {
namespace {

constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Largest PEM key file we read; a real key is a few KiB.
constexpr std::streamsize kMaxKeyFileBytes = 64 * 1024;

// The oldest OpenSSL error as text, and clears the queue for the next call.
std::string OpenSslError(const char* what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  char buf[256] = {0};
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  return std::string(what) + (code != 0 ? std::string(": ") + buf : std::string());
}

// A PEM password callback that supplies none, so an encrypted key fails
// instead of OpenSSL prompting on a terminal.
int NoPassword(char*, int, int, void*) { return 0; }

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

const EVP_MD* Digest(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kRS512:
      return EVP_sha512();
    case JwtAlgorithm::kRS256:
    case JwtAlgorithm::kPS256:
    case JwtAlgorithm::kES256:
      return EVP_sha256();
    default:
      return EVP_sha384();
  }
}

bool IsEcdsa(JwtAlgorithm algorithm) {
  return algorithm == JwtAlgorithm::kES384 || algorithm == JwtAlgorithm::kES256;
}

Status CheckKeyFits(EVP_PKEY* key, JwtAlgorithm algorithm) {
  if (IsEcdsa(algorithm)) {
    bool p256 = algorithm == JwtAlgorithm::kES256;
    char group[64] = {0};
    size_t len = 0;
    if (!EVP_PKEY_is_a(key, "EC") ||
        EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1 ||
        std::string(group) != (p256 ? "prime256v1" : "secp384r1")) {
      ERR_clear_error();
      return Status::InvalidArgument(p256 ? "ES256 needs an EC private key on curve P-256"
                                          : "ES384 needs an EC private key on curve P-384");
    }
    return Status::Ok();
  }
  if (!EVP_PKEY_is_a(key, "RSA")) {
    return Status::InvalidArgument(std::string(JwtAlgorithmName(algorithm)) +
                                   " needs an RSA private key");
  }
  if (EVP_PKEY_get_bits(key) < 2048) {
    return Status::InvalidArgument("RSA key shorter than 2048 bits");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<JwtAlgorithm> ParseJwtAlgorithm(std::string_view name) {
  if (name == "RS384") return JwtAlgorithm::kRS384;
  if (name == "RS512") return JwtAlgorithm::kRS512;
  if (name == "ES384") return JwtAlgorithm::kES384;
  return Status::InvalidArgument("unsupported JWT algorithm '" + std::string(name.substr(0, 20)) +
                                 "' (use RS384, RS512 or ES384)");
}

StatusOr<JwtAlgorithm> ParseAnyJwtAlgorithm(std::string_view name) {
  if (name == "RS256") return JwtAlgorithm::kRS256;
  if (name == "PS256") return JwtAlgorithm::kPS256;
  if (name == "ES256") return JwtAlgorithm::kES256;
  if (name == "RS384" || name == "RS512" || name == "ES384") return ParseJwtAlgorithm(name);
  return Status::InvalidArgument("unsupported JWT algorithm '" + std::string(name.substr(0, 20)) +
                                 "' (use RS256, RS384, RS512, PS256, ES256 or ES384)");
}

const char* JwtAlgorithmName(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kRS384: return "RS384";
    case JwtAlgorithm::kRS512: return "RS512";
    case JwtAlgorithm::kES384: return "ES384";
    case JwtAlgorithm::kRS256: return "RS256";
    case JwtAlgorithm::kPS256: return "PS256";
    case JwtAlgorithm::kES256: return "ES256";
  }
  return "RS384";
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kB64Url[(v >> 18) & 63];
    out += kB64Url[(v >> 12) & 63];
    out += kB64Url[(v >> 6) & 63];
    out += kB64Url[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kB64Url[(v >> 18) & 63];
    out += kB64Url[(v >> 12) & 63];
    if (rest == 2) out += kB64Url[(v >> 6) & 63];
  }
  return out;
}

StatusOr<std::string> Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return Status::InvalidArgument("bad base64url length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = B64Value(c);
    if (v < 0) return Status::InvalidArgument("bad base64url character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

StatusOr<std::string> EcdsaDerToRaw(std::string_view der, size_t half_bytes) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) return Status::InvalidArgument(OpenSslError("bad DER ECDSA signature"));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string raw(2 * half_bytes, '\0');
  unsigned char* out = reinterpret_cast<unsigned char*>(raw.data());
  bool ok = BN_num_bytes(r) <= static_cast<int>(half_bytes) &&
            BN_num_bytes(s) <= static_cast<int>(half_bytes) &&
            BN_bn2binpad(r, out, static_cast<int>(half_bytes)) == static_cast<int>(half_bytes) &&
            BN_bn2binpad(s, out + half_bytes, static_cast<int>(half_bytes)) ==
                static_cast<int>(half_bytes);
  ECDSA_SIG_free(sig);
  if (!ok) return Status::InvalidArgument("ECDSA signature component too long");
  return raw;
}

StatusOr<std::string> EcdsaRawToDer(std::string_view raw) {
  if (raw.empty() || raw.size() % 2 != 0) return Status::InvalidArgument("bad raw ECDSA length");
  size_t half = raw.size() / 2;
  const unsigned char* in = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(in, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(in + half, static_cast<int>(half), nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (!r || !s || !sig || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return Status::Internal(OpenSslError("ECDSA_SIG_set0"));
  }
  int len = i2d_ECDSA_SIG(sig, nullptr);
  std::string der(len > 0 ? static_cast<size_t>(len) : 0, '\0');
  unsigned char* out = reinterpret_cast<unsigned char*>(der.data());
  int written = len > 0 ? i2d_ECDSA_SIG(sig, &out) : -1;
  ECDSA_SIG_free(sig);
  if (written != len || len <= 0) return Status::Internal(OpenSslError("i2d_ECDSA_SIG"));
  return der;
}

StatusOr<std::string> RandomJti() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::Internal(OpenSslError("RAND_bytes"));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
  }
  return out;
}

StatusOr<std::unique_ptr<JwtSigner>> JwtSigner::FromPem(std::string_view pem,
                                                        JwtAlgorithm algorithm,
                                                        std::string key_id) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return Status::Internal(OpenSslError("BIO_new_mem_buf"));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, NoPassword, nullptr);
  BIO_free(bio);
  if (!key) {
    return Status::InvalidArgument(
        OpenSslError("cannot read PEM private key (encrypted keys are not supported)"));
  }
  Status fits = CheckKeyFits(key, algorithm);
  if (!fits.ok()) {
    EVP_PKEY_free(key);
    return fits;
  }
  return std::unique_ptr<JwtSigner>(new JwtSigner(key, algorithm, std::move(key_id)));
}

StatusOr<std::unique_ptr<JwtSigner>> JwtSigner::FromPemFile(const std::string& path,
                                                            JwtAlgorithm algorithm,
                                                            std::string key_id) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot open private key file '" + path + "'");
  std::string pem(static_cast<size_t>(kMaxKeyFileBytes) + 1, '\0');
  in.read(pem.data(), kMaxKeyFileBytes + 1);
  if (in.gcount() > kMaxKeyFileBytes) {
    return Status::InvalidArgument("private key file '" + path + "' is too large");
  }
  pem.resize(static_cast<size_t>(in.gcount()));
  StatusOr<std::unique_ptr<JwtSigner>> signer = FromPem(pem, algorithm, std::move(key_id));
  OPENSSL_cleanse(pem.data(), pem.size());
  return signer;
}

JwtSigner::~JwtSigner() { EVP_PKEY_free(key_); }

StatusOr<std::string> JwtSigner::Sign(const Json& claims) const {
  Json header{{"alg", JwtAlgorithmName(algorithm_)}, {"typ", "JWT"}};
  if (!key_id_.empty()) header["kid"] = key_id_;
  std::string signing_input;
  try {
    signing_input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("JWT claims not serialisable: ") + e.what());
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return Status::Internal(OpenSslError("EVP_MD_CTX_new"));
  size_t sig_len = 0;
  std::string sig;
  const unsigned char* data = reinterpret_cast<const unsigned char*>(signing_input.data());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  bool ok = EVP_DigestSignInit(ctx, &pctx, Digest(algorithm_), nullptr, key_) == 1;
  if (ok && algorithm_ == JwtAlgorithm::kPS256) {
    // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the digest.
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  ok = ok && EVP_DigestSign(ctx, nullptr, &sig_len, data, signing_input.size()) == 1;
  if (ok) {
    sig.resize(sig_len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &sig_len, data,
                        signing_input.size()) == 1;
    sig.resize(sig_len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return Status::Internal(OpenSslError("JWT signing failed"));
  if (IsEcdsa(algorithm_)) {
    SA_ASSIGN_OR_RETURN(sig, EcdsaDerToRaw(sig, algorithm_ == JwtAlgorithm::kES256 ? 32 : 48));
  }
  return signing_input + "." + Base64UrlEncode(sig);
}

}  // namespace sa::fhir
