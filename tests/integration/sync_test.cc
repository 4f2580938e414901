// Task status sync against the bundled FHIR server, on both databases: every
// delivered Task recorded, an EHR-side change recorded once per version, the
// overlap's re-reads never duplicated, a failed poll leaving the watermark
// alone, paging (and polls cut short by max_pages) losing nothing, the RS-11
// query, and the `sync` command.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <thread>

#include "adapter/sync/task_sync.h"
#include "fhir/fake_transport.h"
#include "tests/integration/durable_fixture.h"

namespace sa::testing {
namespace {

using adapter::SyncOptions;
using adapter::SyncStats;
using adapter::TaskSync;

constexpr char kEhrStatusSystem[] = "https://ehr.example/CodeSystem/task-business-status";

class SyncTest : public DurableTest {
 protected:
  static void SetUpTestSuite() {
    server_ = new adapter::LocalFhirServer();
    ASSERT_TRUE(server_->Start(Src(adapter::kBundledServerScript)).ok());
  }
  static void TearDownTestSuite() { delete server_; }
  void SetUp() override {
    DurableTest::SetUp();
    Admin(server_->root() + "/$admin/reset", fhir::HttpMethod::kPost, {{"faults", true}});
    ehr_ = Ehr();
  }

  static std::unique_ptr<adapter::EhrConnection> Ehr() {
    adapter::FhirConfig cfg = ConfigFor(server_->base_url());
    cfg.retry.max_attempts = 2;
    cfg.retry.retry_on_500 = false;  // a 500 fails the poll (the tests inject them)
    cfg.transport.request_timeout = std::chrono::milliseconds(2000);
    return std::move(adapter::EhrConnection::Open(cfg)).value();
  }
  TaskSync Sync(SyncOptions options = {}) { return TaskSync(db_.get(), &ehr_->client(), &mapping_, options); }

  // Intakes the EPUT one-to-one example and delivers it; returns its Task count.
  int DeliverSession() {
    json r = ReadJsonFile("config/examples/eput-one-to-one.json");
    int tasks = 0;
    for (const auto& c : r["cases"]) {
      SeedPatient(server_->base_url(), "p" + c["subject"]["nhsNumber"].get<std::string>(), c["subject"]["nhsNumber"]);
      tasks += static_cast<int>(c.value("actions", json::array()).size());
    }
    org_ = r["organisation"];
    session_id_ = r["sessionId"];
    auto result = Service().Intake(r.dump(), "test");
    EXPECT_TRUE(result.ok() && result->state == "agreed");
    adapter::OutboxOptions o;
    o.backoff_base = std::chrono::milliseconds(10);
    o.backoff_cap = std::chrono::milliseconds(100);
    adapter::OutboxWorker worker(db_.get(), &ehr_->client(), &mapping_, &Catalog(), o);
    auto stats = worker.RunUntilIdle();
    EXPECT_TRUE(stats.ok() && stats->dead == 0 && stats->held == 0);
    EXPECT_EQ(Count(server_->root(), "Task"), static_cast<std::size_t>(tasks));
    return tasks;
  }

  // The EHR changes a Task: read it, set status (and a businessStatus), PUT it back.
  static void CompleteTaskInEhr(const json& task, const std::string& status = "completed") {
    json changed = task;
    changed.erase("meta");
    changed["status"] = status;
    changed["businessStatus"] = {{"coding", json::array({{{"system", kEhrStatusSystem}, {"code", "done"},
                                                          {"display", "Done"}}})},
                                 {"text", "Done at the review"}};
    int code = 0;
    Admin(server_->base_url() + "/Task/" + task["id"].get<std::string>(), fhir::HttpMethod::kPut, changed, &code);
    EXPECT_EQ(code, 200);
  }

  std::string Watermark() {
    auto s = db_->Connect();
    auto rows = (*s)->Query("SELECT value FROM sync_state WHERE name = ?", {std::string(adapter::kTaskSyncWatermark)});
    return rows.ok() && !rows->empty() ? *adapter::store::AsText((*rows)[0][0]) : "";
  }
  std::string StatusOf(const std::string& identifier) {
    auto s = db_->Connect();
    auto rows = (*s)->Query("SELECT status FROM task_status WHERE task_identifier = ?", {identifier});
    return rows.ok() && !rows->empty() ? *adapter::store::AsText((*rows)[0][0]) : "";
  }
  int64_t HistoryOf(const std::string& identifier) {
    auto s = db_->Connect();
    auto rows = (*s)->Query("SELECT CAST(COUNT(*) AS BIGINT) FROM task_status_history WHERE task_identifier = ?",
                            {identifier});
    return *adapter::store::AsInt((*rows)[0][0]);
  }
  std::string IdentifierOf(const json& task) { return *fhir::FindIdentifierValue(task, mapping_.task_identifier_system); }

