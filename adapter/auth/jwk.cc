#include "adapter/auth/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string_view>
#include <vector>

#include "fhir/jwt.h"

namespace sa::adapter::auth {
namespace {

using nlohmann::json;

// Members that only a private JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4).
constexpr const char* kPrivateMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

Status Bad(const std::string& what) {
  ERR_clear_error();
  return Status::InvalidArgument(what);
}

// The base64url member `name` of `jwk`, decoded; padding is not allowed.
StatusOr<std::string> Member(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Bad(std::string("JWK member '") + name + "' is missing or not a string");
  }
  const std::string& text = it->get_ref<const std::string&>();
  StatusOr<std::string> bytes = fhir::Base64UrlDecode(text);
  if (!bytes.ok() || text.find('=') != std::string::npos) {
    return Bad(std::string("JWK member '") + name + "' is not base64url");
  }
  return bytes;
}

// Makes a public key of `type` ("RSA" or "EC") from the built parameters,
// then lets OpenSSL check it.
StatusOr<EvpKey> FromData(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return Bad(std::string("JWK is not a valid ") + type + " public key");
  }
  EvpKey key(raw);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return Bad(std::string("JWK is not a valid ") + type + " public key");
  }
  SA_RETURN_IF_ERROR(KeyFamilyOf(key.get()).status());
  return key;
}

StatusOr<EvpKey> RsaFromJwk(const json& jwk) {
  SA_ASSIGN_OR_RETURN(std::string n_bytes, Member(jwk, "n"));
  SA_ASSIGN_OR_RETURN(std::string e_bytes, Member(jwk, "e"));
  // Bound the work before OpenSSL sees the numbers (a modulus of a megabit
  // would still parse). Leading zero bytes are tolerated, as some issuers emit them.
  if (n_bytes.size() > kMaxRsaBits / 8 + 1 || e_bytes.size() > 8) {
    return Bad("JWK RSA modulus or exponent too long");
  }
  auto bn = [](const std::string& b) {
    return std::unique_ptr<BIGNUM, BnFree>(BN_bin2bn(
        reinterpret_cast<const unsigned char*>(b.data()), static_cast<int>(b.size()), nullptr));
  };
  std::unique_ptr<BIGNUM, BnFree> n = bn(n_bytes), e = bn(e_bytes);
  if (!n || !e) return Bad("JWK RSA key could not be built");
  // OpenSSL's default provider checks little of an RSA public key; an even
  // modulus or exponent, or e = 1, can never be a real key.
  if (!BN_is_odd(n.get()) || !BN_is_odd(e.get()) || BN_is_one(e.get())) {
    return Bad("JWK is not a valid RSA public key");
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return Bad("JWK RSA key could not be built");
  }
  return FromData("RSA", bld.get());
}

StatusOr<EvpKey> EcFromJwk(const json& jwk) {
  auto crv = jwk.find("crv");
  if (crv == jwk.end() || !crv->is_string()) return Bad("JWK member 'crv' is missing");
  const char* group = nullptr;
  size_t size = 0;
  if (*crv == "P-256") {
    group = "prime256v1";
    size = 32;
  } else if (*crv == "P-384") {
    group = "secp384r1";
    size = 48;
  } else {
    return Bad("JWK curve not supported (use P-256 or P-384)");
  }
  SA_ASSIGN_OR_RETURN(std::string x, Member(jwk, "x"));
  SA_ASSIGN_OR_RETURN(std::string y, Member(jwk, "y"));
  if (x.size() != size || y.size() != size) return Bad("JWK EC coordinates have the wrong size");
  std::string point = "\x04" + x + y;  // SEC 1 uncompressed point
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return Bad("JWK EC key could not be built");
  }
  return FromData("EC", bld.get());
}

std::string Bytes(const std::vector<unsigned char>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size());
}

// Big-endian bytes of the BIGNUM parameter `name` of `key`.
StatusOr<std::string> BnParam(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return Bad("key parameter unavailable");
  std::unique_ptr<BIGNUM, BnFree> bn(raw);
  std::vector<unsigned char> out(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return Bytes(out);
}

}  // namespace

StatusOr<EvpKey> PublicKeyFromJwk(const json& jwk) {
  if (!jwk.is_object()) return Bad("JWK is not a JSON object");
  for (const char* m : kPrivateMembers) {
    if (jwk.contains(m)) return Bad("JWK holds private key material; give public keys only");
  }
  auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string()) return Bad("JWK member 'kty' is missing");
  if (*kty == "RSA") return RsaFromJwk(jwk);
  if (*kty == "EC") return EcFromJwk(jwk);
  return Bad("JWK key type not supported (use RSA or EC)");
}

StatusOr<json> PublicJwk(evp_pkey_st* key) {
  SA_ASSIGN_OR_RETURN(KeyFamily family, KeyFamilyOf(key));
  if (family == KeyFamily::kRsa) {
    SA_ASSIGN_OR_RETURN(std::string n, BnParam(key, OSSL_PKEY_PARAM_RSA_N));
    SA_ASSIGN_OR_RETURN(std::string e, BnParam(key, OSSL_PKEY_PARAM_RSA_E));
    return json{{"kty", "RSA"}, {"n", fhir::Base64UrlEncode(n)}, {"e", fhir::Base64UrlEncode(e)}};
  }
  size_t size = family == KeyFamily::kEcP256 ? 32 : 48;
  std::vector<unsigned char> point(1 + 2 * size);
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(),
                                      point.size(), &len) != 1 ||
      len != point.size() || point[0] != 0x04) {
    return Bad("EC public key could not be encoded");
  }
  std::string p = Bytes(point);
  return json{{"kty", "EC"},
              {"crv", family == KeyFamily::kEcP256 ? "P-256" : "P-384"},
              {"x", fhir::Base64UrlEncode(std::string_view(p).substr(1, size))},
              {"y", fhir::Base64UrlEncode(std::string_view(p).substr(1 + size, size))}};
}

StatusOr<std::string> JwkThumbprint(const json& public_jwk) {
  if (!public_jwk.is_object() || !public_jwk.contains("kty")) return Bad("JWK has no kty");
  std::vector<const char*> members;
  if (public_jwk["kty"] == "RSA") {
    members = {"e", "kty", "n"};
  } else if (public_jwk["kty"] == "EC") {
    members = {"crv", "kty", "x", "y"};
  } else {
    return Bad("JWK key type not supported (use RSA or EC)");
  }
  json required = json::object();
  for (const char* m : members) {
    auto it = public_jwk.find(m);
    if (it == public_jwk.end() || !it->is_string()) {
      return Bad(std::string("JWK member '") + m + "' is missing");
    }
    required[m] = *it;
  }
  // nlohmann keeps object members sorted and dump() adds no whitespace: the
  // RFC 7638 canonical form for these all-ASCII members.
  std::string canonical = required.dump();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &digest_len, EVP_sha256(), nullptr) !=
      1) {
    return Bad("SHA-256 failed");
  }
  return fhir::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), digest_len));
}

}  // namespace sa::adapter::auth
