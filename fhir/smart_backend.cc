#include "fhir/smart_backend.h"

#include <algorithm>

#include "fhir/operation_outcome.h"
#include "fhir/retry.h"
#include "fhir/url.h"

namespace sa::fhir {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr const char* kReservedClaims[] = {"iss", "sub", "aud", "exp", "iat", "jti"};

int64_t EpochSeconds(system_clock::time_point t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}

bool IsLoopbackHost(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

// The OAuth error of a failed token response, for operators: the error code
// and a truncated description, or the OperationOutcome/size rendering.
std::string DescribeTokenError(const HttpResponse& response) {
  std::string out = "token endpoint HTTP " + std::to_string(response.status) + ": ";
  StatusOr<Json> json = ParseJson(response.body);
  if (json.ok() && json->is_object() && json->contains("error") && (*json)["error"].is_string()) {
    out += TruncateForLog((*json)["error"].get<std::string>(), 64);
    auto d = json->find("error_description");
    if (d != json->end() && d->is_string()) {
      out += " (" + TruncateForLog(d->get<std::string>(), kMaxOAuthErrorChars) + ")";
    }
    return out;
  }
  return out + RenderErrorBody(response.body);
}

}  // namespace

void CheckSmartBackendConfig(const AuthConfig& config, std::vector<std::string>& problems) {
  StatusOr<UrlParts> url = ParseUrl(config.token_url);
  if (config.token_url.empty()) {
    problems.push_back("token_url is required");
  } else if (!url.ok()) {
    problems.push_back("token_url: " + url.status().message());
  } else if (url->scheme != "https" && !IsLoopbackHost(url->host)) {
    problems.push_back("token_url must use https");
  }
  if (config.client_id.empty()) problems.push_back("client_id is required");
  if (config.private_key_file.empty()) problems.push_back("private_key_file is required");
  StatusOr<JwtAlgorithm> alg = ParseJwtAlgorithm(config.algorithm);
  if (!alg.ok()) problems.push_back("algorithm: " + alg.status().message());
  if (config.scopes.empty()) problems.push_back("scopes: at least one scope is required");
  for (const std::string& s : config.scopes) {
    if (s.empty() || s.find_first_of(" \t\r\n\"\\") != std::string::npos) {
      problems.push_back("scopes: '" + TruncateForLog(s, 64) + "' is not a single scope token");
    }
  }
  if (config.assertion_lifetime <= seconds(0) || config.assertion_lifetime > kMaxAssertionLifetime) {
    problems.push_back("assertion_lifetime must be between 1 and 300 seconds");
  }
  if (config.refresh_margin < seconds(0)) problems.push_back("refresh_margin must not be negative");
  if (!config.extra_claims.is_object()) {
    problems.push_back("extra_claims must be a JSON object");
  } else {
    for (const char* reserved : kReservedClaims) {
      if (config.extra_claims.contains(reserved)) {
        problems.push_back(std::string("extra_claims must not set '") + reserved + "'");
      }
    }
  }
}

StatusOr<std::unique_ptr<ClientAssertionBuilder>> ClientAssertionBuilder::Create(
    const AuthConfig& config) {
  std::vector<std::string> problems;
  CheckSmartBackendConfig(config, problems);
  if (!problems.empty()) {
    std::string message = "smart-backend config: ";
    for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
    return Status::InvalidArgument(message);
  }
  SA_ASSIGN_OR_RETURN(JwtAlgorithm alg, ParseJwtAlgorithm(config.algorithm));
  SA_ASSIGN_OR_RETURN(std::unique_ptr<JwtSigner> signer,
                      JwtSigner::FromPemFile(config.private_key_file, alg, config.key_id));
  return std::unique_ptr<ClientAssertionBuilder>(
      new ClientAssertionBuilder(config, std::move(signer)));
}

Json ClientAssertionBuilder::Claims(system_clock::time_point now, std::string_view jti) const {
  Json claims = config_.extra_claims;
  claims["iss"] = config_.client_id;
  claims["sub"] = config_.client_id;
  claims["aud"] = config_.token_url;
  claims["iat"] = EpochSeconds(now);
  claims["exp"] = EpochSeconds(now + config_.assertion_lifetime);
  claims["jti"] = std::string(jti);
  return claims;
}

StatusOr<std::string> ClientAssertionBuilder::Build(system_clock::time_point now) const {
  SA_ASSIGN_OR_RETURN(std::string jti, RandomJti());
  return signer_->Sign(Claims(now, jti));
}

StatusOr<std::unique_ptr<SmartBackendAuthenticator>> SmartBackendAuthenticator::Create(
    const AuthConfig& config, HttpTransport* transport, Clock* clock) {
  if (!transport) return Status::InvalidArgument("smart-backend needs an HTTP transport");
  SA_ASSIGN_OR_RETURN(std::unique_ptr<ClientAssertionBuilder> assertions,
                      ClientAssertionBuilder::Create(config));
  return std::unique_ptr<SmartBackendAuthenticator>(new SmartBackendAuthenticator(
      config, std::move(assertions), transport, clock ? clock : RealClock()));
}

StatusOr<std::string> SmartBackendAuthenticator::AuthorizationHeader() {
  std::lock_guard<std::mutex> lock(mu_);
  if (token_.empty() || clock_->Now() >= refresh_at_) {
    SA_RETURN_IF_ERROR(FetchTokenLocked());
  }
  return "Bearer " + token_;
}

void SmartBackendAuthenticator::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  token_.clear();
}

int SmartBackendAuthenticator::token_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return token_requests_;
}

Status SmartBackendAuthenticator::FetchTokenLocked() {
  token_.clear();
  system_clock::time_point now = clock_->Now();
  SA_ASSIGN_OR_RETURN(std::string assertion, assertions_->Build(now));
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.url = config_.token_url;
  request.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.Set("Accept", "application/json");
  request.body = FormEncode({{"grant_type", "client_credentials"},
                             {"scope", JoinScopes(config_.scopes)},
                             {"client_assertion_type", kJwtBearerAssertionType},
                             {"client_assertion", assertion}});
  ++token_requests_;
  SA_ASSIGN_OR_RETURN(HttpResponse response, transport_->Send(request));
  if (response.status < 200 || response.status >= 300) {
    std::string message = DescribeTokenError(response);
    if (ClassifyHttpStatus(response.status, RetryPolicy{}) == Disposition::kRetry) {
      return Status::Unavailable(message);
    }
    return Status::PermissionDenied(message);
  }
  SA_ASSIGN_OR_RETURN(Json body, ParseJson(response.body));
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string()) {
    return Status::PermissionDenied("token response has no access_token");
  }
  std::string type = GetString(body, "token_type");
  if (!EqualsIgnoreCase(type, "bearer")) {
    return Status::PermissionDenied("token response token_type is not bearer");
  }
  SA_ASSIGN_OR_RETURN(std::string token, CleanToken(body["access_token"].get<std::string>()));
  seconds lifetime = kDefaultTokenLifetime;
  if (auto e = body.find("expires_in"); e != body.end() && e->is_number()) {
    // Clamped before converting: a huge or negative value must not overflow.
    double v = std::clamp(e->get<double>(), 0.0, 365.0 * 24 * 3600);
    lifetime = seconds(static_cast<int64_t>(v));
  }
  seconds margin = config_.refresh_margin;
  if (lifetime <= margin) margin = lifetime / 2;  // short-lived token: refresh at half life
  token_ = std::move(token);
  refresh_at_ = now + lifetime - margin;
  return Status::Ok();
}

}  // namespace sa::fhir
