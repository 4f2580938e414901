#include "adapter/audit/audit_log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "adapter/audit/chain_hash.h"

namespace sa::adapter::audit {
namespace {

// The next code point of `text` from `*pos` (advanced past it), or nullopt
// for malformed UTF-8: a bad lead or continuation byte, a truncated sequence,
// an overlong encoding, a surrogate, or a value above U+10FFFF.
std::optional<char32_t> NextCodePoint(std::string_view text, std::size_t* pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(*pos);
  if (lead < 0x80) {
    ++*pos;
    return lead;
  }
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (*pos + length > text.size()) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned char next = byte(*pos + i);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (next & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  *pos += length;
  return cp;
}

// Characters that would let a field disguise itself or forge log lines when
// the log is displayed: C0 and C1 controls, DEL, line/paragraph separators,
// bidirectional overrides and marks, and the byte-order mark.
bool IsForbiddenCodePoint(char32_t cp) {
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return true;
  if (cp == 0x061C || cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029) return true;
  if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) return true;
  return cp == 0xFEFF;
}

// Messages name the field and the fault only: the value may be confidential
// (a caller's mistake) and messages reach logs.
Status CheckField(const char* name, std::string_view value, bool may_be_empty) {
  if (value.empty()) {
    if (may_be_empty) return Status::Ok();
    return Status::InvalidArgument(std::string("audit record field '") + name + "' is empty");
  }
  if (value.size() > kMaxFieldBytes) {
    return Status::InvalidArgument(std::string("audit record field '") + name + "' is " +
                                   std::to_string(value.size()) + " bytes; the limit is " +
                                   std::to_string(kMaxFieldBytes));
  }
  std::size_t pos = 0;
  while (pos < value.size()) {
    const std::size_t at = pos;
    std::optional<char32_t> cp = NextCodePoint(value, &pos);
    if (!cp) {
      return Status::InvalidArgument(std::string("audit record field '") + name +
                                     "' is not valid UTF-8 (at byte " + std::to_string(at) + ")");
    }
    if (IsForbiddenCodePoint(*cp)) {
      return Status::InvalidArgument(std::string("audit record field '") + name +
                                     "' contains a control or formatting character (at byte " +
                                     std::to_string(at) + ")");
    }
  }
  return Status::Ok();
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

}  // namespace

Status ValidateRecord(const AuditRecord& record) {
  SA_RETURN_IF_ERROR(CheckField("actor", record.actor, false));
  SA_RETURN_IF_ERROR(CheckField("action", record.action, false));
  SA_RETURN_IF_ERROR(CheckField("object", record.object, false));
  SA_RETURN_IF_ERROR(CheckField("outcome", record.outcome, false));
  return CheckField("detail", record.detail, true);
}

Status ValidateTimestamp(std::string_view at) {
  // "YYYY-MM-DDTHH:MM:SS.mmmZ": one spelling only, so entries sort as text
  // and the hashed bytes of a time are unique.
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  Status bad = Status::InvalidArgument(
      "audit timestamp must be RFC 3339 UTC with milliseconds (YYYY-MM-DDTHH:MM:SS.mmmZ)");
  if (at.size() != kShape.size()) return bad;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = at[i] >= '0' && at[i] <= '9';
    if (kShape[i] == 'd' ? !digit : at[i] != kShape[i]) return bad;
  }
  const auto number = [&](std::size_t from, std::size_t length) {
    int n = 0;
    for (std::size_t i = from; i < from + length; ++i) n = n * 10 + (at[i] - '0');
    return n;
  };
  const int year = number(0, 4), month = number(5, 2), day = number(8, 2);
  const int hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return bad;
  }
  return Status::Ok();
}

StatusOr<AuditEntry> Append(store::DbSession& session, const AuditRecord& record,
                            std::string_view at) {
  SA_ASSIGN_OR_RETURN(std::vector<AuditEntry> entries, AppendAll(session, {record}, at));
  return std::move(entries.front());
}