  static adapter::LocalFhirServer* server_;
  std::unique_ptr<adapter::EhrConnection> ehr_;
  mappings::FhirMappingOptions mapping_;
  std::string org_, session_id_;
};
adapter::LocalFhirServer* SyncTest::server_ = nullptr;

TEST_P(SyncTest, RecordsEveryTaskThenEachEhrChangeOncePerVersion) {
  const int tasks = DeliverSession();
  ASSERT_GT(tasks, 1);
  TaskSync sync = Sync();

  auto first = sync.PollOnce();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->tasks_seen, tasks);
  EXPECT_EQ(first->new_versions, tasks);
  EXPECT_EQ(first->watermark_before, "");
  EXPECT_FALSE(first->watermark_after.empty());
  EXPECT_EQ(Watermark(), first->watermark_after);
  EXPECT_EQ(Rows("task_status"), tasks);
  EXPECT_EQ(Rows("task_status_history"), tasks);
  const std::vector<json> in_ehr = Resources(server_->root(), "Task");
  for (const auto& t : in_ehr) EXPECT_EQ(StatusOf(IdentifierOf(t)), "requested");

  // The EHR completes one Task: one new version, recorded; the rest re-read
  // through the overlap and skipped.
  const json& done = in_ehr[0];
  CompleteTaskInEhr(done);
  auto second = sync.PollOnce();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->new_versions, 1);
  EXPECT_EQ(second->duplicates, tasks - 1) << "the overlap re-reads the others";
  EXPECT_EQ(StatusOf(IdentifierOf(done)), "completed");
  EXPECT_EQ(HistoryOf(IdentifierOf(done)), 2);
  EXPECT_GE(Watermark(), first->watermark_after);

  // Nothing changed: every re-read is a known version.
  auto third = sync.PollOnce();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->new_versions, 0);
  EXPECT_EQ(third->duplicates, tasks);
  EXPECT_EQ(Rows("task_status_history"), tasks + 1);
  EXPECT_EQ(Rows("task_status"), tasks);

  // RS-11: the next session's preparation sees the live status.
  auto session = db_->Connect();
  auto previous = adapter::PreviousActions(**session, org_, session_id_);
  ASSERT_TRUE(previous.ok()) << previous.status().ToString();
  ASSERT_EQ(previous->size(), static_cast<std::size_t>(tasks));
  const std::string done_action = IdentifierOf(done).substr(IdentifierOf(done).rfind('/') + 1);
  for (const auto& a : *previous) {
    EXPECT_FALSE(a.owner_display.empty()) << a.action_id;
    EXPECT_EQ(a.owner_identifier.rfind(mapping_.staff_identifier_system + "|", 0), 0u) << a.owner_identifier;
    EXPECT_FALSE(a.last_updated.empty());
    if (a.action_id == done_action) {
      EXPECT_EQ(a.status, "completed");
      EXPECT_EQ(a.business_status_code, "done");
      EXPECT_EQ(a.business_status_text, "Done at the review");
      EXPECT_EQ(a.version_id, "2");
    } else {
      EXPECT_EQ(a.status, "requested");
      EXPECT_EQ(a.business_status_code, "");
    }
  }
  EXPECT_TRUE(adapter::PreviousActions(**session, org_, "no-such-session")->empty());
}

TEST_P(SyncTest, FailedPollReturnsErrorAndKeepsWatermarkThenRetrySucceeds) {
  const int tasks = DeliverSession();
  TaskSync sync = Sync();
  ASSERT_TRUE(sync.PollOnce().ok());
  const std::string mark = Watermark();
  ASSERT_FALSE(mark.empty());
  const json task = Resources(server_->root(), "Task")[0];
  CompleteTaskInEhr(task);

  Admin(server_->root() + "/$admin/faults", fhir::HttpMethod::kPost, {{"fault500", 1}, {"faultScope", "fhir"}});
  auto failed = sync.PollOnce();
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(Watermark(), mark);
  EXPECT_EQ(StatusOf(IdentifierOf(task)), "requested");
  EXPECT_EQ(Rows("task_status_history"), tasks);

  Admin(server_->root() + "/$admin/faults", fhir::HttpMethod::kPost, {{"fault500", 0}});
  auto retried = sync.PollOnce();
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->new_versions, 1);
  EXPECT_EQ(StatusOf(IdentifierOf(task)), "completed");
  EXPECT_GT(Watermark(), mark);
}

