// Reading a server's CapabilityStatement into what a client needs to know:
// FHIR version, transaction/batch support, and per resource type the
// interactions, conditional create/update and search parameters.
//
// `config check` uses this to tell an integrator, before the first delivery,
// that a server cannot do the idempotent writes the adapter relies on.
#ifndef SA_FHIR_CAPABILITY_H_
#define SA_FHIR_CAPABILITY_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/resource.h"
#include "fhir/status.h"

namespace sa::fhir {

// What the server declares for one resource type (rest.resource[]).
struct ResourceCapability {
  std::set<std::string> interactions;   // read, create, update, search-type…
  std::set<std::string> search_params;  // names, including system-wide ones
  bool conditional_create = false;
  bool conditional_update = false;
  std::string conditional_delete;  // not-supported | single | multiple | ""
  std::vector<std::string> supported_profiles;
};

struct Capabilities {
  std::string fhir_version;  // e.g. "4.0.1"
  std::string software;      // software.name and version, for messages
  bool transaction = false;  // rest.interaction "transaction"
  bool batch = false;        // rest.interaction "batch"
  std::string smart_token_url;  // from the SMART oauth-uris extension, if any
  std::map<std::string, ResourceCapability> resources;  // by type

  // True if fhirVersion is an R4 release (4.0.x).
  bool IsR4() const;
  // True if `type` lists `interaction` ("create", "update", "search-type"…).
  bool Supports(std::string_view type, std::string_view interaction) const;
  // True if `type` declares conditionalCreate and the create interaction.
  bool SupportsConditionalCreate(std::string_view type) const;
  // True if `type` declares conditionalUpdate and the update interaction.
  bool SupportsConditionalUpdate(std::string_view type) const;
  // True if `type` can be searched (search-type) by `param`.
  bool SupportsSearchParam(std::string_view type, std::string_view param) const;
};

// Parses a CapabilityStatement (the server-mode rest entry); InvalidArgument
// if `statement` is not one or has no server rest entry.
StatusOr<Capabilities> ParseCapabilityStatement(const Json& statement);

// What a client needs from one resource type.
struct TypeRequirement {
  std::string type;
  bool conditional_create = false;
  bool conditional_update = false;
  std::vector<std::string> search_params;
};

struct CapabilityRequirements {
  bool r4 = true;
  bool transaction = false;
  std::vector<TypeRequirement> types;
};

// Lists every requirement the server does not declare, one sentence each
// ("Task: no conditional update"); empty when all are met.
std::vector<std::string> FindCapabilityGaps(const Capabilities& caps,
                                            const CapabilityRequirements& required);

}  // namespace sa::fhir

#endif  // SA_FHIR_CAPABILITY_H_