StatusOr<std::vector<AuditEntry>> AppendAll(store::DbSession& session,
                                            const std::vector<AuditRecord>& records,
                                            std::string_view at) {
  if (records.empty()) return std::vector<AuditEntry>{};
  SA_ASSIGN_OR_RETURN(PreparedAppend append, PrepareAppend(session, records, at));
  SA_RETURN_IF_ERROR(session.Exec(append.insert.sql, append.insert.params).status());
  return std::move(append.entries);
}

namespace {

// The INSERT of `rows` entries (1..kMaxAppendAll), built once: one
// multi-row statement, on PostgreSQL one round trip for the whole set.
std::string_view InsertSql(std::size_t rows) {
  static const std::vector<std::string> kByRows = [] {
    std::vector<std::string> all(kMaxAppendAll + 1);
    for (std::size_t n = 1; n <= kMaxAppendAll; ++n) {
      std::string sql =
          "INSERT INTO audit_log (seq, at, actor, action, object, outcome, detail, prev_hash, hash) VALUES ";
      for (std::size_t i = 0; i < n; ++i) sql += i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
      all[n] = std::move(sql);
    }
    return all;
  }();
  return kByRows.at(rows);
}

}  // namespace

StatusOr<PreparedAppend> PrepareAppend(store::DbSession& session, const std::vector<AuditRecord>& records,
                                       std::string_view at) {
  if (records.empty()) return Status::InvalidArgument("no audit entries to append");
  if (records.size() > kMaxAppendAll) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxAppendAll) +
                                   " audit entries per AppendAll");
  }
  for (const auto& record : records) SA_RETURN_IF_ERROR(ValidateRecord(record));
  SA_RETURN_IF_ERROR(ValidateTimestamp(at));

  std::vector<store::Statement> read_head;
  if (session.dialect() == store::Dialect::kPostgres) {
    // Held until the caller's transaction ends. A plain SELECT of the void
    // function returns a column type the store cannot read, hence FROM. The
    // head is read by the next statement, which starts after the lock is
    // held and so sees the last committed append (READ COMMITTED takes a
    // snapshot per statement); both go in one round trip.
    read_head.push_back({"SELECT 1 FROM pg_advisory_xact_lock(?)", {kAuditLockKey}});
  }
  read_head.push_back({"SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", {}});
  SA_ASSIGN_OR_RETURN(std::vector<store::Row> head, session.QueryAll(read_head));

  int64_t seq = 1;
  std::string prev_hash(kGenesisPrevHash);
  if (!head.empty()) {
    if (head[0].size() != 2) return Status::Internal("audit head query returned an unexpected row");
    SA_ASSIGN_OR_RETURN(int64_t head_seq, store::AsInt(head[0][0]));
    if (head_seq > std::numeric_limits<int64_t>::max() - static_cast<int64_t>(records.size())) {
      return Status::Internal("audit log head seq is at its maximum; run audit verify");
    }
    seq = head_seq + 1;
    // A tampered head hash is chained onto as found: refusing to append would
    // stop the audited work, and Verify reports the break either way.
    SA_ASSIGN_OR_RETURN(prev_hash, store::AsText(head[0][1]));
  }

  PreparedAppend out;
  out.insert.sql = InsertSql(records.size());
  out.insert.params.reserve(records.size() * 9);
  for (const auto& record : records) {
    AuditEntry entry;
    entry.seq = seq++;
    entry.at = std::string(at);
    entry.record = record;
    entry.prev_hash = prev_hash;
    SA_ASSIGN_OR_RETURN(entry.hash, ChainHash(entry));
    prev_hash = entry.hash;
    out.insert.params.insert(out.insert.params.end(),
                             {entry.seq, entry.at, record.actor, record.action, record.object, record.outcome,
                              record.detail, entry.prev_hash, entry.hash});
    out.entries.push_back(std::move(entry));
  }
  return out;
}

std::string NowRfc3339() { return FormatRfc3339Millis(std::chrono::system_clock::now()); }

std::string FormatRfc3339Millis(std::chrono::system_clock::time_point t) {
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(t);
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const long long millis = (now.time_since_epoch().count() % 1000 + 1000) % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[24];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[32];
  std::snprintf(out, sizeof out, "%s.%03lldZ", date, millis);
  return out;
}

}  // namespace sa::adapter::audit
