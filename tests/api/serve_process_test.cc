// `supervision-adapter serve` as a process: it prints where it listens,
// answers, and on SIGTERM finishes and exits 0; a bad configuration is
// refused at start-up with exit 2.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "adapter/api/http/test_client.h"
#include "adapter/auth/token_issuer.h"
#include "adapter/crypto/kek.h"
#include "adapter/store/store_test_util.h"

namespace sa::testing {
namespace {

using nlohmann::json;

TEST(ServeProcessTest, ListensAnswersAndDrainsOnSigterm) {
  adapter::store::testing::TempDir dir;
  const std::string d = dir.path();
  std::ofstream(d + "/kek.b64") << *adapter::crypto::GenerateKekBase64() << "\n";
  auto pair = adapter::auth::GenerateIssuerKeyPair("ES256");
  ASSERT_TRUE(pair.ok());
  std::ofstream(d + "/issuer.jwks") << pair->jwks_json;
  std::ofstream(d + "/adapter.json")
      << json{{"store", {{"sqlite", d + "/a.db"}}},
              {"keys", {{"kekFile", d + "/kek.b64"}}},
              {"api",
               {{"listen", "127.0.0.1:0"},
                {"auth",
                 {{"issuers",
                   {{{"issuer", "i"}, {"audience", "a"}, {"jwksFile", d + "/issuer.jwks"},
                     {"algorithms", {"ES256"}}}}}}}}}}
             .dump();
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execl(SA_ADAPTER_BIN, SA_ADAPTER_BIN, "serve", "--config", (d + "/adapter.json").c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  FILE* f = ::fdopen(out[0], "r");
  char line[512] = {0};
  ASSERT_NE(std::fgets(line, sizeof line, f), nullptr) << "serve printed nothing";
  json listening = json::parse(line, nullptr, false);
  ASSERT_TRUE(listening.is_object()) << line;
  const std::string url = listening["url"];
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  adapter::api::testing::ClientRequest health;
  health.path = "/healthz";
  EXPECT_EQ(adapter::api::testing::Call(port, health).status, 200);
  adapter::api::testing::ClientRequest unauth;
  unauth.path = "/v1/register?from=2026-01-01&to=2026-02-01";
  EXPECT_EQ(adapter::api::testing::Call(port, unauth).status, 401);

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  for (int i = 0; i < 100 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(WIFEXITED(status)) << "serve did not stop on SIGTERM";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(adapter::api::testing::ConnectRefused(port));
  std::fclose(f);
}

TEST(ServeProcessTest, ABadAuthKeyFileStopsStartUpWithExit2) {
  adapter::store::testing::TempDir dir;
  const std::string d = dir.path();
  std::ofstream(d + "/kek.b64") << *adapter::crypto::GenerateKekBase64() << "\n";
  std::ofstream(d + "/bad.jwks") << "{\"keys\": 7}";
  std::ofstream(d + "/adapter.json")
      << json{{"store", {{"sqlite", d + "/a.db"}}},
              {"keys", {{"kekFile", d + "/kek.b64"}}},
              {"api",
               {{"listen", "127.0.0.1:0"},
                {"auth",
                 {{"issuers",
                   {{{"issuer", "i"}, {"audience", "a"}, {"jwksFile", d + "/bad.jwks"},
                     {"algorithms", {"ES256"}}}}}}}}}}
             .dump();
  const std::string cmd = std::string(SA_ADAPTER_BIN) + " serve --config " + d + "/adapter.json 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string text;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) text += buf;
  int status = ::pclose(p);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2) << text;
  EXPECT_NE(text.find("bad.jwks"), std::string::npos) << text;
}

}  // namespace
}  // namespace sa::testing
