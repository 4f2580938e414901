#include "adapter/cli/commands.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "adapter/auth/jwt_validator.h"
#include "adapter/check_endpoint.h"
#include "adapter/config.h"
#include "adapter/demo.h"
#include "adapter/ehr_connection.h"
#include "adapter/explain.h"
#include "fhir/clock.h"
#include "mappings/catalog.h"
#include "mappings/strict_json.h"

namespace sa::adapter::cli {

namespace {

// Loads the catalog the configuration names (or the built-in defaults).
StatusOr<std::shared_ptr<const mappings::Catalog>> CatalogFor(const Config& config) {
  return mappings::Catalog::Load({config.profiles, config.template_files, config.base_dir});
}

}  // namespace

int RunExplain(const std::vector<std::string>& args) {
  bool as_json = false;
  std::string config_path;
  std::vector<std::string> files;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      as_json = true;
    } else if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      std::cerr << "explain: unknown option " << args[i] << "\n";
      return kExitUsage;
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) {
    std::cerr << "usage: supervision-adapter explain [--json] [--config C] SESSION.json...\n";
    return kExitUsage;
  }
  Config config = DefaultConfig();
  if (!config_path.empty()) {
    auto loaded = LoadConfig(config_path);
    if (!loaded.ok()) {
      std::cerr << loaded.status().message() << "\n";
      return kExitBadInput;
    }
    config = *loaded;
  }
  auto catalog = CatalogFor(config);
  if (!catalog.ok()) {
    std::cerr << "explain: " << catalog.status().message() << "\n";
    return kExitFailure;
  }
  int status = kExitOk;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto text = mappings::ReadTextFile(files[i]);
    if (!text.ok()) {
      std::cerr << "explain: " << text.status().message() << "\n";
      status = kExitFailure;
      continue;
    }
    ExplainReport report = Explain(*text, **catalog, config.max_record_bytes);
    if (!report.valid && status == kExitOk) status = kExitBadInput;
    if (as_json) {
      report.json["file"] = files[i];
      std::cout << report.json.dump() << "\n";
    } else {
      if (files.size() > 1) std::cout << (i ? "\n" : "") << "== " << files[i] << "\n";
      std::cout << RenderExplainText(report);
    }
  }
  return status;
}

int RunConfig(const std::vector<std::string>& args) {
  if (args.size() != 2 || args[0] != "check") {
    std::cerr << "usage: supervision-adapter config check C\n";
    return kExitUsage;
  }
  mappings::FieldErrors errors;
  auto config = LoadConfig(args[1], &errors);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return config.status().code() == StatusCode::kNotFound ? kExitFailure : kExitBadInput;
  }
  auto catalog = CatalogFor(*config);
  std::cout << args[1] << ": ok; profiles:";
  for (const auto& code : (*catalog)->ProfileCodes()) std::cout << " " << code;
  std::cout << "\n";
  // What `serve` loads at start-up: said now, as warnings (other commands do
  // not need these files, and a deployment may create them later).
  if (!config->api.auth.issuers.empty() || !config->api.auth.client_certificates.empty()) {
    auto validator = auth::JwtValidator::Create(config->api.auth, fhir::RealClock());
    if (!validator.ok()) {
      std::cout << "warning: /api/auth: " << validator.status().message()
                << " (serve will refuse to start)\n";
    }
  } else {
    std::cout << "warning: /api/auth: no issuer or client certificate configured; serve will"
                 " answer 401 to every protected endpoint\n";
  }
  return kExitOk;
}

int RunCheckEndpoint(const std::vector<std::string>& args) {
  if (args.size() != 2 || args[0] != "--config") {
    std::cerr << "usage: supervision-adapter check-endpoint --config C\n";
    return kExitUsage;
  }
  auto config = LoadConfig(args[1]);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return kExitBadInput;
  }
  if (!config->fhir) {
    std::cerr << args[1] << ": /fhir: required for check-endpoint\n";
    return kExitBadInput;
  }
  auto connection = EhrConnection::Open(*config->fhir);
  if (!connection.ok()) {
    std::cerr << "check-endpoint: " << connection.status().message() << "\n";
    return kExitBadInput;
  }
  std::cout << "Endpoint " << config->fhir->base_url << "\n";
  bool usable = true;
  for (const auto& c : CheckEndpoint(**connection)) {
    usable &= c.ok;
    std::cout << (c.ok ? "  PASS  " : "  FAIL  ") << c.item << " — " << c.detail << "\n";
  }
  std::cout << (usable ? "Verdict: usable\n" : "Verdict: NOT usable — fix the items marked FAIL\n");
  return usable ? kExitOk : kExitFailure;
}

int RunDemo(const std::vector<std::string>& args) {
  DemoOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--examples" && i + 1 < args.size()) {
      options.examples_dir = args[++i];
    } else if (args[i] == "--fhir-server" && i + 1 < args.size()) {
      options.fhir_server_script = args[++i];
    } else if (args[i] == "--state-dir" && i + 1 < args.size()) {
      options.state_dir = args[++i];
    } else {
      std::cerr << "usage: supervision-adapter demo [--examples DIR] [--fhir-server SCRIPT] [--state-dir DIR]\n";
      return kExitUsage;
    }
  }
  return adapter::RunDemo(options, std::cout);
}

int RunVersion(const std::vector<std::string>&) {
  std::cout << "supervision-adapter 0.1.0 (session record supervision-session/1)\n";
  return kExitOk;
}

}  // namespace sa::adapter::cli