TEST_P(SyncTest, RunForeverRetriesAFailedPollAndStopsWhenAsked) {
  const int tasks = DeliverSession();
  // The first search page answers 500 (one explicit fault), then all is well.
  Admin(server_->root() + "/$admin/faults", fhir::HttpMethod::kPost, {{"queue", {"500"}}, {"faultScope", "fhir"}});
  fhir::FakeClock clock;
  SyncOptions o;
  o.interval = std::chrono::milliseconds(5000);
  TaskSync sync(db_.get(), &ehr_->client(), &mapping_, o, &clock);
  std::atomic<bool> stop{false};
  std::vector<bool> outcomes;
  Status s = sync.RunForever(stop, [&](const StatusOr<SyncStats>& r) {
    outcomes.push_back(r.ok());
    if (outcomes.size() == 2 && r.ok()) {
      EXPECT_EQ(r->new_versions, tasks);
    }
    if (outcomes.size() == 3) stop = true;
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(outcomes, (std::vector<bool>{false, true, true}));
  EXPECT_EQ(Rows("task_status"), tasks);
  // Waited: the retry backoff (1 s) after the failure, a full interval after a success.
  int64_t waited = 0;
  for (auto d : clock.sleeps()) waited += d.count();
  EXPECT_EQ(waited, 1000 + 5000);
}

TEST_P(SyncTest, PagingRecordsAllTasksAndTruncatedPollsResumeWithoutLoss) {
  // 130 Tasks in 10 transactions of 13.
  constexpr int kTasks = 130;
  for (int batch = 0; batch < 10; ++batch) {
    json entries = json::array();
    for (int i = 0; i < 13; ++i) {
      const int n = batch * 13 + i;
      json task = {{"resourceType", "Task"},
                   {"status", "requested"},
                   {"intent", "plan"},
                   {"identifier", json::array({{{"system", mapping_.task_identifier_system},
                                                {"value", "PAGE/S-" + std::to_string(n / 10) + "/A" + std::to_string(n)}}})}};
      entries.push_back({{"fullUrl", fhir::NewUuidUrn()}, {"resource", task}, {"request", {{"method", "POST"}, {"url", "Task"}}}});
    }
    int code = 0;
    Admin(server_->base_url(), fhir::HttpMethod::kPost,
          {{"resourceType", "Bundle"}, {"type", "transaction"}, {"entry", entries}}, &code);
    ASSERT_EQ(code, 200);
  }
  // A Task in another identifier system is not ours.
  Admin(server_->base_url() + "/Task", fhir::HttpMethod::kPost,
        {{"resourceType", "Task"}, {"status", "requested"}, {"intent", "plan"},
         {"identifier", json::array({{{"system", "https://ehr.example/Id/task"}, {"value", "X/Y/Z"}}})}});

  // Polls of at most 4 pages of 10: cut short, each resumes where the last stopped.
  SyncOptions small;
  small.page_size = 10;
  small.max_pages = 4;
  TaskSync sync = Sync(small);
  int polls = 0, truncated = 0;
  while (polls < 30) {
    auto r = sync.PollOnce();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ++polls;
    EXPECT_LE(r->pages, 4);
    if (!r->truncated) break;
    ++truncated;
    EXPECT_FALSE(r->resume_from.empty());
  }
  EXPECT_GT(truncated, 0) << "the page limit never hit: the test proves nothing";
  EXPECT_LT(polls, 30) << "the backlog never drained";
  EXPECT_EQ(Rows("task_status"), kTasks);
  EXPECT_EQ(Rows("task_status_history"), kTasks);

  // A poll with room for everything: 130 Tasks over pages of 7, nothing new.
  SyncOptions paged;
  paged.page_size = 7;
  auto all = Sync(paged).PollOnce();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_FALSE(all->truncated);
  EXPECT_GE(all->pages, kTasks / 7);
  EXPECT_EQ(all->tasks_seen, kTasks);
  EXPECT_EQ(all->new_versions, 0);
  EXPECT_EQ(all->duplicates, kTasks);
  EXPECT_EQ(Rows("task_status_history"), kTasks);
  auto session = db_->Connect();
  EXPECT_EQ(adapter::PreviousActions(**session, "PAGE", "S-3")->size(), 10u);
}

// A scripted FHIR server answering Task searches with offset paging (as the
// bundled one does), where tests control every lastUpdated: ties, and Tasks
// updated between two page requests.
class OffsetPagingEhr {
 public:
  static constexpr char kBase[] = "http://ehr.test/fhir/R4";
  explicit OffsetPagingEhr(std::string system) : system_(std::move(system)) {
    transport_.SetHandler([this](const fhir::HttpRequest& r) { return Answer(r); });
  }
  // Adds (or updates: version + 1) the Task "ORG/S/<action>" at `ms` past a fixed instant.
  void Put(const std::string& action, int ms) {
    for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
      if (it->action == action) {
        Task t = *it;
        tasks_.erase(it);
        t.version++;
        t.ms = ms;
        tasks_.push_back(t);
        return;
      }
    }
    tasks_.push_back({action, 1, ms});
  }
  // Called before each search page is answered (its 0-based number).
  std::function<void(int)> before_page;
  fhir::FakeTransport& transport() { return transport_; }
  int searches() const { return searches_; }

 private:
  struct Task {
    std::string action;
    int version;
    int ms;
  };
  static std::string Instant(int ms) { return adapter::FormatInstantMillis((1'800'000'000'000LL + ms) * 1000); }

  StatusOr<fhir::HttpResponse> Answer(const fhir::HttpRequest& r) {
    if (before_page) before_page(searches_);
    ++searches_;
    std::map<std::string, std::string> q;
    std::string query = r.url.substr(r.url.find('?') + 1);
    for (std::size_t start = 0; start <= query.size();) {
      std::size_t end = std::min(query.find('&', start), query.size());
      std::string kv = query.substr(start, end - start);
      q[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
      start = end + 1;
    }
    std::vector<Task> hits;
    const int64_t lower = q.count("_lastUpdated") ? *adapter::ParseInstantMicros(q["_lastUpdated"].substr(2)) : 0;
    for (const auto& t : tasks_) {
      if (!q.count("_lastUpdated") || *adapter::ParseInstantMicros(Instant(t.ms)) >= lower) hits.push_back(t);
    }
    std::stable_sort(hits.begin(), hits.end(), [](const Task& a, const Task& b) { return a.ms < b.ms; });
    const std::size_t count = std::stoul(q["_count"]), offset = q.count("_offset") ? std::stoul(q["_offset"]) : 0;
    json bundle = {{"resourceType", "Bundle"}, {"type", "searchset"}, {"entry", json::array()}};
    for (std::size_t i = offset; i < std::min(hits.size(), offset + count); ++i) {
      bundle["entry"].push_back(
          {{"resource", {{"resourceType", "Task"}, {"status", "requested"}, {"intent", "plan"},
                         {"identifier", json::array({{{"system", system_}, {"value", "ORG/S/" + hits[i].action}}})},
                         {"meta", {{"versionId", std::to_string(hits[i].version)}, {"lastUpdated", Instant(hits[i].ms)}}}}},
           {"search", {{"mode", "match"}}}});
    }
    if (offset + count < hits.size()) {
      std::string next = std::string(kBase) + "/Task?";
      for (const auto& [k, v] : q) {
        if (k != "_offset") next += k + "=" + v + "&";
      }
      bundle["link"] = json::array({{{"relation", "next"}, {"url", next + "_offset=" + std::to_string(offset + count)}}});
    }
    fhir::HttpResponse response;
    response.status = 200;
    response.body = bundle.dump();
    return response;
  }

  std::string system_;
  std::vector<Task> tasks_;
  fhir::FakeTransport transport_;
  int searches_ = 0;
};

TEST_P(SyncTest, KeysetPagingSkipsNothingWhenTasksChangeWhilePagingOrShareAnInstant) {
  OffsetPagingEhr ehr(mapping_.task_identifier_system);
  // 25 Tasks sharing one instant (more than a page), then 30 distinct ones.
  for (int i = 0; i < 25; ++i) ehr.Put("T" + std::to_string(i), 0);
  for (int i = 0; i < 30; ++i) ehr.Put("D" + std::to_string(i), 10 + i);
  // Before the fifth page the EHR updates two Tasks already read: they move to
  // the end, which shifts two unread Tasks into offsets already passed (an
  // offset link would now skip them).
  ehr.before_page = [&](int page) {
    if (page == 4) {
      ehr.Put("T3", 100);
      ehr.Put("D2", 101);
    }
  };
  adapter::FhirConfig cfg = ConfigFor(OffsetPagingEhr::kBase);
  auto conn = adapter::EhrConnection::OpenWith(cfg, &ehr.transport());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  SyncOptions o;
  o.page_size = 10;
  TaskSync sync(db_.get(), &(*conn)->client(), &mapping_, o);
  auto r = sync.PollOnce();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->tasks_seen, 55);
  EXPECT_EQ(Rows("task_status"), 55);
  auto session = db_->Connect();
  for (const char* moved : {"ORG/S/T3", "ORG/S/D2"}) {
    auto rows = (*session)->Query("SELECT version_id FROM task_status WHERE task_identifier = ?", {std::string(moved)});
    EXPECT_EQ(*adapter::store::AsText((*rows)[0][0]), "2") << moved << ": the update made while paging is read too";
  }
  EXPECT_EQ(Watermark(), adapter::FormatInstantMillis((1'800'000'000'000LL + 101) * 1000));
  // Ties: the page grew (10, 20, 40); then keyset pages; no offset link followed.
  EXPECT_EQ(ehr.searches(), 6);
  for (const auto& req : ehr.transport().requests()) EXPECT_EQ(req.url.find("_offset"), std::string::npos) << req.url;
}

// Runs the adapter binary; returns its exit status and (in *out) its stdout.
int RunCli(const std::string& args, std::string* out) {
  FILE* p = ::popen((std::string(SA_ADAPTER_BIN) + " " + args + " 2>/dev/null").c_str(), "r");
  char buf[4096];
  std::size_t n;
  out->clear();
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_P(SyncTest, CliSyncOnceAndUntilSigterm) {
  const int tasks = DeliverSession();
  json store = is_sqlite() ? json{{"sqlite", sqlite_path_}} : json{{"postgres", pg_conninfo_}};
  const std::string config = keys_dir_->path() + "/adapter.json";
  std::ofstream(config) << json({{"store", store},
                                 {"fhir", {{"baseUrl", server_->base_url()}, {"retry", {{"maxAttempts", 1}}}}}})
                               .dump();
  std::string out;
  ASSERT_EQ(RunCli("sync --config " + config + " --once", &out), 0) << out;
  json line = json::parse(out, nullptr, false);
  ASSERT_TRUE(line.is_object()) << out;
  EXPECT_EQ(line["tasksSeen"], tasks);
  EXPECT_EQ(line["newVersions"], tasks);
  EXPECT_EQ(line["watermarkAfter"], Watermark());

  Admin(server_->root() + "/$admin/faults", fhir::HttpMethod::kPost, {{"fault500", 1}, {"faultScope", "fhir"}});
  EXPECT_EQ(RunCli("sync --config " + config + " --once", &out), 1);
  Admin(server_->root() + "/$admin/faults", fhir::HttpMethod::kPost, {{"fault500", 0}});
  EXPECT_EQ(RunCli("sync --config " + config + " --once --interval 0", &out), 64);

  // Without --once: polls until SIGTERM, then exits 0.
  const std::string out_path = keys_dir_->path() + "/sync.out";
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDOUT_FILENO);
    std::string bin = SA_ADAPTER_BIN, a1 = "sync", a2 = "--config", a3 = config;
    char* argv[] = {bin.data(), a1.data(), a2.data(), a3.data(), nullptr};
    ::execv(SA_ADAPTER_BIN, argv);
    ::_exit(127);
  }
  for (int i = 0; i < 100 && FileBytes(out_path).find('\n') == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(FileBytes(out_path).find("\"duplicates\":" + std::to_string(tasks)), std::string::npos)
      << FileBytes(out_path);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

SA_INSTANTIATE_FOR_BOTH_DATABASES(SyncTest);

}  // namespace
}  // namespace sa::testing
