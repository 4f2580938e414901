#include "adapter/store/postgres_session.h"

#include <poll.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapter/store/poco_errors.h"
#include "adapter/store/postgres_values.h"
#include "adapter/store/tx_state.h"
#include "libpq-fe.h"

namespace sa::adapter::store {
namespace {

// Heterogeneous look-up: find a std::string key by std::string_view.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// True for statements that change the schema: after one, prepared statements
// may describe result rows that no longer exist.
bool IsSchemaChange(std::string_view sql) {
  std::size_t at = 0;
  while (at < sql.size() && std::isspace(static_cast<unsigned char>(sql[at]))) ++at;
  std::string word;
  for (; at < sql.size() && std::isalpha(static_cast<unsigned char>(sql[at])); ++at) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[at])));
  }
  return word == "CREATE" || word == "ALTER" || word == "DROP" || word == "TRUNCATE" ||
         word == "COMMENT" || word == "GRANT" || word == "REVOKE";
}

// Frees a result when a call ends.
class ResultGuard {
 public:
  explicit ResultGuard(PGresult* result) : result_(result) {}
  ~ResultGuard() { PQclear(result_); }
  ResultGuard(const ResultGuard&) = delete;
  ResultGuard& operator=(const ResultGuard&) = delete;

 private:
  PGresult* result_;
};

class PostgresSession final : public PoolableSession {
 public:
  PostgresSession(PGconn* conn, std::shared_ptr<void> owner, bool prepare)
      : owner_(std::move(owner)), conn_(conn), prepare_(prepare) {}

  ~PostgresSession() override {
    if (tx_.open()) (void)PostgresSession::Rollback();
  }

  // BEGIN is sent with the transaction's first statement: in the same
  // pipeline when that is ExecAll, QueryAll or CommitAfter (one round trip
  // less per transaction), else just before it. A transaction that runs no
  // statement never reaches the server.
  Status Begin() override {
    SA_RETURN_IF_ERROR(tx_.CheckCanBegin());
    tx_.Began();
    begin_pending_ = true;
    return Status::Ok();
  }

  Status Commit() override {
    SA_RETURN_IF_ERROR(tx_.CheckCanCommit());
    if (tx_.aborted()) {
      Status why = tx_.AbortedCommit();
      (void)Rollback();
      return why;
    }
    if (begin_pending_) {  // nothing ran: nothing to commit
      tx_.Ended();
      begin_pending_ = false;
      return Status::Ok();
    }
    StatusOr<std::string> tag = Command("COMMIT");
    if (tag.ok() && *tag == "COMMIT") {
      tx_.Ended();
      DeallocateIfPending();
      return Status::Ok();
    }
    Status status = tag.ok() ? Status::FailedPrecondition(
                                   "the server rolled the transaction back instead of committing")
                             : tag.status();
    (void)Rollback();
    if (status.code() == StatusCode::kUnavailable && ConnectionLost()) {
      // The server may have committed before the connection dropped.
      return Status::Unavailable(status.message() + " (commit outcome unknown)");
    }
    return status;
  }

