#include "adapter/api/http/poco_tls.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <fstream>
#include <mutex>

namespace sa::adapter::api {
namespace {

// TLS session resumption must not skip client-certificate checks: the id
// context ties sessions to this server's verification settings.
constexpr unsigned char kSessionIdContext[] = "sa-http";

bool Readable(const std::string& path) { return std::ifstream(path).good(); }

}  // namespace

StatusOr<Poco::Net::Context::Ptr> MakeServerContext(const TlsOptions& tls) {
  static std::once_flag ssl_init;
  std::call_once(ssl_init, [] { Poco::Net::initializeSSL(); });

  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return Status::InvalidArgument("tls: cert_file and key_file are required");
  }
  for (const std::string* f : {&tls.cert_file, &tls.key_file}) {
    if (!Readable(*f)) return Status::InvalidArgument("tls: cannot read " + *f);
  }
  bool verify_clients = tls.client_ca_file.has_value();
  if (tls.require_client_cert && !verify_clients) {
    return Status::InvalidArgument("tls: require_client_cert needs client_ca_file");
  }
  if (verify_clients && !Readable(*tls.client_ca_file)) {
    return Status::InvalidArgument("tls: cannot read " + *tls.client_ca_file);
  }
  try {
    Poco::Net::Context::Params params;
    params.privateKeyFile = tls.key_file;
    params.certificateFile = tls.cert_file;
    params.caLocation = verify_clients ? *tls.client_ca_file : "";
    params.loadDefaultCAs = false;
    params.cipherList = kTls12Ciphers;
    params.verificationMode = !verify_clients           ? Poco::Net::Context::VERIFY_NONE
                              : tls.require_client_cert ? Poco::Net::Context::VERIFY_STRICT
                                                        : Poco::Net::Context::VERIFY_RELAXED;
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    // Poco would check a client certificate's names against the client's IP.
    context->enableExtendedCertificateVerification(false);
    SSL_CTX* ctx = context->sslContext();
    if (SSL_CTX_check_private_key(ctx) != 1) {
      return Status::InvalidArgument("tls: " + tls.key_file + " does not match " + tls.cert_file);
    }
    // OpenSSL's verdict alone (Poco's callback defers to global handlers).
    SSL_CTX_set_verify(ctx, params.verificationMode, nullptr);
    SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof(kSessionIdContext) - 1);
    if (verify_clients) {
      STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file->c_str());
      if (!names) {
        return Status::InvalidArgument("tls: no CA certificate in " + *tls.client_ca_file);
      }
      SSL_CTX_set_client_CA_list(ctx, names);  // takes ownership
    }
    return context;
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("tls: " + e.displayText());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("tls: ") + e.what());
  }
}

std::string VerifiedPeerSubject(Poco::Net::SecureStreamSocket& socket) {
  try {
    if (!socket.havePeerCertificate()) return "";
    Poco::Net::X509Certificate cert = socket.peerCertificate();
    const X509* x509 = cert.certificate();
    if (!x509) return "";
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio) return "";
    X509_NAME_print_ex(bio, X509_get_subject_name(x509), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    std::string subject(data ? data : "", data ? static_cast<size_t>(len) : 0);
    BIO_free(bio);
    return subject;
  } catch (...) {
    return "";
  }
}

}  // namespace sa::adapter::api
