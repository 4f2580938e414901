// What happens to a request between the wire and the handler, and to the
// response on its way back: request id, rate limit, routing, media type,
// the handler (exceptions caught), standard headers, the log line, metrics.
// Poco-free, so server.cc is only about sockets.
#ifndef SA_ADAPTER_API_HTTP_PIPELINE_H_
#define SA_ADAPTER_API_HTTP_PIPELINE_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>

#include "adapter/api/http/http_types.h"
#include "adapter/api/http/metrics.h"
#include "adapter/api/http/rate_limiter.h"
#include "adapter/api/http/router.h"
#include "adapter/api/http/server.h"

namespace sa::adapter::api {

// The route label of requests no pattern matched (404, 405, unreadable).
inline constexpr char kUnmatchedRoute[] = "unmatched";

// Sets request->request_id: its X-Request-Id when IsValidRequestId, else new.
void AssignRequestId(HttpRequest* request);

// True for "application/json" and "application/<anything>+json" (any case,
// parameters such as charset ignored).
bool IsJsonMediaType(std::string_view content_type);

class RequestPipeline {
 public:
  // `router` and `options` must outlive the pipeline.
  RequestPipeline(const Router* router, const ServerOptions* options);

  // Runs a fully read request: rate limit (429 + Retry-After), routing (404,
  // 405), JSON media type for POST, PUT and PATCH bodies (415), then the
  // handler; an exception from it (or from client_key) is a 500 with the
  // generic detail, logged without its text.
  HttpResponse Handle(HttpRequest& request);

  // Finishes any response before it is sent: X-Request-Id, Cache-Control:
  // no-store and X-Content-Type-Options: nosniff (replacing a handler's),
  // "requestId" in a problem body that lacks it, a status outside 200-599
  // turned into a 500.
  void Finish(const HttpRequest& request, HttpResponse* response);

  // The one log line and the metrics of an answered request, just before
  // the response is sent: elapsed is from its first byte to the response
  // made; bytes_in and bytes_out are body bytes.
  void Record(const HttpRequest& request, int status, std::chrono::steady_clock::duration elapsed,
              std::size_t bytes_in, std::size_t bytes_out);

  // A server log line through ServerOptions::log (or the process sink).
  void Log(std::string_view level, std::string_view request_id, const nlohmann::json& fields);

  // Moves the in-flight gauge (when metrics are on).
  void AddInFlight(int delta);

 private:
  const Router* router_;
  const ServerOptions* options_;
  std::unique_ptr<RateLimiter> limiter_;
  Counter* requests_ = nullptr;
  Histogram* durations_ = nullptr;
  Gauge* in_flight_ = nullptr;
};

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_PIPELINE_H_
