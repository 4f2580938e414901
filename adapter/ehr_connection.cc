#include "adapter/ehr_connection.h"

#include "fhir/cpprest_transport.h"

namespace sa::adapter {

StatusOr<std::unique_ptr<EhrConnection>> EhrConnection::OpenWith(const FhirConfig& config,
                                                                 fhir::HttpTransport* transport) {
  std::unique_ptr<EhrConnection> c(new EhrConnection(config));
  if (config.auth.method != "none") {
    SA_ASSIGN_OR_RETURN(c->auth_, fhir::MakeAuthenticator(config.auth, transport));
  }
  fhir::FhirClientOptions options;
  options.base_url = config.base_url;
  options.retry = config.retry;
  fhir::FhirClientDeps deps;
  deps.transport = transport;
  deps.auth = c->auth_.get();
  SA_ASSIGN_OR_RETURN(c->client_, fhir::FhirClient::Create(options, deps));
  return c;
}

StatusOr<std::unique_ptr<EhrConnection>> EhrConnection::Open(const FhirConfig& config) {
  SA_RETURN_IF_ERROR(fhir::ValidateTransportOptions(config.transport));
  SA_ASSIGN_OR_RETURN(std::unique_ptr<fhir::HttpTransport> transport,
                      fhir::MakeCpprestTransport(config.transport));
  SA_ASSIGN_OR_RETURN(std::unique_ptr<EhrConnection> c, OpenWith(config, transport.get()));
  c->owned_transport_ = std::move(transport);
  return c;
}

}  // namespace sa::adapter
