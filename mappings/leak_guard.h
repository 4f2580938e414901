// The leak guard: a last check that no confidential text reaches the EHR.
//
// The separation engine already keeps discussion and practitioner fields out
// of the EHR plan by construction; the guard catches what construction
// cannot: a person typing (or pasting) discussion text into an action's
// `what`, or a bug in a later mapping step.
//
// Matching rule (docs/leak-guard.md):
//  - Texts are normalised: ASCII letters lower-cased; every run of characters
//    that are not letters or digits (ASCII punctuation, whitespace, and the
//    common Unicode quotes, dashes, ellipsis and no-break space) becomes one
//    word break. Other non-ASCII characters count as letters.
//  - A confidential text of kShingleWords words or more leaks when any run of
//    kShingleWords consecutive words of it appears in the outgoing text.
//  - A shorter confidential text leaks when all of it appears as consecutive
//    words, provided it has at least kMinShortWords words or kMinShortChars
//    characters after normalisation; shorter ones ("yes", "n/a") are ignored.
// Limits: paraphrase, reordering, translation, spelling changes and quotes of
// fewer than kShingleWords words from a longer text are not detected.
#ifndef SA_MAPPINGS_LEAK_GUARD_H_
#define SA_MAPPINGS_LEAK_GUARD_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <functional>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sa::mappings {

// Words in a quote long enough to count as quoting a longer text.
inline constexpr int kShingleWords = 6;
// A short confidential text is matched whole if it has this many words...
inline constexpr int kMinShortWords = 3;
// ...or this many normalised characters.
inline constexpr std::size_t kMinShortChars = 20;

struct LeakSource {
  std::string pointer;  // where the confidential text came from, e.g. /cases/0/discussion/assessment
  std::string text;
};

// What was found. Names the source field only, never the matching words.
struct LeakFinding {
  std::string source_pointer;
  int words = 0;  // length of the match in words
};

// Splits `text` into normalised words as described above.
std::vector<std::string> NormalizeWords(std::string_view text);

class LeakGuard {
 public:
  // Indexes the confidential texts of one session.
  explicit LeakGuard(const std::vector<LeakSource>& sources);

  // The first confidential text quoted in `outgoing`, if any.
  std::optional<LeakFinding> Check(std::string_view outgoing) const;
  // Checks every string (values and member names) in a JSON document, such
  // as an outgoing FHIR Bundle.
  std::optional<LeakFinding> CheckJson(const nlohmann::json& outgoing) const;

  // One text's words, normalised as NormalizeWords does, joined by single
  // spaces, with each word's [begin, end) in `joined`: a run of words is then
  // a substring, looked up without building a string (public for the
  // implementation's helpers; not part of the API).
  struct Words {
    std::string joined;
    std::vector<std::pair<std::size_t, std::size_t>> bounds;
    std::size_t size() const { return bounds.size(); }
    // Words [from, from + n) as they appear in `joined`.
    std::string_view Run(std::size_t from, std::size_t n) const {
      return std::string_view(joined).substr(bounds[from].first, bounds[from + n - 1].second - bounds[from].first);
    }
  };

 private:
  // Check with `words` as scratch space (CheckJson reuses one for every string).
  std::optional<LeakFinding> CheckWith(std::string_view outgoing, Words& words) const;

  // Look-up of std::string keys by std::string_view.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using TextMap = std::unordered_map<std::string, std::size_t, TextHash, std::equal_to<>>;

  std::vector<std::string> pointers_;
  // Joined shingle -> index into pointers_.
  TextMap shingles_;
  // Whole short texts, by word count: joined words -> index into pointers_.
  std::unordered_map<std::size_t, TextMap> short_texts_;
};

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_LEAK_GUARD_H_
