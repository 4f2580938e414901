#include "adapter/audit/chain_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace sa::adapter::audit {
namespace {

AuditEntry FirstEntry() {
  AuditEntry e;
  e.seq = 1;
  e.at = "2024-05-01T09:30:00.123Z";
  e.record = {"staff-0001", "read-discussion", "confidential/EPUT/S-1/v2/C1/discussion", "ok", ""};
  e.prev_hash = std::string(kGenesisPrevHash);
  return e;
}

TEST(ChainHashTest, CanonicalFormIsNineNetstrings) {
  EXPECT_EQ(CanonicalForm(FirstEntry()),
            "11:sa-audit-v1,1:1,24:2024-05-01T09:30:00.123Z,10:staff-0001,15:read-discussion,"
            "38:confidential/EPUT/S-1/v2/C1/discussion,2:ok,0:,"
            "64:0000000000000000000000000000000000000000000000000000000000000000,");
}

// Expected values computed independently (Python hashlib over the same
// netstrings), so an auditor's own tool can be checked against these.
TEST(ChainHashTest, KnownAnswersForAChainOfTwo) {
  AuditEntry first = FirstEntry();
  StatusOr<std::string> h1 = ChainHash(first);
  ASSERT_TRUE(h1.ok()) << h1.status().ToString();
  EXPECT_EQ(*h1, "8acba619e46c14c3170fe87ce6eb8711047340d07738f5e6ea87c2ad63b7e2e7");

  AuditEntry second;
  second.seq = 2;
  second.at = "2024-05-01T09:31:00.000Z";
  second.record = {"safeguarding-team", "disclose", "confidential/EPUT/S-1/v2/C1/discussion", "ok",
                   "ground=court-order;ref=CO-7"};
  second.prev_hash = *h1;
  StatusOr<std::string> h2 = ChainHash(second);
  ASSERT_TRUE(h2.ok()) << h2.status().ToString();
  EXPECT_EQ(*h2, "3e71d729616eb8b4d2625e9d86cb54b2627f2274637bbafbec09ee28a93cc9e1");
}

TEST(ChainHashTest, ShiftingBytesBetweenFieldsChangesTheHash) {
  AuditEntry a = FirstEntry();
  a.record.action = "read-";
  a.record.object = "discussion";
  AuditEntry b = FirstEntry();
  b.record.action = "read-discussion";
  b.record.object = "";
  EXPECT_NE(CanonicalForm(a), CanonicalForm(b));
  EXPECT_NE(ChainHash(a).value(), ChainHash(b).value());
}

TEST(ChainHashTest, EveryHashedFieldChangesTheHash) {
  const std::string base = ChainHash(FirstEntry()).value();
  auto changed = [&](auto edit) {
    AuditEntry e = FirstEntry();
    edit(e);
    return ChainHash(e).value() != base;
  };
  EXPECT_TRUE(changed([](AuditEntry& e) { e.seq = 2; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.at[22] = '4'; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.record.actor += "x"; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.record.action += "x"; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.record.object += "x"; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.record.outcome = "error"; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.record.detail = "x"; }));
  EXPECT_TRUE(changed([](AuditEntry& e) { e.prev_hash[63] = '1'; }));
  // The stored hash itself is not hashed.
  EXPECT_FALSE(changed([](AuditEntry& e) { e.hash = "anything"; }));
}

TEST(ChainHashTest, IsHashHexAcceptsOnly64LowerCaseHexDigits) {
  EXPECT_TRUE(IsHashHex(kGenesisPrevHash));
  EXPECT_TRUE(IsHashHex("8acba619e46c14c3170fe87ce6eb8711047340d07738f5e6ea87c2ad63b7e2e7"));
  EXPECT_FALSE(IsHashHex("8ACBA619E46C14C3170FE87CE6EB8711047340D07738F5E6EA87C2AD63B7E2E7"));
  EXPECT_FALSE(IsHashHex("8acba619e46c14c3170fe87ce6eb8711047340d07738f5e6ea87c2ad63b7e2e"));
  EXPECT_FALSE(IsHashHex("8acba619e46c14c3170fe87ce6eb8711047340d07738f5e6ea87c2ad63b7e2eg"));
  EXPECT_FALSE(IsHashHex(""));
}

}  // namespace
}  // namespace sa::adapter::audit
