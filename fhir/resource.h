// Small typed helpers for building and reading FHIR R4 resources held as
// nlohmann::json: Identifier, Coding/CodeableConcept, Reference, Meta.profile
// and identifier search queries.
//
// Code above fhir/ builds resources through these helpers instead of pasting
// JSON strings, so element names and escaping rules live in one place.
#ifndef SA_FHIR_RESOURCE_H_
#define SA_FHIR_RESOURCE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fhir/status.h"

namespace sa::fhir {

using Json = nlohmann::json;

// Parses JSON text; a syntax error becomes InvalidArgument, never an exception.
StatusOr<Json> ParseJson(std::string_view text);

// The string member `name` of `object`, or "" when `object` is not an object
// or the member is absent or not a string. Never throws (unlike json::value).
std::string GetString(const Json& object, std::string_view name);

// True for a syntactically valid resource type name ("Task", "CarePlan").
bool IsValidResourceType(std::string_view type);

// True for a valid FHIR logical id ([A-Za-z0-9-.]{1,64}); guards URL paths.
bool IsValidId(std::string_view id);

// A business identifier (Identifier.system + Identifier.value).
struct Identifier {
  std::string system;
  std::string value;
  bool operator==(const Identifier&) const = default;
};

// {"system": …, "value": …}.
Json ToJson(const Identifier& identifier);

// Reads an Identifier element; both system and value must be non-empty strings.
StatusOr<Identifier> ReadIdentifier(const Json& element);

// The value of the first resource.identifier with `system`, if any.
std::optional<std::string> FindIdentifierValue(const Json& resource, std::string_view system);

// One Coding; an empty display is omitted from the JSON.
struct Coding {
  std::string system;
  std::string code;
  std::string display;
};

// {"system": …, "code": …, ["display": …]}.
Json ToJson(const Coding& coding);

// A CodeableConcept with `codings` and, when non-empty, `text`.
Json CodeableConcept(const std::vector<Coding>& codings, std::string_view text = {});

// True if the CodeableConcept holds a coding with this system and code.
bool HasCoding(const Json& codeable_concept, std::string_view system, std::string_view code);

// A literal reference {"reference": "Type/id"} (plus display when non-empty).
// Only use it for a resource the server is known to hold.
Json LiteralReference(std::string_view type, std::string_view id, std::string_view display = {});

// A logical reference by business identifier, with type and display; for
// resources the server may not hold (a real EHR rejects dangling literals).
Json LogicalReference(std::string_view type, const Identifier& identifier,
                      std::string_view display);

// A reference to another entry of the same transaction Bundle by its fullUrl
// ("urn:uuid:…"); the server rewrites it to the created resource.
Json BundleReference(std::string_view full_url, std::string_view display = {});

// Adds `profile_url` to resource.meta.profile (once); no-op for an empty URL,
// so a profile is only set when configured.
void AddProfile(Json& resource, std::string_view profile_url);

// The URLs in resource.meta.profile (empty if none).
std::vector<std::string> Profiles(const Json& resource);

// Escapes the FHIR search special characters '\', '|', ',' and '$' with a
// backslash, so a value containing them is matched literally.
std::string EscapeSearchValue(std::string_view value);

// "identifier=<percent-encoded system|value>", the token search used for
// conditional writes and ifNoneExist; system and value are search-escaped.
std::string IdentifierQuery(std::string_view system, std::string_view value);

// "Type?identifier=…": the conditional URL for an idempotent write.
std::string ConditionalUrl(std::string_view type, const Identifier& identifier);

// A fresh random (version 4) UUID as "urn:uuid:…", for Bundle fullUrls.
std::string NewUuidUrn();

}  // namespace sa::fhir

#endif  // SA_FHIR_RESOURCE_H_
