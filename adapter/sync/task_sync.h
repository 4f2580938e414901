// Status back from the EHR (RS-11): polls the Tasks the adapter wrote, by its
// identifier system, and records each Task's status, businessStatus and owner
// in task_status (the latest) and task_status_history (one row per version),
// so the next session can show previous actions with their live EHR status.
//
// Incremental: a watermark in sync_state ('task-sync-watermark', the largest
// meta.lastUpdated recorded) bounds each search with `_lastUpdated=ge<mark −
// overlap>`. The overlap re-reads a margin of Tasks whose lastUpdated lags
// their visibility (clock skew between EHR nodes, late-committing
// transactions); re-reads are harmless because a version already recorded
// (same task identifier + meta.versionId) is skipped. Rows and the new
// watermark commit in one transaction, after every page was read: a failed
// poll (network, 5xx, database) changes nothing and is simply run again.
//
// Paging is keyset paging on the sorted results: after a full page the next
// request starts again at `ge<largest lastUpdated so far>` instead of
// following an `_offset` link, so Tasks updated while we page (which move to
// the end) cannot shift unread ones into pages already read. A full page whose
// Tasks all share one lastUpdated is asked for again with a doubled _count;
// only a server that caps _count below the tie makes us follow its `next` link.
// A poll that stops at max_pages commits what it read and leaves a resume
// point ('task-sync-resume'): the next poll continues there without
// re-applying the overlap, so a backlog larger than one poll always drains.
//
// Only EHR content is stored (status codes, businessStatus codings and text,
// the owner reference); never Task.description or anything else.
#ifndef SA_ADAPTER_SYNC_TASK_SYNC_H_
#define SA_ADAPTER_SYNC_TASK_SYNC_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapter/store/db.h"
#include "fhir/client.h"
#include "fhir/clock.h"
#include "fhir/status.h"
#include "mappings/fhir_plan.h"

namespace sa::adapter {

// sync_state names.
inline constexpr char kTaskSyncWatermark[] = "task-sync-watermark";
inline constexpr char kTaskSyncResume[] = "task-sync-resume";

struct SyncOptions {
  // Searches start this far before the watermark (late-visible updates).
  std::chrono::milliseconds overlap{120000};
  // RunForever's wait between polls; also the cap of its retry backoff.
  std::chrono::milliseconds interval{60000};
  // Most pages one poll reads; the rest waits for the next poll (resume point).
  int max_pages = 50;
  // _count of each search page.
  int page_size = 100;
};

// What one poll did.
struct SyncStats {
  int pages = 0;            // search pages fetched
  int tasks_seen = 0;       // distinct Tasks returned (after in-poll dedup)
  int new_versions = 0;     // versions recorded (history rows inserted)
  int duplicates = 0;       // versions already recorded (overlap re-reads)
  int stale = 0;            // versions older than the one recorded (history only)
  int skipped = 0;          // identifier value not "org/session/action"; not recorded
  bool truncated = false;   // stopped at max_pages; the next poll resumes
  std::string watermark_before, watermark_after;  // RFC 3339, "" when none
  std::string resume_from;  // where the next poll resumes (truncated only), else ""

  nlohmann::json ToJson() const;
};

// A previous action of a session as the EHR last showed it (RS-11).
struct PreviousAction {
  std::string action_id;
  std::string status;                // Task.status, e.g. "requested", "completed"
  std::string business_status_code;  // first coding's code, "" when none
  std::string business_status_text;  // text, else the first coding's display
  std::string owner_display;         // owner.display, "" when none
  std::string owner_identifier;      // owner.identifier "system|value", else owner.reference
  std::string last_updated;          // meta.lastUpdated, RFC 3339 UTC (ms)
  std::string version_id;            // meta.versionId
};

class TaskSync {
 public:
  // None owned; all must outlive the sync. `clock` null: the real clock.
  TaskSync(store::Database* db, fhir::FhirClient* client, const mappings::FhirMappingOptions* mapping,
           SyncOptions options, fhir::Clock* clock = nullptr);

  // One poll: search, record, advance the watermark. An error leaves the
  // store (watermark included) as it was.
  StatusOr<SyncStats> PollOnce();

  // Polls every interval until `stop` is set; a failed poll is retried after
  // a backoff (1 s, doubling, at most the interval), a truncated one at once.
  // `report`, when set, sees every poll's outcome. Returns Ok when stopped.
  Status RunForever(const std::atomic<bool>& stop,
                    const std::function<void(const StatusOr<SyncStats>&)>& report = {});

 private:
  struct SeenTask;
  struct Fetched;
  // Reads every page from `lower_ms` (Unix ms; none: from the beginning).
  StatusOr<Fetched> Fetch(std::optional<int64_t> lower_ms);
  // Writes the rows and the new watermark in one transaction.
  Status Record(const Fetched& fetched, const std::optional<int64_t>& old_mark_us, SyncStats* stats);
  // Sleeps up to `total`, in slices, returning early once `stop` is set.
  void SleepUnlessStopped(std::chrono::milliseconds total, const std::atomic<bool>& stop);

  store::Database* db_;
  fhir::FhirClient* client_;
  const mappings::FhirMappingOptions* mapping_;
  SyncOptions options_;
  fhir::Clock* clock_;
};

// The session's Tasks as last recorded by TaskSync, by action id.
StatusOr<std::vector<PreviousAction>> PreviousActions(store::DbSession& session, const std::string& org,
                                                      const std::string& session_id);

// RFC 3339 (any offset, any fraction digits) → microseconds since the epoch.
std::optional<int64_t> ParseInstantMicros(std::string_view text);
// Microseconds since the epoch → "YYYY-MM-DDTHH:MM:SS.mmmZ" (truncated to ms).
std::string FormatInstantMillis(int64_t micros);

}  // namespace sa::adapter

#endif  // SA_ADAPTER_SYNC_TASK_SYNC_H_
