#include "adapter/api/http/response_writer.h"

#include <cstdio>
#include <ctime>

#include "adapter/api/http/ascii.h"

namespace sa::adapter::api {
namespace {

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") for the Date header.
std::string HttpDate() {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

bool SafeValue(const std::string& v) {
  for (char c : v) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

}  // namespace

std::string SerializeResponse(const HttpResponse& response, bool keep_alive, bool head_request) {
  int status = response.status;
  bool no_body = status == 204 || status == 304 || (status >= 100 && status < 200);
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) + "\r\n";
  out += "Date: " + HttpDate() + "\r\n";
  if (!no_body) {
    if (!response.body.empty() && !response.content_type.empty() &&
        SafeValue(response.content_type)) {
      out += "Content-Type: " + response.content_type + "\r\n";
    }
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  }
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  for (const auto& [name, value] : response.headers) {
    std::string lower = AsciiLower(name);
    if (!IsToken(name) || !SafeValue(value) || lower == "content-length" ||
        lower == "transfer-encoding" || lower == "connection" || lower == "content-type" ||
        lower == "date" || lower == "keep-alive") {
      continue;
    }
    out += name + ": " + value + "\r\n";
  }
  out += "\r\n";
  if (!no_body && !head_request) out += response.body;
  return out;
}

}  // namespace sa::adapter::api
