// The running service behind `serve`: the HTTP API plus the delivery worker
// and Task status sync in the background, started together and stopped
// gracefully together. Tests and the demo start it in-process; `serve` adds
// only the signal handling.
#ifndef SA_ADAPTER_API_SERVICE_HOST_H_
#define SA_ADAPTER_API_SERVICE_HOST_H_

#include <memory>
#include <string>

#include "adapter/core/runtime.h"
#include "fhir/status.h"

namespace sa::adapter::api {

struct HostOptions {
  // Background loops (need /fhir in the configuration).
  bool deliver = true;
  bool sync = true;
  // "host:port" overriding /api/listen (tests use "127.0.0.1:0").
  std::string listen_override;
};

class ServiceHost {
 public:
  // Builds the API over `runtime` (not owned; must outlive the host), binds
  // the listener and starts the background loops. Fails closed: a bad key
  // file, TLS file or address stops here.
  static StatusOr<std::unique_ptr<ServiceHost>> Start(Runtime* runtime, HostOptions options);
  ~ServiceHost();  // Stop()

  // "http(s)://127.0.0.1:PORT".
  std::string base_url() const;
  int port() const;

  // Graceful stop: refuse new connections, let in-flight requests finish
  // (up to /api/drainMs), then let the delivery worker finish its pass
  // (recording outcomes releases its leases) and stop sync. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit ServiceHost(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_SERVICE_HOST_H_
