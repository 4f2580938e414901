// Test support for the durable core: a runtime (store + vault + catalog) over
// either database, sessions with canaries, and row counts.
#ifndef SA_TESTS_INTEGRATION_DURABLE_FIXTURE_H_
#define SA_TESTS_INTEGRATION_DURABLE_FIXTURE_H_

#include <fstream>

#include "adapter/core/intake.h"
#include "adapter/core/outbox.h"
#include "adapter/core/vault.h"
#include "adapter/crypto/kek.h"
#include "adapter/store/fault_db.h"
#include "adapter/store/migrations.h"
#include "adapter/store/store_test_util.h"
#include "tests/integration/server_fixture.h"

namespace sa::testing {

using adapter::store::Dialect;

class DurableTest : public adapter::store::testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    ASSERT_TRUE(adapter::store::Migrate(*db_).ok());
    keys_dir_ = std::make_unique<adapter::store::testing::TempDir>();
    kek_path_ = keys_dir_->path() + "/kek.b64";
    std::ofstream(kek_path_) << *adapter::crypto::GenerateKekBase64() << "\n";
    keys_.kek_file = kek_path_;
    auto vault = adapter::Vault::Open(keys_, *db_);
    ASSERT_TRUE(vault.ok()) << vault.status().ToString();
    vault_ = std::move(*vault);
  }
  adapter::IntakeService Service(adapter::store::Database* db = nullptr) {
    return adapter::IntakeService(db ? db : db_.get(), &Catalog(), vault_.get(), {});
  }
  int64_t Rows(const std::string& table) {
    auto n = CountRows(table);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }
  int64_t ContentRows() {
    return Rows("register") + Rows("session_people") + Rows("confidential_records") + Rows("outbox") +
           Rows("register_rejections");
  }

  std::unique_ptr<adapter::store::testing::TempDir> keys_dir_;
  adapter::KeysConfig keys_;
  std::string kek_path_;
  std::unique_ptr<adapter::Vault> vault_;
};

// The valid EPUT session, its discussion and practitioner fields replaced by
// unique canaries (returned in `canaries`).
inline json CanarySession(const std::string& tag, std::vector<std::string>* canaries, const std::string& sid = "S-2026-0001") {
  json r = ReadJsonFile("tests/data/valid-eput-sbar.json");
  r["sessionId"] = sid;
  int n = 0;
  for (auto it = r["cases"][0]["discussion"].begin(); it != r["cases"][0]["discussion"].end(); ++it) {
    std::string c = "CANARY-" + tag + "-d" + std::to_string(n++) + "-zq";
    it.value() = "Reflection " + c + " kept apart";
    canaries->push_back(c);
  }
  for (const char* k : {"support", "development", "wellbeing", "competenceConcern"}) {
    std::string c = "CANARY-" + tag + "-p" + std::to_string(n++) + "-zq";
    r["practitioner"][k] = "Note " + c;
    canaries->push_back(c);
  }
  return r;
}

inline std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace sa::testing

#endif  // SA_TESTS_INTEGRATION_DURABLE_FIXTURE_H_
