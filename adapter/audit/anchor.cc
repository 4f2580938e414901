#include "adapter/audit/anchor.h"

#include <charconv>
#include <vector>

#include "adapter/audit/audit_log.h"
#include "adapter/audit/chain_hash.h"

namespace sa::adapter::audit {
namespace {

std::string FormatAnchor(const Anchor& anchor) {
  return std::to_string(anchor.seq) + ":" + anchor.hash;
}

}  // namespace

std::optional<Anchor> ParseAnchor(std::string_view value) {
  const std::size_t colon = value.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view digits = value.substr(0, colon);
  if (digits[0] == '0') return std::nullopt;  // one spelling per number
  Anchor anchor;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), anchor.seq);
  if (ec != std::errc() || end != digits.data() + digits.size() || anchor.seq < 1) {
    return std::nullopt;
  }
  anchor.hash = std::string(value.substr(colon + 1));
  if (!IsHashHex(anchor.hash)) return std::nullopt;
  return anchor;
}

StatusOr<std::optional<std::string>> ReadAnchorValue(store::DbSession& session) {
  SA_ASSIGN_OR_RETURN(
      std::vector<store::Row> rows,
      session.Query("SELECT value FROM sync_state WHERE name = ?", {std::string(kAnchorName)}));
  if (rows.empty()) return std::optional<std::string>();
  if (rows[0].size() != 1) return Status::Internal("audit anchor query returned an unexpected row");
  SA_ASSIGN_OR_RETURN(std::string value, store::AsText(rows[0][0]));
  return std::optional<std::string>(std::move(value));
}

Status WriteAnchor(store::DbSession& session) {
  if (session.dialect() == store::Dialect::kPostgres) {
    // Append's lock, so no entry lands between reading the head and recording it.
    SA_RETURN_IF_ERROR(
        session.Query("SELECT 1 FROM pg_advisory_xact_lock(?)", {kAuditLockKey}).status());
  }
  SA_ASSIGN_OR_RETURN(std::vector<store::Row> head,
                      session.Query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  if (head.empty()) return Status::FailedPrecondition("audit log is empty; nothing to anchor");
  if (head[0].size() != 2) return Status::Internal("audit head query returned an unexpected row");
  Anchor next;
  SA_ASSIGN_OR_RETURN(next.seq, store::AsInt(head[0][0]));
  SA_ASSIGN_OR_RETURN(next.hash, store::AsText(head[0][1]));

  SA_ASSIGN_OR_RETURN(std::optional<std::string> existing_value, ReadAnchorValue(session));
  if (existing_value) {
    std::optional<Anchor> existing = ParseAnchor(*existing_value);
    if (!existing) {
      return Status::FailedPrecondition(
          "the existing audit anchor is malformed; run audit verify before anchoring again");
    }
    const std::string anchored = "entry " + std::to_string(existing->seq);
    if (existing->seq > next.seq) {
      return Status::FailedPrecondition("the audit log ends at entry " + std::to_string(next.seq) +
                                        ", before the anchored " + anchored + "; run audit verify");
    }
    SA_ASSIGN_OR_RETURN(std::vector<store::Row> at_anchor,
                        session.Query("SELECT hash FROM audit_log WHERE seq = ?", {existing->seq}));
    if (at_anchor.empty()) {
      return Status::FailedPrecondition("the anchored " + anchored +
                                        " is missing from the audit log; run audit verify");
    }
    SA_ASSIGN_OR_RETURN(std::string hash_there, store::AsText(at_anchor[0][0]));
    if (hash_there != existing->hash) {
      return Status::FailedPrecondition("the anchored " + anchored +
                                        " no longer has the anchored hash; run audit verify");
    }
  }
  return session
      .Exec(
          "INSERT INTO sync_state (name, value) VALUES (?, ?) "
          "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
          {std::string(kAnchorName), FormatAnchor(next)})
      .status();
}

}  // namespace sa::adapter::audit
