#include "fhir/client.h"

#include "fhir/operation_outcome.h"
#include "fhir/url.h"

namespace sa::fhir {
namespace {

bool IsAbsolute(std::string_view url) { return url.find("://") != std::string_view::npos; }

bool Is2xx(int status) { return status >= 200 && status < 300; }

StatusOr<Json> ParseBody(const HttpResponse& response, const char* what) {
  StatusOr<Json> json = ParseJson(response.body);
  if (!json.ok()) {
    return Status::Permanent(std::string(what) + ": server answered with a body that is not JSON");
  }
  return json;
}

}  // namespace

StatusOr<std::unique_ptr<FhirClient>> FhirClient::Create(FhirClientOptions options,
                                                         FhirClientDeps deps) {
  if (!deps.transport) return Status::InvalidArgument("FhirClient needs a transport");
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  StatusOr<UrlParts> base = ParseUrl(options.base_url);
  if (!base.ok()) return Status::InvalidArgument("base_url: " + base.status().message());
  if (!base->query.empty()) return Status::InvalidArgument("base_url must not have a query");
  SA_RETURN_IF_ERROR(ValidateRetryPolicy(options.retry));
  if (options.max_search_pages < 1) {
    return Status::InvalidArgument("max_search_pages must be at least 1");
  }
  if (!deps.clock) deps.clock = RealClock();
  std::unique_ptr<RandomSource> owned;
  if (!deps.random) {
    owned = MakeRandomSource();
    deps.random = owned.get();
  }
  return std::unique_ptr<FhirClient>(new FhirClient(std::move(options), deps, std::move(owned)));
}

Status FhirClient::Authorize(HttpRequest& request) {
  if (!deps_.auth) return Status::Ok();
  SA_ASSIGN_OR_RETURN(std::string header, deps_.auth->AuthorizationHeader());
  if (!header.empty()) request.headers.Set("Authorization", header);
  return Status::Ok();
}

StatusOr<HttpResponse> FhirClient::Exchange(HttpMethod method, std::string_view path_or_url,
                                            std::string body) {
  HttpRequest request;
  request.method = method;
  if (IsAbsolute(path_or_url)) {
    if (!SameOrigin(path_or_url, options_.base_url)) {
      return Status::Permanent("refusing to send a request off the FHIR server's origin");
    }
    request.url = EncodeUnsafeUriBytes(path_or_url);
  } else {
    request.url = EncodeUnsafeUriBytes(JoinUrl(options_.base_url, path_or_url));
  }
  request.headers.Set("Accept", kFhirJson);
  if (!body.empty()) request.headers.Set("Content-Type", kFhirJson);
  request.body = std::move(body);
  request.timeout = options_.request_timeout;

  bool refreshed = false;
  auto attempt = [&]() -> StatusOr<HttpResponse> {
    HttpRequest sent = request;
    SA_RETURN_IF_ERROR(Authorize(sent));
    SA_ASSIGN_OR_RETURN(HttpResponse response, deps_.transport->Send(sent));
    if (response.status == 401 && deps_.auth && !refreshed) {
      // One refresh per call: a token the server no longer accepts (revoked,
      // clock skew) is replaced; a second 401 means the credentials are wrong.
      refreshed = true;
      deps_.auth->Invalidate();
      sent = request;
      SA_RETURN_IF_ERROR(Authorize(sent));
      SA_ASSIGN_OR_RETURN(response, deps_.transport->Send(sent));
    }
    return response;
  };
  Retrier retrier(options_.retry, deps_.clock, deps_.random);
  return retrier.Run(attempt);
}

Status FhirClient::ErrorFor(const HttpResponse& response) const {
  if (response.status == 401) {
    return Status::PermissionDenied("HTTP 401 after a credential refresh: " +
                                    RenderErrorBody(response.body));
  }
  return HttpErrorStatus(response, options_.retry);
}

StatusOr<HttpResponse> FhirClient::Execute(HttpMethod method, std::string_view path_or_url,
                                           std::string body) {
  SA_ASSIGN_OR_RETURN(HttpResponse response, Exchange(method, path_or_url, std::move(body)));
  if (!Is2xx(response.status)) return ErrorFor(response);
  return response;
}

StatusOr<TransactionResponse> FhirClient::Transaction(const Json& bundle) {
  if (!bundle.is_object() || GetString(bundle, "resourceType") != "Bundle") {
    return Status::InvalidArgument("Transaction needs a Bundle");
  }
  std::string type = GetString(bundle, "type");
  if (type != "transaction" && type != "batch") {
    return Status::InvalidArgument("Bundle.type must be transaction or batch");
  }
  size_t sent_entries = bundle.contains("entry") && bundle["entry"].is_array()
                            ? bundle["entry"].size() : 0;
  std::string body;
  try {
    body = bundle.dump();
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("Bundle not serialisable: ") + e.what());
  }
  SA_ASSIGN_OR_RETURN(HttpResponse response, Execute(HttpMethod::kPost, "", std::move(body)));
  SA_ASSIGN_OR_RETURN(Json json, ParseBody(response, "transaction"));
  StatusOr<TransactionResponse> parsed = ReadTransactionResponse(json);
  if (!parsed.ok()) return Status::Permanent("transaction: " + parsed.status().message());
  if ((parsed->type == BundleType::kTransaction) != (type == "transaction")) {
    return Status::Permanent("transaction: response Bundle type does not match the request");
  }
  if (parsed->entries.size() != sent_entries) {
    return Status::Permanent("transaction: server answered " +
                             std::to_string(parsed->entries.size()) + " entries for " +
                             std::to_string(sent_entries));
  }
  return parsed;
}

