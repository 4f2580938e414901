// The production HttpTransport, over cpprestsdk's http_client (Boost.Asio and
// OpenSSL on Linux). This header deliberately includes no cpprest header:
// they are heavy and define macros, so only cpprest_transport.cc sees them.
//
// What it enforces, from TransportOptions:
//   - TLS 1.2 or later; server chain and host name verified unless
//     verify_tls is false; when ca_file is set it REPLACES the system trust
//     store (a private EHR CA is trusted alone);
//   - mutual TLS with client_cert_file + client_key_file (PEM, unencrypted),
//     checked to load and match when the transport is made;
//   - request_timeout as the whole-exchange deadline and as cpprest's
//     inactivity timer. cpprest's Asio client has one timer for connect,
//     send and receive, so connect_timeout cannot be enforced separately:
//     a connect that stalls is caught by the inactivity timer instead;
//   - max_response_bytes: Content-Length over it fails at once, a longer
//     streamed body is cut off and the request cancelled (Permanent);
//   - no proxy (proxy environment variables are ignored) and no redirects
//     (a 3xx is returned as is, so credentials never follow a Location).
// Every exception from cpprest, Boost or OpenSSL is caught here: network
// failures and timeouts become Unavailable.
#ifndef SA_FHIR_CPPREST_TRANSPORT_H_
#define SA_FHIR_CPPREST_TRANSPORT_H_

#include <memory>

#include "fhir/http.h"
#include "fhir/status.h"

namespace sa::fhir {

// Makes a cpprest-backed transport after checking the options and loading
// the TLS files once (a bad CA, certificate or key fails here, at start-up).
StatusOr<std::unique_ptr<HttpTransport>> MakeCpprestTransport(const TransportOptions& options);

}  // namespace sa::fhir

#endif  // SA_FHIR_CPPREST_TRANSPORT_H_
