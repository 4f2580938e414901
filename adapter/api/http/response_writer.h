// A finished HttpResponse as HTTP/1.1 bytes. The server alone frames
// responses (status line, Content-Length, Connection), so a handler cannot
// split a response or desynchronise a keep-alive connection.
#ifndef SA_ADAPTER_API_HTTP_RESPONSE_WRITER_H_
#define SA_ADAPTER_API_HTTP_RESPONSE_WRITER_H_

#include <string>

#include "adapter/api/http/http_types.h"

namespace sa::adapter::api {

// The status line, Date, Content-Type (when there is a body), Content-Length,
// Connection (keep-alive or close), the response's own headers (those with a
// bad name or a CR, LF or NUL in the value are dropped), then the body. No
// body for HEAD, 204 or 304.
std::string SerializeResponse(const HttpResponse& response, bool keep_alive, bool head_request);

// "HTTP/1.1 100 Continue": sent before reading a body the client holds back
// for it (Expect: 100-continue).
inline constexpr char kContinueResponse[] = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_RESPONSE_WRITER_H_
