// The HTTP/1.1 server under `supervision-adapter serve`: limits, TLS and
// mutual TLS, request ids, rate limiting, problem+json errors, one log line
// and metrics per request, graceful shutdown. Endpoints are Router handlers;
// this header (and everything it includes) is Poco-free.
#ifndef SA_ADAPTER_API_HTTP_SERVER_H_
#define SA_ADAPTER_API_HTTP_SERVER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapter/api/http/http_types.h"
#include "adapter/api/http/limits.h"
#include "adapter/api/http/log.h"
#include "adapter/api/http/metrics.h"
#include "adapter/api/http/router.h"
#include "fhir/clock.h"
#include "fhir/status.h"

namespace sa::adapter::api {

struct TlsOptions {
  std::string cert_file;  // PEM: the server certificate, then any intermediates
  std::string key_file;   // PEM: its private key, unencrypted
  // PEM CA certificates that client certificates must chain to. When set, a
  // client certificate is asked for and, if presented, verified; a bad one
  // fails the handshake.
  std::optional<std::string> client_ca_file;
  // Refuse the handshake when the client presents no certificate (needs
  // client_ca_file).
  bool require_client_cert = false;
};

struct ServerOptions {
  // "host:port" ("[::1]:port" for IPv6); port 0 picks a free port (port()).
  std::string listen = "127.0.0.1:0";
  // TLS 1.2 or later when set; plain HTTP otherwise.
  std::optional<TlsOptions> tls;
  ServerLimits limits;
  // The rate-limit key of a request; default: its remote IP. Runs before
  // routing, on every request.
  std::function<std::string(const HttpRequest&)> client_key;
  // Receives the one log line per request (and the server's own lines);
  // called from many threads at once. Default: the process sink of log.h
  // (stderr unless SetLogSink).
  LogSink log;
  // When set (not owned; must outlive the server): http_requests_total
  // {route,method,status}, http_request_duration_seconds{route} and
  // http_requests_in_flight are recorded in it.
  MetricsRegistry* metrics = nullptr;
  // The rate limiter's clock (not owned); default the real clock. Tests pass
  // a fhir::FakeClock to refill buckets without waiting.
  fhir::Clock* clock = nullptr;
};

class HttpServer {
 public:
  // Validates `options` and `router` (non-null, router->status() ok; not
  // owned, must outlive the server), binds (SO_REUSEADDR, never
  // SO_REUSEPORT: a port in use is an error), and starts serving on a thread
  // pool. InvalidArgument for bad options or TLS files, Unavailable when the
  // address cannot be bound. Sets SIGPIPE to ignored when it has the default
  // action (a write to a closed connection must not end the process).
  static StatusOr<std::unique_ptr<HttpServer>> Start(ServerOptions options, const Router* router);

  // Shutdown(limits.shutdown_drain) unless Shutdown already ran.
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the real one when listen asked for port 0).
  int port() const;
  // "http://HOST:PORT" or "https://HOST:PORT"; a wildcard listen host
  // (0.0.0.0, ::) is given as 127.0.0.1.
  std::string base_url() const;

  // Graceful stop: new connections are refused at once; idle keep-alive
  // connections are closed; requests in flight may finish (their responses
  // say Connection: close) for up to `drain`; then every connection is
  // closed. Returns when every connection thread has finished, so a handler
  // that never returns blocks it (and a handler must never call it).
  // Idempotent; later calls return at once.
  void Shutdown(std::chrono::milliseconds drain);

  // Requests whose first byte arrived and whose response is not yet made
  // (Shutdown itself waits for connections, which includes the sending).
  int in_flight() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_SERVER_H_
