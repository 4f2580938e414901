// The adapter's configuration file (contract §2), read strictly: every bad or
// unknown key is reported with its JSON Pointer; relative paths resolve
// against the file's directory; secrets are only ever named (file or
// environment variable), never inline.
#ifndef SA_ADAPTER_CONFIG_H_
#define SA_ADAPTER_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "adapter/auth/auth_config.h"
#include "adapter/core/outbox_options.h"
#include "fhir/status.h"
#include "fhir/auth.h"
#include "fhir/http.h"
#include "fhir/retry.h"
#include "mappings/fhir_plan.h"
#include "mappings/json_reader.h"

namespace sa::adapter {

struct StoreConfig {
  std::optional<std::string> sqlite_path;  // resolved
  std::optional<std::string> postgres_conninfo;
};

struct KeysConfig {
  std::optional<std::string> kek_file;  // resolved
  std::optional<std::string> kek_env;
  // Earlier KEKs still needed to open rows not yet re-wrapped (key rotation).
  std::vector<std::string> retired_kek_files;  // resolved
};

// The EHR endpoint: everything the fhir/ layer and the mapper need, typed.
struct FhirConfig {
  std::string base_url;
  fhir::AuthConfig auth;            // method "none" unless configured
  fhir::TransportOptions transport;  // TLS, timeouts, response size limit
  fhir::RetryPolicy retry;
  mappings::FhirMappingOptions mapping;  // identifier/code systems, profiles
};

// TLS for the API's own listener (not the EHR's: that is /fhir/tls).
struct ApiTlsConfig {
  std::string cert_file, key_file;            // resolved
  std::optional<std::string> client_ca_file;  // resolved; enables client certificates
  bool require_client_cert = false;           // mTLS for every caller
};

// `serve`: the listener, who may call, limits and background loops. Unset
// limits take the server's named defaults (adapter/api/http/server.h).
struct ApiConfig {
  std::string listen = "127.0.0.1:8080";
  std::optional<ApiTlsConfig> tls;
  auth::ApiAuthConfig auth;
  std::optional<int64_t> max_body_bytes, max_header_count, request_timeout_ms, max_threads;
  std::optional<int64_t> rate_limit_per_second, rate_limit_burst;
  int64_t drain_ms = 10'000;            // SIGTERM: in-flight requests get this long
  int64_t delivery_poll_ms = 1'000;     // the background delivery worker's idle wait
};

// Task status sync (RS-11), for `sync` and `serve` ("/sync").
struct SyncConfig {
  int64_t interval_seconds = 60;  // between polls
  int64_t overlap_seconds = 120;  // re-read window behind the watermark
};

struct Config {
  std::string path;      // the file it came from
  std::string base_dir;  // its directory
  std::vector<std::string> profiles;        // as written (codes or resolved files)
  std::vector<std::string> template_files;  // resolved
  std::size_t max_record_bytes;
  StoreConfig store;
  KeysConfig keys;
  std::optional<FhirConfig> fhir;
  ApiConfig api;
  SyncConfig sync;
  OutboxOptions outbox;  // delivery worker settings ("/delivery")
};

// Reads and validates a configuration file. On failure, `errors` (if given)
// receives every problem with its pointer, and the Status names the file.
StatusOr<Config> LoadConfig(const std::string& path, mappings::FieldErrors* errors = nullptr);

// The configuration used when none is given: every built-in profile, no
// store, no EHR (enough for `explain`).
Config DefaultConfig();

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CONFIG_H_
