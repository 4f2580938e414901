// Every limit the HTTP server enforces, as a named constant (cpp-httplib's
// habit) and as a field of ServerLimits, so configuration can change one
// without anyone hunting for a magic number.
#ifndef SA_ADAPTER_API_HTTP_LIMITS_H_
#define SA_ADAPTER_API_HTTP_LIMITS_H_

#include <chrono>
#include <cstddef>

#include "adapter/api/http/rate_limiter.h"

namespace sa::adapter::api {

struct ServerLimits {
  // Largest request body (Content-Length, or the de-chunked total); more is
  // 413. A session record is far smaller; this bounds memory per request.
  static constexpr std::size_t kMaxBodyBytes = 1 << 20;  // 1 MiB
  // Most header fields (and chunked trailer fields) in one request; more is 431.
  static constexpr std::size_t kMaxHeaderCount = 64;
  // Longest single header line ("name: value"); longer is 431.
  static constexpr std::size_t kMaxHeaderLineBytes = 8 << 10;  // 8 KiB
  // Longest request-target (path and query); longer is 414.
  static constexpr std::size_t kMaxUriBytes = 8 << 10;  // 8 KiB
  // Time allowed to receive one whole request (head and body) once its first
  // byte arrived, and to send one response; a slow client gets 408 and is
  // disconnected (slowloris). Also the TLS handshake's limit.
  static constexpr std::chrono::milliseconds kRequestTimeout{15'000};
  // How long an idle keep-alive connection is kept. Each open connection
  // holds a server thread, so this is short.
  static constexpr std::chrono::milliseconds kKeepAliveTimeout{5'000};
  // Requests served on one connection before it is closed (spreads load).
  static constexpr int kMaxRequestsPerConnection = 1'000;
  // Connections served at once (one thread each).
  static constexpr int kMaxThreads = 16;
  // Accepted connections waiting for a thread; beyond it they are closed
  // without a response.
  static constexpr int kMaxQueued = 64;
  // Requests per second per client key (token refill rate); 0 disables.
  static constexpr double kRateLimitPerSecond = 20;
  // Requests a client key may send at once (bucket size).
  static constexpr double kRateLimitBurst = 40;
  // Client keys tracked by the rate limiter.
  static constexpr std::size_t kRateLimitMaxKeys = RateLimiter::kMaxTrackedKeys;
  // Drain time the destructor gives in-flight requests when Shutdown was
  // not called.
  static constexpr std::chrono::milliseconds kShutdownDrain{5'000};

  std::size_t max_body_bytes = kMaxBodyBytes;
  std::size_t max_header_count = kMaxHeaderCount;
  std::size_t max_header_line_bytes = kMaxHeaderLineBytes;
  std::size_t max_uri_bytes = kMaxUriBytes;
  std::chrono::milliseconds request_timeout = kRequestTimeout;
  std::chrono::milliseconds keep_alive_timeout = kKeepAliveTimeout;
  int max_requests_per_connection = kMaxRequestsPerConnection;
  int max_threads = kMaxThreads;
  int max_queued = kMaxQueued;
  double rate_limit_per_second = kRateLimitPerSecond;
  double rate_limit_burst = kRateLimitBurst;
  std::size_t rate_limit_max_keys = kRateLimitMaxKeys;
  std::chrono::milliseconds shutdown_drain = kShutdownDrain;
};

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_LIMITS_H_
