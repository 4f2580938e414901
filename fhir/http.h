// The HTTP transport interface, and the options every transport honours.
//
// The FHIR client and the SMART token call talk to this interface only, so
// tests script responses with a fake (fhir/fake_transport.h) and the one real
// implementation (cpprest_transport.cc) keeps its heavy headers to itself.
#ifndef SA_FHIR_HTTP_H_
#define SA_FHIR_HTTP_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/status.h"

namespace sa::fhir {

enum class HttpMethod { kGet, kPost, kPut, kPatch, kDelete };

// "GET", "POST", …: the request-line token for `method`.
const char* HttpMethodName(HttpMethod method);

// Header fields in arrival order, looked up case-insensitively (RFC 9110).
class HttpHeaders {
 public:
  // Replaces every field named `name` with one field holding `value`.
  void Set(std::string_view name, std::string_view value);
  // Appends a field, keeping any earlier one of the same name.
  void Add(std::string_view name, std::string_view value);
  // The first value of `name`, matched case-insensitively.
  std::optional<std::string> Get(std::string_view name) const;
  // Removes every field named `name`.
  void Remove(std::string_view name);
  // Every field, in order (what a transport puts on the wire).
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// True if `a` and `b` are equal ignoring ASCII case (header names, tokens).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string url;  // absolute http(s) URL, already percent-encoded
  HttpHeaders headers;
  std::string body;
  // Whole-request deadline; zero means the transport's request_timeout.
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
};

// Sends one request and returns the response, whatever its status code.
// Errors are for requests that got no complete response: network failures
// and timeouts are Unavailable; a response over the size limit is Permanent;
// a malformed request is InvalidArgument. Implementations must be safe to call
// from several threads at once and never throw.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request`; see the class comment for the error contract.
  virtual StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

// Largest response body a transport accepts (16 MiB). A FHIR page or a
// transaction-response is far smaller; anything bigger is a misbehaving peer
// and is refused rather than buffered.
inline constexpr size_t kDefaultMaxResponseBytes = 16 * 1024 * 1024;
// How long to wait for a TCP + TLS connection to a FHIR server.
inline constexpr std::chrono::milliseconds kDefaultConnectTimeout{10'000};
// Deadline for a whole exchange (connect, send, response complete).
inline constexpr std::chrono::milliseconds kDefaultRequestTimeout{60'000};

// Transport settings, chosen by integrators in config. There is no proxy
// setting on purpose: transports connect directly and ignore proxy variables.
struct TransportOptions {
  bool verify_tls = true;        // verify the server's chain and host name
  std::string ca_file;           // PEM bundle; when set, the ONLY trusted CAs
  std::string client_cert_file;  // PEM chain for mutual TLS (with key file)
  std::string client_key_file;   // PEM private key for mutual TLS
  std::chrono::milliseconds connect_timeout = kDefaultConnectTimeout;
  std::chrono::milliseconds request_timeout = kDefaultRequestTimeout;
  size_t max_response_bytes = kDefaultMaxResponseBytes;
};

// Checks options are coherent (both or neither of cert and key, positive
// timeouts and limit, files readable); reports every problem at once.
Status ValidateTransportOptions(const TransportOptions& options);

}  // namespace sa::fhir

#endif  // SA_FHIR_HTTP_H_
