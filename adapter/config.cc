#include "adapter/config.h"

#include <filesystem>

#include "mappings/catalog.h"
#include "mappings/strict_json.h"

namespace sa::adapter {

using mappings::FieldErrors;
using mappings::ObjectReader;
using mappings::Presence;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxConfigBytes = 256 * 1024;
// Where the embedded SQLite store lives when the configuration names none.
constexpr char kDefaultSqlitePath[] = "var/adapter.db";

std::string Resolve(const std::string& base, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_absolute()) return p;
  return (std::filesystem::path(base) / path).lexically_normal().string();
}

std::chrono::milliseconds Millis(ObjectReader& r, const std::string& key, std::chrono::milliseconds dflt,
                                 std::int64_t max, std::int64_t min = 0) {
  auto v = r.Int(key, Presence::kOptional, min, max);
  return v ? std::chrono::milliseconds(*v) : dflt;
}

void ReadAuth(ObjectReader& fhir, const std::string& base_dir, fhir::AuthConfig* auth, FieldErrors* errors) {
  auth->method = "none";
  const json* a = fhir.Object("auth", Presence::kOptional);
  if (!a) return;
  ObjectReader r(*a, fhir.Ptr("auth"), errors);
  auth->method = r.Enum("type", Presence::kRequired, {"none", "bearer", "smart-backend"}).value_or("none");
  // Secrets are named, never inline: "token", "secret", "privateKey" are rejected as unknown.
  if (auth->method == "bearer") {
    if (auto f = r.String("tokenFile", Presence::kOptional)) auth->token_file = Resolve(base_dir, *f);
    auth->token_env = r.String("tokenEnv", Presence::kOptional).value_or("");
    if (auth->token_file.empty() == auth->token_env.empty()) {
      errors->Add(r.pointer(), "a bearer token needs exactly one of tokenFile or tokenEnv");
    }
  } else if (auth->method == "smart-backend") {
    auth->token_url = r.String("tokenUrl", Presence::kRequired).value_or("");
    auth->client_id = r.String("clientId", Presence::kRequired).value_or("");
    if (auto f = r.String("privateKeyFile", Presence::kRequired)) auth->private_key_file = Resolve(base_dir, *f);
    auth->key_id = r.String("keyId", Presence::kRequired).value_or("");
    auth->algorithm = r.Enum("algorithm", Presence::kOptional, {"RS384", "ES384", "RS512"}).value_or("RS384");
    auth->scopes = r.StringList("scopes", Presence::kOptional).value_or(std::vector<std::string>{"system/Task.write", "system/CarePlan.write", "system/Patient.read", "system/Provenance.write"});
    if (auto l = r.Int("assertionLifetimeSeconds", Presence::kOptional, 1, 300)) auth->assertion_lifetime = std::chrono::seconds(*l);
    if (const json* extra = r.Object("extraClaims", Presence::kOptional)) auth->extra_claims = *extra;
  }
  r.RejectUnknown();
}

void ReadCoding(ObjectReader& parent, const std::string& key, fhir::Coding* coding, FieldErrors* errors) {
  const json* c = parent.Object(key, Presence::kOptional);
  if (!c) return;
  ObjectReader r(*c, parent.Ptr(key), errors);
  coding->system = r.String("system", Presence::kRequired).value_or(coding->system);
  coding->code = r.String("code", Presence::kRequired).value_or(coding->code);
  coding->display = r.String("display", Presence::kOptional).value_or("");
  r.RejectUnknown();
}

