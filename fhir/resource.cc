#include "fhir/resource.h"

#include <openssl/rand.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <random>

#include "fhir/url.h"

namespace sa::fhir {

StatusOr<Json> ParseJson(std::string_view text) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    // e.what() names a byte offset and the token class only, never content.
    return Status::InvalidArgument(std::string("invalid JSON: ") + e.what());
  }
}

std::string GetString(const Json& object, std::string_view name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool IsValidResourceType(std::string_view type) {
  if (type.empty() || type.size() > 64) return false;
  if (!std::isupper(static_cast<unsigned char>(type.front()))) return false;
  for (unsigned char c : type) {
    if (!std::isalpha(c)) return false;
  }
  return true;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (unsigned char c : id) {
    if (!std::isalnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

Json ToJson(const Identifier& identifier) {
  return Json{{"system", identifier.system}, {"value", identifier.value}};
}

StatusOr<Identifier> ReadIdentifier(const Json& element) {
  if (!element.is_object()) return Status::InvalidArgument("Identifier is not an object");
  auto system = element.find("system");
  auto value = element.find("value");
  if (system == element.end() || !system->is_string() || system->get<std::string>().empty()) {
    return Status::InvalidArgument("Identifier.system missing");
  }
  if (value == element.end() || !value->is_string() || value->get<std::string>().empty()) {
    return Status::InvalidArgument("Identifier.value missing");
  }
  return Identifier{system->get<std::string>(), value->get<std::string>()};
}

std::optional<std::string> FindIdentifierValue(const Json& resource, std::string_view system) {
  if (!resource.is_object()) return std::nullopt;
  auto ids = resource.find("identifier");
  if (ids == resource.end() || !ids->is_array()) return std::nullopt;
  for (const Json& id : *ids) {
    StatusOr<Identifier> parsed = ReadIdentifier(id);
    if (parsed.ok() && parsed->system == system) return parsed->value;
  }
  return std::nullopt;
}

Json ToJson(const Coding& coding) {
  Json out{{"system", coding.system}, {"code", coding.code}};
  if (!coding.display.empty()) out["display"] = coding.display;
  return out;
}

Json CodeableConcept(const std::vector<Coding>& codings, std::string_view text) {
  Json out = Json::object();
  if (!codings.empty()) {
    Json list = Json::array();
    for (const Coding& c : codings) list.push_back(ToJson(c));
    out["coding"] = std::move(list);
  }
  if (!text.empty()) out["text"] = std::string(text);
  return out;
}

bool HasCoding(const Json& codeable_concept, std::string_view system, std::string_view code) {
  if (!codeable_concept.is_object()) return false;
  auto codings = codeable_concept.find("coding");
  if (codings == codeable_concept.end() || !codings->is_array()) return false;
  for (const Json& c : *codings) {
    if (!c.is_object()) continue;
    if (GetString(c, "system") == system && GetString(c, "code") == code) return true;
  }
  return false;
}

Json LiteralReference(std::string_view type, std::string_view id, std::string_view display) {
  Json out{{"reference", std::string(type) + "/" + std::string(id)}};
  if (!display.empty()) out["display"] = std::string(display);
  return out;
}

Json LogicalReference(std::string_view type, const Identifier& identifier,
                      std::string_view display) {
  Json out{{"type", std::string(type)}, {"identifier", ToJson(identifier)}};
  if (!display.empty()) out["display"] = std::string(display);
  return out;
}

Json BundleReference(std::string_view full_url, std::string_view display) {
  Json out{{"reference", std::string(full_url)}};
  if (!display.empty()) out["display"] = std::string(display);
  return out;
}

void AddProfile(Json& resource, std::string_view profile_url) {
  if (profile_url.empty()) return;
  Json& meta = resource["meta"];
  if (!meta.is_object()) meta = Json::object();
  Json& profiles = meta["profile"];
  if (!profiles.is_array()) profiles = Json::array();
  for (const Json& p : profiles) {
    if (p.is_string() && p.get<std::string>() == profile_url) return;
  }
  profiles.push_back(std::string(profile_url));
}

std::vector<std::string> Profiles(const Json& resource) {
  std::vector<std::string> out;
  if (!resource.is_object()) return out;
  auto meta = resource.find("meta");
  if (meta == resource.end() || !meta->is_object()) return out;
  auto profiles = meta->find("profile");
  if (profiles == meta->end() || !profiles->is_array()) return out;
  for (const Json& p : *profiles) {
    if (p.is_string()) out.push_back(p.get<std::string>());
  }
  return out;
}

std::string EscapeSearchValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '|' || c == ',' || c == '$') out += '\\';
    out += c;
  }
  return out;
}

std::string IdentifierQuery(std::string_view system, std::string_view value) {
  return "identifier=" +
         PercentEncode(EscapeSearchValue(system) + "|" + EscapeSearchValue(value));
}

std::string ConditionalUrl(std::string_view type, const Identifier& identifier) {
  return std::string(type) + "?" + IdentifierQuery(identifier.system, identifier.value);
}

std::string NewUuidUrn() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    // The OpenSSL RNG failing is a broken machine; fall back rather than
    // hand out a predictable id (fullUrls only need uniqueness in a Bundle).
    std::random_device rd;
    for (unsigned char& x : b) x = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return std::string("urn:uuid:") + text;
}

}  // namespace sa::fhir
