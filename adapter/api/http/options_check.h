// Start-up checks of ServerOptions, kept apart from the sockets so they are
// plain functions: a bad listen address or limit is a start-up error with a
// message naming it, never a silent default (Envoy's habit).
#ifndef SA_ADAPTER_API_HTTP_OPTIONS_CHECK_H_
#define SA_ADAPTER_API_HTTP_OPTIONS_CHECK_H_

#include <string>

#include "adapter/api/http/limits.h"
#include "fhir/status.h"

namespace sa::adapter::api {

struct ListenAddress {
  std::string host;  // without IPv6 brackets
  int port = 0;
};

// Splits "host:port" or "[v6]:port" (port 0-65535); InvalidArgument otherwise.
StatusOr<ListenAddress> ParseListen(const std::string& listen);

// InvalidArgument naming the first limit that cannot work (zero counts or
// sizes, non-positive timeouts, a burst below 1 with rate limiting on).
Status CheckLimits(const ServerLimits& limits);

// The host as a URL writes it: a wildcard (0.0.0.0, ::) as 127.0.0.1, IPv6
// in brackets.
std::string UrlHost(const std::string& host);

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_OPTIONS_CHECK_H_
