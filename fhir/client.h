// FhirClient: the calls the adapter makes on a FHIR R4 server — transaction,
// search (following `next` links), read and capabilities — over an
// HttpTransport, with authentication and retries applied to every call.
//
// Each call: sets Accept (and Content-Type for a body) to
// application/fhir+json; adds the Authorization header; retries as retry.h
// says; on a 401 invalidates the credential and resends ONCE per call (a
// second 401 is PermissionDenied). Links are only followed on the base URL's
// origin, so a token never leaves the configured server.
// A FhirClient is safe to use from several threads when its deps are (the
// ones in fhir/ are).
#ifndef SA_FHIR_CLIENT_H_
#define SA_FHIR_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/auth.h"
#include "fhir/bundle.h"
#include "fhir/capability.h"
#include "fhir/clock.h"
#include "fhir/http.h"
#include "fhir/resource.h"
#include "fhir/retry.h"
#include "fhir/status.h"

namespace sa::fhir {

// Most searchset pages one Search follows before stopping (truncated = true).
inline constexpr int kDefaultMaxSearchPages = 20;

inline constexpr char kFhirJson[] = "application/fhir+json";

struct FhirClientOptions {
  std::string base_url;  // e.g. "https://ehr.example/fhir/R4"
  RetryPolicy retry = RetryPolicy();
  int max_search_pages = kDefaultMaxSearchPages;
  std::chrono::milliseconds request_timeout{0};  // 0: the transport's default
};

// What FhirClient uses; none is owned, all must outlive the client.
struct FhirClientDeps {
  HttpTransport* transport = nullptr;  // required
  Authenticator* auth = nullptr;       // null: no Authorization header
  Clock* clock = nullptr;              // null: the real clock
  RandomSource* random = nullptr;      // null: a randomly seeded source
};

// The matches of a search, over all pages followed.
struct SearchResult {
  std::vector<Json> resources;   // search.mode "match" entries, in order
  std::optional<int64_t> total;  // Bundle.total of the first page, if sent
  int pages = 0;                 // pages fetched
  bool truncated = false;        // a `next` link was left unfollowed
};

class FhirClient {
 public:
  // Checks the base URL, the retry policy and the deps.
  static StatusOr<std::unique_ptr<FhirClient>> Create(FhirClientOptions options,
                                                      FhirClientDeps deps);

  // POSTs a transaction or batch Bundle to the base URL and reads the
  // response Bundle; its entries match the request's one for one.
  StatusOr<TransactionResponse> Transaction(const Json& bundle);

  // GET [base]/type?query (query already encoded, e.g. IdentifierQuery(…)),
  // following `next` links up to max_search_pages.
  StatusOr<SearchResult> Search(std::string_view type, std::string_view query);

  // GET [base]/type/id; NotFound for 404 or 410.
  StatusOr<Json> Read(std::string_view type, std::string_view id);

  // GET [base]/metadata, parsed into Capabilities.
  StatusOr<Capabilities> ReadCapabilities();

  // Sends one request with auth and retries. `path_or_url` is relative to the
  // base URL, or absolute on the same origin. Non-2xx becomes a Status
  // (PermissionDenied for a 401 that survived the refresh).
  StatusOr<HttpResponse> Execute(HttpMethod method, std::string_view path_or_url,
                                 std::string body = {});

  // The base URL, without a trailing slash.
  const std::string& base_url() const { return options_.base_url; }

 private:
  FhirClient(FhirClientOptions options, FhirClientDeps deps,
             std::unique_ptr<RandomSource> owned_random)
      : options_(std::move(options)), deps_(deps), owned_random_(std::move(owned_random)) {}

  // Like Execute but returns any final response, 2xx or not.
  StatusOr<HttpResponse> Exchange(HttpMethod method, std::string_view path_or_url,
                                  std::string body);
  // Adds the Authorization header from the authenticator, if any.
  Status Authorize(HttpRequest& request);
  // Turns a non-2xx final response into a Status.
  Status ErrorFor(const HttpResponse& response) const;

  FhirClientOptions options_;
  FhirClientDeps deps_;
  std::unique_ptr<RandomSource> owned_random_;
};

}  // namespace sa::fhir

#endif  // SA_FHIR_CLIENT_H_
