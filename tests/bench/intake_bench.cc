// Intake benchmark: sessions/s and per-session latency of IntakeService with
// durable commits, on SQLite (WAL, synchronous=FULL: the store's defaults)
// and PostgreSQL (fsync, synchronous_commit and full_page_writes on), each
// beside the limit measured in the same run on the same disk: the raw
// durable-commit rate of inserting the very rows an intake writes (register,
// session_people, confidential_records, outbox and audit_log rows of the
// session; copied from a real intake, so the same sizes and the same count),
// one transaction per session,
// through the database's C client with prepared statements: no JSON, no
// crypto, no adapter code.
//
// Two diagnostic figures split the gap: where intake's time goes (connection
// checkout and return, statements, commit, the rest: db_diagnostics.h) and
// the same inserts through the adapter's store layer (store::Database, a
// Connect() per session as Intake does, so a pooled connection).
//
// A third runs intake on SQLite in a memory-backed directory (--cpu-dir),
// where a commit costs no disk write: the adapter's own work per session.
//
//   intake_bench [--sessions=2000] [--warmup=50] [--rounds=3]
//                [--stores=sqlite,postgres] [--dir=/tmp] [--cpu-dir=/dev/shm]
//                [--max-idle=4]
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adapter/core/intake.h"
#include "adapter/store/migrations.h"
#include "adapter/store/pg_harness.h"
#include "adapter/store/poco_db.h"
#include "mappings/catalog.h"
#include "tests/bench/bench_util.h"
#include "tests/bench/db_diagnostics.h"

