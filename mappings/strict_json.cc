#include "mappings/strict_json.h"

#include <cctype>
#include <vector>

namespace sa::mappings {

using nlohmann::json;

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

namespace {

// Builds the DOM like nlohmann's json_sax_dom_parser, plus the two checks it
// lacks. `path_` holds the pointer token of each open container and of the
// pending object key, so an error can name the exact place.
class StrictDomBuilder {
 public:
  StrictDomBuilder(json* root, int max_depth) : root_(root), max_depth_(max_depth) {}

  bool null() { return Put(nullptr); }
  bool boolean(bool v) { return Put(v); }
  bool number_integer(json::number_integer_t v) { return Put(v); }
  bool number_unsigned(json::number_unsigned_t v) { return Put(v); }
  bool number_float(json::number_float_t v, const std::string&) { return Put(v); }
  bool string(json::string_t& v) { return Put(std::move(v)); }
  bool binary(json::binary_t&) { return Fail(CurrentPointer(), "binary values are not JSON"); }

  bool start_object(std::size_t) { return Open(json::object()); }
  bool start_array(std::size_t) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(json::string_t& k) {
    json* top = stack_.back();
    if (top->contains(k)) {
      if (!IsPlainName(k)) return Fail(PointerOfOpen(), "duplicate key (its name is not a field name and is not repeated here)");
      return Fail(PointerOfOpen() + "/" + EscapePointerToken(k), "duplicate key");
    }
    pending_key_ = k;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) {
    // ex.what() may quote the offending token, which may be confidential
    // text: classify it instead of echoing it.
    std::string what = ex.what();
    std::string reason;
    if (what.find("UTF-8") != std::string::npos || what.find("utf-8") != std::string::npos ||
        what.find("surrogate") != std::string::npos) {
      reason = "invalid UTF-8 or Unicode escape";
    } else if (what.find("control character") != std::string::npos) {
      reason = "unescaped control character in a string";
    } else if (what.find("unexpected end of input") != std::string::npos) {
      reason = "unexpected end of input";
    } else if (what.find("expected end of input") != std::string::npos) {
      reason = "trailing content after the JSON document";
    } else {
      reason = "invalid JSON syntax";
    }
    reason += " at byte " + std::to_string(position);
    if (!failed_) Fail(PointerOfOpen(), reason);
    return false;
  }

  bool failed() const { return failed_; }
  const JsonParseError& error() const { return error_; }

 private:
  bool Fail(std::string pointer, std::string reason) {
    failed_ = true;
    error_ = {std::move(pointer), std::move(reason)};
    return false;
  }

  std::string PointerOfOpen() const {
    std::string p;
    for (const auto& t : path_) p += "/" + t;
    return p;
  }

  // Member names are echoed only when they look like field names: anything
  // else may be misplaced free text.
  static bool IsPlainName(const std::string& k) {
    if (k.empty() || k.size() > 64) return false;
    for (unsigned char c : k) {
      if (!(std::isalnum(c) || c == '_' || c == '-')) return false;
    }
    return true;
  }

  std::string Token(const json* top) const {
    if (top->is_array()) return std::to_string(top->size());
    return IsPlainName(pending_key_) ? EscapePointerToken(pending_key_) : "(member name withheld)";
  }

  // Pointer of the value about to be placed.
  std::string CurrentPointer() const {
    if (stack_.empty()) return "";
    return PointerOfOpen() + "/" + Token(stack_.back());
  }

  // Places `v` in the open container (or as the root) and returns where.
  json* Place(json v) {
    if (stack_.empty()) {
      *root_ = std::move(v);
      return root_;
    }
    json* top = stack_.back();
    if (top->is_array()) {
      top->push_back(std::move(v));
      return &top->back();
    }
    return &((*top)[pending_key_] = std::move(v));
  }

  template <typename V>
  bool Put(V&& v) {
    Place(json(std::forward<V>(v)));
    return true;
  }

  bool Open(json container) {
    if (static_cast<int>(stack_.size()) + 1 > max_depth_) {
      return Fail(CurrentPointer(), "nested deeper than " + std::to_string(max_depth_) + " levels");
    }
    std::string token;
    if (!stack_.empty()) token = Token(stack_.back());
    json* placed = Place(std::move(container));
    if (!stack_.empty()) path_.push_back(token);
    stack_.push_back(placed);
    return true;
  }

  bool Close() {
    stack_.pop_back();
    if (!path_.empty()) path_.pop_back();  // the root has no token
    return true;
  }

  json* root_;
  int max_depth_;
  std::vector<json*> stack_;
  std::vector<std::string> path_;  // tokens of stack_[1..]
  std::string pending_key_;
  bool failed_ = false;
  JsonParseError error_;
};

}  // namespace

bool ParseStrictJson(std::string_view text, const JsonLimits& limits, json* out,
                     JsonParseError* error) {
  if (text.size() > limits.max_bytes) {
    *error = {"", "record is " + std::to_string(text.size()) + " bytes; the limit is " +
                      std::to_string(limits.max_bytes)};
    return false;
  }
  json root;
  StrictDomBuilder builder(&root, limits.max_depth);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                         /*strict=*/true, /*ignore_comments=*/false);
  } catch (const std::exception&) {
    // sax_parse reports through parse_error; this is belt and braces.
    ok = false;
  }
  if (!ok || builder.failed()) {
    *error = builder.failed() ? builder.error() : JsonParseError{"", "invalid JSON"};
    return false;
  }
  *out = std::move(root);
  return true;
}

}  // namespace sa::mappings
