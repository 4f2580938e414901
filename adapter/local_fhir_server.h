// Starts and stops the bundled FHIR server (tests/fhir-server/server.js, the
// Medplum engine in memory) as a child process on loopback, for the demo and
// the integration tests. Not for production: a real EHR is configured by URL.
#ifndef SA_ADAPTER_LOCAL_FHIR_SERVER_H_
#define SA_ADAPTER_LOCAL_FHIR_SERVER_H_

#include <string>
#include <vector>

#include "fhir/status.h"

namespace sa::adapter {

// Where the bundled server's script is, relative to the source tree.
inline constexpr char kBundledServerScript[] = "tests/fhir-server/server.js";
// How long to wait for the server's "LISTENING <port>" line.
inline constexpr int kServerStartTimeoutMs = 60'000;

class LocalFhirServer {
 public:
  LocalFhirServer() = default;
  LocalFhirServer(const LocalFhirServer&) = delete;
  LocalFhirServer& operator=(const LocalFhirServer&) = delete;
  ~LocalFhirServer() { Stop(); }

  // Runs `node script --port 0 extra_args...` and waits until it listens.
  Status Start(const std::string& script, const std::vector<std::string>& extra_args = {});
  // SIGTERM, then waits for the process (SIGKILL after a grace period).
  void Stop();

  int port() const { return port_; }
  // "http(s)://127.0.0.1:<port>" and the FHIR base under it.
  std::string root(const std::string& scheme = "http") const;
  std::string base_url(const std::string& scheme = "http") const { return root(scheme) + "/fhir/R4"; }

 private:
  int pid_ = -1;
  int port_ = 0;
  int stdout_fd_ = -1;
};

}  // namespace sa::adapter

#endif  // SA_ADAPTER_LOCAL_FHIR_SERVER_H_