void ReadFhir(ObjectReader& root, const std::string& base_dir, std::optional<FhirConfig>* out, FieldErrors* errors) {
  const json* f = root.Object("fhir", Presence::kOptional);
  if (!f) return;
  ObjectReader fr(*f, "/fhir", errors);
  FhirConfig fc;
  fc.base_url = fr.String("baseUrl", Presence::kRequired).value_or("");
  if (!fc.base_url.empty() && fc.base_url.rfind("http://", 0) != 0 && fc.base_url.rfind("https://", 0) != 0) {
    errors->Add("/fhir/baseUrl", "must be an http:// or https:// URL");
  }
  ReadAuth(fr, base_dir, &fc.auth, errors);
  if (const json* t = fr.Object("tls", Presence::kOptional)) {
    ObjectReader tr(*t, "/fhir/tls", errors);
    fc.transport.verify_tls = tr.Bool("verify", Presence::kOptional).value_or(true);
    if (auto v = tr.String("caFile", Presence::kOptional)) fc.transport.ca_file = Resolve(base_dir, *v);
    if (auto v = tr.String("clientCertFile", Presence::kOptional)) fc.transport.client_cert_file = Resolve(base_dir, *v);
    if (auto v = tr.String("clientKeyFile", Presence::kOptional)) fc.transport.client_key_file = Resolve(base_dir, *v);
    tr.RejectUnknown();
  }
  if (const json* t = fr.Object("timeouts", Presence::kOptional)) {
    ObjectReader tr(*t, "/fhir/timeouts", errors);
    fc.transport.connect_timeout = Millis(tr, "connectMs", fc.transport.connect_timeout, 600'000);
    fc.transport.request_timeout = Millis(tr, "requestMs", fc.transport.request_timeout, 3'600'000);
    tr.RejectUnknown();
  }
  if (auto m = fr.Int("maxResponseBytes", Presence::kOptional, 1024, 1LL << 30)) {
    fc.transport.max_response_bytes = static_cast<std::size_t>(*m);
  }
  if (const json* t = fr.Object("retry", Presence::kOptional)) {
    ObjectReader rr(*t, "/fhir/retry", errors);
    if (auto n = rr.Int("maxAttempts", Presence::kOptional, 1, 100)) fc.retry.max_attempts = static_cast<int>(*n);
    fc.retry.base_delay = Millis(rr, "baseDelayMs", fc.retry.base_delay, 600'000);
    fc.retry.max_delay = Millis(rr, "maxDelayMs", fc.retry.max_delay, 3'600'000);
    fc.retry.max_retry_after = Millis(rr, "maxRetryAfterMs", fc.retry.max_retry_after, 3'600'000);
    fc.retry.retry_on_500 = rr.Bool("retryOn500", Presence::kOptional).value_or(false);
    rr.RejectUnknown();
  }
  // How delivery finds the Patient: a conditional reference in the
  // transaction (default), or a search first for servers without them.
  if (auto mode = fr.Enum("patientReference", Presence::kOptional, {"conditional", "search"})) {
    fc.mapping.patient_reference =
        *mode == "search" ? mappings::FhirMappingOptions::PatientReferenceMode::kSearch
                          : mappings::FhirMappingOptions::PatientReferenceMode::kConditional;
  }
  if (const json* t = fr.Object("mapping", Presence::kOptional)) {
    ObjectReader mr(*t, "/fhir/mapping", errors);
    mappings::FhirMappingOptions& m = fc.mapping;
    m.care_plan_identifier_system = mr.String("carePlanIdentifierSystem", Presence::kOptional).value_or(m.care_plan_identifier_system);
    m.task_identifier_system = mr.String("taskIdentifierSystem", Presence::kOptional).value_or(m.task_identifier_system);
    m.staff_identifier_system = mr.String("staffIdentifierSystem", Presence::kOptional).value_or(m.staff_identifier_system);
    m.provenance_tag_system = mr.String("provenanceTagSystem", Presence::kOptional).value_or(m.provenance_tag_system);
    m.title = mr.String("title", Presence::kOptional).value_or(m.title);
    m.care_plan_profile = mr.String("carePlanProfile", Presence::kOptional).value_or("");
    m.task_profile = mr.String("taskProfile", Presence::kOptional).value_or("");
    ReadCoding(mr, "category", &m.category, errors);
    ReadCoding(mr, "childProtectionCode", &m.child_protection, errors);
    mr.RejectUnknown();
  }
  fr.RejectUnknown();
  *out = fc;
}

}  // namespace

Config DefaultConfig() {
  Config c;
  c.path = "(built-in defaults)";
  c.base_dir = ".";
  c.max_record_bytes = mappings::kDefaultMaxRecordBytes;
  return c;
}

StatusOr<Config> LoadConfig(const std::string& path, FieldErrors* errors_out) {
  SA_ASSIGN_OR_RETURN(std::string text, mappings::ReadTextFile(path));
  Config c = DefaultConfig();
  c.path = path;
  c.base_dir = std::filesystem::path(path).parent_path().string();
  if (c.base_dir.empty()) c.base_dir = ".";
  json doc;
  mappings::JsonParseError perr;
  FieldErrors errors;
  if (!mappings::ParseStrictJson(text, {kMaxConfigBytes, mappings::kDefaultMaxJsonDepth}, &doc, &perr)) {
    errors.Add(perr.pointer, perr.reason);
  } else {
    ObjectReader r(doc, "", &errors);
    if (const json* p = r.Array("profiles", Presence::kOptional)) {
      for (std::size_t i = 0; i < p->size(); ++i) {
        if (!(*p)[i].is_string() || (*p)[i].get_ref<const std::string&>().empty()) {
          errors.Add("/profiles/" + std::to_string(i), "must be a profile code or a file path");
          continue;
        }
        std::string entry = (*p)[i].get<std::string>();
        bool file = entry.find('/') != std::string::npos || entry.ends_with(".json");
        c.profiles.push_back(file ? Resolve(c.base_dir, entry) : entry);
      }
    }
    if (auto t = r.StringList("templates", Presence::kOptional)) {
      for (const auto& f : *t) c.template_files.push_back(Resolve(c.base_dir, f));
    }
    if (auto m = r.Int("maxRecordBytes", Presence::kOptional, 1024, 16 << 20)) {
      c.max_record_bytes = static_cast<std::size_t>(*m);
    }
    if (const json* s = r.Object("store", Presence::kOptional)) {
      ObjectReader sr(*s, "/store", &errors);
      if (auto p = sr.String("sqlite", Presence::kOptional)) c.store.sqlite_path = Resolve(c.base_dir, *p);
      c.store.postgres_conninfo = sr.String("postgres", Presence::kOptional);
      if (c.store.sqlite_path && c.store.postgres_conninfo) {
        errors.Add("/store", "choose one of sqlite or postgres");
      }
      sr.RejectUnknown();
    }
    if (const json* k = r.Object("keys", Presence::kOptional)) {
      ObjectReader kr(*k, "/keys", &errors);
      if (auto f = kr.String("kekFile", Presence::kOptional)) c.keys.kek_file = Resolve(c.base_dir, *f);
      c.keys.kek_env = kr.String("kekEnv", Presence::kOptional);
      for (const auto& f : kr.StringList("retiredKekFiles", Presence::kOptional).value_or(std::vector<std::string>{})) {
        c.keys.retired_kek_files.push_back(Resolve(c.base_dir, f));
      }
      if (!!c.keys.kek_file == !!c.keys.kek_env) errors.Add("/keys", "needs exactly one of kekFile or kekEnv");
      kr.RejectUnknown();
    }
    ReadFhir(r, c.base_dir, &c.fhir, &errors);
    if (const json* d = r.Object("delivery", Presence::kOptional)) {
      ObjectReader dr(*d, "/delivery", &errors);
      OutboxOptions& o = c.outbox;
      if (auto v = dr.Int("batch", Presence::kOptional, 1, 1000)) o.batch = static_cast<int>(*v);
      if (auto v = dr.Int("concurrency", Presence::kOptional, 1, 64)) o.concurrency = static_cast<int>(*v);
      // A lease must outlast one delivery, or a second worker takes the row mid-flight.
      o.lease = Millis(dr, "leaseMs", o.lease, 3'600'000, 1'000);
      if (auto v = dr.Int("maxAttempts", Presence::kOptional, 1, 1000)) o.max_attempts = static_cast<int>(*v);
      o.max_age = Millis(dr, "maxAgeMs", o.max_age, 365LL * 24 * 3600 * 1000, 1'000);
      o.backoff_base = Millis(dr, "backoffBaseMs", o.backoff_base, 3'600'000, 1);
      o.backoff_cap = Millis(dr, "backoffCapMs", o.backoff_cap, 24LL * 3600 * 1000, 1);
      dr.RejectUnknown();
    }
    if (const json* a = r.Object("api", Presence::kOptional)) {
      ObjectReader ar(*a, "/api", &errors);
      ApiConfig& api = c.api;
      api.listen = ar.String("listen", Presence::kOptional).value_or(api.listen);
      if (const json* t = ar.Object("tls", Presence::kOptional)) {
        ObjectReader tr(*t, "/api/tls", &errors);
        ApiTlsConfig tls;
        tls.cert_file = Resolve(c.base_dir, tr.String("certFile", Presence::kRequired).value_or(""));
        tls.key_file = Resolve(c.base_dir, tr.String("keyFile", Presence::kRequired).value_or(""));
        if (auto ca = tr.String("clientCaFile", Presence::kOptional)) tls.client_ca_file = Resolve(c.base_dir, *ca);
        tls.require_client_cert = tr.Bool("requireClientCert", Presence::kOptional).value_or(false);
        if (tls.require_client_cert && !tls.client_ca_file) {
          errors.Add("/api/tls/requireClientCert", "needs clientCaFile");
        }
        tr.RejectUnknown();
        api.tls = tls;
      }
      if (const json* au = ar.Object("auth", Presence::kOptional)) {
        auth::ReadApiAuthConfig(*au, "/api/auth", c.base_dir, &api.auth, &errors);
      }
      if (const json* l = ar.Object("limits", Presence::kOptional)) {
        ObjectReader lr(*l, "/api/limits", &errors);
        api.max_body_bytes = lr.Int("maxBodyBytes", Presence::kOptional, 1024, 64LL << 20);
        api.max_header_count = lr.Int("maxHeaderCount", Presence::kOptional, 8, 1000);
        api.request_timeout_ms = lr.Int("requestTimeoutMs", Presence::kOptional, 100, 600'000);
        api.max_threads = lr.Int("maxThreads", Presence::kOptional, 1, 256);
        api.rate_limit_per_second = lr.Int("rateLimitPerSecond", Presence::kOptional, 1, 100'000);
        api.rate_limit_burst = lr.Int("rateLimitBurst", Presence::kOptional, 1, 100'000);
        lr.RejectUnknown();
      }
      api.drain_ms = ar.Int("drainMs", Presence::kOptional, 0, 600'000).value_or(api.drain_ms);
      api.delivery_poll_ms = ar.Int("deliveryPollMs", Presence::kOptional, 10, 600'000).value_or(api.delivery_poll_ms);
      ar.RejectUnknown();
    }
    if (const json* sy = r.Object("sync", Presence::kOptional)) {
      ObjectReader sr(*sy, "/sync", &errors);
      c.sync.interval_seconds =
          sr.Int("intervalSeconds", Presence::kOptional, 1, 86'400).value_or(c.sync.interval_seconds);
      c.sync.overlap_seconds =
          sr.Int("overlapSeconds", Presence::kOptional, 0, 86'400).value_or(c.sync.overlap_seconds);
      sr.RejectUnknown();
    }
    r.RejectUnknown();
  }
  // The embedded default store (contract §2): SQLite beside the configuration.
  if (!c.store.sqlite_path && !c.store.postgres_conninfo) c.store.sqlite_path = Resolve(c.base_dir, kDefaultSqlitePath);
  if (errors.empty()) {
    // Profiles and templates are part of the configuration: load them now so
    // a bad profile file is reported by `config check`, naming file and key.
    auto catalog = mappings::Catalog::Load({c.profiles, c.template_files, c.base_dir});
    if (!catalog.ok()) errors.Add("/profiles", catalog.status().message());
  }
  if (!errors.empty()) {
    if (errors_out) *errors_out = errors;
    return Status::InvalidArgument(errors.Join(path + ": "));
  }
  return c;
}

}  // namespace sa::adapter
