// The only translation unit that includes cpprest (built with
// _TURN_OFF_PLATFORM_STRING so its U() macro cannot clash with Poco's).
#include "fhir/cpprest_transport.h"

#include <cpprest/http_client.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <chrono>
#include <future>
#include <map>
#include <mutex>

#include "fhir/url.h"

namespace sa::fhir {
namespace {

using std::chrono::steady_clock;
using web::http::client::http_client;
using web::http::client::http_client_config;

// Bytes asked of the response stream per read.
constexpr size_t kReadChunkBytes = 64 * 1024;

int NoPassword(char*, int, int, void*) { return 0; }

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  char buf[256] = {0};
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

// Applies the TLS options to an OpenSSL context. Used on every connection's
// context (from cpprest's callback) and once at start-up to check the files.
// On failure the context is left unable to verify anything: fail closed.
Status ConfigureTls(SSL_CTX* ctx, const TransportOptions& options) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_default_passwd_cb(ctx, NoPassword);
  if (!options.ca_file.empty()) {
    SSL_CTX_set_cert_store(ctx, X509_STORE_new());  // drop the system CAs
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
      return Status::InvalidArgument("ca_file '" + options.ca_file + "': " + OpenSslError());
    }
  }
  if (!options.client_cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.client_cert_file.c_str()) != 1) {
      return Status::InvalidArgument("client_cert_file '" + options.client_cert_file +
                                     "': " + OpenSslError());
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, options.client_key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      // OpenSSL also rejects here a key that does not match the certificate.
      return Status::InvalidArgument("client_key_file '" + options.client_key_file +
                                     "' is unreadable, encrypted, or does not match "
                                     "client_cert_file: " + OpenSslError());
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
      return Status::InvalidArgument("client key does not match client certificate: " +
                                     OpenSslError());
    }
  }
  return Status::Ok();
}

// Waits for a pplx task until `deadline`; on timeout cancels the request.
template <typename T>
StatusOr<T> Await(pplx::task<T> task, steady_clock::time_point deadline,
                  pplx::cancellation_token_source& cts) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  task.then([promise](pplx::task<T> done) {
    try {
      promise->set_value(done.get());
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  if (future.wait_until(deadline) != std::future_status::ready) {
    cts.cancel();
    return Status::Unavailable("HTTP request timed out");
  }
  return future.get();  // rethrows the task's exception; caught by Send
}

class CpprestTransport : public HttpTransport {
 public:
  explicit CpprestTransport(const TransportOptions& options) : options_(options) {}

  StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    try {
      return SendOrThrow(request);
    } catch (const web::http::http_exception& e) {
      return Status::Unavailable(std::string("HTTP transport error: ") + e.what());
    } catch (const web::uri_exception& e) {
      return Status::InvalidArgument(std::string("bad request URL: ") + e.what());
    } catch (const pplx::task_canceled&) {
      return Status::Unavailable("HTTP request cancelled");
    } catch (const boost::system::system_error& e) {
      return Status::Unavailable(std::string("network error: ") + e.what());
    } catch (const std::exception& e) {
      return Status::Internal(std::string("HTTP transport failure: ") + e.what());
    } catch (...) {
      return Status::Internal("HTTP transport failure");
    }
  }

 private:
  http_client_config Config() const {
    http_client_config config;
    config.set_validate_certificates(options_.verify_tls);
    config.set_timeout(options_.request_timeout);
    config.set_proxy(web::web_proxy(web::web_proxy::disabled));
    config.set_max_redirects(0);
    config.set_request_compressed_response(false);
    TransportOptions tls = options_;
    config.set_ssl_context_callback([tls](boost::asio::ssl::context& ctx) {
      if (!ConfigureTls(ctx.native_handle(), tls).ok()) {
        // Checked at start-up; if a file went bad since, trust nothing.
        SSL_CTX_set_cert_store(ctx.native_handle(), X509_STORE_new());
      }
    });
    return config;
  }

  std::shared_ptr<http_client> ClientFor(const std::string& origin) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(origin);
    if (it != clients_.end()) return it->second;
    auto client = std::make_shared<http_client>(web::uri(origin), Config());
    clients_[origin] = client;
    return client;
  }

  StatusOr<HttpResponse> SendOrThrow(const HttpRequest& request) {
    SA_ASSIGN_OR_RETURN(UrlParts url, ParseUrl(request.url));
    auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
    steady_clock::time_point deadline = steady_clock::now() + timeout;
    std::shared_ptr<http_client> client = ClientFor(url.Origin());

    web::http::http_request message(web::http::method(HttpMethodName(request.method)));
    message.set_request_uri(web::uri(url.PathAndQuery()));
    for (const auto& [name, value] : request.headers.fields()) {
      message.headers().add(name, value);
    }
    if (!request.body.empty() || request.method == HttpMethod::kPost ||
        request.method == HttpMethod::kPut || request.method == HttpMethod::kPatch) {
      // The byte-vector overload keeps the Content-Type set above (or sends
      // application/octet-stream); the string overload type-puns streams.
      message.set_body(std::vector<unsigned char>(request.body.begin(), request.body.end()));
    }

    pplx::cancellation_token_source cts;
    SA_ASSIGN_OR_RETURN(web::http::http_response response,
                        Await(client->request(message, cts.get_token()), deadline, cts));
    HttpResponse out;
    out.status = response.status_code();
    for (const auto& [name, value] : response.headers()) out.headers.Add(name, value);

    uint64_t declared = response.headers().content_length();
    if (declared > options_.max_response_bytes) {
      cts.cancel();
      return Status::Permanent("response of " + std::to_string(declared) +
                               " bytes exceeds the limit of " +
                               std::to_string(options_.max_response_bytes));
    }
    concurrency::streams::streambuf<uint8_t> body = response.body().streambuf();
    std::string chunk(kReadChunkBytes, '\0');
    while (true) {
      SA_ASSIGN_OR_RETURN(
          size_t n,
          Await(body.getn(reinterpret_cast<uint8_t*>(chunk.data()), chunk.size()), deadline, cts));
      if (n == 0) break;
      if (out.body.size() + n > options_.max_response_bytes) {
        cts.cancel();
        return Status::Permanent("response body exceeds the limit of " +
                                 std::to_string(options_.max_response_bytes) + " bytes");
      }
      out.body.append(chunk.data(), n);
    }
    return out;
  }

  const TransportOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<http_client>> clients_;
};

}  // namespace

StatusOr<std::unique_ptr<HttpTransport>> MakeCpprestTransport(const TransportOptions& options) {
  SA_RETURN_IF_ERROR(ValidateTransportOptions(options));
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return Status::Internal("SSL_CTX_new failed: " + OpenSslError());
  Status tls = ConfigureTls(ctx, options);
  SSL_CTX_free(ctx);
  SA_RETURN_IF_ERROR(tls);
  return std::unique_ptr<HttpTransport>(new CpprestTransport(options));
}

}  // namespace sa::fhir
