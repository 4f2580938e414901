// The attendance register report: evidence that supervision happened (RS-9;
// EPUT §3.3.5; SGSCB §3.1–3.4; CROYDON §7): every session in a period, held
// or not (cancelled, did-not-attend, urgent and ad hoc included), with who,
// when, how long, rebooking, agreement and signatures.
//
// It reads only the `register` table: its columns and entry_json, which holds
// the record's register home (no case content) plus the adapter's notes. No
// discussion or practitioner text exists there, and none is added here.
#ifndef SA_ADAPTER_REPORTS_REGISTER_REPORT_H_
#define SA_ADAPTER_REPORTS_REGISTER_REPORT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "adapter/reports/staff.h"
#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::reports {

// The longest period one report may cover (ten years), so a request cannot
// ask the store for everything at once by accident.
inline constexpr std::int64_t kMaxReportDays = 3660;

// One version of one session as the register holds it.
struct RegisterLine {
  std::string organisation, session_id;
  std::int64_t version = 0;
  std::string type, status;
  std::string state;  // agreed, awaiting-signatures, cancelled, did-not-attend
  std::string scheduled_for;
  std::optional<std::string> held_at, requested_at;
  std::optional<int> duration_minutes;
  std::optional<std::string> rebooked_to, agreed_at;
  Staff supervisor;
  std::vector<Staff> supervisees;
  std::string template_name;
  std::string received_at;                    // when the adapter accepted this version
  int signatures = 0;                         // signatures recorded so far
  std::vector<std::string> awaiting;          // staff ids still to sign (RS-8)
  std::optional<std::int64_t> superseded_by;  // the next version; nullopt for the latest
};

// Which lines: scheduled in [from, to) (dates YYYY-MM-DD, UTC days), of the
// listed organisations (empty: every organisation).
struct RegisterQuery {
  std::string from, to;
  std::vector<std::string> organisations;
};

// Checks a query's dates: real dates, from < to, at most kMaxReportDays.
Status ValidateRegisterQuery(const RegisterQuery& query);

// The latest version of every session scheduled in the period, ordered by
// scheduled time (then organisation, session id).
StatusOr<std::vector<RegisterLine>> LoadRegister(store::DbSession& session,
                                                 const RegisterQuery& query);

// Every version of every session scheduled in the period, same order, older
// versions first: the compliance report dates rebookings from them.
StatusOr<std::vector<RegisterLine>> LoadRegisterVersions(store::DbSession& session,
                                                         const RegisterQuery& query);

// One line as JSON (keys in RegisterCsvHeader's order, camelCase).
nlohmann::json RegisterLineToJson(const RegisterLine& line);

// {"from", "to", "organisations", "lines": [...]}.
nlohmann::json RegisterToJson(const RegisterQuery& query, const std::vector<RegisterLine>& lines);

// The CSV columns, in order; stable, so spreadsheets built on them keep working.
const std::vector<std::string>& RegisterCsvHeader();

// The header row, then one row per line (RFC 4180, CRLF, injection-guarded).
// Several supervisees share a cell, separated by "; ".
std::string RegisterToCsv(const std::vector<RegisterLine>& lines);

}  // namespace sa::adapter::reports

#endif  // SA_ADAPTER_REPORTS_REGISTER_REPORT_H_
