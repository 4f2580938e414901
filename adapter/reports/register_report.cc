#include "adapter/reports/register_report.h"

#include <algorithm>
#include <tuple>

#include "adapter/reports/csv.h"
#include "adapter/reports/dates.h"

namespace sa::adapter::reports {

using nlohmann::json;

namespace {

// Register times are stored as the record gave them (any UTC offset), so the
// SQL range is widened by a day each side and the exact instant filters after.
constexpr std::int64_t kOffsetMarginDays = 1;

std::optional<std::string> Text(const json& entry, const char* key) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

StatusOr<RegisterLine> FromRow(const store::Row& r) {
  RegisterLine l;
  SA_ASSIGN_OR_RETURN(l.organisation, store::AsText(r[0]));
  SA_ASSIGN_OR_RETURN(l.session_id, store::AsText(r[1]));
  SA_ASSIGN_OR_RETURN(l.version, store::AsInt(r[2]));
  SA_ASSIGN_OR_RETURN(auto state, store::AsOptionalText(r[3]));
  SA_ASSIGN_OR_RETURN(auto type, store::AsOptionalText(r[4]));
  SA_ASSIGN_OR_RETURN(auto status, store::AsOptionalText(r[5]));
  SA_ASSIGN_OR_RETURN(auto scheduled, store::AsOptionalText(r[6]));
  SA_ASSIGN_OR_RETURN(l.held_at, store::AsOptionalText(r[7]));
  SA_ASSIGN_OR_RETURN(auto duration, store::AsOptionalInt(r[8]));
  SA_ASSIGN_OR_RETURN(l.rebooked_to, store::AsOptionalText(r[9]));
  SA_ASSIGN_OR_RETURN(auto tmpl, store::AsOptionalText(r[10]));
  SA_ASSIGN_OR_RETURN(auto supervisor_id, store::AsOptionalText(r[11]));
  SA_ASSIGN_OR_RETURN(std::string entry_text, store::AsText(r[12]));
  SA_ASSIGN_OR_RETURN(l.agreed_at, store::AsOptionalText(r[13]));
  SA_ASSIGN_OR_RETURN(l.received_at, store::AsText(r[14]));
  SA_ASSIGN_OR_RETURN(l.superseded_by, store::AsOptionalInt(r[15]));
  l.state = state.value_or("");
  l.type = type.value_or("");
  l.status = status.value_or("");
  l.scheduled_for = scheduled.value_or("");
  l.template_name = tmpl.value_or("");
  if (duration) l.duration_minutes = static_cast<int>(*duration);

  // entry_json: the record's register home (mappings/separation.cc) plus
  // "_adapter" (adapter/core/intake.cc). Only ids, names, roles, codes, times.
  const json entry = json::parse(entry_text, nullptr, /*allow_exceptions=*/false);
  if (!entry.is_object()) {
    return Status::Internal("register entry of " + l.organisation + "/" + l.session_id + " v" +
                            std::to_string(l.version) + " is not a JSON object");
  }
  try {
    l.supervisor = StaffFromStoredJson(entry.value("supervisor", json::object()));
    if (l.supervisor.id.empty()) l.supervisor.id = supervisor_id.value_or("");
    if (auto it = entry.find("supervisees"); it != entry.end() && it->is_array()) {
      for (const auto& s : *it) l.supervisees.push_back(StaffFromStoredJson(s));
    }
    l.requested_at = Text(entry, "requestedAt");
    if (auto it = entry.find("signatures"); it != entry.end() && it->is_array()) {
      l.signatures = static_cast<int>(it->size());
    }
    const json adapter = entry.value("_adapter", json::object());
    const json agreement =
        adapter.is_object() ? adapter.value("agreement", json::object()) : json::object();
    if (auto it = agreement.find("awaiting"); it != agreement.end() && it->is_array()) {
      for (const auto& id : *it) {
        if (id.is_string()) l.awaiting.push_back(id.get<std::string>());
      }
    }
  } catch (const json::exception&) {
    return Status::Internal("register entry of " + l.organisation + "/" + l.session_id + " v" +
                            std::to_string(l.version) + " could not be read");
  }
  return l;
}

StatusOr<std::vector<RegisterLine>> Load(store::DbSession& session, const RegisterQuery& q,
                                         bool latest_only) {
  SA_RETURN_IF_ERROR(ValidateRegisterQuery(q));
  const std::int64_t from_day = *DateToDays(q.from), to_day = *DateToDays(q.to);
  std::string sql =
      "SELECT org, session_id, version, state, type, status, scheduled_for, held_at,"
      " duration_minutes, rebooked_to, template, supervisor_id, entry_json, agreed_at,"
      " received_at, superseded_by FROM register WHERE scheduled_for >= ? AND scheduled_for < ?";
  std::vector<store::Value> params = {DaysToDate(from_day - kOffsetMarginDays),
                                      DaysToDate(to_day + kOffsetMarginDays)};
  if (latest_only) sql += " AND superseded_by IS NULL";
  if (!q.organisations.empty()) {
    sql += " AND org IN (";
    for (std::size_t i = 0; i < q.organisations.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.emplace_back(q.organisations[i]);
    }
    sql += ")";
  }
  SA_ASSIGN_OR_RETURN(auto rows, session.Query(sql, params));
  const std::int64_t lower = from_day * kSecondsPerDay, upper = to_day * kSecondsPerDay;
  std::vector<std::pair<std::int64_t, RegisterLine>> kept;
  for (const auto& row : rows) {
    SA_ASSIGN_OR_RETURN(RegisterLine line, FromRow(row));
    auto at = InstantToSeconds(line.scheduled_for);
    if (!at || *at < lower || *at >= upper) continue;
    kept.emplace_back(*at, std::move(line));
  }
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.organisation, a.second.session_id, a.second.version) <
           std::tie(b.first, b.second.organisation, b.second.session_id, b.second.version);
  });
  std::vector<RegisterLine> out;
  out.reserve(kept.size());
  for (auto& [at, line] : kept) out.push_back(std::move(line));
  return out;
}

