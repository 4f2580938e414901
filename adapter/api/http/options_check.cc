#include "adapter/api/http/options_check.h"

namespace sa::adapter::api {

StatusOr<ListenAddress> ParseListen(const std::string& listen) {
  ListenAddress out;
  std::string port;
  if (!listen.empty() && listen[0] == '[') {
    size_t close = listen.find(']');
    if (close == std::string::npos || listen.compare(close + 1, 1, ":") != 0) {
      return Status::InvalidArgument("listen: expected [IPv6]:port, got '" + listen + "'");
    }
    out.host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string::npos) {
      return Status::InvalidArgument("listen: expected host:port, got '" + listen + "'");
    }
    out.host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (out.host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return Status::InvalidArgument("listen: expected host:port with port 0-65535, got '" + listen +
                                   "'");
  }
  out.port = std::stoi(port);
  return out;
}

Status CheckLimits(const ServerLimits& l) {
  auto bad = [](const std::string& what) {
    return Status::InvalidArgument("limits: " + what + " must be positive");
  };
  if (l.max_header_count == 0) return bad("max_header_count");
  if (l.max_header_line_bytes == 0) return bad("max_header_line_bytes");
  if (l.max_uri_bytes == 0) return bad("max_uri_bytes");
  if (l.request_timeout.count() <= 0) return bad("request_timeout");
  if (l.keep_alive_timeout.count() <= 0) return bad("keep_alive_timeout");
  if (l.max_requests_per_connection <= 0) return bad("max_requests_per_connection");
  if (l.max_threads <= 0) return bad("max_threads");
  if (l.max_queued <= 0) return bad("max_queued");
  if (l.rate_limit_per_second > 0 && l.rate_limit_burst < 1) {
    return Status::InvalidArgument("limits: rate_limit_burst must be at least 1");
  }
  return Status::Ok();
}

std::string UrlHost(const std::string& host) {
  if (host == "0.0.0.0" || host == "::") return "127.0.0.1";
  if (host.find(':') != std::string::npos) return "[" + host + "]";
  return host;
}

}  // namespace sa::adapter::api
