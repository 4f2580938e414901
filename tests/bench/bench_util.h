// Shared helpers of the benchmarks (tests/bench): flags, clocks, latency
// percentiles, resident memory, the machine they ran on, temporary
// directories, result tables, and a throwaway vault for intake.
#ifndef SA_TESTS_BENCH_BENCH_UTIL_H_
#define SA_TESTS_BENCH_BENCH_UTIL_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapter/core/vault.h"
#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::bench {

using nlohmann::json;

// "--name=value" and "--flag" arguments; anything else is an error.
class Flags {
 public:
  // Parses argv; unknown names are reported by Check().
  Flags(int argc, char** argv);
  int64_t Int(const std::string& name, int64_t fallback);
  std::string Str(const std::string& name, const std::string& fallback);
  bool Has(const std::string& name);
  // Exits with status 2 naming any flag that no accessor asked for.
  void Check() const;

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, bool> used_;
};

// Seconds on the monotonic clock.
inline double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Latency {
  double p50_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};
// Nearest-rank percentiles of per-operation times given in seconds.
Latency Percentiles(std::vector<double> seconds);

// This process's resident set (VmRSS) and its peak (VmHWM), in KiB.
int64_t RssKib();
int64_t PeakRssKib();

// One line naming the machine: CPUs, CPU model, kernel, load average, and
// the filesystem holding `dir` (device, size).
std::string MachineLine(const std::string& dir);
// The 1-minute load average now.
double LoadAverage();

// A directory under `base` removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& base = "/tmp");
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A key-encryption key in `dir` and a vault over `db` (the look-up key is
// created in `db`), as an adapter installation has.
StatusOr<std::unique_ptr<adapter::Vault>> MakeVault(const std::string& dir, adapter::store::Database& db);

// The bytes of a file under the source tree (SA_SOURCE_DIR).
std::string SourceFile(const std::string& relative);

// The valid EPUT example session with `session_id`; with `actions` > 0 its
// one case carries that many actions instead of the example's two.
json ExampleSession(const std::string& session_id, int actions = 0);

// A row of a result table: what was measured, its value, the limit it is
// compared with, and the target.
struct ResultRow {
  std::string measure;
  std::string value;
  std::string baseline;  // the limit or comparison, measured in the same run
  std::string ratio;     // value / baseline, when meaningful
  std::string target;
  std::string met;       // "yes", "no" or "-"
};
// Prints rows as a Markdown table (stdout).
void PrintTable(const std::string& title, const std::vector<ResultRow>& rows);
// "%.*f" for table cells.
std::string Fixed(double v, int digits);

// Dies with a message when `status` is not ok (benchmarks have no recovery).
void CheckOk(const Status& status, const std::string& what);
template <typename T>
T ValueOrDie(StatusOr<T> v, const std::string& what) {
  CheckOk(v.status(), what);
  return std::move(v).value();
}

}  // namespace sa::bench

#endif  // SA_TESTS_BENCH_BENCH_UTIL_H_
