// Structured logs: one JSON object per line, each carrying the request id, so
// every line about a request can be found from the id a client quotes.
// Nothing here looks at bodies or headers: callers pass only the fields they
// mean to log (never bodies, Authorization, tokens or free text).
#ifndef SA_ADAPTER_API_HTTP_LOG_H_
#define SA_ADAPTER_API_HTTP_LOG_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sa::adapter::api {

// Receives one finished log line (a JSON object, no trailing newline).
using LogSink = std::function<void(const std::string& json_line)>;

// The line {"ts", "level", "requestId", ...fields}: ts is UTC RFC 3339 with
// milliseconds; `fields` (an object; anything else is logged under "data")
// cannot replace ts, level or requestId. Invalid UTF-8 is replaced.
std::string LogLine(std::string_view level, std::string_view request_id,
                    const nlohmann::json& fields);

// Sends LogLine(level, request_id, fields) to the process log sink: what
// SetLogSink installed, else one line on stderr. For handlers, so their
// lines join the server's request line under the same request id.
void LogJson(std::string_view level, std::string_view request_id, const nlohmann::json& fields);

// Replaces the process log sink (empty restores stderr). Thread-safe. The
// server writes to ServerOptions::log when set, else here.
void SetLogSink(LogSink sink);

// Writes `line` to the process log sink (used by the server).
void WriteLogLine(const std::string& line);

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_LOG_H_
