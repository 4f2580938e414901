#include "adapter/auth/token_issuer.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>

#include "adapter/auth/evp_key.h"
#include "adapter/auth/jwk.h"
#include "adapter/auth/jws_algorithm.h"
#include "adapter/auth/principal.h"
#include "fhir/jwt.h"

namespace sa::adapter::auth {
namespace {

using nlohmann::json;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

// The PEM that `write` puts into a memory BIO.
template <typename Write>
StatusOr<std::string> ToPem(Write write) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return Status::Internal("cannot write PEM");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<std::size_t>(len));
  OPENSSL_cleanse(data, static_cast<std::size_t>(len));  // may be a private key
  return pem;
}

}  // namespace

StatusOr<std::string> IssueToken(const TokenIssueConfig& config, const std::string& subject,
                                 const std::vector<std::string>& roles,
                                 const std::vector<std::string>& organisations, int ttl_seconds,
                                 std::chrono::system_clock::time_point now) {
  if (ttl_seconds < 1 || ttl_seconds > config.max_ttl_seconds) {
    return Status::InvalidArgument("token lifetime must be between 1 and " +
                                   std::to_string(config.max_ttl_seconds) + " seconds");
  }
  if (subject.empty()) return Status::InvalidArgument("token subject is empty");
  if (roles.empty()) return Status::InvalidArgument("a token needs at least one role");
  const std::vector<std::string>& known = KnownRoles();
  for (const std::string& role : roles) {
    if (std::find(known.begin(), known.end(), role) == known.end()) {
      return Status::InvalidArgument("unknown role (known roles are listed in principal.h)");
    }
  }
  SA_ASSIGN_OR_RETURN(fhir::JwtAlgorithm algorithm, fhir::ParseAnyJwtAlgorithm(config.algorithm));
  SA_ASSIGN_OR_RETURN(
      std::unique_ptr<fhir::JwtSigner> signer,
      fhir::JwtSigner::FromPemFile(config.private_key_file, algorithm, config.key_id));
  SA_ASSIGN_OR_RETURN(std::string jti, fhir::RandomJti());
  const std::int64_t iat =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  json claims{{"iss", config.issuer}, {"aud", config.audience},   {"sub", subject},
              {"roles", roles},       {"org", organisations},     {"iat", iat},
              {"nbf", iat},           {"exp", iat + ttl_seconds}, {"jti", jti}};
  return signer->Sign(claims);
}

StatusOr<IssuerKeyPair> GenerateIssuerKeyPair(std::string_view algorithm) {
  const JwsAlgorithm* alg = FindJwsAlgorithm(algorithm);
  if (!alg) {
    return Status::InvalidArgument(
        "unsupported algorithm (use one of RS256, RS384, RS512, "
        "PS256, ES256, ES384)");
  }
  EvpKey key;
  switch (alg->family) {
    case KeyFamily::kRsa:
      key.reset(
          EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(kGeneratedRsaBits)));
      break;
    case KeyFamily::kEcP256:
      key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
      break;
    case KeyFamily::kEcP384:
      key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
      break;
  }
  if (!key) return Status::Internal("key generation failed");
  IssuerKeyPair pair;
  SA_ASSIGN_OR_RETURN(pair.private_pem, ToPem([&](BIO* b) {
                        return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr,
                                                        nullptr);
                      }));
  SA_ASSIGN_OR_RETURN(pair.public_pem,
                      ToPem([&](BIO* b) { return PEM_write_bio_PUBKEY(b, key.get()); }));
  SA_ASSIGN_OR_RETURN(json jwk, PublicJwk(key.get()));
  SA_ASSIGN_OR_RETURN(pair.key_id, JwkThumbprint(jwk));
  jwk["kid"] = pair.key_id;
  jwk["alg"] = std::string(alg->name);
  jwk["use"] = "sig";
  pair.jwks_json = json{{"keys", json::array({jwk})}}.dump(2) + "\n";
  return pair;
}

}  // namespace sa::adapter::auth
