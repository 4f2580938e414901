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

std::string Resolve(const std::string& base, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_absolute()) return p;
  return (std::filesystem::path(base) / path).lexically_normal().string();
}

void ReadAuth(ObjectReader& fhir, FhirAuthConfig* auth, FieldErrors* errors) {
  const json* a = fhir.Object("auth", Presence::kOptional);
  if (!a) return;
  ObjectReader r(*a, fhir.Ptr("auth"), errors);
  auth->type = r.Enum("type", Presence::kRequired, {"none", "bearer", "smart-backend"}).value_or("none");
  // Secrets are named, never inline: "token", "secret", "privateKey" are rejected as unknown.
  if (auth->type == "bearer") {
    auth->token_file = r.String("tokenFile", Presence::kOptional);
    auth->token_env = r.String("tokenEnv", Presence::kOptional);
    if (!!auth->token_file == !!auth->token_env) {
      errors->Add(r.pointer(), "a bearer token needs exactly one of tokenFile or tokenEnv");
    }
  } else if (auth->type == "smart-backend") {
    auth->token_url = r.String("tokenUrl", Presence::kRequired);
    auth->client_id = r.String("clientId", Presence::kRequired);
    auth->private_key_file = r.String("privateKeyFile", Presence::kRequired);
    auth->key_id = r.String("keyId", Presence::kRequired);
    auth->algorithm = r.Enum("algorithm", Presence::kOptional, {"RS384", "ES384", "RS512"});
    auth->scope = r.String("scope", Presence::kOptional);
  }
  r.RejectUnknown();
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
      if (!!c.keys.kek_file == !!c.keys.kek_env) errors.Add("/keys", "needs exactly one of kekFile or kekEnv");
      kr.RejectUnknown();
    }
    if (const json* f = r.Object("fhir", Presence::kOptional)) {
      ObjectReader fr(*f, "/fhir", &errors);
      FhirConfig fc;
      fc.base_url = fr.String("baseUrl", Presence::kRequired).value_or("");
      if (!fc.base_url.empty() && fc.base_url.rfind("http://", 0) != 0 && fc.base_url.rfind("https://", 0) != 0) {
        errors.Add("/fhir/baseUrl", "must be an http:// or https:// URL");
      }
      ReadAuth(fr, &fc.auth, &errors);
      fr.RejectUnknown();
      c.fhir = fc;
    }
    if (const json* a = r.Object("api", Presence::kOptional)) {
      ObjectReader ar(*a, "/api", &errors);
      c.api.listen = ar.String("listen", Presence::kOptional).value_or(c.api.listen);
      ar.RejectUnknown();
    }
    r.RejectUnknown();
  }
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
