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

// Normalises `text` into `out` (cleared first): NormalizeWords' words, each
// lower-cased ASCII letters and digits or other non-ASCII bytes, broken at
// ASCII non-alphanumerics and the Unicode breaks above.
void NormalizeInto(std::string_view text, LeakGuard::Words* out) {
  out->joined.clear();
  out->bounds.clear();
  bool in_word = false;
  const auto start = [&] {
    if (in_word) return;
    if (!out->joined.empty()) out->joined += ' ';
    out->bounds.push_back({out->joined.size(), out->joined.size()});
    in_word = true;
  };
  const auto end = [&] {
    if (!in_word) return;
    out->bounds.back().second = out->joined.size();
    in_word = false;
  };
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) {
        start();
        out->joined += static_cast<char>(std::tolower(c));
      } else {
        end();
      }
      ++i;
      continue;
    }
    if (std::size_t n = UnicodeBreakAt(text, i)) {
      end();
      i += n;
      continue;
    }
    start();
    out->joined += static_cast<char>(c);
    ++i;
  }
  end();
}

}  // namespace

std::vector<std::string> NormalizeWords(std::string_view text) {
  LeakGuard::Words words;
  NormalizeInto(text, &words);
  std::vector<std::string> out;
  out.reserve(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) out.emplace_back(words.Run(i, 1));
  return out;
}

LeakGuard::LeakGuard(const std::vector<LeakSource>& sources) {
  Words words;
  for (const auto& src : sources) {
    NormalizeInto(src.text, &words);
    std::size_t index = pointers_.size();
    pointers_.push_back(src.pointer);
    if (words.size() >= static_cast<std::size_t>(kShingleWords)) {
      for (std::size_t i = 0; i + kShingleWords <= words.size(); ++i) {
        shingles_.emplace(std::string(words.Run(i, kShingleWords)), index);
      }
    } else if (words.size() > 0 && (words.size() >= static_cast<std::size_t>(kMinShortWords) ||
                                      words.joined.size() >= kMinShortChars)) {
      short_texts_[words.size()].emplace(words.joined, index);
    }
  }
}

std::optional<LeakFinding> LeakGuard::Check(std::string_view outgoing) const {
  Words words;
  return CheckWith(outgoing, words);
}

std::optional<LeakFinding> LeakGuard::CheckWith(std::string_view outgoing, Words& words) const {
  if (shingles_.empty() && short_texts_.empty()) return std::nullopt;
  NormalizeInto(outgoing, &words);
  if (words.size() >= static_cast<std::size_t>(kShingleWords)) {
    for (std::size_t i = 0; i + kShingleWords <= words.size(); ++i) {
      auto it = shingles_.find(words.Run(i, kShingleWords));
      if (it != shingles_.end()) return LeakFinding{pointers_[it->second], kShingleWords};
    }
  }
  for (const auto& [n, texts] : short_texts_) {
    for (std::size_t i = 0; i + n <= words.size(); ++i) {
      auto it = texts.find(words.Run(i, n));
      if (it != texts.end()) return LeakFinding{pointers_[it->second], static_cast<int>(n)};
    }
  }
  return std::nullopt;
}

std::optional<LeakFinding> LeakGuard::CheckJson(const json& outgoing) const {
  if (shingles_.empty() && short_texts_.empty()) return std::nullopt;  // nothing to find
  // Iterative walk: outgoing documents are ours, but never trust depth.
  Words words;  // reused for every string
  std::vector<const json*> stack = {&outgoing};
  while (!stack.empty()) {
    const json* v = stack.back();
    stack.pop_back();
    if (v->is_string()) {
      if (auto f = CheckWith(v->get_ref<const std::string&>(), words)) return f;
    } else if (v->is_object()) {
      for (auto it = v->begin(); it != v->end(); ++it) {
        if (auto f = CheckWith(it.key(), words)) return f;
        stack.push_back(&it.value());
      }
    } else if (v->is_array()) {
      for (const auto& e : *v) stack.push_back(&e);
    }
  }
  return std::nullopt;
}

}  // namespace sa::mappings
