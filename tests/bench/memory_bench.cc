// Memory benchmark: resident memory (VmRSS) of a delivery worker process
// while 10,000 / 50,000 / 100,000 sessions are queued in the outbox, after
// one RunOnce pass (one leased batch delivered to the null FHIR endpoint) and
// after ten. The worker must hold one batch, never the queue: RSS should not
// grow with queue length. Pass times are reported too, with the part spent
// in SQL statements (the lease query) apart from connects and commits.
//
// To save time the queue is filled directly: ONE session goes through
// IntakeService, then its outbox row (the same payload, re-keyed per session)
// is inserted N-1 times more. The worker reads only the outbox, so for it
// the queue is indistinguishable from N intakes.
//
// Each queue length is filled by one child process and measured by another,
// fresh one, so nothing left over from filling or an earlier size counts.
// The null FHIR endpoint runs in a third process.
//
//   memory_bench [--queued=10000,50000,100000] [--passes=10] [--dir=/tmp]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "adapter/core/intake.h"
#include "adapter/core/outbox.h"
#include "adapter/ehr_connection.h"
#include "adapter/store/migrations.h"
#include "adapter/store/poco_db.h"
#include "mappings/catalog.h"
#include "tests/bench/bench_util.h"
#include "tests/bench/db_diagnostics.h"
#include "tests/bench/null_fhir_server.h"

namespace sa::bench {
namespace {

using adapter::store::Value;

// Growth of RSS from the shortest to the longest queue still called flat.
constexpr double kFlatTolerance = 0.10;
constexpr int kRowsPerFillTransaction = 10'000;

std::string SessionId(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "Q-%07d", i);
  return buf;
}

void Fill(const std::string& path, const std::string& dir, int queued) {
  auto catalog = ValueOrDie(mappings::Catalog::Load({}), "catalog");
  auto db = ValueOrDie(adapter::store::OpenSqlite(path), "open sqlite");
  ValueOrDie(adapter::store::Migrate(*db), "migrate");
  auto vault = ValueOrDie(MakeVault(dir, *db), "vault");
  adapter::IntakeService svc(db.get(), catalog.get(), vault.get(), {});
  const std::string first = SessionId(0);
  ValueOrDie(svc.Intake(ExampleSession(first).dump(), "bench"), "intake");
  auto s = ValueOrDie(db->Connect(), "connect");
  auto rows = ValueOrDie(s->Query("SELECT plan_key, org, case_ref, nhs_hash, payload, created_at FROM outbox"), "read");
  if (rows.size() != 1) CheckOk(Status::Internal("expected one queued plan"), "fill");
  const auto& r = rows[0];
  auto text = [&](int i) { return ValueOrDie(adapter::store::AsText(r[i]), "text"); };
  const std::string key = text(0), org = text(1), case_ref = text(2), nhs = text(3), payload = text(4);
  const int64_t created = ValueOrDie(adapter::store::AsInt(r[5]), "int");
  auto rekey = [&](std::string v, const std::string& sid) {
    for (std::size_t at = v.find(first); at != std::string::npos; at = v.find(first, at + sid.size())) {
      v.replace(at, first.size(), sid);
    }
    return v;
  };
  for (int i = 1; i < queued;) {
    adapter::store::Transaction tx(*s);
    CheckOk(tx.Begin(), "begin");
    for (int end = std::min(queued, i + kRowsPerFillTransaction); i < end; ++i) {
      const std::string sid = SessionId(i);
      CheckOk(s->Exec("INSERT INTO outbox (plan_key, seq, org, session_id, version, case_ref, nhs_hash, payload,"
                      " state, attempts, next_attempt_at, created_at) VALUES (?,1,?,?,1,?,?,?,'pending',0,0,?)",
                      {rekey(key, sid), org, sid, case_ref, nhs, rekey(payload, sid), created})
                  .status(),
              "insert");
    }
    CheckOk(tx.Commit(), "commit");
  }
}

struct Measured {
  int64_t setup_kib = 0, one_pass_kib = 0, ten_passes_kib = 0, peak_kib = 0;
  double first_pass_ms = 0, later_pass_ms = 0;
  double statements_ms = 0;  // per pass: SQL statements, without connects and commits
  int leased = 0;
};

Measured Measure(const std::string& path, const std::string& base, int passes) {
  auto catalog = ValueOrDie(mappings::Catalog::Load({}), "catalog");
  DbTimes times;
  TimingDatabase db_timed(ValueOrDie(adapter::store::OpenSqlite(path), "open sqlite"), &times);
  adapter::store::Database* db = &db_timed;
  adapter::FhirConfig config;
  config.base_url = base;
  config.auth.method = "none";
  auto ehr = ValueOrDie(adapter::EhrConnection::Open(config), "EHR connection");
  mappings::FhirMappingOptions mapping;
  adapter::OutboxOptions options;  // the default batch and concurrency
  options.owner = "memory-bench";
  adapter::OutboxWorker worker(db, &ehr->client(), &mapping, catalog.get(), options);
  Measured m;
  m.setup_kib = RssKib();
  double t0 = Now();
  auto first = ValueOrDie(worker.RunOnce(), "pass");
  m.first_pass_ms = (Now() - t0) * 1000;
  m.one_pass_kib = RssKib();
  m.leased = first.delivered;
  t0 = Now();
  for (int i = 1; i < passes; ++i) m.leased += ValueOrDie(worker.RunOnce(), "pass").delivered;
  m.later_pass_ms = (Now() - t0) * 1000 / std::max(passes - 1, 1);
  m.ten_passes_kib = RssKib();
  m.statements_ms = DbTimes::Seconds(times.statement_ns) * 1000 / passes;
  m.peak_kib = PeakRssKib();
  return m;
}

int64_t FileBytes(const std::string& path) {
  std::error_code ec;
  int64_t n = 0;
  for (const char* suffix : {"", "-wal"}) {
    auto size = std::filesystem::file_size(path + suffix, ec);
    if (!ec) n += static_cast<int64_t>(size);
  }
  return n;
}

// Runs `f` in a child process; returns what it wrote to the pipe.
template <typename F>
std::string InChild(F f) {
  int fds[2];
  if (::pipe(fds) != 0) CheckOk(Status::Internal("pipe"), "fork");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::string out = f();
    ssize_t ignored = ::write(fds[1], out.data(), out.size());
    (void)ignored;
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) CheckOk(Status::Internal("child failed"), "child process");
  return out;
}

