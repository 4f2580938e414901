// Intake benchmark: sessions/s and per-session latency of IntakeService with
// durable commits, on SQLite (WAL, synchronous=FULL: the store's defaults)
// and PostgreSQL (fsync, synchronous_commit and full_page_writes on), each
// beside the limit measured in the same run on the same disk: the raw
// durable-commit rate of inserting the very rows an intake writes, one
// transaction per session (raw_commits.h).
//
// Intake runs from --clients threads at once, as the HTTP service's request
// threads call it; the limit is the better of the raw rate from one client and
// from the same number of clients. Intake from one client, beside raw from
// one, is shown too (diagnostic).
//
// Diagnostics split the gap: database time per session (connection checkout
// and return, statements, commit: db_diagnostics.h), the same inserts through
// the adapter's store layer, and intake on SQLite in a memory-backed directory
// (--cpu-dir), where a commit costs no disk write: the adapter's own work.
//
//   intake_bench [--sessions=2000] [--warmup=50] [--rounds=3] [--clients=4]
//                [--stores=sqlite,postgres] [--dir=/tmp] [--cpu-dir=/dev/shm]
//                [--max-idle=4] [--groups-in-flight=0]
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
#include "tests/bench/raw_commits.h"

namespace sa::bench {
namespace {

using adapter::store::Database;
using adapter::store::DbSession;
using adapter::store::Value;

// ---- the same inserts through the adapter's store layer ---------------------

// One client, a pooled connection per session as Intake takes one.
RunResult StoreLayer(Database& db, const SessionRows& sessions) {
  std::vector<std::string> sql;
  for (const auto& t : kTables) sql.push_back(InsertSql(t, false));
  return RunClients(1, static_cast<int>(sessions.size()), [&](int) {
    return std::function<void(int)>([&](int i) {
      auto session = ValueOrDie(db.Connect(), "connect");
      adapter::store::Transaction tx(*session);
      CheckOk(tx.Begin(), "begin");
      for (const auto& r : sessions[i]) CheckOk(session->Exec(sql[r.table], r.values).status(), "insert");
      CheckOk(tx.Commit(), "commit");
    });
  });
}

// ---- intake ---------------------------------------------------------------

RunResult Intake(adapter::IntakeService& svc, const std::vector<std::string>& records, int clients) {
  return RunClients(clients, static_cast<int>(records.size()), [&](int) {
    return std::function<void(int)>([&](int i) {
      auto r = ValueOrDie(svc.Intake(records[i], "bench"), "intake");
      if (r.kind != adapter::IntakeResult::Kind::kCreated || r.outbox_rows != 1) {
        std::cerr << "FAILED: unexpected intake result " << r.ToJson().dump() << "\n";
        std::exit(1);
      }
    });
  });
}

// One database back end: how to get a fresh, migrated database.
struct Backend {
  std::string name;
  std::function<std::unique_ptr<Database>()> fresh;
  std::function<std::string()> location;  // of the last fresh one: file path or conninfo
  std::function<RunResult(const SessionRows&, int clients)> raw;
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
  const int clients = static_cast<int>(flags.Int("clients", 4));
  const std::string stores = flags.Str("stores", "sqlite,postgres");
  const std::string dir = flags.Str("dir", "/tmp");
  const std::string cpu_dir = flags.Str("cpu-dir", "/dev/shm");  // "" skips that diagnostic
  // Idle connections the store keeps (0: a new connection per Connect(), as
  // before the pool; for measuring what the pool gives).
  const int max_idle =
      static_cast<int>(flags.Int("max-idle", adapter::store::kDefaultMaxIdleConnections));
  // Shared transactions running at once (0: the database's default).
  const auto groups_in_flight = static_cast<std::size_t>(flags.Int("groups-in-flight", 0));
  flags.Check();

  std::cout << "# intake benchmark\n" << MachineLine(dir) << "\n"
            << "sessions per run " << n << " (tests/data/valid-eput-sbar.json, distinct sessionIds), warm-up " << warmup
            << ", clients " << clients << ", rounds " << rounds
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
    b.raw = [&](const SessionRows& sessions, int c) { return RawSqlite(last, sessions, c); };
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
    b.raw = [&](const SessionRows& sessions, int c) { return RawPostgres(last, sessions, c); };
    backends.push_back(std::move(b));
  }

