// sync: Task status back from the EHR (RS-11), once or until SIGTERM/SIGINT.
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "adapter/cli/commands.h"
#include "adapter/core/runtime.h"
#include "adapter/ehr_connection.h"
#include "adapter/sync/task_sync.h"

namespace sa::adapter::cli {

namespace {

// Set by SIGTERM/SIGINT; a lock-free atomic is safe to store from a handler.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void OnStopSignal(int) { g_stop.store(true); }

int SyncUsage() {
  std::cerr << "usage: supervision-adapter sync --config C [--once] [--interval SECONDS]\n";
  return kExitUsage;
}

}  // namespace

int RunSync(const std::vector<std::string>& args) {
  std::string config;
  bool once = false;
  bool interval_given = false;
  SyncOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config = args[++i];
    } else if (args[i] == "--once") {
      once = true;
    } else if (args[i] == "--interval" && i + 1 < args.size()) {
      char* end = nullptr;
      const long seconds = std::strtol(args[++i].c_str(), &end, 10);
      if (*end != '\0' || seconds < 1 || seconds > 86400) return SyncUsage();
      options.interval = std::chrono::seconds(seconds);
      interval_given = true;
    } else {
      return SyncUsage();
    }
  }
  if (config.empty()) return SyncUsage();
  auto fail = [](const Status& s) {
    std::cerr << "sync: " << s.message() << "\n";
    return s.code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
  };
  auto rt = Runtime::Open(config, /*need_keys=*/false);
  if (!rt.ok()) return fail(rt.status());
  if (!(*rt)->config.fhir) return fail(Status::InvalidArgument("/fhir: required for sync"));
  auto ehr = EhrConnection::Open(*(*rt)->config.fhir);
  if (!ehr.ok()) return fail(ehr.status());
  if (!interval_given) options.interval = std::chrono::seconds((*rt)->config.sync.interval_seconds);
  options.overlap = std::chrono::seconds((*rt)->config.sync.overlap_seconds);
  TaskSync sync((*rt)->db.get(), &(*ehr)->client(), &(*rt)->config.fhir->mapping, options);
  auto print = [](const StatusOr<SyncStats>& r) {
    if (r.ok()) {
      std::cout << r->ToJson().dump() << "\n" << std::flush;
    } else {
      std::cerr << "sync: poll failed (will retry): " << r.status().ToString() << "\n" << std::flush;
    }
  };
  if (once) {
    auto stats = sync.PollOnce();
    if (!stats.ok()) return fail(stats.status());
    print(stats);
    return kExitOk;
  }
  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGINT, OnStopSignal);
  Status s = sync.RunForever(g_stop, print);
  return s.ok() ? kExitOk : fail(s);
}

}  // namespace sa::adapter::cli
