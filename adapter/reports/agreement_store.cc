#include "adapter/reports/agreement_store.h"

#include <openssl/rand.h>

#include "adapter/reports/dates.h"

namespace sa::adapter::reports {

using nlohmann::json;

namespace {

constexpr char kColumns[] = "SELECT body_json, superseded_by FROM agreements";

store::Value OptionalText(const std::optional<std::string>& v) {
  return v ? store::Value(*v) : store::Value();
}

StatusOr<Agreement> FromRow(const store::Row& row) {
  SA_ASSIGN_OR_RETURN(std::string body, store::AsText(row[0]));
  SA_ASSIGN_OR_RETURN(std::optional<std::string> superseded, store::AsOptionalText(row[1]));
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Internal("stored agreement is not JSON");
  SA_ASSIGN_OR_RETURN(Agreement a, AgreementFromStoredJson(doc));
  a.superseded_by = superseded;  // the column is authoritative, the body was written before
  return a;
}

StatusOr<std::vector<Agreement>> QueryAgreements(store::DbSession& session, const std::string& sql,
                                                 const std::vector<store::Value>& params) {
  SA_ASSIGN_OR_RETURN(auto rows, session.Query(sql, params));
  std::vector<Agreement> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    SA_ASSIGN_OR_RETURN(Agreement a, FromRow(row));
    out.push_back(std::move(a));
  }
  return out;
}

bool Names(const std::vector<Staff>& list, const std::string& id) {
  for (const auto& s : list) {
    if (s.id == id) return true;
  }
  return false;
}

// Now, but strictly after the supervisee's previous agreement, so "oldest
// first" is the order they were saved even within one millisecond.
StatusOr<std::string> CreatedAt(store::DbSession& session, const std::string& org,
                                const std::string& supervisee) {
  SA_ASSIGN_OR_RETURN(auto rows, session.Query("SELECT created_at FROM agreements WHERE org = ? AND"
                                               " supervisee_id = ?",
                                               {org, supervisee}));
  std::int64_t now = *InstantToMillis(NowInstantMillis());
  for (const auto& r : rows) {
    SA_ASSIGN_OR_RETURN(std::string at, store::AsText(r[0]));
    if (auto ms = InstantToMillis(at); ms && *ms >= now) now = *ms + 1;
  }
  return MillisToInstant(now);
}

}  // namespace

StatusOr<std::string> NewAgreementId() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::Internal("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = kAgreementIdPrefix;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

StatusOr<Agreement> SaveAgreement(store::DbSession& session, Agreement agreement,
                                  const std::string& actor) {
  SA_ASSIGN_OR_RETURN(agreement.id, NewAgreementId());
  SA_ASSIGN_OR_RETURN(agreement.created_at,
                      CreatedAt(session, agreement.organisation, agreement.supervisee.id));
  agreement.created_by = actor;
  agreement.superseded_by.reset();
  const std::string body = AgreementToJson(agreement).dump();
  SA_RETURN_IF_ERROR(session
                         .Exec("UPDATE agreements SET superseded_by = ? WHERE org = ? AND"
                               " supervisee_id = ? AND superseded_by IS NULL",
                               {agreement.id, agreement.organisation, agreement.supervisee.id})
                         .status());
  SA_RETURN_IF_ERROR(
      session
          .Exec("INSERT INTO agreements (id, org, supervisee_id, supervisor_id, start_date,"
                " signed_at, review_date, body_json, created_at, created_by, superseded_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                {agreement.id, agreement.organisation, agreement.supervisee.id,
                 agreement.supervisor.id, agreement.start_date, OptionalText(agreement.signed_at),
                 OptionalText(agreement.review_date), body, agreement.created_at,
                 agreement.created_by})
          .status());
  return agreement;
}

StatusOr<std::optional<Agreement>> GetAgreement(store::DbSession& session, const std::string& id) {
  SA_ASSIGN_OR_RETURN(auto list,
                      QueryAgreements(session, std::string(kColumns) + " WHERE id = ?", {id}));
  if (list.empty()) return std::optional<Agreement>();
  return std::optional<Agreement>(std::move(list.front()));
}

StatusOr<std::vector<Agreement>> ListAgreements(store::DbSession& session,
                                                const std::optional<std::string>& organisation,
                                                const std::optional<std::string>& supervisee_id,
                                                bool include_superseded) {
  std::string sql = std::string(kColumns) + " WHERE 1 = 1";
  std::vector<store::Value> params;
  if (organisation) {
    sql += " AND org = ?";
    params.emplace_back(*organisation);
  }
  if (supervisee_id) {
    sql += " AND supervisee_id = ?";
    params.emplace_back(*supervisee_id);
  }
  if (!include_superseded) sql += " AND superseded_by IS NULL";
  sql += " ORDER BY created_at, id";
  return QueryAgreements(session, sql, params);
}

StatusOr<std::vector<Agreement>> CurrentAgreementsNaming(store::DbSession& session,
                                                         const std::string& organisation,
                                                         const std::string& staff_id) {
  SA_ASSIGN_OR_RETURN(auto current, ListAgreements(session, organisation, std::nullopt, false));
  std::vector<Agreement> out;
  for (auto& a : current) {
    if (Names(a.line_managers, staff_id) || Names(a.named_managers, staff_id)) {
      out.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace sa::adapter::reports
