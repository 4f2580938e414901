// Request ids: a client's X-Request-Id is kept when it is safe to echo and
// log; otherwise the server makes one. It ties the response, the problem
// body and every log line of a request together.
#ifndef SA_ADAPTER_API_HTTP_REQUEST_ID_H_
#define SA_ADAPTER_API_HTTP_REQUEST_ID_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace sa::adapter::api {

// The longest incoming X-Request-Id accepted.
inline constexpr std::size_t kMaxRequestIdBytes = 64;

// True when `id` matches [A-Za-z0-9._-]{1,64}: safe in headers, logs and JSON.
bool IsValidRequestId(std::string_view id);

// 16 lower-case hex digits from a CSPRNG (64 random bits).
std::string NewRequestId();

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_REQUEST_ID_H_
