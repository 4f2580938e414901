// The real binary as operators run it: two `deliver` processes sharing one
// PostgreSQL outbox, canary scans of everything the commands print, and
// `check-endpoint` verdicts.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "adapter/crypto/kek.h"
#include "adapter/store/store_test_util.h"
#include "tests/integration/server_fixture.h"

namespace sa::testing {
namespace {

// Runs the adapter binary; stdout+stderr go to `log`. Returns the pid.
pid_t SpawnLogged(const std::vector<std::string>& args, const std::string& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    std::vector<std::string> copy = args;
    copy.insert(copy.begin(), SA_ADAPTER_BIN);
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(SA_ADAPTER_BIN, argv.data());
    ::_exit(127);
  }
  return pid;
}

int WaitFor(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(ProcessesTest, TwoDeliverProcessesOnOnePostgresOutboxNoDuplicateNoLossAndNoCanaryInAnyOutput) {
  auto pg = adapter::store::testing::SharedPg();
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  auto conninfo = (*pg)->CreateDatabase();
  ASSERT_TRUE(conninfo.ok()) << conninfo.status().ToString();
  adapter::LocalFhirServer server;
  ASSERT_TRUE(server.Start(Src(adapter::kBundledServerScript), {"--latency-ms", "20"}).ok());
  adapter::store::testing::TempDir dir;
  const std::string d = dir.path();
  std::ofstream(d + "/kek.b64") << *adapter::crypto::GenerateKekBase64() << "\n";
  std::ofstream(d + "/adapter.json") << json({{"store", {{"postgres", *conninfo}}},
                                             {"keys", {{"kekFile", "kek.b64"}}},
                                             {"fhir", {{"baseUrl", server.base_url()}}},
                                             {"delivery", {{"batch", 1}, {"backoffBaseMs", 10}}}})
                                               .dump();
  SeedPatient(server.base_url(), "lily", "9434765919");
  std::vector<std::string> canaries;
  std::vector<std::string> intake = {"intake", "--config", d + "/adapter.json"};
  json base = ReadJsonFile("tests/data/valid-eput-sbar.json");
  const int sessions = 12;
  for (int i = 0; i < sessions; ++i) {
    json r = base;
    r["sessionId"] = "PROC-" + std::to_string(i);
    int n = 0;
    for (auto it = r["cases"][0]["discussion"].begin(); it != r["cases"][0]["discussion"].end(); ++it) {
      std::string c = "CANARY-proc" + std::to_string(i) + "-" + std::to_string(n++) + "-k";
      it.value() = "Reflection " + c;
      canaries.push_back(c);
    }
    for (const char* k : {"support", "development", "wellbeing", "competenceConcern"}) {
      std::string c = "CANARY-proc" + std::to_string(i) + "-" + std::to_string(n++) + "-k";
      r["practitioner"][k] = c;
      canaries.push_back(c);
    }
    std::string f = d + "/s" + std::to_string(i) + ".json";
    std::ofstream(f) << r.dump();
    intake.push_back(f);
  }
  const std::string log = d + "/commands.log";
  ASSERT_EQ(WaitFor(SpawnLogged(intake, log)), 0) << Slurp(log);
  pid_t a = SpawnLogged({"deliver", "--config", d + "/adapter.json", "--until-idle"}, log);
  pid_t b = SpawnLogged({"deliver", "--config", d + "/adapter.json", "--until-idle"}, log);
  EXPECT_EQ(WaitFor(a), 0);
  EXPECT_EQ(WaitFor(b), 0);
  ASSERT_EQ(WaitFor(SpawnLogged({"outbox", "--config", d + "/adapter.json", "list"}, log)), 0);
  ASSERT_EQ(WaitFor(SpawnLogged({"audit", "verify", "--config", d + "/adapter.json"}, log)), 0) << Slurp(log);

  std::set<std::string> tasks;
  for (const auto& t : Resources(server.root(), "Task")) {
    EXPECT_TRUE(tasks.insert(t["identifier"][0]["value"].get<std::string>()).second) << "duplicate Task";
  }
  EXPECT_EQ(tasks.size(), static_cast<std::size_t>(2 * sessions));
  EXPECT_EQ(Count(server.root(), "CarePlan"), static_cast<std::size_t>(sessions));
  // Both processes ran to completion and reported their stats.
  std::string out = Slurp(log);
  std::size_t stat_lines = 0;
  for (std::size_t p = out.find("\"delivered\""); p != std::string::npos; p = out.find("\"delivered\"", p + 1)) ++stat_lines;
  EXPECT_GE(stat_lines, 2u) << out;
  // No canary in anything the commands printed, nor on the wire.
  std::string wire = Admin(server.root() + "/$admin/requests").dump();
  for (const auto& c : canaries) {
    EXPECT_EQ(out.find(c), std::string::npos) << c;
    EXPECT_EQ(wire.find(c), std::string::npos) << c;
  }
}

TEST(ProcessesTest, CheckEndpointVerdictsForAGoodAndABrokenConfiguration) {
  adapter::LocalFhirServer server;
  ASSERT_TRUE(server.Start(Src(adapter::kBundledServerScript)).ok());
  adapter::store::testing::TempDir dir;
  const std::string d = dir.path();
  std::ofstream(d + "/good.json") << json({{"fhir", {{"baseUrl", server.base_url()}}}}).dump();
  std::ofstream(d + "/down.json") << json({{"fhir", {{"baseUrl", "http://127.0.0.1:9/fhir/R4"}, {"retry", {{"maxAttempts", 1}}}}}}).dump();
  std::ofstream(d + "/bad.json") << R"({"fhir": {"baseUrl": "ftp://x"}})";
  const std::string log = d + "/out.log";
  EXPECT_EQ(WaitFor(SpawnLogged({"check-endpoint", "--config", d + "/good.json"}, log)), 0);
  EXPECT_NE(Slurp(log).find("Verdict: usable"), std::string::npos) << Slurp(log);
  EXPECT_EQ(WaitFor(SpawnLogged({"check-endpoint", "--config", d + "/down.json"}, log)), 1);
  EXPECT_NE(Slurp(log).find("Verdict: NOT usable"), std::string::npos);
  EXPECT_EQ(WaitFor(SpawnLogged({"check-endpoint", "--config", d + "/bad.json"}, log)), 2);
}

}  // namespace
}  // namespace sa::testing
