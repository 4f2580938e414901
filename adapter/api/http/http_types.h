// The request and response values every endpoint handler sees: plain structs,
// no Poco, so handlers and their tests compile without the server library.
#ifndef SA_ADAPTER_API_HTTP_HTTP_TYPES_H_
#define SA_ADAPTER_API_HTTP_HTTP_TYPES_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sa::adapter::api {

// Ordered (name, value) pairs: headers or query parameters.
using NameValueList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;          // as sent ("GET"); methods are case-sensitive
  std::string path;            // percent-decoded, without the query
  std::string target;          // the raw request-target, as sent (path and query)
  NameValueList query;         // decoded ('+' is a space), in the order sent
  NameValueList headers;       // names lower-cased, values trimmed, in the order sent
  std::string body;            // de-chunked; at most ServerLimits::max_body_bytes
  std::string remote_address;  // the peer's IP address, without the port
  std::string request_id;      // the accepted X-Request-Id, or a generated one
  // The verified client certificate's subject in RFC 2253 form, most specific
  // first ("CN=office.example,O=Example Trust"); empty without mutual TLS.
  std::string client_cert_subject;
  std::map<std::string, std::string> path_params;  // "{id}" -> decoded segment
  std::string route;  // the matched pattern ("/v1/sessions/{id}"), for logs and metrics

  // The first header named `name` (any case), or nullopt. Duplicates of the
  // headers that must be single (Host, Authorization, Content-Type...) are
  // refused by the server before any handler runs.
  std::optional<std::string> Header(std::string_view name) const;
  // The first query parameter named exactly `name`, or nullopt.
  std::optional<std::string> Query(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers. The server owns framing (Content-Length, Connection,
  // Transfer-Encoding) and the standard ones (X-Request-Id, Cache-Control,
  // X-Content-Type-Options): it replaces any a handler sets.
  NameValueList headers;

  // A JSON response; invalid UTF-8 in strings is replaced, never thrown.
  static HttpResponse Json(int status, const nlohmann::json& body);
};

// The standard reason phrase of `status` ("Not Found"), or "Unknown".
const char* ReasonPhrase(int status);

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_HTTP_TYPES_H_
