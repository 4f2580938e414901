#include "mappings/catalog.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mappings/embedded_data.h"
#include "mappings/strict_json.h"

namespace sa::mappings {

using nlohmann::json;

namespace {

constexpr std::string_view kProfilesDir = "profiles/";
constexpr std::string_view kTemplatesDir = "templates/";
constexpr std::string_view kFieldTable = "fields/session-record.json";
constexpr std::size_t kMaxDataFileBytes = 1 << 20;

StatusOr<json> ParseDataFile(std::string_view text, const std::string& origin) {
  json doc;
  JsonParseError err;
  if (!ParseStrictJson(text, {kMaxDataFileBytes, kDefaultMaxJsonDepth}, &doc, &err)) {
    return Status::InvalidArgument(origin + ": " + err.pointer + ": " + err.reason);
  }
  return doc;
}

std::string StemOf(std::string_view path, std::string_view dir) {
  std::string_view rest = path.substr(dir.size());
  return std::string(rest.substr(0, rest.rfind(".json")));
}

std::vector<std::string> EmbeddedNames(std::string_view dir) {
  std::vector<std::string> out;
  for (const auto& f : EmbeddedDataFiles()) {
    if (f.path.substr(0, dir.size()) == dir) out.push_back(StemOf(f.path, dir));
  }
  return out;
}

const EmbeddedFile* FindEmbedded(std::string_view path) {
  for (const auto& f : EmbeddedDataFiles()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

bool IsFileReference(const std::string& entry) {
  return entry.find('/') != std::string::npos || entry.ends_with(".json");
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

}  // namespace

StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::Unavailable(path + ": read error");
  return ss.str();
}

std::vector<std::string> BuiltInProfileCodes() { return EmbeddedNames(kProfilesDir); }
std::vector<std::string> BuiltInTemplateNames() { return EmbeddedNames(kTemplatesDir); }

StatusOr<std::shared_ptr<const Catalog>> Catalog::Load(const CatalogOptions& options) {
  auto catalog = std::make_shared<Catalog>();

  const EmbeddedFile* table_file = FindEmbedded(kFieldTable);
  if (!table_file) return Status::Internal("the embedded field table is missing");
  std::string table_origin = "mappings/data/" + std::string(kFieldTable);
  SA_ASSIGN_OR_RETURN(json table_doc, ParseDataFile(table_file->content, table_origin));
  SA_ASSIGN_OR_RETURN(catalog->fields_, FieldTable::Parse(table_doc, table_origin));

  auto add_template = [&](std::string_view text, const std::string& origin) -> Status {
    SA_ASSIGN_OR_RETURN(json doc, ParseDataFile(text, origin));
    SA_ASSIGN_OR_RETURN(Template t, ParseTemplate(doc, origin));
    if (catalog->templates_.count(t.name)) {
      return Status::InvalidArgument(origin + ": /name: template already defined");
    }
    std::string name = t.name;
    catalog->templates_.emplace(name, std::move(t));
    return Status::Ok();
  };
  for (const auto& f : EmbeddedDataFiles()) {
    if (f.path.substr(0, kTemplatesDir.size()) != kTemplatesDir) continue;
    SA_RETURN_IF_ERROR(add_template(f.content, "mappings/data/" + std::string(f.path)));
  }
  for (const auto& file : options.template_files) {
    std::string path = Resolve(options.base_dir, file);
    SA_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
    SA_RETURN_IF_ERROR(add_template(text, path));
  }

  std::vector<std::string> entries = options.profiles;
  if (entries.empty()) entries = BuiltInProfileCodes();
  for (const auto& entry : entries) {
    std::string origin, text;
    if (IsFileReference(entry)) {
      origin = Resolve(options.base_dir, entry);
      SA_ASSIGN_OR_RETURN(text, ReadTextFile(origin));
    } else {
      std::string path = std::string(kProfilesDir) + entry + ".json";
      const EmbeddedFile* f = FindEmbedded(path);
      if (!f) return Status::InvalidArgument("profiles: '" + entry + "' is not a built-in profile");
      origin = "mappings/data/" + path;
      text = std::string(f->content);
    }
    SA_ASSIGN_OR_RETURN(json doc, ParseDataFile(text, origin));
    SA_ASSIGN_OR_RETURN(Profile p, ParseProfile(doc, origin));
    for (std::size_t i = 0; i < p.templates_allowed.size(); ++i) {
      if (!catalog->templates_.count(p.templates_allowed[i])) {
        return Status::InvalidArgument(origin + ": /templates/allowed/" + std::to_string(i) +
                                       ": not a known template");
      }
    }
    if (catalog->profiles_.count(p.code)) {
      return Status::InvalidArgument(origin + ": /code: profile already enabled");
    }
    std::string code = p.code;
    catalog->profiles_.emplace(code, std::move(p));
  }
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

const Template* Catalog::FindTemplate(const std::string& name) const {
  auto it = templates_.find(name);
  return it == templates_.end() ? nullptr : &it->second;
}

const Profile* Catalog::FindProfile(const std::string& code) const {
  auto it = profiles_.find(code);
  return it == profiles_.end() ? nullptr : &it->second;
}

std::vector<std::string> Catalog::ProfileCodes() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : profiles_) out.push_back(k);
  return out;
}

std::vector<std::string> Catalog::TemplateNames() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : templates_) out.push_back(k);
  return out;
}

}  // namespace sa::mappings
