#include "mappings/json_reader.h"

#include <cctype>

#include "mappings/strict_json.h"

namespace sa::mappings {

using nlohmann::json;

std::string FieldErrors::Join(const std::string& prefix) const {
  std::string out;
  for (const auto& e : list_) {
    if (!out.empty()) out += "\n";
    out += prefix + e.ToString();
  }
  return out;
}

bool LooksLikeFieldName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '_' || c == '-')) return false;
  }
  return true;
}

ObjectReader::ObjectReader(const json& value, std::string pointer, FieldErrors* errors)
    : pointer_(std::move(pointer)), errors_(errors) {
  if (value.is_object()) {
    obj_ = &value;
  } else {
    errors_->Add(pointer_, "must be an object");
  }
}

std::string ObjectReader::Ptr(const std::string& key) const {
  return pointer_ + "/" + EscapePointerToken(key);
}

bool ObjectReader::Has(const std::string& key) const {
  if (!obj_) return false;
  auto it = obj_->find(key);
  return it != obj_->end() && !it->is_null();
}

void ObjectReader::Add(const std::string& key, std::string reason) {
  errors_->Add(Ptr(key), std::move(reason));
}

const json* ObjectReader::Get(const std::string& key, Presence p) {
  known_.insert(key);
  if (!obj_) return nullptr;
  auto it = obj_->find(key);
  if (it == obj_->end() && p == Presence::kNullable) {
    Add(key, "required (null when it does not apply)");
    return nullptr;
  }
  if (it == obj_->end() || it->is_null()) {
    if (p == Presence::kRequired) Add(key, "required");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> ObjectReader::String(const std::string& key, Presence p,
                                                bool allow_empty) {
  const json* v = Get(key, p);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Add(key, "must be a string");
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  if (!allow_empty && s.find_first_not_of(" \t\r\n") == std::string::npos) {
    Add(key, p == Presence::kRequired ? "required (empty)" : "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> ObjectReader::Int(const std::string& key, Presence p,
                                              std::int64_t min, std::int64_t max) {
  const json* v = Get(key, p);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    Add(key, "must be an integer");
    return std::nullopt;
  }
  // Unsigned values above int64 range compare wrongly; reject them first.
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    Add(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  std::int64_t n = v->get<std::int64_t>();
  if (n < min || n > max) {
    Add(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> ObjectReader::Bool(const std::string& key, Presence p) {
  const json* v = Get(key, p);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    Add(key, "must be true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

const json* ObjectReader::Object(const std::string& key, Presence p) {
  const json* v = Get(key, p);
  if (!v) return nullptr;
  if (!v->is_object()) {
    Add(key, "must be an object");
    return nullptr;
  }
  return v;
}

const json* ObjectReader::Array(const std::string& key, Presence p) {
  const json* v = Get(key, p);
  if (!v) return nullptr;
  if (!v->is_array()) {
    Add(key, "must be an array");
    return nullptr;
  }
  return v;
}

std::optional<std::string> ObjectReader::Enum(const std::string& key, Presence p,
                                              const std::vector<std::string>& allowed) {
  std::optional<std::string> s = String(key, p);
  if (!s) return std::nullopt;
  for (const auto& a : allowed) {
    if (*s == a) return s;
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  Add(key, "must be one of: " + list);
  return std::nullopt;
}

std::optional<std::vector<std::string>> ObjectReader::StringList(const std::string& key,
                                                                 Presence p) {
  const json* a = Array(key, p);
  if (!a) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const json& item = (*a)[i];
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      errors_->Add(Ptr(key) + "/" + std::to_string(i), "must be a non-empty string");
      ok = false;
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  if (!ok) return std::nullopt;
  return out;
}

void ObjectReader::RejectUnknown() {
  if (!obj_) return;
  for (auto it = obj_->begin(); it != obj_->end(); ++it) {
    if (known_.count(it.key())) continue;
    if (LooksLikeFieldName(it.key())) {
      Add(it.key(), "unknown field");
    } else {
      errors_->Add(pointer_, "unknown field (its name is not a field name and is not repeated here)");
    }
  }
}

}  // namespace sa::mappings
