#include "adapter/auth/verification_keys.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "adapter/auth/jwk.h"
#include "adapter/auth/jws_signature.h"
#include "mappings/strict_json.h"

namespace sa::adapter::auth {
namespace {

using nlohmann::json;

// The pinned algorithms that fit `family`, in the table's order.
std::vector<const JwsAlgorithm*> Bind(KeyFamily family, const std::vector<std::string>& pinned) {
  std::vector<const JwsAlgorithm*> out;
  for (const std::string& name : SupportedJwsAlgorithmNames()) {
    const JwsAlgorithm* a = FindJwsAlgorithm(name);
    if (FitsKey(*a, family) && std::find(pinned.begin(), pinned.end(), name) != pinned.end()) {
      out.push_back(a);
    }
  }
  return out;
}

// Reads at most `max` bytes of `path`; more is an error, not a truncation.
StatusOr<std::string> ReadBounded(const std::string& path, std::size_t max, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(std::string("cannot open ") + what + " '" + path + "'");
  std::string text(max + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(max + 1));
  if (in.bad())
    return Status::InvalidArgument(std::string("cannot read ") + what + " '" + path + "'");
  if (static_cast<std::size_t>(in.gcount()) > max) {
    return Status::InvalidArgument(std::string(what) + " '" + path + "' is too large");
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// True unless the JWK says it is for something else: "use" other than "sig",
// or "key_ops" without "verify" (RFC 7517 §4.2, §4.3).
bool PermitsSigning(const json& jwk) {
  if (auto use = jwk.find("use"); use != jwk.end() && *use != "sig") return false;
  if (auto ops = jwk.find("key_ops"); ops != jwk.end()) {
    if (!ops->is_array()) return false;
    return std::find(ops->begin(), ops->end(), json("verify")) != ops->end();
  }
  return true;
}

}  // namespace

VerificationKey::VerificationKey(EvpKey key, KeyFamily family, std::string kid,
                                 std::vector<const JwsAlgorithm*> algorithms)
    : key_(std::move(key)),
      family_(family),
      kid_(std::move(kid)),
      algorithms_(std::move(algorithms)) {}

bool VerificationKey::Allows(std::string_view algorithm) const {
  return std::any_of(algorithms_.begin(), algorithms_.end(),
                     [&](const JwsAlgorithm* a) { return a->name == algorithm; });
}

std::vector<std::string> VerificationKey::AlgorithmNames() const {
  std::vector<std::string> out;
  for (const JwsAlgorithm* a : algorithms_) out.emplace_back(a->name);
  return out;
}

Status VerificationKey::Verify(const JwsAlgorithm& algorithm, std::string_view signing_input,
                               std::string_view signature) const {
  // Both checks, though the loaders already bound the key: this is the line
  // that stops RS/HS and RS/ES confusion, so it does not rely on callers.
  if (!Allows(algorithm.name) || !FitsKey(algorithm, family_)) {
    return Status::PermissionDenied("algorithm not allowed for this key");
  }
  return VerifyJwsSignature(key_.get(), algorithm, signing_input, signature);
}

StatusOr<VerificationKey> LoadPemPublicKey(std::string_view pem,
                                           const std::vector<std::string>& pinned) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return Status::Internal("BIO_new_mem_buf failed");
  EvpKey key(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  ERR_clear_error();
  if (!key) {
    return Status::InvalidArgument(
        "not a PEM public key (expected \"BEGIN PUBLIC KEY\", SubjectPublicKeyInfo)");
  }
  SA_ASSIGN_OR_RETURN(KeyFamily family, KeyFamilyOf(key.get()));
  std::vector<const JwsAlgorithm*> algorithms = Bind(family, pinned);
  if (algorithms.empty()) {
    return Status::InvalidArgument("no pinned algorithm fits this key's type");
  }
  return VerificationKey(std::move(key), family, "", std::move(algorithms));
}

StatusOr<std::vector<VerificationKey>> LoadJwks(std::string_view json_text,
                                                const std::vector<std::string>& pinned) {
  json doc;
  mappings::JsonParseError error;
  if (!mappings::ParseStrictJson(json_text, {kMaxJwksFileBytes, 8}, &doc, &error)) {
    return Status::InvalidArgument("not a JSON key set: " + error.pointer + ": " + error.reason);
  }
  auto keys = doc.is_object() ? doc.find("keys") : doc.end();
  if (!doc.is_object() || keys == doc.end() || !keys->is_array()) {
    return Status::InvalidArgument("not a JWKS: /keys must be an array");
  }
  if (keys->size() > kMaxJwksKeys) {
    return Status::InvalidArgument("JWKS has more than " + std::to_string(kMaxJwksKeys) + " keys");
  }
  std::vector<VerificationKey> out;
  std::set<std::string> kids;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const json& jwk = (*keys)[i];
    const std::string ptr = "/keys/" + std::to_string(i);
    if (!jwk.is_object()) return Status::InvalidArgument(ptr + ": must be an object");
    auto kty = jwk.find("kty");
    if (kty == jwk.end() || !kty->is_string()) {
      return Status::InvalidArgument(ptr + ": kty required");
    }
    if ((*kty != "RSA" && *kty != "EC") || !PermitsSigning(jwk)) continue;
    std::string kid;
    if (auto k = jwk.find("kid"); k != jwk.end()) {
      if (!k->is_string()) return Status::InvalidArgument(ptr + "/kid: must be a string");
      kid = k->get<std::string>();
    }
    StatusOr<EvpKey> key = PublicKeyFromJwk(jwk);
    if (!key.ok()) return Status::InvalidArgument(ptr + ": " + key.status().message());
    SA_ASSIGN_OR_RETURN(KeyFamily family, KeyFamilyOf(key->get()));
    std::vector<const JwsAlgorithm*> algorithms = Bind(family, pinned);
    if (auto alg = jwk.find("alg"); alg != jwk.end()) {
      if (!alg->is_string()) return Status::InvalidArgument(ptr + "/alg: must be a string");
      std::erase_if(algorithms, [&](const JwsAlgorithm* a) { return a->name != *alg; });
    }
    if (algorithms.empty()) continue;  // usable only with algorithms this issuer does not pin
    if (!kid.empty() && !kids.insert(kid).second) {
      return Status::InvalidArgument(ptr + "/kid: key id used by two keys");
    }
    out.emplace_back(std::move(key).value(), family, std::move(kid), std::move(algorithms));
  }
  if (out.empty()) {
    return Status::InvalidArgument("JWKS has no signature key usable with the pinned algorithms");
  }
  return out;
}

StatusOr<std::vector<VerificationKey>> LoadIssuerKeys(const IssuerConfig& issuer) {
  const std::string who = "issuer '" + issuer.issuer + "': ";
  if (!!issuer.public_key_file == !!issuer.jwks_file) {
    return Status::InvalidArgument(who + "needs exactly one of publicKeyFile or jwksFile");
  }
  if (issuer.public_key_file) {
    const std::string& path = *issuer.public_key_file;
    StatusOr<std::string> pem = ReadBounded(path, kMaxPublicKeyFileBytes, "public key file");
    if (!pem.ok()) return Status::InvalidArgument(who + pem.status().message());
    StatusOr<VerificationKey> key = LoadPemPublicKey(*pem, issuer.algorithms);
    if (!key.ok()) return Status::InvalidArgument(who + path + ": " + key.status().message());
    std::vector<VerificationKey> out;
    out.push_back(std::move(key).value());
    return out;
  }
  const std::string& path = *issuer.jwks_file;
  StatusOr<std::string> text = ReadBounded(path, kMaxJwksFileBytes, "JWKS file");
  if (!text.ok()) return Status::InvalidArgument(who + text.status().message());
  StatusOr<std::vector<VerificationKey>> keys = LoadJwks(*text, issuer.algorithms);
  if (!keys.ok()) return Status::InvalidArgument(who + path + ": " + keys.status().message());
  return keys;
}

}  // namespace sa::adapter::auth
