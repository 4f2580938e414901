// Test support for the service tests: a fresh migrated SQLite store in a
// temporary directory (named with the process id), a vault on a temporary
// KEK file, the built-in catalog, the real IntakeService to store sessions,
// session records carrying unique canary texts, principals, and readers of the
// audit log and of the raw database files.
#ifndef SA_ADAPTER_SERVICE_SERVICE_TEST_UTIL_H_
#define SA_ADAPTER_SERVICE_SERVICE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapter/auth/principal.h"
#include "adapter/core/intake.h"
#include "adapter/core/vault.h"
#include "adapter/store/db.h"
#include "mappings/catalog.h"

namespace sa::adapter::service::testing {

using nlohmann::json;

// One audit_log row as stored.
struct AuditRow {
  std::string actor, action, object, outcome, detail;
};

// A one-to-one EPUT sbar session (tests/data/valid-eput-sbar.json) whose
// discussion and practitioner texts are replaced by canaries
// "CANARY-<tag>-<n>-zq", appended to `canaries`.
json OneToOneRecord(const std::string& sid, const std::string& tag,
                    std::vector<std::string>* canaries, const std::string& supervisor = "P-10",
                    const std::string& supervisee = "P-20");
// The same session as a group session of `supervisees` (at least two), every
// one signed; the practitioner notes are about the first supervisee.
json GroupRecord(const std::string& sid, const std::string& tag, std::vector<std::string>* canaries,
                 const std::vector<std::string>& supervisees);
// Adds a second case "C2" (its own discussion canaries and action ids).
void AddSecondCase(json* record, const std::string& tag, std::vector<std::string>* canaries);
// A one-to-one SGSCB session on the "free" template, with canaries.
json SgscbRecord(const std::string& sid, const std::string& tag,
                 std::vector<std::string>* canaries);

// A caller with `roles` acting for `org`.
auth::Principal Caller(const std::string& subject, const std::vector<std::string>& roles,
                       const std::string& org);

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Stores `record` through the real intake; fails the test unless accepted.
  void IntakeOk(const json& record);
  // Rows in `table`.
  int64_t Rows(const std::string& table);
  // Every audit entry, in chain order.
  std::vector<AuditRow> AuditRows();
  // Audit entries with `action`.
  std::vector<AuditRow> AuditRowsFor(const std::string& action);
  // True when the audit chain verifies.
  bool AuditChainIntact();
  // The raw bytes of the database and its WAL, to look for text in clear.
  std::string StoreFileBytes();
  // Fails the test when any canary occurs in any audit field.
  void ExpectNoCanaryInAudit(const std::vector<std::string>& canaries);
  // Fails the test when any canary occurs in clear in the database files.
  void ExpectNoCanaryInStore(const std::vector<std::string>& canaries);

  const mappings::Catalog& catalog() const { return *catalog_; }

  std::string dir_;
  std::string db_path_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<store::DbSession> session_;
  std::unique_ptr<Vault> vault_;
  std::shared_ptr<const mappings::Catalog> catalog_;
};

}  // namespace sa::adapter::service::testing

#endif  // SA_ADAPTER_SERVICE_SERVICE_TEST_UTIL_H_