StatusOr<SearchResult> FhirClient::Search(std::string_view type, std::string_view query) {
  if (!IsValidResourceType(type)) return Status::InvalidArgument("bad resource type for search");
  std::string url = std::string(type);
  if (!query.empty()) url += "?" + std::string(query);
  SearchResult result;
  while (true) {
    SA_ASSIGN_OR_RETURN(HttpResponse response, Execute(HttpMethod::kGet, url));
    SA_ASSIGN_OR_RETURN(Json page, ParseBody(response, "search"));
    if (!page.is_object() || GetString(page, "resourceType") != "Bundle" ||
        GetString(page, "type") != "searchset") {
      return Status::Permanent("search: response is not a searchset Bundle");
    }
    ++result.pages;
    if (result.pages == 1) {
      if (auto t = page.find("total"); t != page.end() && t->is_number_integer()) {
        result.total = t->get<int64_t>();
      }
    }
    for (Json& r : SearchMatches(page)) result.resources.push_back(std::move(r));
    std::optional<std::string> next = FindLink(page, "next");
    if (!next) break;
    if (result.pages >= options_.max_search_pages) {
      result.truncated = true;
      break;
    }
    if (!next->empty() && next->front() == '/') {
      // An absolute path resolves against the server's origin, not the base.
      url = ParseUrl(options_.base_url)->Origin() + *next;
    } else if (!IsAbsolute(*next)) {
      url = *next;  // a relative link resolves against the base URL
    } else if (SameOrigin(*next, options_.base_url)) {
      url = *next;
    } else {
      return Status::Permanent("search: next link leaves the FHIR server's origin");
    }
  }
  return result;
}

StatusOr<Json> FhirClient::Read(std::string_view type, std::string_view id) {
  if (!IsValidResourceType(type) || !IsValidId(id)) {
    return Status::InvalidArgument("bad resource type or id for read");
  }
  std::string path = std::string(type) + "/" + std::string(id);
  SA_ASSIGN_OR_RETURN(HttpResponse response, Exchange(HttpMethod::kGet, path, {}));
  if (response.status == 404 || response.status == 410) {
    return Status::NotFound(path + " not found (HTTP " + std::to_string(response.status) + ")");
  }
  if (!Is2xx(response.status)) return ErrorFor(response);
  SA_ASSIGN_OR_RETURN(Json resource, ParseBody(response, "read"));
  if (!resource.is_object() || GetString(resource, "resourceType") != type) {
    return Status::Permanent("read: server returned a different resource type");
  }
  return resource;
}

StatusOr<Capabilities> FhirClient::ReadCapabilities() {
  SA_ASSIGN_OR_RETURN(HttpResponse response, Execute(HttpMethod::kGet, "metadata"));
  SA_ASSIGN_OR_RETURN(Json statement, ParseBody(response, "metadata"));
  StatusOr<Capabilities> caps = ParseCapabilityStatement(statement);
  if (!caps.ok()) return Status::Permanent("metadata: " + caps.status().message());
  return caps;
}

}  // namespace sa::fhir