std::string Mib(int64_t kib) { return Fixed(static_cast<double>(kib) / 1024.0, 1) + " MiB"; }

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string queued_list = flags.Str("queued", "10000,50000,100000");
  const int passes = std::max(static_cast<int>(flags.Int("passes", 10)), 1);
  const std::string dir = flags.Str("dir", "/tmp");
  flags.Check();
  std::vector<int> sizes;
  std::stringstream ss(queued_list);
  for (std::string item; std::getline(ss, item, ',');) sizes.push_back(std::stoi(item));

  // This process stays single-threaded: it only forks.
  auto server = ValueOrDie(NullFhirServer::Fork(), "null FHIR server");
  std::cout << "# memory benchmark\n" << MachineLine(dir) << "\n"
            << "SQLite outbox; queue filled with one intake plus N-1 copies of its outbox row (re-keyed)\n";
  TempDir tmp(dir);
  std::vector<ResultRow> table;
  std::vector<Measured> results;
  for (int n : sizes) {
    const std::string path = tmp.path() + "/queue-" + std::to_string(n) + ".sqlite";
    double t0 = Now();
    InChild([&] {
      Fill(path, tmp.path(), n);
      return std::string();
    });
    double fill_s = Now() - t0;
    std::string line = InChild([&] {
      Measured m = Measure(path, server->base_url(), passes);
      return json{{"setup", m.setup_kib}, {"one", m.one_pass_kib}, {"ten", m.ten_passes_kib}, {"peak", m.peak_kib},
                  {"first_ms", m.first_pass_ms}, {"later_ms", m.later_pass_ms}, {"leased", m.leased},
                  {"statements_ms", m.statements_ms}}
          .dump();
    });
    json j = json::parse(line);
    Measured m;
    m.setup_kib = j["setup"];
    m.one_pass_kib = j["one"];
    m.ten_passes_kib = j["ten"];
    m.peak_kib = j["peak"];
    m.first_pass_ms = j["first_ms"];
    m.later_pass_ms = j["later_ms"];
    m.leased = j["leased"];
    m.statements_ms = j["statements_ms"];
    results.push_back(m);
    std::cout << "queued " << n << ": filled in " << Fixed(fill_s, 1) << " s, database " << Mib(FileBytes(path) / 1024)
              << "; RSS after setup " << Mib(m.setup_kib) << ", after 1 pass " << Mib(m.one_pass_kib)
              << ", after " << passes << " passes " << Mib(m.ten_passes_kib) << " (peak " << Mib(m.peak_kib) << "); "
              << m.leased << " plans delivered; first pass " << Fixed(m.first_pass_ms, 1) << " ms, later passes "
              << Fixed(m.later_pass_ms, 1) << " ms each, of which SQL statements " << Fixed(m.statements_ms, 1)
              << " ms per pass; load " << Fixed(LoadAverage(), 2) << "\n"
              << std::flush;
  }
  const Measured& small = results.front();
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const Measured& m = results[i];
    double growth = static_cast<double>(m.one_pass_kib) / static_cast<double>(small.one_pass_kib);
    bool flat = growth <= 1.0 + kFlatTolerance;
    table.push_back({"worker RSS, " + std::to_string(sizes[i]) + " queued, after 1 pass",
                     Mib(m.one_pass_kib) + " (" + std::to_string(passes) + " passes: " + Mib(m.ten_passes_kib) + ")",
                     std::to_string(sizes.front()) + " queued: " + Mib(small.one_pass_kib), Fixed(growth, 2) + "x",
                     "flat (<= " + Fixed(1 + kFlatTolerance, 2) + "x)", i == 0 ? "-" : (flat ? "yes" : "no")});
  }
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    table.push_back({"pass time, " + std::to_string(sizes[i]) + " queued (diagnostic)",
                     Fixed(results[i].first_pass_ms, 1) + " ms first, " + Fixed(results[i].later_pass_ms, 1) +
                         " ms later; SQL statements " + Fixed(results[i].statements_ms, 1) + " ms per pass",
                     "-", "-", "-", "-"});
  }
  PrintTable("Memory (delivery worker process, SQLite outbox, batch " + std::to_string(adapter::OutboxOptions().batch) + ")", table);
  return 0;
}

}  // namespace
}  // namespace sa::bench

int main(int argc, char** argv) { return sa::bench::Main(argc, argv); }
