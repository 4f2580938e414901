// INTERNAL to sa_http: includes Poco. Only server.cc may include this file,
// so Poco headers stay out of every other target's compile.
//
// The server's TLS context from TlsOptions, and the verified client
// certificate's subject.
#ifndef SA_ADAPTER_API_HTTP_POCO_TLS_H_
#define SA_ADAPTER_API_HTTP_POCO_TLS_H_

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>

#include <string>

#include "adapter/api/http/server.h"
#include "fhir/status.h"

namespace sa::adapter::api {

// OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults):
// forward-secret AEAD suites only.
inline constexpr char kTls12Ciphers[] = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:!aNULL:!eNULL";

// A server context: TLS 1.2 minimum, the certificate chain and key (checked
// to match), and, with client_ca_file, client certificates asked for and
// verified against exactly that file (required with require_client_cert).
// Verification is OpenSSL's own (no Poco certificate handler can waive it).
// InvalidArgument naming the file on any failure.
StatusOr<Poco::Net::Context::Ptr> MakeServerContext(const TlsOptions& tls);

// After the handshake: the client certificate's subject in RFC 2253 form
// (XN_FLAG_RFC2253: most specific RDN first, e.g.
// "CN=office.example,O=Example Trust"), or "" when none was presented or it
// did not verify.
std::string VerifiedPeerSubject(Poco::Net::SecureStreamSocket& socket);

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_POCO_TLS_H_
