#include "tests/bench/raw_commits.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>

namespace sa::bench {

using adapter::store::Blob;
using adapter::store::Value;

const Table kTables[5] = {
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

namespace {

int Placeholders(const char* columns) {
  return 1 + static_cast<int>(std::count(columns, columns + std::strlen(columns), ','));
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

void SqliteOk(int rc, sqlite3* db, const std::string& what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  std::cerr << "FAILED: sqlite " << what << ": " << sqlite3_errmsg(db) << "\n";
  std::exit(1);
}

void PgOk(PGresult* r, PGconn* c, const std::string& what) {
  ExecStatusType s = PQresultStatus(r);
  PQclear(r);
  if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) return;
  std::cerr << "FAILED: postgres " << what << ": " << PQerrorMessage(c) << "\n";
  std::exit(1);
}

// One client's SQLite connection with the five inserts prepared.
class SqliteClient {
 public:
  explicit SqliteClient(const std::string& path) {
    SqliteOk(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), db_, "open");
    SqliteOk(sqlite3_exec(db_, "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
                          nullptr, nullptr, nullptr),
             db_, "pragmas");
    for (int t = 0; t < 5; ++t) {
      SqliteOk(sqlite3_prepare_v2(db_, InsertSql(kTables[t], false).c_str(), -1, &stmts_[t], nullptr), db_,
               "prepare");
    }
  }
  ~SqliteClient() {
    for (auto* st : stmts_) sqlite3_finalize(st);
    sqlite3_close(db_);
  }
  SqliteClient(const SqliteClient&) = delete;
  SqliteClient& operator=(const SqliteClient&) = delete;

  void Commit(const std::vector<TemplateRow>& rows) {
    SqliteOk(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db_, "begin");
    for (const auto& r : rows) {
      sqlite3_stmt* st = stmts_[r.table];
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
      SqliteOk(sqlite3_step(st), db_, std::string("insert into ") + kTables[r.table].name);
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
    }
    SqliteOk(sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr), db_, "commit");
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmts_[5] = {};
};

// One client's libpq connection with the five inserts prepared.
class PgClient {
 public:
  explicit PgClient(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) {
      std::cerr << "FAILED: libpq connect: " << PQerrorMessage(c_) << "\n";
      std::exit(1);
    }
    for (int t = 0; t < 5; ++t) {
      PgOk(PQprepare(c_, kTables[t].name, InsertSql(kTables[t], true).c_str(), 0, nullptr), c_, "prepare");
    }
  }
  ~PgClient() { PQfinish(c_); }
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  void Commit(const std::vector<TemplateRow>& rows) {
    PgOk(PQexec(c_, "BEGIN"), c_, "begin");
    for (const auto& r : rows) {
      const std::size_t n = r.values.size();
      text_.assign(n, "");
      values_.assign(n, nullptr);
      lengths_.assign(n, 0);
      formats_.assign(n, 0);
      for (std::size_t i = 0; i < n; ++i) {
        const Value& v = r.values[i];
        if (const auto* num = std::get_if<int64_t>(&v)) {
          text_[i] = std::to_string(*num);
          values_[i] = text_[i].c_str();
        } else if (const auto* s = std::get_if<std::string>(&v)) {
          values_[i] = s->c_str();
        } else if (const auto* b = std::get_if<Blob>(&v)) {
          values_[i] = b->bytes.data();
          lengths_[i] = static_cast<int>(b->bytes.size());
          formats_[i] = 1;  // binary: the bytes as they are
        }
      }
      PgOk(PQexecPrepared(c_, kTables[r.table].name, static_cast<int>(n), values_.data(), lengths_.data(),
                          formats_.data(), 0),
           c_, std::string("insert into ") + kTables[r.table].name);
    }
    PgOk(PQexec(c_, "COMMIT"), c_, "commit");
  }

 private:
  PGconn* c_;
  std::vector<std::string> text_;
  std::vector<const char*> values_;
  std::vector<int> lengths_, formats_;
};

}  // namespace

std::string SessionId(const std::string& prefix, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s-%07d", prefix.c_str(), i);
  return buf;
}

std::string InsertSql(const Table& t, bool postgres) {
  std::string sql = std::string("INSERT INTO ") + t.name + " (" + t.columns + ") VALUES (";
  for (int i = 0; i < Placeholders(t.columns); ++i) {
    sql += (i ? "," : "");
    sql += postgres ? "$" + std::to_string(i + 1) : "?";
  }
  return sql + ")";
}

std::vector<TemplateRow> CaptureRows(adapter::store::Database& db, const std::string& sid) {
  auto session = ValueOrDie(db.Connect(), "connect");
  std::vector<TemplateRow> out;
  for (int t = 0; t < 5; ++t) {
    const Table& table = kTables[t];
    Value key = t == kAuditTable ? Value("%" + sid + "%") : Value(sid);
    auto rows = ValueOrDie(session->Query(std::string("SELECT ") + table.columns + " FROM " + table.name +
                                              " WHERE " + table.where,
                                          {key}),
                           std::string("reading ") + table.name);
    for (auto& r : rows) out.push_back({t, std::move(r)});
  }
  return out;
}

SessionRows Sessions(const std::vector<TemplateRow>& rows, const std::string& template_sid,
                     const std::string& prefix, int count, int64_t first_seq) {
  SessionRows out(count);
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

RunResult RunClients(int clients, int count,
                     const std::function<std::function<void(int)>(int client)>& make_worker) {
  std::vector<std::function<void(int)>> workers;
  for (int c = 0; c < clients; ++c) workers.push_back(make_worker(c));
  std::atomic<int> next{0};
  std::vector<std::vector<double>> each(clients);
  const double start = Now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = next++; i < count; i = next++) {
        const double t0 = Now();
        workers[c](i);
        each[c].push_back(Now() - t0);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double total = Now() - start;
  std::vector<double> all;
  for (const auto& e : each) all.insert(all.end(), e.begin(), e.end());
  return {static_cast<double>(all.size()) / total, Percentiles(all)};
}

RunResult RawSqlite(const std::string& path, const SessionRows& sessions, int clients) {
  std::vector<std::unique_ptr<SqliteClient>> conns;
  std::mutex writer;
  return RunClients(clients, static_cast<int>(sessions.size()), [&](int) {
    conns.push_back(std::make_unique<SqliteClient>(path));
    SqliteClient* conn = conns.back().get();
    return std::function<void(int)>([&, conn](int i) {
      std::lock_guard<std::mutex> lock(writer);
      conn->Commit(sessions[i]);
    });
  });
}

RunResult RawPostgres(const std::string& conninfo, const SessionRows& sessions, int clients) {
  std::vector<std::unique_ptr<PgClient>> conns;
  return RunClients(clients, static_cast<int>(sessions.size()), [&](int) {
    conns.push_back(std::make_unique<PgClient>(conninfo));
    PgClient* conn = conns.back().get();
    return std::function<void(int)>([&sessions, conn](int i) { conn->Commit(sessions[i]); });
  });
}

}  // namespace sa::bench
