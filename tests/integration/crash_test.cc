// Crash test: the real binary is killed with SIGKILL at random moments while
// it takes in sessions and delivers them to the bundled FHIR server, then
// restarted. At the end every action of every agreed session is exactly one
// Task, every case one CarePlan, and the audit chain verifies.
// Iterations: SA_CRASH_ITERATIONS (default 20).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include <fcntl.h>

#include <filesystem>

#include "adapter/crypto/kek.h"
#include "adapter/store/poco_db.h"
#include "tests/integration/server_fixture.h"

namespace sa::testing {
namespace {

// Starts the adapter binary with `args`, output to /dev/null; returns its pid.
pid_t Spawn(const std::vector<std::string>& args) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, STDOUT_FILENO);
    ::dup2(devnull, STDERR_FILENO);
    std::vector<char*> argv;
    std::vector<std::string> copy = args;
    copy.insert(copy.begin(), SA_ADAPTER_BIN);
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(SA_ADAPTER_BIN, argv.data());
    ::_exit(127);
  }
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunAdapter(const std::vector<std::string>& args) { return Wait(Spawn(args)); }

TEST(CrashTest, SigkillAtRandomMomentsLosesNothingAndDuplicatesNothing) {
  int iterations = std::getenv("SA_CRASH_ITERATIONS") ? std::atoi(std::getenv("SA_CRASH_ITERATIONS")) : 20;
  adapter::LocalFhirServer server;
  ASSERT_TRUE(server.Start(Src(adapter::kBundledServerScript), {"--latency-ms", "5"}).ok());
  std::string dir = "/tmp/sa-crash-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/kek.b64") << *adapter::crypto::GenerateKekBase64() << "\n";
  std::ofstream(dir + "/adapter.json") << json({{"store", {{"sqlite", "adapter.db"}}},
                                               {"keys", {{"kekFile", "kek.b64"}}},
                                               {"fhir", {{"baseUrl", server.base_url()},
                                                         {"retry", {{"maxAttempts", 2}, {"baseDelayMs", 10}}},
                                                         {"timeouts", {{"requestMs", 3000}}}}},
                                               {"delivery", {{"leaseMs", 1000}, {"backoffBaseMs", 10}, {"backoffCapMs", 100}}}})
                                                 .dump();
  const std::string config = dir + "/adapter.json";
  std::mt19937 rng(20261123);
  int expected_tasks = 0, expected_plans = 0, kills = 0;
  json base = ReadJsonFile("tests/data/valid-eput-sbar.json");
  SeedPatient(server.base_url(), "lily", "9434765919");
  for (int it = 0; it < iterations; ++it) {
    // Three new agreed sessions per iteration (two actions each).
    std::vector<std::string> files;
    for (int k = 0; k < 3; ++k) {
      json r = base;
      r["sessionId"] = "CR-" + std::to_string(it) + "-" + std::to_string(k);
      std::string f = dir + "/s-" + std::to_string(it) + "-" + std::to_string(k) + ".json";
      std::ofstream(f) << r.dump();
      files.push_back(f);
      expected_tasks += 2;
      expected_plans += 1;
    }
    std::vector<std::string> intake = {"intake", "--config", config};
    intake.insert(intake.end(), files.begin(), files.end());
    // Intake and delivery run together; one of them is killed at a random moment.
    pid_t in = Spawn(intake);
    pid_t out = Spawn({"deliver", "--config", config, "--until-idle"});
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 120)(rng)));
    pid_t victim = (rng() % 2) ? out : in;
    if (::kill(victim, SIGKILL) == 0) ++kills;
    Wait(in);
    Wait(out);
    // Restart: the office system resends what may not have been acknowledged
    // (the same content is a no-op), and delivery resumes.
    ASSERT_EQ(RunAdapter(intake), 0);
  }
  // After the last crash, one clean run finishes the outbox.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // killed workers' leases expire
  ASSERT_EQ(RunAdapter({"deliver", "--config", config, "--until-idle"}), 0);
  EXPECT_GE(kills, iterations / 2);
  std::set<std::string> task_ids, plan_ids;
  for (const auto& t : Resources(server.root(), "Task")) {
    EXPECT_TRUE(task_ids.insert(t["identifier"][0]["value"].get<std::string>()).second) << "duplicate Task";
  }
  for (const auto& p : Resources(server.root(), "CarePlan")) {
    EXPECT_TRUE(plan_ids.insert(p["identifier"][0]["value"].get<std::string>()).second) << "duplicate CarePlan";
  }
  EXPECT_EQ(static_cast<int>(task_ids.size()), expected_tasks);
  EXPECT_EQ(static_cast<int>(plan_ids.size()), expected_plans);
  EXPECT_EQ(RunAdapter({"audit", "verify", "--config", config}), 0);
  std::filesystem::remove_all(dir);
}

TEST(CrashTest, AuditVerifyExitsFourAfterTampering) {
  std::string dir = "/tmp/sa-audit-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/kek.b64") << *adapter::crypto::GenerateKekBase64() << "\n";
  std::ofstream(dir + "/adapter.json") << R"({"store":{"sqlite":"a.db"},"keys":{"kekFile":"kek.b64"}})";
  std::ofstream(dir + "/s.json") << ReadJsonFile("tests/data/valid-eput-sbar.json").dump();
  const std::string config = dir + "/adapter.json";
  ASSERT_EQ(RunAdapter({"intake", "--config", config, dir + "/s.json"}), 0);
  ASSERT_EQ(RunAdapter({"audit", "verify", "--config", config}), 0);
  // Edit one entry behind the adapter's back.
  {
    auto db = adapter::store::OpenSqlite(dir + "/a.db");
    ASSERT_TRUE(db.ok());
    auto s = (*db)->Connect();
    ASSERT_TRUE((*s)->Exec("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2").ok());
  }
  EXPECT_EQ(RunAdapter({"audit", "verify", "--config", config}), 4);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sa::testing
