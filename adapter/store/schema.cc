// The adapter's schema as migrations (see migrations.h for the placeholders).
//
// Append new migrations; never edit one that has shipped: databases in the
// field have already applied it.
//
// Primary-key columns say NOT NULL because SQLite, unlike PostgreSQL, would
// otherwise accept NULL keys.
//
// Times are TEXT in RFC 3339 UTC (they sort as text); the outbox's scheduling
// times are BIGINT Unix milliseconds because workers compare them as numbers.
#include "adapter/store/migrations.h"

namespace sa::adapter::store {

// Each statement is several literals pasted together, on purpose.
// NOLINTBEGIN(bugprone-suspicious-missing-comma)
const std::vector<Migration>& SchemaMigrations() {
  static const std::vector<Migration>* const kMigrations = new std::vector<Migration>{
      {1,
       "initial schema: register, confidential records, outbox, audit log, keyring, task status",
       {
           // One row per accepted version of a session record (RS: the register home).
           "CREATE TABLE register ("
           " org TEXT NOT NULL, session_id TEXT NOT NULL, version {BIGINT} NOT NULL,"
           " content_hash TEXT, state TEXT, type TEXT, status TEXT, scheduled_for TEXT,"
           " held_at TEXT, duration_minutes {BIGINT}, rebooked_to TEXT, template TEXT,"
           " supervisor_id TEXT, entry_json TEXT NOT NULL, agreed_at TEXT,"
           " received_at TEXT NOT NULL, superseded_by {BIGINT},"
           " PRIMARY KEY (org, session_id, version)){STRICT}",
           // A rejected record leaves only this line: who, when, why; no content.
           "CREATE TABLE register_rejections ("
           " id {AUTOINC}, org TEXT, session_id TEXT, received_at TEXT NOT NULL,"
           " reasons TEXT NOT NULL){STRICT}",
           "CREATE TABLE session_people ("
           " org TEXT NOT NULL, session_id TEXT NOT NULL, version {BIGINT} NOT NULL,"
           " staff_hash TEXT NOT NULL, role TEXT NOT NULL){STRICT}",
           "CREATE INDEX session_people_by_staff ON session_people (staff_hash)",
           "CREATE INDEX session_people_by_session ON session_people (org, session_id, version)",
           // Sealed (envelope-encrypted) confidential parts; only hashes in clear.
           "CREATE TABLE confidential_records ("
           " record_id TEXT NOT NULL PRIMARY KEY, kind TEXT NOT NULL, org TEXT, session_id TEXT,"
           " version {BIGINT}, case_ref TEXT, about_hash TEXT, subject_hash TEXT,"
           " kek_id TEXT NOT NULL, sealed {BLOB} NOT NULL){STRICT}",
           "CREATE INDEX confidential_records_by_session"
           " ON confidential_records (org, session_id)",
           // FHIR writes to do, written in the intake transaction, leased by workers.
           "CREATE TABLE outbox ("
           " id {AUTOINC}, plan_key TEXT NOT NULL, seq {BIGINT} NOT NULL, org TEXT,"
           " session_id TEXT, version {BIGINT}, case_ref TEXT, nhs_hash TEXT,"
           " payload TEXT NOT NULL, state TEXT NOT NULL,"
           " attempts {BIGINT} NOT NULL DEFAULT 0, next_attempt_at {BIGINT} NOT NULL,"
           " lease_owner TEXT, lease_expires_at {BIGINT}, last_error TEXT,"
           " created_at {BIGINT} NOT NULL, delivered_at {BIGINT},"
           " UNIQUE (plan_key, seq)){STRICT}",
           "CREATE INDEX outbox_due ON outbox (state, next_attempt_at)",
           // Hash-chained, append-only.
           "CREATE TABLE audit_log ("
           " seq {BIGINT} NOT NULL PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,"
           " action TEXT NOT NULL, object TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT,"
           " prev_hash TEXT NOT NULL, hash TEXT NOT NULL){STRICT}",
           // Wrapped data-key-encryption material, by name.
           "CREATE TABLE keyring ("
           " name TEXT NOT NULL PRIMARY KEY, kek_id TEXT NOT NULL, sealed {BLOB} NOT NULL){STRICT}",
           // The EHR's view of each Task, as last seen by sync, and its history.
           "CREATE TABLE task_status ("
           " task_identifier TEXT NOT NULL PRIMARY KEY, org TEXT, session_id TEXT, action_id TEXT,"
           " status TEXT, business_status TEXT, owner TEXT, version_id TEXT,"
           " last_updated TEXT, seen_at TEXT){STRICT}",
           "CREATE INDEX task_status_by_session ON task_status (org, session_id)",
           "CREATE TABLE task_status_history ("
           " id {AUTOINC}, task_identifier TEXT, version_id TEXT, status TEXT,"
           " business_status TEXT, owner TEXT, last_updated TEXT,"
           " UNIQUE (task_identifier, version_id)){STRICT}",
           // Small named values (sync cursors and the like).
           "CREATE TABLE sync_state (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL){STRICT}",
       }},
      {2,
       "the service: supervision agreements, supervisee custody (transfer, departure), disclosures",
       {
           // Supervision agreements (register home: parties, dates, frequency; no case content).
           "CREATE TABLE agreements ("
           " id TEXT NOT NULL PRIMARY KEY, org TEXT NOT NULL, supervisee_id TEXT NOT NULL,"
           " supervisor_id TEXT NOT NULL, start_date TEXT NOT NULL, signed_at TEXT,"
           " review_date TEXT, body_json TEXT NOT NULL, created_at TEXT NOT NULL,"
           " created_by TEXT NOT NULL, superseded_by TEXT){STRICT}",
           "CREATE INDEX agreements_by_supervisee ON agreements (org, supervisee_id)",
           // Who supervises whom now, by keyed hash (RS-10: a transfer moves access).
           // A supervisee with no open row is supervised by each session's own supervisor.
           "CREATE TABLE custody ("
           " id {AUTOINC}, org TEXT NOT NULL, supervisee_hash TEXT NOT NULL,"
           " supervisor_hash TEXT NOT NULL, from_at TEXT NOT NULL, to_at TEXT,"
           " reason TEXT NOT NULL, recorded_by TEXT NOT NULL){STRICT}",
           "CREATE INDEX custody_by_supervisee ON custody (org, supervisee_hash)",
           // Staff who have left (RS-10): their records went to the personnel file.
           "CREATE TABLE departures ("
           " org TEXT NOT NULL, staff_hash TEXT NOT NULL, departed_at TEXT NOT NULL,"
           " package_id TEXT NOT NULL, recorded_by TEXT NOT NULL,"
           " PRIMARY KEY (org, staff_hash)){STRICT}",
           // Disclosure requests and their workflow (RS-4, RS-5). The notice text
           // and the released package are sealed in confidential_records.
           "CREATE TABLE disclosures ("
           " id TEXT NOT NULL PRIMARY KEY, org TEXT NOT NULL, session_id TEXT NOT NULL,"
           " requester TEXT NOT NULL, ground TEXT NOT NULL, reference TEXT NOT NULL,"
           " scope_json TEXT NOT NULL, state TEXT NOT NULL, urgent {BIGINT} NOT NULL DEFAULT 0,"
           " created_at TEXT NOT NULL, notice_at TEXT, approved_by TEXT, approved_at TEXT,"
           " released_at TEXT, notice_gap_seconds {BIGINT}, refusal TEXT){STRICT}",
           "CREATE INDEX disclosures_by_session ON disclosures (org, session_id)",
       }},
      {3,
       "outbox lease order: an index the lease query walks in order and stops after a batch",
       {
           // The worker leases ORDER BY next_attempt_at, id LIMIT batch
           // (adapter/core/outbox.cc). Walking this index the query stops after
           // a batch of due rows instead of sorting every due row; it also
           // serves every query outbox_due served, which it replaces.
           "CREATE INDEX outbox_lease_order ON outbox (state, next_attempt_at, id)",
           "DROP INDEX outbox_due",
       }},
      {4,
       "outbox index by session, for intake",
       {
           // Intake reads the plans a session queued before (every intake, to
           // supersede them); without this it scans the whole outbox, delivered
           // rows included, so intake slowed as the outbox grew. (Migration 3
           // had shipped on main, so this is a migration of its own.)
           "CREATE INDEX outbox_by_session ON outbox (org, session_id)",
       }},
      {5,
       "outbox leases: how many times each row was leased",
       {
           // Incremented by every lease (adapter/core/outbox.cc, LeaseIn) and
           // never reset (`outbox retry` keeps it). A delivery only happens
           // after a committed lease, so a row leased for the first time has
           // never had a request sent: with a payload saying no earlier
           // version of its plan was ever queued ("firstQueued"), the EHR
           // cannot hold any of the plan's Tasks and delivery skips reading
           // them. Existing rows start at 0; their payloads lack
           // "firstQueued", which reads as false, so they keep the read.
           "ALTER TABLE outbox ADD COLUMN leases {BIGINT} NOT NULL DEFAULT 0",
       }},
  };
  return *kMigrations;
}
// NOLINTEND(bugprone-suspicious-missing-comma)

}  // namespace sa::adapter::store