  Status Rollback() override {
    if (!tx_.open()) return Status::Ok();
    tx_.Ended();
    begin_pending_ = false;
    // The server may already have ended it (a COMMIT answered ROLLBACK).
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) {
      DeallocateIfPending();
      return Status::Ok();
    }
    Status status = Command("ROLLBACK").status();
    DeallocateIfPending();
    return status;
  }

  // The statements and the COMMIT in one pipeline (db.h).
  Status CommitAfter(const std::vector<Statement>& statements) override {
    SA_RETURN_IF_ERROR(tx_.CheckCanCommit());
    if (tx_.aborted() || statements.empty() || !Pipelinable(statements)) {
      return DbSession::CommitAfter(statements);
    }
    std::vector<Bound> bound(statements.size());  // filled in place, never moved
    Status status = Status::Ok();
    for (std::size_t i = 0; i < statements.size() && status.ok(); ++i) {
      status = Bind(statements[i].sql, statements[i].params, &bound[i]);
    }
    StatusOr<std::vector<std::string>> names = status.ok() ? PrepareAll(statements, bound) : status;
    if (!names.ok()) {
      (void)Rollback();
      return names.status();
    }
    CommitResult commit;
    status = Pipeline(statements, bound, *names, nullptr, &commit);
    if (status.ok() && commit.tag == "COMMIT") {
      tx_.Ended();
      DeallocateIfPending();
      return Status::Ok();
    }
    if (status.ok()) {
      status = Status::FailedPrecondition("the server rolled the transaction back instead of committing");
    }
    (void)Rollback();
    if (commit.sent && status.code() == StatusCode::kUnavailable && ConnectionLost()) {
      // The server may have committed before the connection dropped.
      return Status::Unavailable(status.message() + " (commit outcome unknown)");
    }
    return status;
  }

  StatusOr<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    SA_RETURN_IF_ERROR(tx_.CheckNotAborted());
    return Track(Run(sql, params, nullptr));
  }

  StatusOr<std::vector<Row>> Query(std::string_view sql,
                                   const std::vector<Value>& params) override {
    SA_RETURN_IF_ERROR(tx_.CheckNotAborted());
    std::vector<Row> rows;
    SA_RETURN_IF_ERROR(Track(Run(sql, params, &rows)).status());
    return rows;
  }

  // All in one round trip (pipeline mode, one sync), after preparing those
  // not yet prepared on this connection (one round trip each, once). See
  // db.h for the semantics. Unprepared sessions and lists holding a schema
  // change run one statement at a time instead.
  Status ExecAll(const std::vector<Statement>& statements) override {
    if (statements.empty()) return Status::Ok();
    SA_RETURN_IF_ERROR(tx_.CheckNotAborted());
    if (!Pipelinable(statements)) return DbSession::ExecAll(statements);
    return RunPipelined(statements, nullptr);
  }

  // The same pipeline, keeping the last statement's rows.
  StatusOr<std::vector<Row>> QueryAll(const std::vector<Statement>& statements) override {
    if (statements.empty()) return DbSession::QueryAll(statements);
    SA_RETURN_IF_ERROR(tx_.CheckNotAborted());
    if (!Pipelinable(statements)) return DbSession::QueryAll(statements);
    std::vector<Row> rows;
    SA_RETURN_IF_ERROR(RunPipelined(statements, &rows));
    return rows;
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  bool ResetForReuse() override {
    if (tx_.open() && !Rollback().ok()) return false;
    return !Unusable() && PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }

  // An idle connection has nothing to read: if its socket is readable, the
  // server has sent something unasked (typically a FATAL before closing it,
  // e.g. a restart or pg_terminate_backend) or closed it. Either way the
  // connection is not trusted again.
  bool LooksAlive() override {
    if (Unusable() || PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    if (fd.fd < 0) return false;
    int ready = ::poll(&fd, 1, 0);
    return ready == 0;
  }

 private:

  // Remembers the first failure inside a transaction (see db.h).
  StatusOr<int64_t> Track(StatusOr<int64_t> result) {
    if (!result.ok()) (void)Track(result.status());
    return result;
  }
  Status Track(Status status) {
    tx_.Track(status);
    return status;
  }

  // Prepared sessions send a list in one pipeline unless it changes the
  // schema (prepared statements would then describe the old one).
  bool Pipelinable(const std::vector<Statement>& statements) const {
    return prepare_ && statements.size() <= kMaxPreparedStatements &&
           std::none_of(statements.begin(), statements.end(),
                        [](const Statement& s) { return IsSchemaChange(s.sql); });
  }

  // Binds, prepares and pipelines `statements`; the last one's rows go to
  // `last_rows` when not null.
  Status RunPipelined(const std::vector<Statement>& statements, std::vector<Row>* last_rows) {
    std::vector<Bound> bound(statements.size());  // filled in place, never moved
    for (std::size_t i = 0; i < statements.size(); ++i) {
      SA_RETURN_IF_ERROR(Track(Bind(statements[i].sql, statements[i].params, &bound[i])));
    }
    StatusOr<std::vector<std::string>> names = PrepareAll(statements, bound);
    if (!names.ok()) return Track(names.status());
    return Track(Pipeline(statements, bound, *names, last_rows));
  }

  bool ConnectionLost() const { return PQstatus(conn_) != CONNECTION_OK; }
  // Lost, or left in pipeline mode by a pipeline that could not be finished:
  // not to be used again.
  bool Unusable() const { return ConnectionLost() || PQpipelineStatus(conn_) != PQ_PIPELINE_OFF; }

  // Forgets every prepared statement. The server's copies are dropped now
  // when no transaction is open (DEALLOCATE ALL would fail in an aborted
  // one), else after the transaction ends.
  void ForgetPrepared() {
    prepared_.clear();
    deallocate_pending_ = true;
    if (!tx_.open()) DeallocateIfPending();
  }

  void DeallocateIfPending() {
    if (!deallocate_pending_ || PQtransactionStatus(conn_) != PQTRANS_IDLE ||
        PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) {
      return;
    }
    PGresult* result = PQexec(conn_, "DEALLOCATE ALL");
    ResultGuard guard(result);
    // A failure leaves statements nobody will name again; harmless.
    deallocate_pending_ = false;
  }

  // The name of the server-side prepared statement for `text` (prepared now
  // on first use: one round trip more, once per connection).
  StatusOr<const std::string*> Prepared(const std::string& text, int count, std::string_view sql) {
    if (auto it = prepared_.find(text); it != prepared_.end()) return &it->second;
    if (prepared_.size() >= kMaxPreparedStatements) ForgetPrepared();
    std::string name = "sa_" + std::to_string(++prepared_count_);
    PGresult* result = PQprepare(conn_, name.c_str(), text.c_str(), count, nullptr);
    ResultGuard guard(result);
    if (result == nullptr || PQresultStatus(result) != PGRES_COMMAND_OK) {
      return Failure(result, DescribeSql(sql));
    }
    return &prepared_.emplace(text, std::move(name)).first->second;
  }

  // The prepared statement names for `bound`, preparing those not yet
  // prepared. Room is made first, so that preparing one never forgets (and
  // deallocates) another of the list.
  StatusOr<std::vector<std::string>> PrepareAll(const std::vector<Statement>& statements,
                                                const std::vector<Bound>& bound) {
    std::size_t missing = 0;  // a repeated statement counts twice: harmless
    for (const Bound& b : bound) missing += prepared_.count(b.text) == 0 ? 1 : 0;
    if (missing > 0 && prepared_.size() + missing > kMaxPreparedStatements) ForgetPrepared();
    std::vector<std::string> names;
    names.reserve(bound.size());
    for (std::size_t i = 0; i < bound.size(); ++i) {
      SA_ASSIGN_OR_RETURN(const std::string* name,
                          Prepared(bound[i].text, bound[i].count, statements[i].sql));
      names.push_back(*name);
    }
    return names;
  }

  // A COMMIT sent at the end of a pipeline: whether it went out, and the
  // command tag it was answered with ("COMMIT", or "ROLLBACK" when the
  // server ended the transaction instead; empty if skipped or unanswered).
  struct CommitResult {
    bool sent = false;
    std::string tag;
  };

  // Sends every statement (after a BEGIN still pending, then a COMMIT when
  // `commit` is not null) and one sync, then reads every result and returns the first failure (after one,
  // the server skips the rest up to the sync: PGRES_PIPELINE_ABORTED). The
  // last statement's rows go to `last_rows` when not null. A connection lost
  // on the way is left unusable.
  Status Pipeline(const std::vector<Statement>& statements, const std::vector<Bound>& bound,
                  const std::vector<std::string>& names, std::vector<Row>* last_rows,
                  CommitResult* commit = nullptr) {
    if (PQenterPipelineMode(conn_) != 1) return Failure(nullptr, "entering pipeline mode");
    // What went out, in order: the statements by index, and BEGIN and COMMIT.
    constexpr std::size_t kBegin = static_cast<std::size_t>(-1);
    const std::size_t kCommit = statements.size();
    std::vector<std::size_t> sent;
    Status first = Status::Ok();
    if (begin_pending_) {
      if (PQsendQueryParams(conn_, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1) {
        begin_pending_ = false;
        sent.push_back(kBegin);
      } else {
        first = Failure(nullptr, "BEGIN");
      }
    }
    for (std::size_t i = 0; i < statements.size() && first.ok(); ++i) {
      const Bound& b = bound[i];
      if (PQsendQueryPrepared(conn_, names[i].c_str(), b.count, b.values.data(), b.lengths.data(),
                              b.formats.data(), /*resultFormat=text*/ 0) == 1) {
        sent.push_back(i);
      } else {
        first = Failure(nullptr, DescribeSql(statements[i].sql));
      }
    }
    if (commit != nullptr && first.ok()) {
      if (PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1) {
        commit->sent = true;
        sent.push_back(kCommit);
      } else {
        first = Failure(nullptr, "COMMIT");
      }
    }
    if (PQpipelineSync(conn_) != 1 && first.ok()) first = Failure(nullptr, "pipeline sync");
    // Each command's result is followed by a NULL; the sync's comes last.
    std::size_t done = 0;  // commands whose results have all been read
    bool synced = false;
    while (!synced) {
      PGresult* result = PQgetResult(conn_);
      if (result == nullptr) {
        if (ConnectionLost() || ++done > sent.size()) break;
        continue;
      }
      ResultGuard guard(result);
      const ExecStatusType status = PQresultStatus(result);
      synced = status == PGRES_PIPELINE_SYNC;
      if (synced || status == PGRES_PIPELINE_ABORTED || done >= sent.size()) continue;
      const std::size_t item = sent[done];
      if (item == kBegin) {
        if (status != PGRES_COMMAND_OK && first.ok()) first = Failure(result, "BEGIN");
      } else if (item == kCommit) {
        if (status == PGRES_COMMAND_OK) {
          commit->tag = PQcmdStatus(result);
        } else if (first.ok()) {
          first = Failure(result, "COMMIT");
        }
      } else if (first.ok()) {
        first = Outcome(result, statements[item].sql, item + 1 == statements.size() ? last_rows : nullptr)
                    .status();
      }
    }
    if (first.ok() && !synced) first = Failure(nullptr, "reading pipeline results");
    if (PQexitPipelineMode(conn_) != 1 && first.ok()) {
      first = Failure(nullptr, "leaving pipeline mode");
    }
    if (!tx_.open()) DeallocateIfPending();
    return first;
  }

  Status Failure(const PGresult* result, std::string_view context) const {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string message = primary ? primary : (result ? PQresultErrorMessage(result) : "");
    if (message.empty()) message = PQerrorMessage(conn_);
    return PostgresError(state ? state : "", message, ConnectionLost(), context);
  }

  // BEGIN, COMMIT or ROLLBACK; returns the command tag the server answered.
  StatusOr<std::string> Command(const char* sql) {
    PGresult* result = PQexec(conn_, sql);
    ResultGuard guard(result);
    if (result == nullptr || PQresultStatus(result) != PGRES_COMMAND_OK) {
      return Failure(result, sql);
    }
    return std::string(PQcmdStatus(result));
  }

  // Runs `sql` with `params`; collects rows into `rows` when not null.
  StatusOr<int64_t> Run(std::string_view sql, const std::vector<Value>& params,
                        std::vector<Row>* rows) {
    if (begin_pending_) {
      begin_pending_ = false;
      SA_RETURN_IF_ERROR(Command("BEGIN").status());
    }
    Bound bound;
    SA_RETURN_IF_ERROR(Bind(sql, params, &bound));
    PGresult* result = nullptr;
    const bool schema_change = IsSchemaChange(sql);
    if (prepare_ && !schema_change) {
      SA_ASSIGN_OR_RETURN(const std::string* name, Prepared(bound.text, bound.count, sql));
      result = PQexecPrepared(conn_, name->c_str(), bound.count, bound.values.data(),
                              bound.lengths.data(), bound.formats.data(), /*resultFormat=text*/ 0);
    } else {
      result = PQexecParams(conn_, bound.text.c_str(), bound.count, nullptr, bound.values.data(),
                            bound.lengths.data(), bound.formats.data(), /*resultFormat=text*/ 0);
    }
    ResultGuard guard(result);
    if (schema_change && prepare_) ForgetPrepared();
    return Outcome(result, sql, rows);
  }

  // What `result` of `sql` means: the rows changed or returned (collected
  // into `rows` when not null), or the failure, classified.
  StatusOr<int64_t> Outcome(PGresult* result, std::string_view sql, std::vector<Row>* rows) {
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK) {
      if (rows != nullptr) rows->clear();
      const char* changed = PQcmdTuples(result);
      int64_t n = 0;
      if (changed != nullptr && *changed != '\0') {
        std::from_chars(changed, changed + std::strlen(changed), n);
      }
      return n;
    }
    if (status != PGRES_TUPLES_OK) {
      const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
      if (state != nullptr && std::string_view(state) == "0A000" && prepare_) {
        // "cached plan must not change result type": another connection
        // changed the schema under a prepared statement. Prepare afresh next
        // time; this call failed, and running it again will work.
        ForgetPrepared();
        return Status::Unavailable(DescribeSql(sql) +
                                   ": the schema changed under a prepared statement; retry");
      }
      return Failure(result, DescribeSql(sql));
    }
    const int tuples = PQntuples(result);
    if (rows != nullptr) {
      const int columns = PQnfields(result);
      rows->assign(static_cast<std::size_t>(tuples), Row(static_cast<std::size_t>(columns)));
      for (int r = 0; r < tuples; ++r) {
        for (int c = 0; c < columns; ++c) {
          SA_ASSIGN_OR_RETURN((*rows)[r][c], ReadCell(result, r, c, sql));
        }
      }
    }
    return static_cast<int64_t>(tuples);
  }

  std::shared_ptr<void> owner_;  // first member: released last
  PGconn* conn_;
  bool prepare_;  // prepare each distinct statement once per connection
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> prepared_;  // SQL -> name
  int64_t prepared_count_ = 0;  // names are never reused on a connection
  bool deallocate_pending_ = false;
  TxState tx_;  // open, and the first error inside it
  bool begin_pending_ = false;  // Begin() called, BEGIN not yet sent
};

}  // namespace

std::unique_ptr<PoolableSession> MakePostgresSession(PGconn* conn, std::shared_ptr<void> owner,
                                                     bool prepare_statements) {
  return std::make_unique<PostgresSession>(conn, std::move(owner), prepare_statements);
}

}  // namespace sa::adapter::store
