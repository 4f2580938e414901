// RFC 9457 problem details: the one error body every endpoint returns, so
// clients parse errors one way and never see internal messages for a 500.
#ifndef SA_ADAPTER_API_HTTP_PROBLEM_H_
#define SA_ADAPTER_API_HTTP_PROBLEM_H_

#include <string>
#include <utility>
#include <vector>

#include "adapter/api/http/http_types.h"
#include "fhir/status.h"

namespace sa::adapter::api {

inline constexpr char kProblemContentType[] = "application/problem+json";

// The detail of every 500: internal messages and exception text never leave
// the process (they may quote confidential data or reveal internals).
inline constexpr char kInternalErrorDetail[] =
    "the request could not be completed; quote the requestId when reporting it";

// A problem+json response. The body always has "type", "title" and "status";
// "detail" when not empty; "errors" ([{"pointer", "reason"}], from `errors`
// as (JSON Pointer, reason) pairs) when not empty. The server adds
// "requestId" when it finishes the response, unless the body has one.
HttpResponse Problem(int status, std::string title, std::string detail = "",
                     const std::vector<std::pair<std::string, std::string>>& errors = {},
                     std::string type = "about:blank");

// Maps a Status to a problem, so handlers can return errors from lower
// layers directly: InvalidArgument -> 422, NotFound -> 404, Conflict and
// FailedPrecondition -> 409, PermissionDenied -> 403, Unavailable -> 503 (with
// the message as detail); every other code (and ok, which is a bug here) ->
// 500 with kInternalErrorDetail, never the Status message.
HttpResponse FromStatus(const Status& status);

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_PROBLEM_H_
