#include "fhir/bundle.h"

#include <charconv>
#include <utility>

namespace sa::fhir {
namespace {

// Checks an entry URL is relative and of the form Type, Type/id or Type?query.
Status CheckEntryUrl(std::string_view url) {
  size_t cut = url.find_first_of("/?");
  std::string_view type = url.substr(0, cut);
  if (!IsValidResourceType(type)) {
    return Status::InvalidArgument("entry url must start with a resource type");
  }
  if (cut == std::string_view::npos) return Status::Ok();
  if (url[cut] == '?') {
    if (url.find_first_of(" \r\n\t") != std::string_view::npos) {
      return Status::InvalidArgument("entry url query must be percent-encoded");
    }
    return Status::Ok();
  }
  if (!IsValidId(url.substr(cut + 1))) return Status::InvalidArgument("entry url has a bad id");
  return Status::Ok();
}

std::string_view TypeOfUrl(std::string_view url) { return url.substr(0, url.find_first_of("/?")); }

}  // namespace

const char* BundleTypeName(BundleType type) {
  return type == BundleType::kTransaction ? "transaction" : "batch";
}

StatusOr<std::string> BundleBuilder::AddWrite(HttpMethod method, Json resource,
                                              std::string_view url, std::string_view full_url,
                                              Json request_extras) {
  if (!resource.is_object() || !resource.contains("resourceType") ||
      !resource["resourceType"].is_string()) {
    return Status::InvalidArgument("entry resource has no resourceType");
  }
  std::string type = resource["resourceType"].get<std::string>();
  SA_RETURN_IF_ERROR(CheckEntryUrl(url));
  if (TypeOfUrl(url) != type) {
    return Status::InvalidArgument("entry url type differs from resourceType " + type);
  }
  std::string fu = full_url.empty() ? NewUuidUrn() : std::string(full_url);
  if (fu.rfind("urn:uuid:", 0) != 0) return Status::InvalidArgument("fullUrl must be urn:uuid");
  if (!full_urls_.insert(fu).second) return Status::InvalidArgument("duplicate fullUrl " + fu);
  Json request{{"method", HttpMethodName(method)}, {"url", std::string(url)}};
  for (auto& [k, v] : request_extras.items()) request[k] = v;
  entries_.push_back(
      Json{{"fullUrl", fu}, {"resource", std::move(resource)}, {"request", std::move(request)}});
  return fu;
}

StatusOr<std::string> BundleBuilder::AddCreate(Json resource, std::string_view if_none_exist,
                                               std::string_view full_url) {
  std::string type = GetString(resource, "resourceType");
  Json extras = Json::object();
  if (!if_none_exist.empty()) extras["ifNoneExist"] = std::string(if_none_exist);
  return AddWrite(HttpMethod::kPost, std::move(resource), type, full_url, std::move(extras));
}

StatusOr<std::string> BundleBuilder::AddConditionalCreate(Json resource,
                                                          const Identifier& identifier,
                                                          std::string_view full_url) {
  return AddCreate(std::move(resource), IdentifierQuery(identifier.system, identifier.value),
                   full_url);
}

StatusOr<std::string> BundleBuilder::AddUpdate(Json resource, std::string_view url,
                                               std::string_view if_match,
                                               std::string_view full_url) {
  Json extras = Json::object();
  if (!if_match.empty()) extras["ifMatch"] = std::string(if_match);
  return AddWrite(HttpMethod::kPut, std::move(resource), url, full_url, std::move(extras));
}

StatusOr<std::string> BundleBuilder::AddConditionalUpdate(Json resource,
                                                          const Identifier& identifier,
                                                          std::string_view full_url) {
  if (identifier.system.empty() || identifier.value.empty()) {
    return Status::InvalidArgument("conditional update needs identifier system and value");
  }
  std::string type = GetString(resource, "resourceType");
  return AddUpdate(std::move(resource), ConditionalUrl(type, identifier), {}, full_url);
}

Status BundleBuilder::AddRead(std::string_view url) {
  SA_RETURN_IF_ERROR(CheckEntryUrl(url));
  entries_.push_back(Json{{"request", {{"method", "GET"}, {"url", std::string(url)}}}});
  return Status::Ok();
}

Status BundleBuilder::AddDelete(std::string_view url) {
  SA_RETURN_IF_ERROR(CheckEntryUrl(url));
  entries_.push_back(Json{{"request", {{"method", "DELETE"}, {"url", std::string(url)}}}});
  return Status::Ok();
}

Json BundleBuilder::Build() const& {
  BundleBuilder copy = *this;
  return std::move(copy).Build();
}

Json BundleBuilder::Build() && {
  Json out = Json::object();
  out["resourceType"] = "Bundle";
  out["type"] = BundleTypeName(type_);
  Json& entries = out["entry"] = Json::array();
  for (Json& e : entries_) entries.push_back(std::move(e));
  entries_.clear();
  return out;
}

StatusOr<int> ParseStatusLine(std::string_view status) {
  size_t n = 0;
  while (n < status.size() && n < 3 && status[n] >= '0' && status[n] <= '9') ++n;
  if (n != 3 || (status.size() > 3 && status[3] != ' ')) {
    return Status::InvalidArgument("bad entry status '" + std::string(status.substr(0, 40)) + "'");
  }
  int code = 0;
  std::from_chars(status.data(), status.data() + 3, code);
  if (code < 100) return Status::InvalidArgument("bad entry status code");
  return code;
}

StatusOr<ResourceLocation> ParseLocation(std::string_view location) {
  std::vector<std::string_view> segments;
  size_t q = location.find('?');
  std::string_view path = location.substr(0, q);
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  // Scan from the right for Type/id[/_history/vid].
  for (size_t i = segments.size(); i-- > 1;) {
    std::string_view type = segments[i - 1];
    std::string_view id = segments[i];
    if (!IsValidResourceType(type) || !IsValidId(id)) continue;
    ResourceLocation out{std::string(type), std::string(id), ""};
    if (i + 1 == segments.size()) return out;
    if (i + 3 == segments.size() && segments[i + 1] == "_history") {
      if (!IsValidId(segments[i + 2])) {
        return Status::InvalidArgument("location has a bad _history part");
      }
      out.version = std::string(segments[i + 2]);
      return out;
    }
  }
  return Status::InvalidArgument("location names no Type/id");
}

std::string VersionFromETag(std::string_view etag) {
  if (etag.rfind("W/", 0) == 0) etag.remove_prefix(2);
  if (etag.size() < 2 || etag.front() != '"' || etag.back() != '"') return "";
  return std::string(etag.substr(1, etag.size() - 2));
}

bool TransactionResponse::AllOk() const {
  for (const EntryResponse& e : entries) {
    if (!e.ok()) return false;
  }
  return true;
}

StatusOr<TransactionResponse> ReadTransactionResponse(const Json& bundle) {
  if (!bundle.is_object() || GetString(bundle, "resourceType") != "Bundle") {
    return Status::InvalidArgument("response is not a Bundle");
  }
  std::string type = GetString(bundle, "type");
  TransactionResponse out;
  if (type == "transaction-response") {
    out.type = BundleType::kTransaction;
  } else if (type == "batch-response") {
    out.type = BundleType::kBatch;
  } else {
    return Status::InvalidArgument("Bundle.type is '" + type.substr(0, 40) +
                                   "', not a transaction or batch response");
  }
  auto entries = bundle.find("entry");
  if (entries == bundle.end()) return out;
  if (!entries->is_array()) return Status::InvalidArgument("Bundle.entry is not an array");
  for (const Json& entry : *entries) {
    if (!entry.is_object() || !entry.contains("response") || !entry["response"].is_object()) {
      return Status::InvalidArgument("entry without response");
    }
    const Json& response = entry["response"];
    EntryResponse e;
    e.status = GetString(response, "status");
    SA_ASSIGN_OR_RETURN(e.status_code, ParseStatusLine(e.status));
    e.location = GetString(response, "location");
    e.etag = GetString(response, "etag");
    e.last_modified = GetString(response, "lastModified");
    if (auto o = response.find("outcome"); o != response.end() && o->is_object()) e.outcome = *o;
    if (auto r = entry.find("resource"); r != entry.end() && r->is_object()) e.resource = *r;
    out.entries.push_back(std::move(e));
  }
  return out;
}

std::optional<std::string> FindLink(const Json& bundle, std::string_view relation) {
  if (!bundle.is_object()) return std::nullopt;
  auto links = bundle.find("link");
  if (links == bundle.end() || !links->is_array()) return std::nullopt;
  for (const Json& link : *links) {
    if (!link.is_object()) continue;
    if (GetString(link, "relation") == relation) {
      std::string url = GetString(link, "url");
      if (!url.empty()) return url;
    }
  }
  return std::nullopt;
}

std::vector<Json> SearchMatches(const Json& bundle) {
  std::vector<Json> out;
  if (!bundle.is_object()) return out;
  auto entries = bundle.find("entry");
  if (entries == bundle.end() || !entries->is_array()) return out;
  for (const Json& entry : *entries) {
    if (!entry.is_object()) continue;
    auto resource = entry.find("resource");
    if (resource == entry.end() || !resource->is_object()) continue;
    std::string mode;
    if (auto s = entry.find("search"); s != entry.end() && s->is_object()) {
      mode = GetString(*s, "mode");
    }
    if (mode.empty() || mode == "match") out.push_back(*resource);
  }
  return out;
}

}  // namespace sa::fhir
