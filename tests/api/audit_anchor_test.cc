// `audit anchor`: records the verified head of the chain, so that cutting
// entries off the end of the log (which leaves a perfectly linked, shorter
// chain) is caught by `audit verify` (exit 4).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "adapter/core/runtime.h"
#include "adapter/crypto/kek.h"
#include "adapter/store/store_test_util.h"

namespace sa::testing {
namespace {

int RunCli(const std::string& args, std::string* out) {
  FILE* p = ::popen((std::string(SA_ADAPTER_BIN) + " " + args + " 2>&1").c_str(), "r");
  char buf[512];
  out->clear();
  while (std::fgets(buf, sizeof buf, p)) *out += buf;
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(AuditAnchorCli, TruncationAfterAnAnchorIsCaught) {
  adapter::store::testing::TempDir dir;
  const std::string d = dir.path();
  std::ofstream(d + "/kek.b64") << *adapter::crypto::GenerateKekBase64() << "\n";
  std::ofstream(d + "/adapter.json")
      << nlohmann::json{{"store", {{"sqlite", d + "/a.db"}}}, {"keys", {{"kekFile", d + "/kek.b64"}}}}.dump();
  const std::string config = " --config " + d + "/adapter.json";
  std::string out;
  ASSERT_EQ(RunCli("intake" + config + " " + SA_SOURCE_DIR + "/config/examples/eput-one-to-one.json", &out), 0) << out;
  ASSERT_EQ(RunCli("audit anchor" + config, &out), 0) << out;
  EXPECT_NE(out.find("anchored "), std::string::npos) << out;
  ASSERT_EQ(RunCli("audit verify" + config, &out), 0) << out;

  // Someone removes the newest entry: the chain is still linked, but short.
  {
    auto rt = adapter::Runtime::Open(d + "/adapter.json", /*need_keys=*/false);
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    auto s = (*rt)->db->Connect();
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Exec("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)").ok());
  }
  EXPECT_EQ(RunCli("audit verify" + config, &out), 4) << out;
  // And the anchor is not moved over the evidence.
  EXPECT_NE(RunCli("audit anchor" + config, &out), 0) << out;
}

}  // namespace
}  // namespace sa::testing
