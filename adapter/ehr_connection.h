// The connection to the EHR's FHIR endpoint, built from configuration:
// transport (TLS, timeouts, size limit), authenticator (none, bearer,
// SMART Backend Services) and the client that applies retries.
#ifndef SA_ADAPTER_EHR_CONNECTION_H_
#define SA_ADAPTER_EHR_CONNECTION_H_

#include <memory>

#include "adapter/config.h"
#include "fhir/auth.h"
#include "fhir/client.h"
#include "fhir/http.h"

namespace sa::adapter {

class EhrConnection {
 public:
  // Builds every part from `config`, checking each; no network call yet.
  static StatusOr<std::unique_ptr<EhrConnection>> Open(const FhirConfig& config);
  // For tests: the same over a given transport (not owned).
  static StatusOr<std::unique_ptr<EhrConnection>> OpenWith(const FhirConfig& config,
                                                           fhir::HttpTransport* transport);

  fhir::FhirClient& client() { return *client_; }
  fhir::Authenticator* authenticator() { return auth_.get(); }
  const FhirConfig& config() const { return config_; }

 private:
  explicit EhrConnection(FhirConfig config) : config_(std::move(config)) {}
  FhirConfig config_;
  std::unique_ptr<fhir::HttpTransport> owned_transport_;
  std::unique_ptr<fhir::Authenticator> auth_;
  std::unique_ptr<fhir::FhirClient> client_;
};

}  // namespace sa::adapter

#endif  // SA_ADAPTER_EHR_CONNECTION_H_
