#include "fhir/capability.h"

namespace sa::fhir {
namespace {

constexpr char kSmartOauthUris[] =
    "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

bool BoolMember(const Json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

const Json* ArrayMember(const Json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_array() ? &*it : nullptr;
}

// Collects the "code" of each element of an interaction array.
std::set<std::string> InteractionCodes(const Json& object) {
  std::set<std::string> out;
  if (const Json* list = ArrayMember(object, "interaction")) {
    for (const Json& i : *list) {
      if (i.is_object()) out.insert(GetString(i, "code"));
    }
  }
  return out;
}

std::set<std::string> SearchParamNames(const Json& object) {
  std::set<std::string> out;
  if (const Json* list = ArrayMember(object, "searchParam")) {
    for (const Json& p : *list) {
      if (p.is_object()) out.insert(GetString(p, "name"));
    }
  }
  return out;
}

std::string SmartTokenUrl(const Json& rest) {
  auto security = rest.find("security");
  if (security == rest.end() || !security->is_object()) return "";
  const Json* extensions = ArrayMember(*security, "extension");
  if (!extensions) return "";
  for (const Json& ext : *extensions) {
    if (!ext.is_object() || GetString(ext, "url") != kSmartOauthUris) continue;
    if (const Json* inner = ArrayMember(ext, "extension")) {
      for (const Json& e : *inner) {
        if (e.is_object() && GetString(e, "url") == "token") return GetString(e, "valueUri");
      }
    }
  }
  return "";
}

const ResourceCapability* Find(const Capabilities& caps, std::string_view type) {
  auto it = caps.resources.find(std::string(type));
  return it == caps.resources.end() ? nullptr : &it->second;
}

}  // namespace

bool Capabilities::IsR4() const { return fhir_version.rfind("4.0.", 0) == 0; }

bool Capabilities::Supports(std::string_view type, std::string_view interaction) const {
  const ResourceCapability* r = Find(*this, type);
  return r && r->interactions.count(std::string(interaction)) > 0;
}

bool Capabilities::SupportsConditionalCreate(std::string_view type) const {
  const ResourceCapability* r = Find(*this, type);
  return r && r->conditional_create && Supports(type, "create");
}

bool Capabilities::SupportsConditionalUpdate(std::string_view type) const {
  const ResourceCapability* r = Find(*this, type);
  return r && r->conditional_update && Supports(type, "update");
}

bool Capabilities::SupportsSearchParam(std::string_view type, std::string_view param) const {
  const ResourceCapability* r = Find(*this, type);
  return r && Supports(type, "search-type") && r->search_params.count(std::string(param)) > 0;
}

StatusOr<Capabilities> ParseCapabilityStatement(const Json& statement) {
  if (!statement.is_object() || GetString(statement, "resourceType") != "CapabilityStatement") {
    return Status::InvalidArgument("not a CapabilityStatement");
  }
  Capabilities caps;
  caps.fhir_version = GetString(statement, "fhirVersion");
  if (auto sw = statement.find("software"); sw != statement.end() && sw->is_object()) {
    caps.software = GetString(*sw, "name");
    std::string version = GetString(*sw, "version");
    if (!version.empty()) caps.software += " " + version;
  }
  const Json* rests = ArrayMember(statement, "rest");
  const Json* server = nullptr;
  if (rests) {
    for (const Json& rest : *rests) {
      if (rest.is_object() && GetString(rest, "mode") == "server") {
        server = &rest;
        break;
      }
    }
  }
  if (!server) return Status::InvalidArgument("CapabilityStatement has no server rest entry");

  std::set<std::string> system_interactions = InteractionCodes(*server);
  caps.transaction = system_interactions.count("transaction") > 0;
  caps.batch = system_interactions.count("batch") > 0;
  caps.smart_token_url = SmartTokenUrl(*server);
  std::set<std::string> system_params = SearchParamNames(*server);

  if (const Json* resources = ArrayMember(*server, "resource")) {
    for (const Json& r : *resources) {
      if (!r.is_object()) continue;
      std::string type = GetString(r, "type");
      if (type.empty()) continue;
      ResourceCapability rc;
      rc.interactions = InteractionCodes(r);
      rc.search_params = SearchParamNames(r);
      rc.search_params.insert(system_params.begin(), system_params.end());
      rc.conditional_create = BoolMember(r, "conditionalCreate");
      rc.conditional_update = BoolMember(r, "conditionalUpdate");
      rc.conditional_delete = GetString(r, "conditionalDelete");
      if (const Json* profiles = ArrayMember(r, "supportedProfile")) {
        for (const Json& p : *profiles) {
          if (p.is_string()) rc.supported_profiles.push_back(p.get<std::string>());
        }
      }
      caps.resources[type] = std::move(rc);
    }
  }
  return caps;
}

std::vector<std::string> FindCapabilityGaps(const Capabilities& caps,
                                            const CapabilityRequirements& required) {
  std::vector<std::string> gaps;
  if (required.r4 && !caps.IsR4()) {
    gaps.push_back("server FHIR version is '" + caps.fhir_version + "', not R4 (4.0.x)");
  }
  if (required.transaction && !caps.transaction) gaps.push_back("no transaction interaction");
  for (const TypeRequirement& t : required.types) {
    if (!Find(caps, t.type)) {
      gaps.push_back(t.type + ": resource type not supported");
      continue;
    }
    if (t.conditional_create && !caps.SupportsConditionalCreate(t.type)) {
      gaps.push_back(t.type + ": no conditional create");
    }
    if (t.conditional_update && !caps.SupportsConditionalUpdate(t.type)) {
      gaps.push_back(t.type + ": no conditional update");
    }
    for (const std::string& p : t.search_params) {
      if (!caps.SupportsSearchParam(t.type, p)) {
        gaps.push_back(t.type + ": no search by '" + p + "'");
      }
    }
  }
  return gaps;
}

}  // namespace sa::fhir
