#include "adapter/check_endpoint.h"

#include "fhir/capability.h"
#include "mappings/fhir_plan.h"

namespace sa::adapter {

namespace {

// What the adapter needs, as data: type, conditional writes, search params.
const fhir::CapabilityRequirements& Requirements() {
  static const fhir::CapabilityRequirements kRequired = [] {
    fhir::CapabilityRequirements r;
    r.r4 = true;
    r.transaction = true;
    r.types = {
        {"Patient", false, false, {"identifier"}},
        {"CarePlan", false, true, {"identifier"}},
        {"Task", false, true, {"identifier", "_lastUpdated"}},
        {"Provenance", true, false, {}},
    };
    return r;
  }();
  return kRequired;
}

}  // namespace

std::vector<EndpointCheck> CheckEndpoint(EhrConnection& connection) {
  std::vector<EndpointCheck> out;
  if (auto* auth = connection.authenticator()) {
    auto header = auth->AuthorizationHeader();
    out.push_back({"authentication (" + connection.config().auth.method + ")", header.ok(),
                   header.ok() ? "token obtained" : header.status().ToString()});
  } else {
    out.push_back({"authentication (none)", true, "no Authorization header will be sent"});
  }
  auto caps = connection.client().ReadCapabilities();
  if (!caps.ok()) {
    out.push_back({"CapabilityStatement (GET [base]/metadata)", false, caps.status().ToString()});
    return out;
  }
  out.push_back({"CapabilityStatement", true, caps->software.empty() ? "read" : caps->software});
  out.push_back({"FHIR version R4", caps->IsR4(), "fhirVersion " + caps->fhir_version});
  out.push_back({"transaction Bundles", caps->transaction, caps->transaction ? "declared" : "not declared"});
  for (const auto& t : Requirements().types) {
    if (t.conditional_update) {
      bool ok = caps->SupportsConditionalUpdate(t.type);
      out.push_back({t.type + ": conditional update", ok, ok ? "declared" : "not declared"});
    }
    if (t.conditional_create) {
      bool ok = caps->SupportsConditionalCreate(t.type);
      out.push_back({t.type + ": conditional create", ok, ok ? "declared" : "not declared"});
    }
    for (const auto& p : t.search_params) {
      bool ok = caps->SupportsSearchParam(t.type, p);
      out.push_back({t.type + ": search by " + p, ok, ok ? "declared" : "not declared"});
    }
  }
  // A real search proves the token is accepted, not just issued.
  auto probe = connection.client().Search("Patient", mappings::PatientQuery(connection.config().mapping, "0000000000"));
  out.push_back({"authorised search (Patient by identifier)", probe.ok(),
                 probe.ok() ? "answered" : probe.status().ToString()});
  return out;
}

}  // namespace sa::adapter
