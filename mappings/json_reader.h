// Reading JSON objects field by field while collecting every problem.
//
// Validation here reports all problems at once, each with the JSON Pointer of
// the offending field and a plain reason ("/cases/0/actions/1/due: required").
// ObjectReader is the one place that knows how to say "required", "must be a
// string" and "unknown field", so every loader (session records, templates,
// profiles, configuration) words its errors the same way and rejects unknown
// keys the same way. Reasons never quote the value that was given.
#ifndef SA_MAPPINGS_JSON_READER_H_
#define SA_MAPPINGS_JSON_READER_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sa::mappings {

struct FieldError {
  std::string pointer;  // RFC 6901; "" is the whole document
  std::string reason;
  std::string ToString() const { return pointer + ": " + reason; }
  bool operator==(const FieldError&) const = default;
};

// An ordered list of problems found so far.
class FieldErrors {
 public:
  void Add(std::string pointer, std::string reason) {
    list_.push_back({std::move(pointer), std::move(reason)});
  }
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  const std::vector<FieldError>& list() const { return list_; }
  // All problems, one per line, each prefixed with `prefix` (e.g. a file name).
  std::string Join(const std::string& prefix = "") const;

 private:
  std::vector<FieldError> list_;
};

enum class Presence {
  kRequired,  // absent or null is an error ("required")
  kOptional,  // absent or null yields nullopt
  kNullable,  // must be present; null yields nullopt (states "not applicable" explicitly)
};

// Reads the members of one JSON object. Every accessor marks its key as known;
// RejectUnknown() then reports any member nobody asked for.
class ObjectReader {
 public:
  // `value` may be any JSON; a non-object is reported once at `pointer`.
  ObjectReader(const nlohmann::json& value, std::string pointer, FieldErrors* errors);

  bool is_object() const { return obj_ != nullptr; }
  const std::string& pointer() const { return pointer_; }
  // The pointer of member `key` of this object.
  std::string Ptr(const std::string& key) const;
  // True when `key` is present and not null.
  bool Has(const std::string& key) const;

  std::optional<std::string> String(const std::string& key, Presence p,
                                    bool allow_empty = false);
  std::optional<std::int64_t> Int(const std::string& key, Presence p,
                                  std::int64_t min, std::int64_t max);
  std::optional<bool> Bool(const std::string& key, Presence p);
  // Returns the member if it is an object/array, else nullptr (error recorded
  // when present with the wrong type, or absent and required).
  const nlohmann::json* Object(const std::string& key, Presence p);
  const nlohmann::json* Array(const std::string& key, Presence p);
  // A string that must be one of `allowed`.
  std::optional<std::string> Enum(const std::string& key, Presence p,
                                  const std::vector<std::string>& allowed);
  // An array of strings.
  std::optional<std::vector<std::string>> StringList(const std::string& key, Presence p);
  // Marks `key` as known without reading it.
  void Allow(const std::string& key) { known_.insert(key); }

  // Reports every member that no accessor asked for as "unknown field".
  // Member names that do not look like field names are not echoed (they could
  // be misplaced free text); the parent pointer is named instead.
  void RejectUnknown();

 private:
  const nlohmann::json* Get(const std::string& key, Presence p);
  void Add(const std::string& key, std::string reason);

  const nlohmann::json* obj_ = nullptr;
  std::string pointer_;
  FieldErrors* errors_;
  std::set<std::string> known_;
};

// True when `name` looks like a field name ([A-Za-z0-9_-], 1..64 chars) and
// can therefore be echoed in an error without risk of quoting free text.
bool LooksLikeFieldName(const std::string& name);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_JSON_READER_H_
