#include "mappings/leak_guard.h"

#include <cctype>

namespace sa::mappings {

using nlohmann::json;

namespace {

// Length of a Unicode punctuation/space sequence at `s[i]` that counts as a
// word break, or 0.
std::size_t UnicodeBreakAt(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (i + 1 < s.size() && b(0) == 0xC2 && (b(1) == 0xA0 || b(1) == 0xAB || b(1) == 0xBB)) return 2;
  if (i + 2 < s.size() && b(0) == 0xE2 && b(1) == 0x80) {
    unsigned char c = b(2);
    // U+2010..U+2015 dashes, U+2018..U+201F quotes, U+2026 ellipsis, U+2022 bullet.
    if ((c >= 0x90 && c <= 0x9F) || c == 0xA6 || c == 0xA2) return 3;
  }
  return 0;
}

std::string Join(const std::vector<std::string>& words, std::size_t from, std::size_t n) {
  std::string out;
  for (std::size_t i = from; i < from + n; ++i) {
    if (i > from) out += ' ';
    out += words[i];
  }
  return out;
}

std::size_t JoinedLength(const std::vector<std::string>& words) {
  std::size_t n = words.empty() ? 0 : words.size() - 1;
  for (const auto& w : words) n += w.size();
  return n;
}

}  // namespace

std::vector<std::string> NormalizeWords(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) {
        current += static_cast<char>(std::tolower(c));
      } else if (!current.empty()) {
        words.push_back(std::move(current));
        current.clear();
      }
      ++i;
      continue;
    }
    if (std::size_t n = UnicodeBreakAt(text, i)) {
      if (!current.empty()) {
        words.push_back(std::move(current));
        current.clear();
      }
      i += n;
      continue;
    }
    current += static_cast<char>(c);
    ++i;
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

LeakGuard::LeakGuard(const std::vector<LeakSource>& sources) {
  for (const auto& src : sources) {
    std::vector<std::string> words = NormalizeWords(src.text);
    std::size_t index = pointers_.size();
    pointers_.push_back(src.pointer);
    if (words.size() >= static_cast<std::size_t>(kShingleWords)) {
      for (std::size_t i = 0; i + kShingleWords <= words.size(); ++i) {
        shingles_.emplace(Join(words, i, kShingleWords), index);
      }
    } else if (!words.empty() && (words.size() >= static_cast<std::size_t>(kMinShortWords) ||
                                  JoinedLength(words) >= kMinShortChars)) {
      short_texts_[words.size()].emplace(Join(words, 0, words.size()), index);
    }
  }
}

std::optional<LeakFinding> LeakGuard::Check(std::string_view outgoing) const {
  if (shingles_.empty() && short_texts_.empty()) return std::nullopt;
  std::vector<std::string> words = NormalizeWords(outgoing);
  if (words.size() >= static_cast<std::size_t>(kShingleWords)) {
    for (std::size_t i = 0; i + kShingleWords <= words.size(); ++i) {
      auto it = shingles_.find(Join(words, i, kShingleWords));
      if (it != shingles_.end()) return LeakFinding{pointers_[it->second], kShingleWords};
    }
  }
  for (const auto& [n, texts] : short_texts_) {
    for (std::size_t i = 0; i + n <= words.size(); ++i) {
      auto it = texts.find(Join(words, i, n));
      if (it != texts.end()) return LeakFinding{pointers_[it->second], static_cast<int>(n)};
    }
  }
  return std::nullopt;
}

std::optional<LeakFinding> LeakGuard::CheckJson(const json& outgoing) const {
  if (shingles_.empty() && short_texts_.empty()) return std::nullopt;  // nothing to find
  // Iterative walk: outgoing documents are ours, but never trust depth.
  std::vector<const json*> stack = {&outgoing};
  while (!stack.empty()) {
    const json* v = stack.back();
    stack.pop_back();
    if (v->is_string()) {
      if (auto f = Check(v->get_ref<const std::string&>())) return f;
    } else if (v->is_object()) {
      for (auto it = v->begin(); it != v->end(); ++it) {
        if (auto f = Check(it.key())) return f;
        stack.push_back(&it.value());
      }
    } else if (v->is_array()) {
      for (const auto& e : *v) stack.push_back(&e);
    }
  }
  return std::nullopt;
}

}  // namespace sa::mappings
