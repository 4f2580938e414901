#include "adapter/cli/commands.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "adapter/check_endpoint.h"
#include "adapter/config.h"
#include "adapter/ehr_connection.h"
#include "adapter/explain.h"
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
  std::string dir = "config/examples";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--examples" && i + 1 < args.size()) {
      dir = args[++i];
    } else {
      std::cerr << "usage: supervision-adapter demo [--examples DIR]\n";
      return kExitUsage;
    }
  }
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  }
  if (ec || files.empty()) {
    std::cerr << "demo: no example sessions in " << dir << "\n";
    return kExitFailure;
  }
  std::sort(files.begin(), files.end());
  auto catalog = CatalogFor(DefaultConfig());
  if (!catalog.ok()) {
    std::cerr << "demo: " << catalog.status().message() << "\n";
    return kExitFailure;
  }
  std::cout << "Supervision adapter demo: where every field of each example session goes, and why.\n"
            << "(No store and no EHR yet: this is `explain` on " << files.size() << " sessions in " << dir
            << ".)\n";
  std::ostringstream summary;
  int status = kExitOk;
  for (const auto& f : files) {
    auto text = mappings::ReadTextFile(f);
    if (!text.ok()) return kExitFailure;
    ExplainReport r = Explain(*text, **catalog, mappings::kDefaultMaxRecordBytes);
    std::cout << "\n== " << f << "\n" << RenderExplainText(r);
    if (!r.valid) {
      status = kExitBadInput;
      summary << "  " << f << ": REJECTED\n";
      continue;
    }
    int plans = 0, tasks = 0, held = 0;
    for (const auto& c : r.json["cases"]) {
      plans += c["carePlan"].get<bool>() ? 1 : 0;
      tasks += c["actionsToEhr"].get<int>();
      held += static_cast<int>(c["held"].size());
    }
    const auto& n = r.json["counts"];
    summary << "  " << r.json["sessionId"].get<std::string>() << " (" << r.json["organisation"].get<std::string>()
            << ", " << r.json["type"].get<std::string>() << ", " << r.json["status"].get<std::string>()
            << "): fields ehr " << n["ehr"] << ", confidential " << n["confidential"] << ", practitioner "
            << n["practitioner"] << ", register " << n["register"] << "; " << plans << " CarePlan(s), " << tasks
            << " Task(s), " << held << " held; EHR now: " << (r.json["ehrRelease"]["now"].get<bool>() ? "yes" : "no")
            << "\n";
  }
  std::cout << "\nSummary\n" << summary.str();
  return status;
}

int RunVersion(const std::vector<std::string>&) {
  std::cout << "supervision-adapter 0.1.0 (session record supervision-session/1)\n";
  return kExitOk;
}

}  // namespace sa::adapter::cli
