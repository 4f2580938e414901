#include "adapter/api/http/pipeline.h"

#include <algorithm>
#include <string>

#include "adapter/api/http/ascii.h"
#include "adapter/api/http/log.h"
#include "adapter/api/http/problem.h"
#include "adapter/api/http/request_id.h"

namespace sa::adapter::api {
namespace {

// Methods get their own metrics label; any other is "other" (bounded labels).
std::string MethodLabel(const std::string& method) {
  static const char* const kKnown[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  for (const char* m : kKnown) {
    if (method == m) return method;
  }
  return "other";
}

bool HasJsonBodyRule(const HttpRequest& r) {
  return !r.body.empty() && (r.method == "POST" || r.method == "PUT" || r.method == "PATCH");
}

void SetHeader(HttpResponse* response, const std::string& name, const std::string& value) {
  std::string lower = AsciiLower(name);
  auto& h = response->headers;
  h.erase(std::remove_if(h.begin(), h.end(),
                         [&](const auto& p) { return AsciiLower(p.first) == lower; }),
          h.end());
  h.emplace_back(name, value);
}

}  // namespace

void AssignRequestId(HttpRequest* request) {
  std::optional<std::string> incoming = request->Header("x-request-id");
  request->request_id = incoming && IsValidRequestId(*incoming) ? *incoming : NewRequestId();
}

bool IsJsonMediaType(std::string_view content_type) {
  std::string type = AsciiLower(TrimOws(content_type.substr(0, content_type.find(';'))));
  if (type == "application/json") return true;
  return type.rfind("application/", 0) == 0 && type.size() > 17 &&
         type.compare(type.size() - 5, 5, "+json") == 0;
}

RequestPipeline::RequestPipeline(const Router* router, const ServerOptions* options)
    : router_(router), options_(options) {
  const ServerLimits& l = options->limits;
  if (l.rate_limit_per_second > 0) {
    limiter_ = std::make_unique<RateLimiter>(l.rate_limit_per_second, l.rate_limit_burst,
                                             l.rate_limit_max_keys, options->clock);
  }
  if (MetricsRegistry* m = options->metrics) {
    requests_ = &m->AddCounter("http_requests_total", "HTTP requests answered.",
                               {"route", "method", "status"});
    durations_ =
        &m->AddHistogram("http_request_duration_seconds",
                         "Seconds from a request's first byte to its response being ready.",
                         MetricsRegistry::DefaultDurationBuckets(), {"route"});
    in_flight_ = &m->AddGauge("http_requests_in_flight", "HTTP requests being served.");
  }
}

HttpResponse RequestPipeline::Handle(HttpRequest& request) {
  try {
    if (limiter_) {
      std::string key =
          options_->client_key ? options_->client_key(request) : request.remote_address;
      RateLimiter::Decision d = limiter_->Take(key);
      if (!d.allowed) {
        HttpResponse r = Problem(429, ReasonPhrase(429), "too many requests; retry later");
        r.headers.emplace_back("Retry-After", std::to_string(d.retry_after_seconds));
        return r;
      }
    }
    HttpResponse error;
    const Router::Handler* handler = router_->Match(request, &error);
    if (!handler) return error;
    if (HasJsonBodyRule(request) && !IsJsonMediaType(request.Header("content-type").value_or(""))) {
      return Problem(415, ReasonPhrase(415), "the request body must be application/json");
    }
    return (*handler)(request);
  } catch (...) {
    // Never the exception's text: it may quote request data.
    Log("error", request.request_id,
        {{"event", "handler_exception"},
         {"route", request.route.empty() ? kUnmatchedRoute : request.route}});
    return Problem(500, ReasonPhrase(500), kInternalErrorDetail);
  }
}

void RequestPipeline::Finish(const HttpRequest& request, HttpResponse* response) {
  if (response->status < 200 || response->status > 599) {
    Log("error", request.request_id,
        {{"event", "bad_status"}, {"route", request.route}, {"status", response->status}});
    *response = Problem(500, ReasonPhrase(500), kInternalErrorDetail);
  }
  if (response->content_type == kProblemContentType) {
    nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
    if (body.is_object() && !body.contains("requestId")) {
      body["requestId"] = request.request_id;
      response->body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  SetHeader(response, "X-Request-Id", request.request_id);
  SetHeader(response, "Cache-Control", "no-store");
  SetHeader(response, "X-Content-Type-Options", "nosniff");
}

void RequestPipeline::Record(const HttpRequest& request, int status,
                             std::chrono::steady_clock::duration elapsed, std::size_t bytes_in,
                             std::size_t bytes_out) {
  const std::string& route = request.route.empty() ? std::string(kUnmatchedRoute) : request.route;
  double seconds = std::chrono::duration<double>(elapsed).count();
  double ms = static_cast<double>(static_cast<long long>(seconds * 1e6)) / 1e3;
  Log(status >= 500 ? "error" : "info", request.request_id,
      {{"event", "http_request"},
       {"method", request.method},
       {"route", route},
       {"status", status},
       {"durationMs", ms},
       {"client", request.remote_address},
       {"bytesIn", bytes_in},
       {"bytesOut", bytes_out}});
  if (requests_) requests_->Inc({route, MethodLabel(request.method), std::to_string(status)});
  if (durations_) durations_->Observe({route}, seconds);
}

void RequestPipeline::Log(std::string_view level, std::string_view request_id,
                          const nlohmann::json& fields) {
  std::string line = LogLine(level, request_id, fields);
  try {
    if (options_->log) {
      options_->log(line);
    } else {
      WriteLogLine(line);
    }
  } catch (...) {
    // A failing log sink must not take a request down with it.
  }
}

void RequestPipeline::AddInFlight(int delta) {
  if (in_flight_) in_flight_->Add({}, delta);
}

}  // namespace sa::adapter::api
