#include "adapter/sync/task_sync.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "fhir/bundle.h"
#include "fhir/resource.h"
#include "fhir/url.h"

namespace sa::adapter {

using nlohmann::json;

namespace {

// The Task elements sync reads, in one place (the mapping table of this file).
constexpr char kStatus[] = "status";
constexpr char kBusinessStatus[] = "businessStatus";
constexpr char kOwner[] = "owner";
constexpr char kMeta[] = "meta";
constexpr char kVersionId[] = "versionId";
constexpr char kLastUpdated[] = "lastUpdated";

// Longest element text kept (a code, a display, a reference); EHRs send short
// values, this only bounds what a misbehaving server can make us store.
constexpr std::size_t kMaxElementChars = 512;
// RunForever sleeps in slices this long so a stop request is seen quickly.
constexpr std::chrono::milliseconds kStopCheckSlice{100};
// Largest _count asked for when more Tasks than a page share one instant
// (then the server's `next` link is followed). Servers cap _count anyway.
constexpr int kMaxTiePageSize = 1000;
// First retry delay after a failed poll (then doubling, up to the interval).
constexpr std::chrono::milliseconds kFirstRetryDelay{1000};

std::string Bounded(std::string s) {
  if (s.size() > kMaxElementChars) s.resize(kMaxElementChars);
  return s;
}

// Floor division for times before 1970, too.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The only members of businessStatus (CodeableConcept) and owner (Reference)
// we keep: codes, displays, text, the reference and its identifier.
json PruneCodeableConcept(const json& cc) {
  if (!cc.is_object()) return nullptr;
  json out = json::object();
  if (auto c = cc.find("coding"); c != cc.end() && c->is_array()) {
    json codings = json::array();
    for (const auto& coding : *c) {
      json kept = json::object();
      for (const char* k : {"system", "code", "display"}) {
        std::string v = fhir::GetString(coding, k);
        if (!v.empty()) kept[k] = Bounded(v);
      }
      if (!kept.empty()) codings.push_back(std::move(kept));
    }
    if (!codings.empty()) out["coding"] = std::move(codings);
  }
  if (std::string t = fhir::GetString(cc, "text"); !t.empty()) out["text"] = Bounded(t);
  return out.empty() ? json() : out;
}

json PruneReference(const json& ref) {
  if (!ref.is_object()) return nullptr;
  json out = json::object();
  for (const char* k : {"reference", "type", "display"}) {
    std::string v = fhir::GetString(ref, k);
    if (!v.empty()) out[k] = Bounded(v);
  }
  if (auto i = ref.find("identifier"); i != ref.end() && i->is_object()) {
    json id = json::object();
    for (const char* k : {"system", "value"}) {
      std::string v = fhir::GetString(*i, k);
      if (!v.empty()) id[k] = Bounded(v);
    }
    if (!id.empty()) out["identifier"] = std::move(id);
  }
  return out.empty() ? json() : out;
}

store::Value TextOrNull(const json& j) {
  if (j.is_null()) return std::monostate{};
  return j.dump();
}

store::Value OptionalText(const std::string& s) {
  if (s.empty()) return std::monostate{};
  return s;
}

// Splits "org/session/action"; ids never contain '/' (mappings/fhir_plan.cc).
bool SplitTaskValue(const std::string& value, std::string* org, std::string* session, std::string* action) {
  const auto a = value.find('/');
  if (a == std::string::npos) return false;
  const auto b = value.find('/', a + 1);
  if (b == std::string::npos || value.find('/', b + 1) != std::string::npos) return false;
  *org = value.substr(0, a);
  *session = value.substr(a + 1, b - a - 1);
  *action = value.substr(b + 1);
  return !org->empty() && !session->empty() && !action->empty();
}

StatusOr<std::optional<std::string>> ReadState(store::DbSession& s, const char* name) {
  SA_ASSIGN_OR_RETURN(auto rows, s.Query("SELECT value FROM sync_state WHERE name = ?", {std::string(name)}));
  if (rows.empty()) return std::optional<std::string>();
  SA_ASSIGN_OR_RETURN(std::string v, store::AsText(rows[0][0]));
  return std::optional<std::string>(std::move(v));
}

// Portable upsert: UPDATE, then INSERT when no row was there.
Status WriteState(store::DbSession& s, const char* name, const std::string& value) {
  SA_ASSIGN_OR_RETURN(int64_t n, s.Exec("UPDATE sync_state SET value = ? WHERE name = ?", {value, std::string(name)}));
  if (n == 0) {
    SA_RETURN_IF_ERROR(s.Exec("INSERT INTO sync_state (name, value) VALUES (?, ?)", {std::string(name), value}).status());
  }
  return Status::Ok();
}

StatusOr<std::optional<int64_t>> ReadInstantState(store::DbSession& s, const char* name) {
  SA_ASSIGN_OR_RETURN(auto text, ReadState(s, name));
  if (!text) return std::optional<int64_t>();
  auto us = ParseInstantMicros(*text);
  // Fail closed: a hand-edited, unreadable cursor is an operator's problem to
  // fix, not a reason to silently re-read the whole EHR or skip ahead.
  if (!us) return Status::Internal(std::string("sync_state '") + name + "' is not an RFC 3339 instant");
  return std::optional<int64_t>(*us);
}

}  // namespace

std::optional<int64_t> ParseInstantMicros(std::string_view t) {
  auto digits = [&](std::size_t pos, std::size_t n, int* out) {
    if (pos + n > t.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      v = v * 10 + (t[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!digits(0, 4, &y) || t.size() < 20 || t[4] != '-' || !digits(5, 2, &mo) || t[7] != '-' ||
      !digits(8, 2, &d) || (t[10] != 'T' && t[10] != 't') || !digits(11, 2, &h) || t[13] != ':' ||
      !digits(14, 2, &mi) || t[16] != ':' || !digits(17, 2, &s)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::size_t pos = 19;
  int64_t frac_us = 0;
  if (t[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    const std::size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      frac_us += (t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, &oh) || pos + 3 >= t.size() || t[pos + 3] != ':' || !digits(pos + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_s = (int64_t{oh} * 3600 + int64_t{om} * 60) * (t[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) return std::nullopt;
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const int64_t secs = days * 86400 + int64_t{h} * 3600 + int64_t{mi} * 60 + std::min(s, 59) - offset_s;
  return secs * 1'000'000 + frac_us;
}

std::string FormatInstantMillis(int64_t micros) {
  const int64_t ms = FloorDiv(micros, 1000);
  const int64_t secs = FloorDiv(ms, 1000);
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t sod = secs - days * 86400;
  // civil_from_days (Howard Hinnant).
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  // Every field is in range by construction (sod < 86400); the buffer fits any int64 year.
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y), m, d,
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60),
                static_cast<int>(ms - secs * 1000));
  return buf;
}

json SyncStats::ToJson() const {
  return {{"pages", pages},
          {"tasksSeen", tasks_seen},
          {"newVersions", new_versions},
          {"duplicates", duplicates},
          {"stale", stale},
          {"skipped", skipped},
          {"truncated", truncated},
          {"watermarkBefore", watermark_before},
          {"watermarkAfter", watermark_after},
          {"resumeFrom", resume_from}};
}

// One Task as read from a search page.
struct TaskSync::SeenTask {
  std::string identifier, org, session_id, action_id;
  std::string status, version_id, last_updated;  // last_updated normalised (ms, Z)
  int64_t last_updated_us = 0;
  json business_status, owner;  // pruned, or null
};

// Everything one poll read from the EHR.
struct TaskSync::Fetched {
  std::map<std::string, SeenTask> tasks;  // by task identifier; the newest read
  std::set<std::string> skipped;          // identifier values not org/session/action
  std::optional<int64_t> max_us;          // largest lastUpdated read
  int pages = 0;
  bool truncated = false;
  bool sorted = true;  // the server honoured _sort (results came in order)
};

TaskSync::TaskSync(store::Database* db, fhir::FhirClient* client, const mappings::FhirMappingOptions* mapping,
                   SyncOptions options, fhir::Clock* clock)
    : db_(db), client_(client), mapping_(mapping), options_(options), clock_(clock ? clock : fhir::RealClock()) {}

StatusOr<TaskSync::Fetched> TaskSync::Fetch(std::optional<int64_t> lower_ms) {
  const std::string& system = mapping_->task_identifier_system;
  // "system|" with no value: every Task carrying an identifier in our system.
  auto query = [&](const std::optional<int64_t>& lower, int count) {
    std::string q = "Task?" + fhir::IdentifierQuery(system, "");
    if (lower) q += "&_lastUpdated=ge" + FormatInstantMillis(*lower * 1000);
    return q + "&_sort=_lastUpdated&_count=" + std::to_string(count);
  };
  Fetched f;
  int count = std::max(1, options_.page_size);
  std::string url = query(lower_ms, count);
  while (true) {
    if (f.pages >= options_.max_pages) {
      f.truncated = true;
      break;
    }
    SA_ASSIGN_OR_RETURN(fhir::HttpResponse response, client_->Execute(fhir::HttpMethod::kGet, url));
    StatusOr<fhir::Json> parsed = fhir::ParseJson(response.body);
    if (!parsed.ok()) return Status::Permanent("task sync: search answer is not JSON");
    const fhir::Json& page = *parsed;
    if (!page.is_object() || fhir::GetString(page, "resourceType") != "Bundle" ||
        fhir::GetString(page, "type") != "searchset") {
      return Status::Permanent("task sync: search answer is not a searchset Bundle");
    }
    ++f.pages;
    std::optional<int64_t> page_max_us;
    int64_t previous_us = lower_ms ? *lower_ms * 1000 : std::numeric_limits<int64_t>::min();
    const std::vector<fhir::Json> matches = fhir::SearchMatches(page);
    for (const fhir::Json& r : matches) {
      if (fhir::GetString(r, "resourceType") != "Task") continue;
      std::optional<std::string> value = fhir::FindIdentifierValue(r, system);
      if (!value) continue;  // a server matching more loosely than asked
      SeenTask t;
      t.identifier = *value;
      const fhir::Json* meta = r.contains(kMeta) ? &r[kMeta] : nullptr;
      auto us = ParseInstantMicros(meta ? fhir::GetString(*meta, kLastUpdated) : "");
      if (!SplitTaskValue(*value, &t.org, &t.session_id, &t.action_id) || !us) {
        f.skipped.insert(*value);
        continue;
      }
      t.last_updated_us = *us;
      t.last_updated = FormatInstantMillis(*us);
      // Without a versionId the instant stands in for it (still one row per change).
      t.version_id = Bounded(fhir::GetString(*meta, kVersionId));
      if (t.version_id.empty()) t.version_id = "@" + t.last_updated;
      t.status = Bounded(fhir::GetString(r, kStatus));
      t.business_status = r.contains(kBusinessStatus) ? PruneCodeableConcept(r[kBusinessStatus]) : json();
      t.owner = r.contains(kOwner) ? PruneReference(r[kOwner]) : json();
      if (*us < previous_us) f.sorted = false;
      previous_us = *us;
      page_max_us = std::max(page_max_us.value_or(*us), *us);
      f.max_us = std::max(f.max_us.value_or(*us), *us);
      auto [it, inserted] = f.tasks.try_emplace(t.identifier, t);
      if (!inserted && it->second.last_updated_us <= t.last_updated_us) it->second = std::move(t);
    }
    std::optional<std::string> next = fhir::FindLink(page, "next");
    if (!next) break;
    const std::optional<int64_t> page_max_ms =
        page_max_us ? std::optional<int64_t>(FloorDiv(*page_max_us, 1000)) : std::nullopt;
    if (f.sorted && page_max_ms && (!lower_ms || *page_max_ms > *lower_ms)) {
      // Keyset paging: start again at what we have read (see header).
      lower_ms = page_max_ms;
      count = std::max(1, options_.page_size);
      url = query(lower_ms, count);
    } else if (f.sorted && lower_ms && count < kMaxTiePageSize &&
               matches.size() >= static_cast<std::size_t>(count)) {
      // A full page of one instant: ask again for a bigger page rather than
      // follow an offset link, which Tasks changing meanwhile would shift.
      count = std::min(count * 2, kMaxTiePageSize);
      url = query(lower_ms, count);
    } else if (!next->empty() && next->front() == '/') {
      SA_ASSIGN_OR_RETURN(fhir::UrlParts base, fhir::ParseUrl(client_->base_url()));
      url = base.Origin() + *next;
    } else {
      url = *next;  // FhirClient refuses a link off the server's origin
    }
  }
  return f;
}

Status TaskSync::Record(const Fetched& f, const std::optional<int64_t>& old_mark_us, SyncStats* stats) {
  SA_ASSIGN_OR_RETURN(auto session, db_->Connect());
  store::Transaction tx(*session);
  SA_RETURN_IF_ERROR(tx.Begin());
  const std::string seen_at = FormatInstantMillis(
      std::chrono::duration_cast<std::chrono::microseconds>(clock_->Now().time_since_epoch()).count());
  for (const auto& [id, t] : f.tasks) {
    SA_ASSIGN_OR_RETURN(auto known, session->Query("SELECT 1 FROM task_status_history WHERE task_identifier = ?"
                                                   " AND version_id = ?",
                                                   {id, t.version_id}));
    if (!known.empty()) {
      ++stats->duplicates;
      continue;
    }
    const store::Value business = TextOrNull(t.business_status), owner = TextOrNull(t.owner);
    SA_RETURN_IF_ERROR(session
                           ->Exec("INSERT INTO task_status_history (task_identifier, version_id, status,"
                                  " business_status, owner, last_updated) VALUES (?, ?, ?, ?, ?, ?)",
                                  {id, t.version_id, OptionalText(t.status), business, owner, t.last_updated})
                           .status());
    ++stats->new_versions;
    // Never regress the latest: a re-read can only be as new as what we hold,
    // but a lagging replica could answer with an older version.
    SA_ASSIGN_OR_RETURN(int64_t n, session->Exec("UPDATE task_status SET org = ?, session_id = ?, action_id = ?,"
                                                 " status = ?, business_status = ?, owner = ?, version_id = ?,"
                                                 " last_updated = ?, seen_at = ? WHERE task_identifier = ? AND"
                                                 " (last_updated IS NULL OR last_updated <= ?)",
                                                 {t.org, t.session_id, t.action_id, OptionalText(t.status), business,
                                                  owner, t.version_id, t.last_updated, seen_at, id, t.last_updated}));
    if (n > 0) continue;
    SA_ASSIGN_OR_RETURN(auto exists, session->Query("SELECT 1 FROM task_status WHERE task_identifier = ?", {id}));
    if (!exists.empty()) {
      ++stats->stale;
      continue;
    }
    SA_RETURN_IF_ERROR(session
                           ->Exec("INSERT INTO task_status (task_identifier, org, session_id, action_id, status,"
                                  " business_status, owner, version_id, last_updated, seen_at)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  {id, t.org, t.session_id, t.action_id, OptionalText(t.status), business, owner,
                                   t.version_id, t.last_updated, seen_at})
                           .status());
  }
  // The watermark only moves forward, and only when everything below the
  // largest instant read is known to be read: always for a sorted answer,
  // for an unsorted one only when no page was left unread.
  std::optional<int64_t> mark = old_mark_us;
  if (f.max_us && (f.sorted || !f.truncated)) mark = std::max(old_mark_us.value_or(*f.max_us), *f.max_us);
  if (mark && mark != old_mark_us) SA_RETURN_IF_ERROR(WriteState(*session, kTaskSyncWatermark, FormatInstantMillis(*mark)));
  stats->watermark_after = mark ? FormatInstantMillis(*mark) : "";
  if (f.truncated && f.sorted && f.max_us) {
    stats->resume_from = FormatInstantMillis(*f.max_us);
    SA_RETURN_IF_ERROR(WriteState(*session, kTaskSyncResume, stats->resume_from));
  } else {
    SA_RETURN_IF_ERROR(session->Exec("DELETE FROM sync_state WHERE name = ?", {std::string(kTaskSyncResume)}).status());
  }
  return tx.Commit();
}

StatusOr<SyncStats> TaskSync::PollOnce() {
  SyncStats stats;
  std::optional<int64_t> mark_us, resume_us;
  {
    SA_ASSIGN_OR_RETURN(auto session, db_->Connect());
    SA_ASSIGN_OR_RETURN(mark_us, ReadInstantState(*session, kTaskSyncWatermark));
    SA_ASSIGN_OR_RETURN(resume_us, ReadInstantState(*session, kTaskSyncResume));
  }
  stats.watermark_before = mark_us ? FormatInstantMillis(*mark_us) : "";
  // A resumed poll continues where the truncated one stopped; a fresh one
  // starts `overlap` before the watermark; the first one from the beginning.
  std::optional<int64_t> lower_ms;
  if (resume_us) {
    lower_ms = FloorDiv(*resume_us, 1000);
  } else if (mark_us) {
    lower_ms = FloorDiv(*mark_us, 1000) - options_.overlap.count();
  }
  SA_ASSIGN_OR_RETURN(Fetched fetched, Fetch(lower_ms));
  stats.pages = fetched.pages;
  stats.tasks_seen = static_cast<int>(fetched.tasks.size());
  stats.skipped = static_cast<int>(fetched.skipped.size());
  stats.truncated = fetched.truncated;
  SA_RETURN_IF_ERROR(Record(fetched, mark_us, &stats));
  return stats;
}

void TaskSync::SleepUnlessStopped(std::chrono::milliseconds total, const std::atomic<bool>& stop) {
  while (total.count() > 0 && !stop.load()) {
    const auto slice = std::min(total, kStopCheckSlice);
    clock_->SleepFor(slice);
    total -= slice;
  }
}

Status TaskSync::RunForever(const std::atomic<bool>& stop,
                            const std::function<void(const StatusOr<SyncStats>&)>& report) {
  int failures = 0;
  std::string last_resume;
  while (!stop.load()) {
    StatusOr<SyncStats> result = PollOnce();
    if (report) report(result);
    std::chrono::milliseconds wait = options_.interval;
    if (!result.ok()) {
      // The watermark is untouched; try again, backing off.
      ++failures;
      wait = std::min(options_.interval, kFirstRetryDelay * (int64_t{1} << std::min(failures - 1, 20)));
    } else {
      failures = 0;
      const bool progressed = result->resume_from != last_resume;
      last_resume = result->resume_from;
      if (result->truncated && progressed) continue;  // a backlog: keep reading
    }
    SleepUnlessStopped(wait, stop);
  }
  return Status::Ok();
}

StatusOr<std::vector<PreviousAction>> PreviousActions(store::DbSession& session, const std::string& org,
                                                      const std::string& session_id) {
  SA_ASSIGN_OR_RETURN(auto rows, session.Query("SELECT action_id, status, business_status, owner, last_updated,"
                                               " version_id FROM task_status WHERE org = ? AND session_id = ?"
                                               " ORDER BY action_id",
                                               {org, session_id}));
  std::vector<PreviousAction> out;
  for (const auto& r : rows) {
    PreviousAction a;
    SA_ASSIGN_OR_RETURN(auto action, store::AsOptionalText(r[0]));
    SA_ASSIGN_OR_RETURN(auto status, store::AsOptionalText(r[1]));
    SA_ASSIGN_OR_RETURN(auto business, store::AsOptionalText(r[2]));
    SA_ASSIGN_OR_RETURN(auto owner, store::AsOptionalText(r[3]));
    SA_ASSIGN_OR_RETURN(auto updated, store::AsOptionalText(r[4]));
    SA_ASSIGN_OR_RETURN(auto version, store::AsOptionalText(r[5]));
    a.action_id = action.value_or("");
    a.status = status.value_or("");
    a.last_updated = updated.value_or("");
    a.version_id = version.value_or("");
    if (business) {
      json b = json::parse(*business, nullptr, false);
      if (b.is_object()) {
        const json first = b.contains("coding") && b["coding"].is_array() && !b["coding"].empty() ? b["coding"][0]
                                                                                                  : json::object();
        a.business_status_code = fhir::GetString(first, "code");
        a.business_status_text = fhir::GetString(b, "text");
        if (a.business_status_text.empty()) a.business_status_text = fhir::GetString(first, "display");
      }
    }
    if (owner) {
      json o = json::parse(*owner, nullptr, false);
      if (o.is_object()) {
        a.owner_display = fhir::GetString(o, "display");
        if (o.contains("identifier")) {
          a.owner_identifier = fhir::GetString(o["identifier"], "system") + "|" + fhir::GetString(o["identifier"], "value");
        } else {
          a.owner_identifier = fhir::GetString(o, "reference");
        }
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace sa::adapter