namespace sa::bench {
namespace {

using adapter::store::Blob;
using adapter::store::Database;
using adapter::store::DbSession;
using adapter::store::Row;
using adapter::store::Value;

// The tables one intake writes, with the columns copied (outbox.id is generated).
struct Table {
  const char* name;
  const char* columns;
  const char* where;  // selects one session's rows; '?' = the session id
};
const Table kTables[] = {
    {"register",
     "org, session_id, version, content_hash, state, type, status, scheduled_for, held_at, duration_minutes,"
     " rebooked_to, template, supervisor_id, entry_json, agreed_at, received_at, superseded_by",
     "session_id = ?"},
    {"session_people", "org, session_id, version, staff_hash, role", "session_id = ?"},
    {"confidential_records",
     "record_id, kind, org, session_id, version, case_ref, about_hash, subject_hash, kek_id, sealed",
     "session_id = ?"},
    {"outbox",
     "plan_key, seq, org, session_id, version, case_ref, nhs_hash, payload, state, attempts, next_attempt_at,"
     " lease_owner, lease_expires_at, last_error, created_at, delivered_at",
     "session_id = ?"},
    {"audit_log", "seq, at, actor, action, object, outcome, detail, prev_hash, hash", "object LIKE ?"},
};
constexpr int kAuditTable = 4;

struct TemplateRow {
  int table;
  Row values;
};

// Every session id has this width, so substituted rows keep their sizes.
std::string SessionId(const std::string& prefix, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s-%07d", prefix.c_str(), i);
  return buf;
}

int Placeholders(const char* columns) { return 1 + static_cast<int>(std::count(columns, columns + std::strlen(columns), ',')); }

std::string InsertSql(const Table& t, bool postgres) {
  std::string sql = std::string("INSERT INTO ") + t.name + " (" + t.columns + ") VALUES (";
  for (int i = 0; i < Placeholders(t.columns); ++i) {
    sql += (i ? "," : "");
    sql += postgres ? "$" + std::to_string(i + 1) : "?";
  }
  return sql + ")";
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// The rows intake wrote for `sid`, read back from `db`.
std::vector<TemplateRow> CaptureRows(Database& db, const std::string& sid) {
  auto session = ValueOrDie(db.Connect(), "connect");
  std::vector<TemplateRow> out;
  for (int t = 0; t < 5; ++t) {
    const Table& table = kTables[t];
    Value key = t == kAuditTable ? Value("%" + sid + "%") : Value(sid);
    auto rows = ValueOrDie(session->Query(std::string("SELECT ") + table.columns + " FROM " + table.name + " WHERE " +
                                              table.where,
                                          {key}),
                           std::string("reading ") + table.name);
    for (auto& r : rows) out.push_back({t, std::move(r)});
  }
  return out;
}

// The template rows re-keyed for `count` new sessions (ids "<prefix>-…"), audit
// sequence numbers continuing from `first_seq`.
std::vector<std::vector<TemplateRow>> Sessions(const std::vector<TemplateRow>& rows, const std::string& template_sid,
                                               const std::string& prefix, int count, int64_t first_seq) {
  std::vector<std::vector<TemplateRow>> out(count);
  int64_t seq = first_seq;
  for (int i = 0; i < count; ++i) {
    const std::string sid = SessionId(prefix, i);
    for (const auto& r : rows) {
      TemplateRow copy = r;
      for (auto& v : copy.values) {
        if (auto* s = std::get_if<std::string>(&v)) ReplaceAll(*s, template_sid, sid);
      }
      if (r.table == kAuditTable) copy.values[0] = seq++;
      out[i].push_back(std::move(copy));
    }
  }
  return out;
}

struct RunResult {
  double per_second = 0;
  Latency latency;
};

RunResult Summarise(const std::vector<double>& each, double total) {
  return {static_cast<double>(each.size()) / total, Percentiles(each)};
}

// ---- raw SQLite (sqlite3 C API) -------------------------------------------

void SqliteOk(int rc, sqlite3* db, const std::string& what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  std::cerr << "FAILED: sqlite " << what << ": " << sqlite3_errmsg(db) << "\n";
  std::exit(1);
}

RunResult RawSqlite(const std::string& path, const std::vector<std::vector<TemplateRow>>& sessions) {
  sqlite3* db = nullptr;
  SqliteOk(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), db, "open");
  SqliteOk(sqlite3_exec(db, "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr,
                        nullptr, nullptr),
           db, "pragmas");
  std::vector<sqlite3_stmt*> stmts(5);
  for (int t = 0; t < 5; ++t) {
    SqliteOk(sqlite3_prepare_v2(db, InsertSql(kTables[t], false).c_str(), -1, &stmts[t], nullptr), db, "prepare");
  }
  std::vector<double> each;
  double start = Now();
  for (const auto& rows : sessions) {
    double t0 = Now();
    SqliteOk(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
    for (const auto& r : rows) {
      sqlite3_stmt* st = stmts[r.table];
      for (std::size_t i = 0; i < r.values.size(); ++i) {
        const Value& v = r.values[i];
        int col = static_cast<int>(i) + 1;
        if (const auto* n = std::get_if<int64_t>(&v)) {
          sqlite3_bind_int64(st, col, *n);
        } else if (const auto* s = std::get_if<std::string>(&v)) {
          sqlite3_bind_text(st, col, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
        } else if (const auto* b = std::get_if<Blob>(&v)) {
          sqlite3_bind_blob(st, col, b->bytes.data(), static_cast<int>(b->bytes.size()), SQLITE_STATIC);
        } else {
          sqlite3_bind_null(st, col);
        }
      }
      SqliteOk(sqlite3_step(st), db, std::string("insert into ") + kTables[r.table].name);
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
    }
    SqliteOk(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    each.push_back(Now() - t0);
  }
  double total = Now() - start;
  for (auto* st : stmts) sqlite3_finalize(st);
  sqlite3_close(db);
  return Summarise(each, total);
}

// ---- raw PostgreSQL (libpq) -------------------------------------------------

void PgOk(PGresult* r, PGconn* c, const std::string& what) {
  ExecStatusType s = PQresultStatus(r);
  PQclear(r);
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return;
  std::cerr << "FAILED: postgres " << what << ": " << PQerrorMessage(c) << "\n";
  std::exit(1);
}

RunResult RawPostgres(const std::string& conninfo, const std::vector<std::vector<TemplateRow>>& sessions) {
  // Poco needs no spaces in values; libpq takes the same conninfo (options=-c…).
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::cerr << "FAILED: libpq connect: " << PQerrorMessage(c) << "\n";
    std::exit(1);
  }
  for (int t = 0; t < 5; ++t) {
    PgOk(PQprepare(c, kTables[t].name, InsertSql(kTables[t], true).c_str(), 0, nullptr), c, "prepare");
  }
  std::vector<double> each;
  std::vector<std::string> text;
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  double start = Now();
  for (const auto& rows : sessions) {
    double t0 = Now();
    PgOk(PQexec(c, "BEGIN"), c, "begin");
    for (const auto& r : rows) {
      const std::size_t n = r.values.size();
      text.assign(n, "");
      values.assign(n, nullptr);
      lengths.assign(n, 0);
      formats.assign(n, 0);
      for (std::size_t i = 0; i < n; ++i) {
        const Value& v = r.values[i];
        if (const auto* num = std::get_if<int64_t>(&v)) {
          text[i] = std::to_string(*num);
          values[i] = text[i].c_str();
        } else if (const auto* s = std::get_if<std::string>(&v)) {
          values[i] = s->c_str();
        } else if (const auto* b = std::get_if<Blob>(&v)) {
          values[i] = b->bytes.data();
          lengths[i] = static_cast<int>(b->bytes.size());
          formats[i] = 1;  // binary: the bytes as they are
        }
      }
      PgOk(PQexecPrepared(c, kTables[r.table].name, static_cast<int>(n), values.data(), lengths.data(), formats.data(),
                          0),
           c, std::string("insert into ") + kTables[r.table].name);
    }
    PgOk(PQexec(c, "COMMIT"), c, "commit");
    each.push_back(Now() - t0);
  }
  double total = Now() - start;
  PQfinish(c);
  return Summarise(each, total);
}

// ---- the same inserts through the adapter's store layer ---------------------

RunResult StoreLayer(Database& db, const std::vector<std::vector<TemplateRow>>& sessions) {
  std::vector<std::string> sql;
  for (const auto& t : kTables) sql.push_back(InsertSql(t, false));
  std::vector<double> each;
  double start = Now();
  for (const auto& rows : sessions) {
    double t0 = Now();
    auto session = ValueOrDie(db.Connect(), "connect");
    adapter::store::Transaction tx(*session);
    CheckOk(tx.Begin(), "begin");
    for (const auto& r : rows) CheckOk(session->Exec(sql[r.table], r.values).status(), "insert");
    CheckOk(tx.Commit(), "commit");
    each.push_back(Now() - t0);
  }
  return Summarise(each, Now() - start);
}

// ---- intake ---------------------------------------------------------------

RunResult Intake(adapter::IntakeService& svc, const std::vector<std::string>& records) {
  std::vector<double> each;
  double start = Now();
  for (const auto& record : records) {
    double t0 = Now();
    auto r = ValueOrDie(svc.Intake(record, "bench"), "intake");
    each.push_back(Now() - t0);
    if (r.kind != adapter::IntakeResult::Kind::kCreated || r.outbox_rows != 1) {
      std::cerr << "FAILED: unexpected intake result " << r.ToJson().dump() << "\n";
      std::exit(1);
    }
  }
  return Summarise(each, Now() - start);
}

// One database back end: how to get a fresh, migrated database.
struct Backend {
  std::string name;
  std::function<std::unique_ptr<Database>()> fresh;
  std::function<std::string()> location;  // of the last fresh one: file path or conninfo
  std::function<RunResult(const std::vector<std::vector<TemplateRow>>&)> raw;
  std::string durability;  // as read back from the database
};

std::string Durability(Database& db) {
  auto s = ValueOrDie(db.Connect(), "connect");
  std::ostringstream out;
  auto show = [&](const std::string& sql) {
    auto rows = ValueOrDie(s->Query(sql), sql);
    const Value& v = rows.at(0).at(0);
    if (const auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
    if (const auto* t = std::get_if<std::string>(&v)) return *t;
    return std::string("?");
  };
  if (db.dialect() == adapter::store::Dialect::kSqlite) {
    out << "journal_mode=" << show("PRAGMA journal_mode") << " synchronous=" << show("PRAGMA synchronous")
        << " (2 = FULL)";
  } else {
    out << "fsync=" << show("SHOW fsync") << " synchronous_commit=" << show("SHOW synchronous_commit")
        << " full_page_writes=" << show("SHOW full_page_writes") << " wal_sync_method=" << show("SHOW wal_sync_method");
  }
  return out.str();
}

// The round whose a/b throughput ratio is the median.
int MedianRound(const std::vector<RunResult>& a, const std::vector<RunResult>& b) {
  std::vector<int> order(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(), [&](int x, int y) {
    return a[x].per_second / b[x].per_second < a[y].per_second / b[y].per_second;
  });
  return order[order.size() / 2];
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const int n = static_cast<int>(flags.Int("sessions", 2000));
  const int warmup = static_cast<int>(flags.Int("warmup", 50));
  const int rounds = static_cast<int>(flags.Int("rounds", 3));
  const std::string stores = flags.Str("stores", "sqlite,postgres");
  const std::string dir = flags.Str("dir", "/tmp");
  const std::string cpu_dir = flags.Str("cpu-dir", "/dev/shm");  // "" skips that diagnostic
  // Idle connections the store keeps (0: a new connection per Connect(), as
  // before the pool; for measuring what the pool gives).
  const int max_idle =
      static_cast<int>(flags.Int("max-idle", adapter::store::kDefaultMaxIdleConnections));
  flags.Check();

  std::cout << "# intake benchmark\n" << MachineLine(dir) << "\n"
            << "sessions per run " << n << " (tests/data/valid-eput-sbar.json, distinct sessionIds), warm-up " << warmup
            << ", rounds " << rounds
            << " (the round with the median intake/raw ratio is reported)\n";
  auto catalog = ValueOrDie(mappings::Catalog::Load({}), "catalog");

  std::vector<Backend> backends;
  TempDir tmp(dir);
  std::unique_ptr<adapter::store::PgHarness> pg;
  int files = 0;
  std::string last;
  if (stores.find("sqlite") != std::string::npos) {
    Backend b;
    b.name = "SQLite";
    b.fresh = [&]() {
      last = tmp.path() + "/db-" + std::to_string(++files) + ".sqlite";
      adapter::store::SqliteOptions options;
      options.max_idle_connections = max_idle;
      auto db = ValueOrDie(adapter::store::OpenSqlite(last, options), "open sqlite");
      ValueOrDie(adapter::store::Migrate(*db), "migrate");
      return db;
    };
    b.location = [&]() { return last; };
    b.raw = [&](const auto& sessions) { return RawSqlite(last, sessions); };
    backends.push_back(std::move(b));
  }
  if (stores.find("postgres") != std::string::npos) {
    adapter::store::PgHarnessOptions options;
    options.durable = true;
    pg = ValueOrDie(adapter::store::PgHarness::Start(options), "start PostgreSQL");
    Backend b;
    b.name = "PostgreSQL";
    b.fresh = [&]() {
      last = ValueOrDie(pg->CreateDatabase(), "create database");
      adapter::store::PostgresOptions options;
      options.max_idle_connections = max_idle;
      auto db = ValueOrDie(adapter::store::OpenPostgres(last, options), "open postgres");
      ValueOrDie(adapter::store::Migrate(*db), "migrate");
      return db;
    };
    b.location = [&]() { return last; };
    b.raw = [&](const auto& sessions) { return RawPostgres(last, sessions); };
    backends.push_back(std::move(b));
  }

  std::vector<ResultRow> table;
  for (auto& b : backends) {
    std::vector<RunResult> intake, raw, layer;
    std::vector<double> connect_share, statement_share, commit_share;
    for (int round = 0; round < rounds; ++round) {
      // Every id prefix has two characters, so all session ids have one width.
      const std::string r = std::to_string(round % 10);
      // Intake, on a fresh database.
      DbTimes times;
      std::unique_ptr<Database> db = std::make_unique<TimingDatabase>(b.fresh(), &times);
      if (round == 0) b.durability = Durability(*db);
      auto vault = ValueOrDie(MakeVault(tmp.path(), *db), "vault");
      adapter::IntakeService svc(db.get(), catalog.get(), vault.get(), {});
      std::vector<std::string> warm, records;
      for (int i = 0; i < warmup; ++i) warm.push_back(ExampleSession(SessionId("W" + r, i)).dump());
      for (int i = 0; i < n; ++i) records.push_back(ExampleSession(SessionId("I" + r, i)).dump());
      Intake(svc, warm);
      times.Reset();
      intake.push_back(Intake(svc, records));
      const double busy = n / intake.back().per_second;
      connect_share.push_back(DbTimes::Seconds(times.connect_ns) / busy);
      statement_share.push_back(DbTimes::Seconds(times.statement_ns) / busy);
      commit_share.push_back(DbTimes::Seconds(times.commit_ns) / busy);
      if (round == 0) {
        std::cout << b.name << ": intake runs " << Fixed(static_cast<double>(times.statements.load()) / n, 1)
                  << " statements per session, plus BEGIN and COMMIT\n";
      }
      // The same rows, raw, on another fresh database (same disk).
      const std::string template_sid = SessionId("I" + r, 0);
      std::vector<TemplateRow> rows = CaptureRows(*db, template_sid);
      // The rows of one session in every table intake writes (9 at the time
      // of writing; more if intake starts writing more, and the raw baseline
      // follows).
      if (rows.size() < 9) {
        std::cerr << "FAILED: expected at least 9 rows per intake, read " << rows.size() << "\n";
        return 1;
      }
      if (round == 0) std::cout << b.name << ": intake writes " << rows.size() << " rows per session\n";
      db.reset();
      auto raw_db = b.fresh();
      auto raw_warm = Sessions(rows, template_sid, "V" + r, warmup, 1'000'000);
      auto raw_sessions = Sessions(rows, template_sid, "R" + r, n, 2'000'000);
      b.raw(raw_warm);
      raw.push_back(b.raw(raw_sessions));
      raw_db.reset();
      // The same rows through the store layer (Poco), on a third.
      auto layer_db = b.fresh();
      StoreLayer(*layer_db, Sessions(rows, template_sid, "M" + r, warmup, 1'000'000));
      layer.push_back(StoreLayer(*layer_db, Sessions(rows, template_sid, "L" + r, n, 2'000'000)));
      std::cout << b.name << " round " << round + 1 << ": intake " << Fixed(intake.back().per_second, 0)
                << "/s p50 " << Fixed(intake.back().latency.p50_ms, 2) << " p99 "
                << Fixed(intake.back().latency.p99_ms, 2) << " ms (connection checkout+return "
                << Fixed(100 * connect_share.back(), 0) << "%, statements " << Fixed(100 * statement_share.back(), 0)
                << "%, commit " << Fixed(100 * commit_share.back(), 0) << "%) | raw " << Fixed(raw.back().per_second, 0)
                << "/s p50 " << Fixed(raw.back().latency.p50_ms, 2) << " p99 " << Fixed(raw.back().latency.p99_ms, 2)
                << " ms | store layer " << Fixed(layer.back().per_second, 0) << "/s p50 "
                << Fixed(layer.back().latency.p50_ms, 2) << " p99 " << Fixed(layer.back().latency.p99_ms, 2)
                << " ms | load " << Fixed(LoadAverage(), 2) << "\n"
                << std::flush;
    }
    // Every figure comes from one round: the one whose intake/raw ratio is
    // the median (intake and its limit measured minutes apart, same load).
    const int m = MedianRound(intake, raw);
    const RunResult &in = intake[m], &rw = raw[m], &la = layer[m];
    std::cout << b.name << " durability: " << b.durability << "; reported: round " << m + 1 << "\n";
    auto ms = [](double v) { return Fixed(v, 2) + " ms"; };
    auto pct = [](double v) { return Fixed(100 * v, 0) + "%"; };
    table.push_back({b.name + " intake, sessions/s", Fixed(in.per_second, 0),
                     "raw durable commits of the same rows: " + Fixed(rw.per_second, 0) + "/s",
                     Fixed(in.per_second / rw.per_second, 2) + "x", ">= 0.5x raw",
                     in.per_second >= 0.5 * rw.per_second ? "yes" : "no"});
    table.push_back({b.name + " intake p50", ms(in.latency.p50_ms), "raw: " + ms(rw.latency.p50_ms),
                     Fixed(in.latency.p50_ms / rw.latency.p50_ms, 2) + "x", "-", "-"});
    table.push_back({b.name + " intake p99", ms(in.latency.p99_ms), "raw: " + ms(rw.latency.p99_ms),
                     Fixed(in.latency.p99_ms / rw.latency.p99_ms, 2) + "x", "< 10 ms",
                     in.latency.p99_ms < 10.0 ? "yes" : "no"});
    table.push_back({b.name + " intake time split (diagnostic)",
                     "connection checkout+return " + pct(connect_share[m]) + ", statements " + pct(statement_share[m]) +
                         ", commit " + pct(commit_share[m]),
                     "rest: parse, separate, seal, hash, map", "-", "-", "-"});
    table.push_back({b.name + " same inserts via store layer (diagnostic)",
                     Fixed(la.per_second, 0) + "/s, p99 " + ms(la.latency.p99_ms),
                     "raw: " + Fixed(rw.per_second, 0) + "/s", Fixed(la.per_second / rw.per_second, 2) + "x", "-",
                     "-"});
  }
  // Diagnostic: the same intake where a commit costs no disk write (SQLite in
  // memory-backed --cpu-dir, /dev/shm by default), beside the raw inserts
  // there: what is left is the adapter's own work per session, the floor
  // under intake's latency on any disk.
  if (!cpu_dir.empty() && stores.find("sqlite") != std::string::npos) {
    TempDir mem(cpu_dir);
    const std::string path = mem.path() + "/cpu.sqlite";
    auto db = ValueOrDie(adapter::store::OpenSqlite(path), "open sqlite");
    ValueOrDie(adapter::store::Migrate(*db), "migrate");
    auto vault = ValueOrDie(MakeVault(mem.path(), *db), "vault");
    adapter::IntakeService svc(db.get(), catalog.get(), vault.get(), {});
    std::vector<std::string> warm, records;
    for (int i = 0; i < warmup; ++i) warm.push_back(ExampleSession(SessionId("WC", i)).dump());
    for (int i = 0; i < n; ++i) records.push_back(ExampleSession(SessionId("IC", i)).dump());
    Intake(svc, warm);
    RunResult in = Intake(svc, records);
    std::vector<TemplateRow> rows = CaptureRows(*db, SessionId("IC", 0));
    const std::string raw_path = mem.path() + "/cpu-raw.sqlite";
    auto raw_db = ValueOrDie(adapter::store::OpenSqlite(raw_path), "open sqlite");
    ValueOrDie(adapter::store::Migrate(*raw_db), "migrate");
    RawSqlite(raw_path, Sessions(rows, SessionId("IC", 0), "VC", warmup, 1'000'000));
    RunResult rw = RawSqlite(raw_path, Sessions(rows, SessionId("IC", 0), "RC", n, 2'000'000));
    std::cout << "SQLite in " << cpu_dir << " (no disk): intake " << Fixed(in.per_second, 0) << "/s p50 "
              << Fixed(in.latency.p50_ms, 2) << " p99 " << Fixed(in.latency.p99_ms, 2) << " ms | raw "
              << Fixed(rw.per_second, 0) << "/s p50 " << Fixed(rw.latency.p50_ms, 2) << " ms | load "
              << Fixed(LoadAverage(), 2) << "\n";
    table.push_back({"SQLite intake with no disk cost (diagnostic: database in " + cpu_dir + ")",
                     Fixed(in.per_second, 0) + "/s, p50 " + Fixed(in.latency.p50_ms, 2) + " ms, p99 " +
                         Fixed(in.latency.p99_ms, 2) + " ms",
                     "raw there: " + Fixed(rw.per_second, 0) + "/s, p50 " + Fixed(rw.latency.p50_ms, 2) + " ms",
                     Fixed(in.per_second / rw.per_second, 2) + "x", "-", "-"});
  }
  PrintTable("Intake (" + std::to_string(n) + " sessions per run; the round with the median ratio of " +
                 std::to_string(rounds) + ")",
             table);
  return 0;
}

}  // namespace
}  // namespace sa::bench

int main(int argc, char** argv) { return sa::bench::Main(argc, argv); }
