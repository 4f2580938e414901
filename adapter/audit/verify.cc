#include "adapter/audit/verify.h"

#include <utility>
#include <vector>

#include "adapter/audit/audit_log.h"
#include "adapter/audit/chain_hash.h"

namespace sa::adapter::audit {
namespace {

constexpr const char* kColumns = "seq, at, actor, action, object, outcome, detail, prev_hash, hash";

std::string EntryName(int64_t seq) { return "entry " + std::to_string(seq); }

std::string Plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "entry 50 is missing" / "entries 60 to 70 are missing".
std::string Missing(int64_t from, int64_t to) {
  if (from == to) return EntryName(from) + " is missing";
  return "entries " + std::to_string(from) + " to " + std::to_string(to) + " are missing";
}

VerifyReport Broken(int64_t good, std::optional<int64_t> seq, std::string problem) {
  return VerifyReport{false, good, seq, std::move(problem)};
}

// The same, as CheckEntry's "found a problem" result.
std::optional<VerifyReport> Found(int64_t good, std::optional<int64_t> seq, std::string problem) {
  return Broken(good, seq, std::move(problem));
}

StatusOr<AuditEntry> ReadEntry(const store::Row& row) {
  if (row.size() != 9) return Status::Internal("audit log query returned an unexpected row");
  AuditEntry e;
  SA_ASSIGN_OR_RETURN(e.seq, store::AsInt(row[0]));
  SA_ASSIGN_OR_RETURN(e.at, store::AsText(row[1]));
  SA_ASSIGN_OR_RETURN(e.record.actor, store::AsText(row[2]));
  SA_ASSIGN_OR_RETURN(e.record.action, store::AsText(row[3]));
  SA_ASSIGN_OR_RETURN(e.record.object, store::AsText(row[4]));
  SA_ASSIGN_OR_RETURN(e.record.outcome, store::AsText(row[5]));
  // Append writes '' for an empty detail; a NULL means the same thing.
  SA_ASSIGN_OR_RETURN(std::optional<std::string> detail, store::AsOptionalText(row[6]));
  e.record.detail = detail.value_or("");
  SA_ASSIGN_OR_RETURN(e.prev_hash, store::AsText(row[7]));
  SA_ASSIGN_OR_RETURN(e.hash, store::AsText(row[8]));
  return e;
}

// The walk's position: what the next entry must look like.
struct Cursor {
  int64_t expected_seq = 1;
  std::string prev_hash = std::string(kGenesisPrevHash);
  int64_t good = 0;
};

// Checks one entry against the cursor; a problem report, or nullopt when good.
StatusOr<std::optional<VerifyReport>> CheckEntry(const AuditEntry& e, const Cursor& cursor,
                                                 const std::optional<Anchor>& anchor) {
  const std::string name = EntryName(e.seq);
  if (e.seq != cursor.expected_seq) {
    if (e.seq < cursor.expected_seq) {  // only a seq below 1 sorts before the expected one
      return Found(cursor.good, e.seq, name + " has an impossible seq (seqs start at 1)");
    }
    const std::string missing = Missing(cursor.expected_seq, e.seq - 1);
    const std::string where = cursor.expected_seq == 1
                                  ? "the log starts at " + name
                                  : EntryName(cursor.expected_seq - 1) + " is followed by " + name;
    return Found(cursor.good, cursor.expected_seq, missing + " (" + where + ")");
  }
  if (!IsHashHex(e.hash)) {
    return Found(cursor.good, e.seq,
                 name + ": its stored hash is malformed (not 64 lower-case hex digits)");
  }
  SA_ASSIGN_OR_RETURN(std::string recomputed, ChainHash(e));
  if (recomputed != e.hash) {
    return Found(cursor.good, e.seq,
                 name +
                     ": its stored hash does not match its contents (a field, its seq or "
                     "its prev_hash was changed, or its hash was edited)");
  }
  if (e.prev_hash != cursor.prev_hash) {
    const std::string previous =
        e.seq == 1 ? "the genesis value (64 zeros)" : "the hash of " + EntryName(e.seq - 1);
    return Found(cursor.good, e.seq,
                 name + ": its prev_hash does not match " + previous +
                     " (an entry was replaced, removed or moved)");
  }
  if (anchor && e.seq == anchor->seq && e.hash != anchor->hash) {
    return Found(cursor.good, e.seq,
                 name +
                     " is the anchored entry but its hash is not the anchored hash (the log "
                     "was rewritten up to it)");
  }
  return std::optional<VerifyReport>();
}

}  // namespace

StatusOr<VerifyReport> Verify(store::DbSession& session, const VerifyOptions& options) {
  if (options.page_size < 1) return Status::InvalidArgument("verify page size must be at least 1");

  // The anchor is read first: it only ever names entries that already
  // existed, so appends during the walk cannot make it look ahead of the log.
  SA_ASSIGN_OR_RETURN(std::optional<std::string> anchor_value, ReadAnchorValue(session));
  std::optional<Anchor> anchor;
  if (anchor_value) anchor = ParseAnchor(*anchor_value);
  const bool anchor_malformed = anchor_value && !anchor;

  Cursor cursor;
  std::optional<int64_t> last_seq;  // keyset paging: the next page starts after it
  while (true) {
    std::vector<store::Row> rows;
    if (last_seq) {
      SA_ASSIGN_OR_RETURN(rows, session.Query(std::string("SELECT ") + kColumns +
                                                  " FROM audit_log WHERE seq > ? "
                                                  "ORDER BY seq LIMIT ?",
                                              {*last_seq, options.page_size}));
    } else {
      SA_ASSIGN_OR_RETURN(rows, session.Query(std::string("SELECT ") + kColumns +
                                                  " FROM audit_log ORDER BY seq LIMIT ?",
                                              {options.page_size}));
    }
    for (const store::Row& row : rows) {
      SA_ASSIGN_OR_RETURN(AuditEntry entry, ReadEntry(row));
      SA_ASSIGN_OR_RETURN(std::optional<VerifyReport> problem, CheckEntry(entry, cursor, anchor));
      if (problem) return *std::move(problem);
      cursor.prev_hash = std::move(entry.hash);
      cursor.expected_seq = entry.seq + 1;
      ++cursor.good;
      last_seq = entry.seq;
    }
    if (static_cast<int64_t>(rows.size()) < options.page_size) break;
  }

  if (anchor_malformed) {
    return Broken(cursor.good, std::nullopt,
                  "the audit anchor (sync_state '" + std::string(kAnchorName) + "') is malformed");
  }
  if (anchor && anchor->seq >= cursor.expected_seq) {
    const std::string ends = cursor.expected_seq == 1
                                 ? "the log is empty"
                                 : "the log ends at " + EntryName(cursor.expected_seq - 1);
    return Broken(cursor.good, cursor.expected_seq,
                  Missing(cursor.expected_seq, anchor->seq) + " (" + ends +
                      " but the anchor records " + EntryName(anchor->seq) + ")");
  }
  return VerifyReport{true, cursor.good, std::nullopt, ""};
}

std::string RenderReport(const VerifyReport& report) {
  if (report.intact) return "audit log intact: " + Plural(report.entries, "entry", "entries");
  std::string out = "audit log NOT intact";
  if (report.first_bad_seq) out += " at " + EntryName(*report.first_bad_seq);
  out += ": " + report.problem + " (" + Plural(report.entries, "entry", "entries") +
         " checked good before it)";
  return out;
}

}  // namespace sa::adapter::audit
