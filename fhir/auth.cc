#include "fhir/auth.h"

#include <cstdlib>
#include <fstream>
#include <mutex>

#include "fhir/smart_backend.h"

namespace sa::fhir {
namespace {

// Largest bearer token file read; a JWT access token is a few KiB.
constexpr std::streamsize kMaxTokenFileBytes = 64 * 1024;

class NoneAuthenticator : public Authenticator {
 public:
  StatusOr<std::string> AuthorizationHeader() override { return std::string(); }
  void Invalidate() override {}
};

// A static token from a file or an environment variable. The token is read
// at start-up (to fail early) and again after Invalidate, so an operator can
// rotate a token file without a restart.
class BearerAuthenticator : public Authenticator {
 public:
  BearerAuthenticator(std::string file, std::string env, std::string token)
      : file_(std::move(file)), env_(std::move(env)), token_(std::move(token)) {}

  // Reads and cleans the token from the configured source.
  static StatusOr<std::string> Load(const std::string& file, const std::string& env) {
    std::string raw;
    if (!file.empty()) {
      std::ifstream in(file, std::ios::binary);
      if (!in) return Status::FailedPrecondition("cannot read token_file '" + file + "'");
      raw.resize(static_cast<size_t>(kMaxTokenFileBytes) + 1);
      in.read(raw.data(), kMaxTokenFileBytes + 1);
      if (in.gcount() > kMaxTokenFileBytes) {
        return Status::FailedPrecondition("token_file '" + file + "' is too large");
      }
      raw.resize(static_cast<size_t>(in.gcount()));
    } else {
      const char* value = std::getenv(env.c_str());
      if (!value) return Status::FailedPrecondition("environment variable " + env + " is not set");
      raw = value;
    }
    StatusOr<std::string> token = CleanToken(raw);
    if (!token.ok()) {
      return Status::FailedPrecondition("bearer token from " +
                                        (file.empty() ? "$" + env : file) + ": " +
                                        token.status().message());
    }
    return token;
  }

  StatusOr<std::string> AuthorizationHeader() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (token_.empty()) {
      SA_ASSIGN_OR_RETURN(token_, Load(file_, env_));
    }
    return "Bearer " + token_;
  }

  void Invalidate() override {
    std::lock_guard<std::mutex> lock(mu_);
    token_.clear();
  }

 private:
  const std::string file_;
  const std::string env_;
  std::mutex mu_;
  std::string token_;
};

bool HasSmartFields(const AuthConfig& c) {
  return !c.token_url.empty() || !c.client_id.empty() || !c.private_key_file.empty() ||
         !c.key_id.empty() || !c.scopes.empty() ||
         (c.extra_claims.is_object() && !c.extra_claims.empty());
}

bool HasBearerFields(const AuthConfig& c) { return !c.token_file.empty() || !c.token_env.empty(); }

Status Problems(const std::string& method, const std::vector<std::string>& problems) {
  if (problems.empty()) return Status::Ok();
  std::string message = "auth '" + method + "': ";
  for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
  return Status::InvalidArgument(message);
}

}  // namespace

std::vector<std::string> AuthMethodNames() { return {"none", "bearer", "smart-backend"}; }

StatusOr<std::string> CleanToken(std::string_view token) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!token.empty() && is_space(token.front())) token.remove_prefix(1);
  while (!token.empty() && is_space(token.back())) token.remove_suffix(1);
  if (token.empty()) return Status::InvalidArgument("token is empty");
  for (char c : token) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) {
      return Status::InvalidArgument("token holds a character not allowed in a header");
    }
  }
  return std::string(token);
}

StatusOr<std::unique_ptr<Authenticator>> MakeAuthenticator(const AuthConfig& config,
                                                           HttpTransport* transport,
                                                           Clock* clock) {
  std::vector<std::string> problems;
  if (config.method == "none") {
    if (HasBearerFields(config) || HasSmartFields(config)) {
      problems.push_back("method none takes no token or client settings");
    }
    SA_RETURN_IF_ERROR(Problems(config.method, problems));
    return std::unique_ptr<Authenticator>(new NoneAuthenticator());
  }
  if (config.method == "bearer") {
    if (config.token_file.empty() == config.token_env.empty()) {
      problems.push_back("set exactly one of token_file and token_env");
    }
    if (HasSmartFields(config)) problems.push_back("smart-backend settings given to bearer");
    SA_RETURN_IF_ERROR(Problems(config.method, problems));
    SA_ASSIGN_OR_RETURN(std::string token,
                        BearerAuthenticator::Load(config.token_file, config.token_env));
    return std::unique_ptr<Authenticator>(
        new BearerAuthenticator(config.token_file, config.token_env, std::move(token)));
  }
  if (config.method == "smart-backend") {
    if (HasBearerFields(config)) problems.push_back("token_file/token_env given to smart-backend");
    CheckSmartBackendConfig(config, problems);
    SA_RETURN_IF_ERROR(Problems(config.method, problems));
    SA_ASSIGN_OR_RETURN(std::unique_ptr<SmartBackendAuthenticator> smart,
                        SmartBackendAuthenticator::Create(config, transport, clock));
    return std::unique_ptr<Authenticator>(std::move(smart));
  }
  std::string known;
  for (const std::string& name : AuthMethodNames()) known += (known.empty() ? "" : ", ") + name;
  return Status::InvalidArgument("unknown auth method '" + config.method + "' (known: " + known +
                                 ")");
}

}  // namespace sa::fhir