json Optional(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

std::string Joined(const std::vector<Staff>& staff, std::string Staff::*field) {
  std::string out;
  for (const auto& s : staff) out += (out.empty() ? "" : "; ") + s.*field;
  return out;
}

}  // namespace

Status ValidateRegisterQuery(const RegisterQuery& q) {
  auto from = DateToDays(q.from), to = DateToDays(q.to);
  if (!from) return Status::InvalidArgument("from: must be a date YYYY-MM-DD");
  if (!to) return Status::InvalidArgument("to: must be a date YYYY-MM-DD");
  if (*to <= *from) return Status::InvalidArgument("to: must be after from");
  if (*to - *from > kMaxReportDays) {
    return Status::InvalidArgument("to: a report covers at most " + std::to_string(kMaxReportDays) +
                                   " days");
  }
  return Status::Ok();
}

StatusOr<std::vector<RegisterLine>> LoadRegister(store::DbSession& session,
                                                 const RegisterQuery& query) {
  return Load(session, query, /*latest_only=*/true);
}

StatusOr<std::vector<RegisterLine>> LoadRegisterVersions(store::DbSession& session,
                                                         const RegisterQuery& query) {
  return Load(session, query, /*latest_only=*/false);
}

json RegisterLineToJson(const RegisterLine& l) {
  json supervisees = json::array();
  for (const auto& s : l.supervisees) supervisees.push_back(StaffToJson(s));
  return {{"organisation", l.organisation},
          {"sessionId", l.session_id},
          {"version", l.version},
          {"type", l.type},
          {"status", l.status},
          {"state", l.state},
          {"scheduledFor", l.scheduled_for},
          {"heldAt", Optional(l.held_at)},
          {"requestedAt", Optional(l.requested_at)},
          {"durationMinutes", l.duration_minutes ? json(*l.duration_minutes) : json(nullptr)},
          {"rebookedTo", Optional(l.rebooked_to)},
          {"agreedAt", Optional(l.agreed_at)},
          {"supervisor", StaffToJson(l.supervisor)},
          {"supervisees", supervisees},
          {"template", l.template_name},
          {"receivedAt", l.received_at},
          {"signatures", l.signatures},
          {"awaitingSignatures", l.awaiting}};
}

json RegisterToJson(const RegisterQuery& query, const std::vector<RegisterLine>& lines) {
  json out = {{"from", query.from}, {"to", query.to}, {"organisations", query.organisations}};
  json list = json::array();
  for (const auto& l : lines) list.push_back(RegisterLineToJson(l));
  out["lines"] = std::move(list);
  return out;
}

const std::vector<std::string>& RegisterCsvHeader() {
  static const std::vector<std::string>* const kHeader =
      new std::vector<std::string>{"organisation",
                                   "sessionId",
                                   "version",
                                   "type",
                                   "status",
                                   "state",
                                   "scheduledFor",
                                   "heldAt",
                                   "requestedAt",
                                   "durationMinutes",
                                   "rebookedTo",
                                   "agreedAt",
                                   "supervisorId",
                                   "supervisorName",
                                   "supervisorRole",
                                   "superviseeIds",
                                   "superviseeNames",
                                   "template",
                                   "receivedAt",
                                   "signatures",
                                   "awaitingSignatures"};
  return *kHeader;
}

std::string RegisterToCsv(const std::vector<RegisterLine>& lines) {
  std::string out = CsvRow(RegisterCsvHeader());
  for (const auto& l : lines) {
    std::string awaiting;
    for (const auto& id : l.awaiting) awaiting += (awaiting.empty() ? "" : "; ") + id;
    out += CsvRow({l.organisation,
                   l.session_id,
                   std::to_string(l.version),
                   l.type,
                   l.status,
                   l.state,
                   l.scheduled_for,
                   l.held_at.value_or(""),
                   l.requested_at.value_or(""),
                   l.duration_minutes ? std::to_string(*l.duration_minutes) : "",
                   l.rebooked_to.value_or(""),
                   l.agreed_at.value_or(""),
                   l.supervisor.id,
                   l.supervisor.name,
                   l.supervisor.role,
                   Joined(l.supervisees, &Staff::id),
                   Joined(l.supervisees, &Staff::name),
                   l.template_name,
                   l.received_at,
                   std::to_string(l.signatures),
                   awaiting});
  }
  return out;
}

}  // namespace sa::adapter::reports
