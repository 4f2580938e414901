// token: API tokens for the demo, tests and integrators trying the API.
//   token keygen --alg ES256 --private FILE --jwks FILE   a signing key pair
//   token issue --config C --sub ID --role R [--role R] --org ORG [--ttl SECONDS]
// `issue` works only when the configuration has /api/auth/tokenIssue (off by
// default): production tokens come from the organisation's identity provider.
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "adapter/auth/token_issuer.h"
#include "adapter/cli/commands.h"
#include "adapter/config.h"

namespace sa::adapter::cli {

namespace {

int TokenUsage() {
  std::cerr << "usage: supervision-adapter token keygen --alg ES256|ES384|RS256 --private FILE --jwks FILE\n"
               "       supervision-adapter token issue --config C --sub ID --role ROLE [--role ROLE]..."
               " --org ORG [--org ORG]... [--ttl SECONDS]\n";
  return kExitUsage;
}

int Fail(const Status& s) {
  std::cerr << "token: " << s.message() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
}

// Writes `content` to a new file readable by its owner only.
Status WritePrivate(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return Status::Unavailable("cannot write " + path);
  ::chmod(path.c_str(), 0600);
  out << content;
  out.close();
  return out ? Status::Ok() : Status::Unavailable("cannot write " + path);
}

}  // namespace

int RunToken(const std::vector<std::string>& args) {
  if (args.empty()) return TokenUsage();
  std::string config, sub, alg = "ES256", priv, jwks;
  std::vector<std::string> roles, orgs;
  int ttl = 900;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&](std::string* v) {
      if (i + 1 >= args.size()) return false;
      *v = args[++i];
      return true;
    };
    std::string v;
    if (a == "--config" && next(&config)) continue;
    if (a == "--sub" && next(&sub)) continue;
    if (a == "--alg" && next(&alg)) continue;
    if (a == "--private" && next(&priv)) continue;
    if (a == "--jwks" && next(&jwks)) continue;
    if (a == "--role" && next(&v)) { roles.push_back(v); continue; }
    if (a == "--org" && next(&v)) { orgs.push_back(v); continue; }
    if (a == "--ttl" && next(&v)) {
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 86400) return TokenUsage();
      ttl = static_cast<int>(n);
      continue;
    }
    return TokenUsage();
  }
  if (args[0] == "keygen") {
    if (priv.empty() || jwks.empty()) return TokenUsage();
    auto pair = auth::GenerateIssuerKeyPair(alg);
    if (!pair.ok()) return Fail(pair.status());
    Status s = WritePrivate(priv, pair->private_pem);
    if (s.ok()) s = WritePrivate(jwks, pair->jwks_json);
    if (!s.ok()) return Fail(s);
    std::cout << nlohmann::json{{"keyId", pair->key_id}, {"algorithm", alg}}.dump() << "\n";
    return kExitOk;
  }
  if (args[0] == "issue") {
    if (config.empty() || sub.empty() || roles.empty() || orgs.empty()) return TokenUsage();
    auto cfg = LoadConfig(config);
    if (!cfg.ok()) return Fail(cfg.status());
    if (!cfg->api.auth.token_issue) {
      return Fail(Status::FailedPrecondition("token issue is disabled: /api/auth/tokenIssue is not configured"));
    }
    auto token = auth::IssueToken(*cfg->api.auth.token_issue, sub, roles, orgs, ttl,
                                  std::chrono::system_clock::now());
    if (!token.ok()) return Fail(token.status());
    std::cout << *token << "\n";
    return kExitOk;
  }
  return TokenUsage();
}

}  // namespace sa::adapter::cli
