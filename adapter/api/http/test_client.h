// Test support: real HTTP clients for the server tests (Poco's
// HTTPClientSession and HTTPSClientSession, and a raw socket for requests no
// well-behaved client would send), and a log sink that keeps lines.
// Test-only; includes Poco.
#ifndef SA_ADAPTER_API_HTTP_TEST_CLIENT_H_
#define SA_ADAPTER_API_HTTP_TEST_CLIENT_H_

#include <Poco/Net/Context.h>

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "adapter/api/http/log.h"

namespace sa::adapter::api::testing {

struct ClientRequest {
  std::string method = "GET";
  std::string path = "/";  // sent as is (raw)
  std::string body;
  std::string content_type;  // sent when not empty
  std::vector<std::pair<std::string, std::string>> headers;
  bool chunked = false;  // Transfer-Encoding: chunked instead of Content-Length
};

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The header's value, or "" when absent.
  std::string Header(const std::string& lower_name) const;
  // The body as JSON (null when it is not JSON).
  nlohmann::json Json() const;
};

// One request on a fresh connection to 127.0.0.1:port.
ClientResponse Call(int port, const ClientRequest& request);

// The same over TLS with `context`; throws whatever Poco throws, so tests
// can expect a refused handshake.
ClientResponse CallTls(int port, Poco::Net::Context::Ptr context, const ClientRequest& request);

// A client context that trusts `ca_file` and checks the server's name, with
// a client certificate when `cert_file` is given.
Poco::Net::Context::Ptr ClientContext(const std::string& ca_file, const std::string& cert_file = "",
                                      const std::string& key_file = "");

// Sends `bytes` on a plain connection and returns all it reads until the
// server closes the connection or `timeout` passes.
std::string RawExchange(int port, const std::string& bytes,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The first response in `raw`: status, headers, and a Content-Length body.
ClientResponse ParseRawResponse(const std::string& raw);

// True when a TCP connect to 127.0.0.1:port is refused.
bool ConnectRefused(int port);

// Keeps the server's log lines (ServerOptions::log) for inspection.
class LogCapture {
 public:
  LogSink Sink();
  std::vector<nlohmann::json> Lines() const;
  // Every line joined by newlines, for "never contains" checks.
  std::string Text() const;
  // Waits up to `timeout` for a line containing `needle`; true once one is
  // there. For lines the server writes from its own thread after the client
  // has already seen the outcome (a refused TLS handshake).
  bool WaitFor(const std::string& needle,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace sa::adapter::api::testing

#endif  // SA_ADAPTER_API_HTTP_TEST_CLIENT_H_
