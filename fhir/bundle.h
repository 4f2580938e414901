// Building transaction/batch Bundles and reading what the server answers:
// transaction-responses (per-entry status, location, etag, outcome) and the
// links and matches of searchset pages.
//
// Idempotent writes are conditional entries (conditional update
// `PUT Task?identifier=…` or create with ifNoneExist), so replaying a Bundle
// never duplicates a resource.
#ifndef SA_FHIR_BUNDLE_H_
#define SA_FHIR_BUNDLE_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/http.h"
#include "fhir/resource.h"
#include "fhir/status.h"

namespace sa::fhir {

enum class BundleType { kTransaction, kBatch };

// Collects entries and renders a Bundle of type transaction or batch.
// Each Add* validates its input and returns the entry's fullUrl
// ("urn:uuid:…"), which other entries may reference with BundleReference.
class BundleBuilder {
 public:
  // An empty Bundle of `type` (transaction: all-or-nothing; batch: per entry).
  explicit BundleBuilder(BundleType type) : type_(type) {}

  // POST `resource` to its type; `if_none_exist` (a query such as
  // IdentifierQuery(…)) makes it a conditional create. An empty `full_url`
  // gets a fresh urn:uuid.
  StatusOr<std::string> AddCreate(Json resource, std::string_view if_none_exist = {},
                                  std::string_view full_url = {});

  // Conditional create keyed by a business identifier the resource carries.
  StatusOr<std::string> AddConditionalCreate(Json resource, const Identifier& identifier,
                                             std::string_view full_url = {});

  // PUT `resource` at `url`: "Type/id" (plain update) or "Type?query"
  // (conditional update). `if_match` (an ETag such as W/"3") guards the version.
  StatusOr<std::string> AddUpdate(Json resource, std::string_view url,
                                  std::string_view if_match = {}, std::string_view full_url = {});

  // Conditional update `PUT Type?identifier=system|value`: the idempotent write.
  StatusOr<std::string> AddConditionalUpdate(Json resource, const Identifier& identifier,
                                             std::string_view full_url = {});

  // A GET entry ("Type/id" or "Type?query"), e.g. to read back in a batch.
  Status AddRead(std::string_view url);

  // A DELETE entry ("Type/id" or a conditional "Type?query").
  Status AddDelete(std::string_view url);

  // Number of entries added so far.
  size_t size() const { return entries_.size(); }

  // The Bundle resource: {"resourceType":"Bundle","type":…,"entry":[…]}.
  Json Build() const&;
  // The same, moving the entries out (the builder is left empty): a plan's
  // Bundle is built on every intake and delivery, and copying it is waste.
  Json Build() &&;

 private:
  StatusOr<std::string> AddWrite(HttpMethod method, Json resource, std::string_view url,
                                 std::string_view full_url, Json request_extras);

  BundleType type_;
  std::vector<Json> entries_;
  std::set<std::string> full_urls_;
};

// "transaction", "batch", "transaction-response", "batch-response".
const char* BundleTypeName(BundleType type);

// Parses an entry.response.status such as "201 Created" (or just "201").
StatusOr<int> ParseStatusLine(std::string_view status);

// Type, id and (optional) version named by a Location or entry.response.location
// ("Task/1", "Task/1/_history/2", or an absolute URL ending in either).
struct ResourceLocation {
  std::string type;
  std::string id;
  std::string version;  // empty when the location carries no _history part
};

// Splits a location into type/id/version; InvalidArgument if it names none.
StatusOr<ResourceLocation> ParseLocation(std::string_view location);

// The version in an ETag: W/"3" → "3"; empty when it is not an ETag.
std::string VersionFromETag(std::string_view etag);

// The outcome of one entry of a transaction or batch.
struct EntryResponse {
  int status_code = 0;
  std::string status;         // as sent, e.g. "201 Created"
  std::string location;       // empty when absent
  std::string etag;           // empty when absent
  std::string last_modified;  // empty when absent
  std::optional<Json> outcome;   // entry.response.outcome (OperationOutcome)
  std::optional<Json> resource;  // entry.resource when the server returned it

  // True for a 2xx status.
  bool ok() const { return status_code >= 200 && status_code < 300; }
};

struct TransactionResponse {
  BundleType type = BundleType::kTransaction;  // of the request it answers
  std::vector<EntryResponse> entries;          // in request order

  // True when every entry has a 2xx status.
  bool AllOk() const;
};

// Reads a transaction-response or batch-response Bundle; each entry must
// carry response.status. InvalidArgument for anything else.
StatusOr<TransactionResponse> ReadTransactionResponse(const Json& bundle);

// The URL of the Bundle.link with `relation` ("next", "self"), if any.
std::optional<std::string> FindLink(const Json& bundle, std::string_view relation);

// The resources of a searchset page whose search.mode is "match" (or absent),
// leaving out _include'd and outcome entries.
std::vector<Json> SearchMatches(const Json& bundle);

}  // namespace sa::fhir

#endif  // SA_FHIR_BUNDLE_H_
