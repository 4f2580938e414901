#include "adapter/cli/commands.h"

#include <iostream>

#include "adapter/config.h"
#include "adapter/explain.h"
#include "mappings/catalog.h"

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

int RunVersion(const std::vector<std::string>&) {
  std::cout << "supervision-adapter 0.1.0 (session record supervision-session/1)\n";
  return kExitOk;
}

}  // namespace sa::adapter::cli