  std::vector<ResultRow> table;
  const std::string n_clients = std::to_string(clients) + " clients";
  for (auto& b : backends) {
    // Per round: intake from `clients` threads and from one; raw from one and
    // from `clients`; the limit is the better raw rate; the store layer.
    std::vector<RunResult> intake, intake1, raw1, rawn, limit, layer;
    std::vector<double> connect_ms, statement_ms, commit_ms, per_group;
    for (int round = 0; round < rounds; ++round) {
      // Every id prefix has two characters, so all session ids have one width.
      const std::string r = std::to_string(round % 10);
      // Intake, on a fresh database.
      DbTimes times;
      std::unique_ptr<Database> db = std::make_unique<TimingDatabase>(b.fresh(), &times);
      if (round == 0) b.durability = Durability(*db);
      auto vault = ValueOrDie(MakeVault(tmp.path(), *db), "vault");
      adapter::IntakeOptions intake_options;
      intake_options.groups_in_flight = groups_in_flight;
      adapter::IntakeService svc(db.get(), catalog.get(), vault.get(), intake_options);
      std::vector<std::string> warm, records, records1;
      for (int i = 0; i < warmup; ++i) warm.push_back(ExampleSession(SessionId("W" + r, i)).dump());
      for (int i = 0; i < n; ++i) records.push_back(ExampleSession(SessionId("I" + r, i)).dump());
      for (int i = 0; i < n; ++i) records1.push_back(ExampleSession(SessionId("J" + r, i)).dump());
      Intake(svc, warm, clients);
      times.Reset();
      const auto before = svc.group_stats();
      intake.push_back(Intake(svc, records, clients));
      const auto after = svc.group_stats();
      per_group.push_back(static_cast<double>(after.writes - before.writes) /
                          static_cast<double>(std::max<int64_t>(1, after.groups - before.groups)));
      connect_ms.push_back(1e3 * DbTimes::Seconds(times.connect_ns) / n);
      statement_ms.push_back(1e3 * DbTimes::Seconds(times.statement_ns) / n);
      commit_ms.push_back(1e3 * DbTimes::Seconds(times.commit_ns) / n);
      if (round == 0) {
        std::cout << b.name << ": intake runs " << Fixed(static_cast<double>(times.statements.load()) / n, 1)
                  << " statements per session, plus BEGIN and COMMIT\n";
      }
      intake1.push_back(Intake(svc, records1, 1));
      // The same rows, raw, on fresh databases (same disk).
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
      for (int c : {1, clients}) {
        auto raw_db = b.fresh();
        b.raw(Sessions(rows, template_sid, "V" + r, warmup, 1'000'000), c);
        (c == 1 ? raw1 : rawn).push_back(b.raw(Sessions(rows, template_sid, "R" + r, n, 2'000'000), c));
      }
      limit.push_back(raw1.back().per_second >= rawn.back().per_second ? raw1.back() : rawn.back());
      // The same rows through the store layer, on another.
      auto layer_db = b.fresh();
      StoreLayer(*layer_db, Sessions(rows, template_sid, "M" + r, warmup, 1'000'000));
      layer.push_back(StoreLayer(*layer_db, Sessions(rows, template_sid, "L" + r, n, 2'000'000)));
      auto line = [](const RunResult& x) {
        return Fixed(x.per_second, 0) + "/s p50 " + Fixed(x.latency.p50_ms, 2) + " p99 " +
               Fixed(x.latency.p99_ms, 2) + " ms";
      };
      std::cout << b.name << " round " << round + 1 << ": intake (" << n_clients << ") " << line(intake.back())
                << " (per session: connection " << Fixed(connect_ms.back(), 3) << " ms, statements "
                << Fixed(statement_ms.back(), 3) << " ms, commit " << Fixed(commit_ms.back(), 3)
                << " ms; " << Fixed(per_group.back(), 2) << " sessions per commit) | intake (1 client) " << line(intake1.back()) << " | raw (1 client) " << line(raw1.back())
                << " | raw (" << n_clients << ") " << line(rawn.back()) << " | store layer " << line(layer.back())
                << " | load " << Fixed(LoadAverage(), 2) << "\n"
                << std::flush;
    }
    // Every figure comes from one round: the one whose intake/limit ratio is
    // the median (intake and its limit measured seconds apart, same load).
    const int m = MedianRound(intake, limit);
    const RunResult &in = intake[m], &in1 = intake1[m], &lim = limit[m], &la = layer[m];
    std::cout << b.name << " durability: " << b.durability << "; reported: round " << m + 1 << "\n";
    auto ms = [](double v) { return Fixed(v, 2) + " ms"; };
    table.push_back({b.name + " intake, sessions/s (" + n_clients + ")", Fixed(in.per_second, 0),
                     "raw durable commits of the same rows, the better of 1 client (" +
                         Fixed(raw1[m].per_second, 0) + "/s) and " + n_clients + " (" +
                         Fixed(rawn[m].per_second, 0) + "/s)",
                     Fixed(in.per_second / lim.per_second, 2) + "x", ">= 0.5x raw",
                     in.per_second >= 0.5 * lim.per_second ? "yes" : "no"});
    table.push_back({b.name + " intake p50 (" + n_clients + ")", ms(in.latency.p50_ms),
                     "raw: " + ms(lim.latency.p50_ms), Fixed(in.latency.p50_ms / lim.latency.p50_ms, 2) + "x", "-",
                     "-"});
    table.push_back({b.name + " intake p99 (" + n_clients + ")", ms(in.latency.p99_ms),
                     "raw: " + ms(lim.latency.p99_ms), Fixed(in.latency.p99_ms / lim.latency.p99_ms, 2) + "x",
                     "< 10 ms", in.latency.p99_ms < 10.0 ? "yes" : "no"});
    table.push_back({b.name + " intake from 1 client (diagnostic)",
                     Fixed(in1.per_second, 0) + "/s, p50 " + ms(in1.latency.p50_ms) + ", p99 " +
                         ms(in1.latency.p99_ms),
                     "raw from 1 client: " + Fixed(raw1[m].per_second, 0) + "/s",
                     Fixed(in1.per_second / raw1[m].per_second, 2) + "x", "-", "-"});
    table.push_back({b.name + " database time per session (diagnostic, " + n_clients + ")",
                     "connection " + Fixed(connect_ms[m], 3) + " ms, statements " + Fixed(statement_ms[m], 3) +
                         " ms, commit " + Fixed(commit_ms[m], 3) + " ms; " + Fixed(per_group[m], 2) +
                         " sessions per commit",
                     "rest: parse, separate, seal, hash, map, waiting for the write lock", "-", "-", "-"});
    table.push_back({b.name + " same inserts via store layer (diagnostic, 1 client)",
                     Fixed(la.per_second, 0) + "/s, p99 " + ms(la.latency.p99_ms),
                     "raw from 1 client: " + Fixed(raw1[m].per_second, 0) + "/s",
                     Fixed(la.per_second / raw1[m].per_second, 2) + "x", "-", "-"});
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
    Intake(svc, warm, 1);
    RunResult in = Intake(svc, records, 1);
    std::vector<TemplateRow> rows = CaptureRows(*db, SessionId("IC", 0));
    const std::string raw_path = mem.path() + "/cpu-raw.sqlite";
    auto raw_db = ValueOrDie(adapter::store::OpenSqlite(raw_path), "open sqlite");
    ValueOrDie(adapter::store::Migrate(*raw_db), "migrate");
    RawSqlite(raw_path, Sessions(rows, SessionId("IC", 0), "VC", warmup, 1'000'000), 1);
    RunResult rw = RawSqlite(raw_path, Sessions(rows, SessionId("IC", 0), "RC", n, 2'000'000), 1);
    std::cout << "SQLite in " << cpu_dir << " (no disk): intake " << Fixed(in.per_second, 0) << "/s p50 "
              << Fixed(in.latency.p50_ms, 2) << " p99 " << Fixed(in.latency.p99_ms, 2) << " ms | raw "
              << Fixed(rw.per_second, 0) << "/s p50 " << Fixed(rw.latency.p50_ms, 2) << " ms | load "
              << Fixed(LoadAverage(), 2) << "\n";
    table.push_back({"SQLite intake with no disk cost (diagnostic, 1 client: database in " + cpu_dir + ")",
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
