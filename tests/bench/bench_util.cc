#include "tests/bench/bench_util.h"

#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "adapter/crypto/kek.h"
#include "mappings/catalog.h"

namespace sa::bench {

Flags::Flags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) {
      std::cerr << "unexpected argument: " << a << "\n";
      std::exit(2);
    }
    auto eq = a.find('=');
    std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    values_[name] = eq == std::string::npos ? "" : a.substr(eq + 1);
    used_[name] = false;
  }
}

int64_t Flags::Int(const std::string& name, int64_t fallback) {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  used_[name] = true;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0') {
    std::cerr << "--" << name << " needs an integer\n";
    std::exit(2);
  }
  return v;
}

std::string Flags::Str(const std::string& name, const std::string& fallback) {
  auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  used_[name] = true;
  return it->second;
}

bool Flags::Has(const std::string& name) {
  auto it = values_.find(name);
  if (it == values_.end()) return false;
  used_[name] = true;
  return true;
}

void Flags::Check() const {
  for (const auto& [name, used] : used_) {
    if (!used) {
      std::cerr << "unknown flag --" << name << "\n";
      std::exit(2);
    }
  }
}

Latency Percentiles(std::vector<double> seconds) {
  Latency l;
  if (seconds.empty()) return l;
  std::sort(seconds.begin(), seconds.end());
  auto rank = [&](double p) {
    std::size_t k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(seconds.size())));
    return seconds[std::clamp<std::size_t>(k, 1, seconds.size()) - 1] * 1000.0;
  };
  l.p50_ms = rank(0.50);
  l.p99_ms = rank(0.99);
  l.max_ms = seconds.back() * 1000.0;
  double sum = 0;
  for (double s : seconds) sum += s;
  l.mean_ms = sum / static_cast<double>(seconds.size()) * 1000.0;
  return l;
}

namespace {

int64_t StatusKib(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(key) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::atoll(line.c_str() + prefix.size());
  }
  return -1;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown";
}

// The device mounted at the longest mount point that is a prefix of `dir`.
std::string DeviceOf(const std::string& dir) {
  std::ifstream in("/proc/mounts");
  std::string dev, mnt, type, rest, best_dev = "?", best_type;
  std::size_t best = 0;
  std::string abs = std::filesystem::weakly_canonical(dir).string();
  while (in >> dev >> mnt >> type && std::getline(in, rest)) {
    if (abs.rfind(mnt, 0) == 0 && mnt.size() >= best) {
      best = mnt.size();
      best_dev = dev;
      best_type = type;
    }
  }
  return best_dev + " (" + best_type + ")";
}

}  // namespace

int64_t RssKib() { return StatusKib("VmRSS"); }
int64_t PeakRssKib() { return StatusKib("VmHWM"); }

double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = -1;
  in >> one;
  return one;
}

std::string MachineLine(const std::string& dir) {
  utsname u{};
  ::uname(&u);
  struct statvfs fs {};
  ::statvfs(dir.c_str(), &fs);
  double gib = static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize) / (1024.0 * 1024 * 1024);
  std::ostringstream out;
  out << "machine: " << ::sysconf(_SC_NPROCESSORS_ONLN) << " CPU(s), " << CpuModel() << ", kernel " << u.release
      << ", " << dir << " on " << DeviceOf(dir) << " " << Fixed(gib, 0) << " GiB, load average "
      << Fixed(LoadAverage(), 2);
  return out.str();
}

TempDir::TempDir(const std::string& base) {
  std::string pattern = base + "/sa-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::cerr << "cannot create a temporary directory under " << base << "\n";
    std::exit(1);
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

StatusOr<std::unique_ptr<adapter::Vault>> MakeVault(const std::string& dir, adapter::store::Database& db) {
  SA_ASSIGN_OR_RETURN(std::string kek, adapter::crypto::GenerateKekBase64());
  const std::string path = dir + "/kek.b64";
  std::ofstream(path) << kek << "\n";
  adapter::KeysConfig keys;
  keys.kek_file = path;
  return adapter::Vault::Open(keys, db);
}

std::string SourceFile(const std::string& relative) {
  return ValueOrDie(mappings::ReadTextFile(std::string(SA_SOURCE_DIR) + "/" + relative), relative);
}

json ExampleSession(const std::string& session_id, int actions) {
  static const json kExample = json::parse(SourceFile("tests/data/valid-eput-sbar.json"));
  json r = kExample;
  r["sessionId"] = session_id;
  if (actions > 0) {
    json owners = json::array({r["supervisor"], r["supervisees"][0]});
    json list = json::array();
    for (int i = 1; i <= actions; ++i) {
      char due[16], id[16], what[64];
      std::snprintf(due, sizeof due, "2026-12-%02d", 1 + (i % 28));
      std::snprintf(id, sizeof id, "A%d", i);
      std::snprintf(what, sizeof what, "Follow-up action number %d agreed in supervision", i);
      list.push_back({{"id", id},
                      {"what", what},
                      {"owner", owners[i % 2]},
                      {"due", due}});
    }
    r["cases"][0]["actions"] = list;
  }
  return r;
}

void PrintTable(const std::string& title, const std::vector<ResultRow>& rows) {
  std::cout << "\n### " << title << "\n\n"
            << "| measure | value | limit / comparison (same run) | ratio | target | met |\n"
            << "| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& r : rows) {
    std::cout << "| " << r.measure << " | " << r.value << " | " << r.baseline << " | " << r.ratio << " | "
              << r.target << " | " << r.met << " |\n";
  }
  std::cout << std::flush;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void CheckOk(const Status& status, const std::string& what) {
  if (status.ok()) return;
  std::cerr << "FAILED: " << what << ": " << status.ToString() << "\n";
  std::exit(1);
}

}  // namespace sa::bench
