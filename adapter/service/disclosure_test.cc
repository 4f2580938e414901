// RS-4 and RS-5: disclosure on a ground the profile allows, with a reference,
// an approver and a notice to the supervisee, driven by the profile's data.
#include "adapter/service/disclosure.h"

#include "adapter/service/service_test_util.h"

namespace sa::adapter::service::testing {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::seconds;

const Clock::time_point kT0 = Clock::from_time_t(1796119200);  // 2026-12-01T10:00:00Z

json RequestBody(const std::string& org, const std::string& sid, const std::string& ground,
                 bool urgent = false) {
  return {{"organisation", org},
          {"sessionId", sid},
          {"records", {"discussion", "practitioner"}},
          {"requester",
           {{"name", "Requester Rowe"}, {"organisation", "Family Court"}, {"role", "clerk"}}},
          {"ground", ground},
          {"reference", "ZW26/0042"},
          {"purpose", "Proceedings about the child"},
          {"urgent", urgent}};
}

NoticeInput Notice(const std::string& tag, std::vector<std::string>* canaries) {
  NoticeInput n;
  for (auto [field, name] :
       {std::pair{&n.what, "what"}, std::pair{&n.why, "why"}, std::pair{&n.consequences, "cons"}}) {
    std::string c = "CANARY-notice-" + tag + "-" + name + "-zq";
    *field = "Notice " + c;
    canaries->push_back(c);
  }
  return n;
}

class DisclosureTest : public ServiceTest {
 protected:
  auth::Principal Lead(const std::string& org = "EPUT") {
    return Caller("P-1", {"safeguarding-lead"}, org);
  }
  // A second safeguarding lead: the one who approves (never the requester).
  auth::Principal Approver(const std::string& org = "EPUT") {
    return Caller("P-3", {"safeguarding-lead"}, org);
  }
  auth::Principal Team(const std::string& org = "EPUT") {
    return Caller("P-2", {"supervisor"}, org);
  }
  StatusOr<Disclosure> Request(const json& body, const auth::Principal& actor,
                               Clock::time_point at = kT0) {
    mappings::FieldErrors errors;
    SA_ASSIGN_OR_RETURN(DisclosureRequest req, ParseDisclosureRequest(body, &errors));
    return RequestDisclosure(*session_, catalog(), req, actor, at);
  }
  std::vector<std::string> Actions() {
    std::vector<std::string> out;
    for (const auto& a : AuditRows()) {
      if (a.actor != "test") out.push_back(a.action + ":" + a.outcome);
    }
    return out;
  }
};

TEST_F(DisclosureTest, ParseReportsEveryProblemWithItsPointerAndNoValue) {
  json body = {{"organisation", "EPUT"},
               {"records", {"discussion", "minutes", "discussion"}},
               {"caseRefs", {"C1", "bad ref"}},
               {"requester", {{"name", "Requester Rowe"}, {"shoeSize", 9}}},
               {"ground", "court order"},
               {"reference", "see the letter from Requester Rowe"},
               {"urgent", "yes"},
               {"colour", "blue"}};
  mappings::FieldErrors errors;
  auto req = ParseDisclosureRequest(body, &errors);
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.status().code(), StatusCode::kInvalidArgument);
  std::set<std::string> pointers;
  for (const auto& e : errors.list()) pointers.insert(e.pointer);
  EXPECT_EQ(pointers, (std::set<std::string>{"/sessionId", "/records/1", "/records/2",
                                             "/caseRefs/1", "/requester/organisation",
                                             "/requester/role", "/requester/shoeSize", "/ground",
                                             "/reference", "/urgent", "/colour"}));
  EXPECT_EQ(req.status().message().find("Rowe"), std::string::npos);
  EXPECT_FALSE(ParseDisclosureRequest(json::array(), &errors).ok());

  auto good = ParseDisclosureRequest(RequestBody("EPUT", "S-1", "court-order", true), nullptr);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->records, (std::vector<std::string>{"discussion", "practitioner"}));
  EXPECT_EQ(good->requester.organisation, "Family Court");
  EXPECT_EQ(good->reference, "ZW26/0042");
  EXPECT_TRUE(good->urgent);
  EXPECT_TRUE(good->case_refs.empty());
}

TEST_F(DisclosureTest, Rs4_EputRefusesTheAuditGroundAndRecordsTheRefusal) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "ea", &canaries));
  auto d = Request(RequestBody("EPUT", "S-1", "audit"), Lead());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kPermissionDenied);
  auto id = RefusedDisclosureId(d.status());
  ASSERT_TRUE(id.has_value()) << d.status().ToString();
  EXPECT_FALSE(RefusedDisclosureId(Status::PermissionDenied("other")).has_value());

  auto stored = GetDisclosure(*session_, *id);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->state, "refused");
  ASSERT_TRUE(stored->refusal.has_value());
  EXPECT_EQ(stored->refusal->rfind("ground not allowed by profile EPUT (", 0), 0u);
  EXPECT_NE(stored->refusal->find("EPUT §3.3.4"), std::string::npos);
  auto audits = AuditRowsFor("request-disclosure");
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_EQ(audits[0].object, "disclosure/" + *id);
  EXPECT_EQ(audits[0].outcome, "refused");
  // A refused disclosure goes nowhere.
  EXPECT_EQ(ReleasePackage(*session_, *vault_, *id, Lead(), kT0).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Approve(*session_, catalog(), *id, Approver(), kT0).status().code(), StatusCode::kConflict);
}

TEST_F(DisclosureTest, Rs4_SgscbAllowsTheAuditGround) {
  std::vector<std::string> canaries;
  IntakeOk(SgscbRecord("S-1", "sa", &canaries));
  auto d = Request(RequestBody("SGSCB", "S-1", "audit"), Lead("SGSCB"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->state, "awaiting-notice");  // SGSCB §5: notice first, always
  EXPECT_EQ(d->id.size(), 18u);
  EXPECT_EQ(d->id.rfind("D-", 0), 0u);
  EXPECT_EQ(d->approver_role, "safeguarding-lead");
  auto urgent = Request(RequestBody("SGSCB", "S-1", "child-protection", true), Lead("SGSCB"));
  ASSERT_TRUE(urgent.ok());
  EXPECT_EQ(urgent->state, "awaiting-notice");  // SGSCB allows no release before notice
}

TEST_F(DisclosureTest, Rs5_EputUrgentChildProtectionIsReleasedBeforeNoticeAndTheGapRecorded) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "ur", &canaries));
  auto d = Request(RequestBody("EPUT", "S-1", "child-protection", true), Lead());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->state, "awaiting-approval");
  ASSERT_TRUE(Approve(*session_, catalog(), d->id, Approver(), kT0 + seconds(60)).ok());
  auto package = ReleasePackage(*session_, *vault_, d->id, Lead(), kT0 + seconds(120));
  ASSERT_TRUE(package.ok()) << package.status().ToString();
  EXPECT_EQ((*package)["releasedAt"], "2026-12-01T10:02:00.000Z");
  auto released = GetDisclosure(*session_, d->id);
  EXPECT_EQ(released->state, "released");
  EXPECT_FALSE(released->notice_at.has_value());

  std::vector<std::string> notice_canaries;
  auto noticed = RecordNotice(*session_, *vault_, d->id, Notice("ur", &notice_canaries), Lead(),
                              kT0 + seconds(3720));
  ASSERT_TRUE(noticed.ok()) << noticed.status().ToString();
  EXPECT_EQ(noticed->state, "released");
  EXPECT_EQ(noticed->notice_gap_seconds, 3600);
  auto stored = GetDisclosure(*session_, d->id);
  EXPECT_EQ(stored->notice_gap_seconds, 3600);
  EXPECT_EQ(stored->notice_at, "2026-12-01T11:02:00.000Z");
  EXPECT_EQ(DisclosureToJson(*stored)["noticeGapSeconds"], 3600);
  auto audits = AuditRowsFor("record-notice");
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_NE(audits[0].detail.find("gap-seconds=3600"), std::string::npos);
  // A second notice is a conflict.
  EXPECT_EQ(RecordNotice(*session_, *vault_, d->id, Notice("ur2", &notice_canaries), Lead(), kT0)
                .status()
                .code(),
            StatusCode::kConflict);

  // Urgency only skips the notice for the grounds the profile names.
  auto court = Request(RequestBody("EPUT", "S-1", "court-order", true), Lead());
  ASSERT_TRUE(court.ok());
  EXPECT_EQ(court->state, "awaiting-notice");
  auto not_urgent = Request(RequestBody("EPUT", "S-1", "child-protection", false), Lead());
  EXPECT_EQ(not_urgent->state, "awaiting-notice");
}

TEST_F(DisclosureTest, Rs5_EputCourtOrderIsReleasedOnlyAfterNoticeAndApproval) {
  std::vector<std::string> canaries, notice_canaries;
  IntakeOk(OneToOneRecord("S-1", "co", &canaries));
  auto d = Request(RequestBody("EPUT", "S-1", "court-order"), Lead());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->state, "awaiting-notice");
  const std::string id = d->id;

  EXPECT_EQ(ReleasePackage(*session_, *vault_, id, Lead(), kT0).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Approve(*session_, catalog(), id, Approver(), kT0).status().code(), StatusCode::kConflict);
  auto noticed = RecordNotice(*session_, *vault_, id, Notice("co", &notice_canaries), Team(), kT0);
  ASSERT_TRUE(noticed.ok()) << noticed.status().ToString();
  EXPECT_EQ(noticed->state, "awaiting-approval");
  EXPECT_FALSE(noticed->notice_gap_seconds.has_value());
  EXPECT_EQ(ReleasePackage(*session_, *vault_, id, Lead(), kT0).status().code(),
            StatusCode::kFailedPrecondition);
  auto approved = Approve(*session_, catalog(), id, Approver(), kT0 + seconds(10));
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->state, "approved");
  EXPECT_EQ(approved->approved_by, "P-3");

  auto first = ReleasePackage(*session_, *vault_, id, Lead(), kT0 + seconds(20));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((*first)["records"].size(), 2u);
  auto again = ReleasePackage(*session_, *vault_, id, Lead(), kT0 + seconds(30));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *first);  // the same sealed package, the first release time
  EXPECT_EQ(GetDisclosure(*session_, id)->released_at, "2026-12-01T10:00:20.000Z");

  auto disclose = AuditRowsFor("disclose");
  ASSERT_EQ(disclose.size(), 4u);  // two refusals, two releases
  EXPECT_EQ(disclose[0].outcome, "refused");
  EXPECT_EQ(disclose[0].detail, "state=awaiting-notice");
  EXPECT_EQ(disclose[1].detail, "state=awaiting-approval");
  EXPECT_EQ(disclose[2].outcome, "ok");
  EXPECT_NE(disclose[2].detail.find("first=1"), std::string::npos);
  EXPECT_NE(disclose[3].detail.find("first=0"), std::string::npos);
  EXPECT_NE(disclose[3].detail.find("ref=ZW26/0042"), std::string::npos);
}

TEST_F(DisclosureTest, Rs4_ApprovalByANonApproverIsRefusedAndAudited) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "na", &canaries));
  auto d = Request(RequestBody("EPUT", "S-1", "child-protection", true), Lead());
  ASSERT_TRUE(d.ok());
  auto by_supervisor = Approve(*session_, catalog(), d->id, Team(), kT0);
  EXPECT_EQ(by_supervisor.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(by_supervisor.status().message().find("safeguarding-lead"), std::string::npos);
  auto other_org_lead = Approve(*session_, catalog(), d->id, Approver("SGSCB"), kT0);
  EXPECT_EQ(other_org_lead.status().code(), StatusCode::kPermissionDenied);
  auto audits = AuditRowsFor("approve-disclosure");
  ASSERT_EQ(audits.size(), 2u);
  for (const auto& a : audits) {
    EXPECT_EQ(a.outcome, "refused");
    EXPECT_EQ(a.detail, "needs-role=safeguarding-lead");
    EXPECT_EQ(a.object, "disclosure/" + d->id);
  }
  EXPECT_EQ(audits[0].actor, "api:P-2");
  EXPECT_EQ(GetDisclosure(*session_, d->id)->state, "awaiting-approval");
  // Nor may a non-approver take the package once approved.
  ASSERT_TRUE(Approve(*session_, catalog(), d->id, Approver(), kT0).ok());
  EXPECT_EQ(ReleasePackage(*session_, *vault_, d->id, Team(), kT0).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(AuditRowsFor("disclose").back().outcome, "refused");
}

TEST_F(DisclosureTest, Rs4_PackageHoldsExactlyTheRequestedRecordsMarked) {
  std::vector<std::string> canaries;
  json r = OneToOneRecord("S-1", "ex", &canaries);
  const std::size_t c1_end = 4;  // sbar: four discussion canaries for C1, then four practitioner
  AddSecondCase(&r, "ex2", &canaries);
  IntakeOk(r);
  const std::vector<std::string> c1(canaries.begin(), canaries.begin() + c1_end);
  const std::vector<std::string> practitioner(canaries.begin() + c1_end,
                                              canaries.begin() + c1_end + 4);
  const std::vector<std::string> c2(canaries.begin() + c1_end + 4, canaries.end());

  auto release = [&](json body) -> json {
    auto d = Request(body, Lead());
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (!d.ok()) return nullptr;
    EXPECT_TRUE(Approve(*session_, catalog(), d->id, Approver(), kT0).ok());
    auto p = ReleasePackage(*session_, *vault_, d->id, Lead(), kT0 + seconds(5));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : json(nullptr);
  };
  auto has_any = [](const json& j, const std::vector<std::string>& list) {
    const std::string s = j.dump();
    for (const auto& c : list) {
      if (s.find(c) != std::string::npos) return true;
    }
    return false;
  };

  json only_c2 = RequestBody("EPUT", "S-1", "child-protection", true);
  only_c2["records"] = {"discussion"};
  only_c2["caseRefs"] = {"C2"};
  json p = release(only_c2);
  ASSERT_EQ(p["records"].size(), 1u);
  const json& rec = p["records"][0];
  EXPECT_EQ(rec["kind"], "discussion");
  EXPECT_EQ(rec["caseRef"], "C2");
  EXPECT_EQ(rec["recordId"], "EPUT/S-1/v1/C2/discussion");
  EXPECT_EQ(rec["form"], json({{"discussion", r["cases"][1]["discussion"]}}));
  const json marking = rec["marking"];
  EXPECT_EQ(marking["disclosureId"], p["disclosureId"]);
  EXPECT_EQ(marking["reference"], "ZW26/0042");
  EXPECT_EQ(marking["ground"], "child-protection");
  EXPECT_EQ(marking["releasedAt"], "2026-12-01T10:00:05.000Z");
  EXPECT_EQ(marking["organisation"], "EPUT");
  EXPECT_EQ(marking["sessionId"], "S-1");
  EXPECT_EQ(marking.size(), 6u);
  EXPECT_TRUE(has_any(p, c2));
  EXPECT_FALSE(has_any(p, c1));
  EXPECT_FALSE(has_any(p, practitioner));
  EXPECT_EQ(p.dump().find("Requester Rowe"), std::string::npos);

  json only_practitioner = RequestBody("EPUT", "S-1", "child-protection", true);
  only_practitioner["records"] = {"practitioner"};
  p = release(only_practitioner);
  ASSERT_EQ(p["records"].size(), 1u);
  EXPECT_EQ(p["records"][0]["kind"], "practitioner");
  EXPECT_EQ(p["records"][0]["notes"], json({{"practitioner", r["practitioner"]}}));
  EXPECT_FALSE(has_any(p, c1));
  EXPECT_FALSE(has_any(p, c2));

  p = release(RequestBody("EPUT", "S-1", "child-protection", true));
  ASSERT_EQ(p["records"].size(), 3u);  // every case, then the practitioner record
  EXPECT_TRUE(has_any(p, c1) && has_any(p, c2) && has_any(p, practitioner));

  json bad = RequestBody("EPUT", "S-1", "court-order");
  bad["caseRefs"] = {"C9"};
  EXPECT_EQ(Request(bad, Lead()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(DisclosureTest, Rs5_TheSessionsSuperviseesReceiveTheSealedNotice) {
  std::vector<std::string> canaries, notice_canaries;
  IntakeOk(GroupRecord("S-G", "gn", &canaries, {"P-20", "P-21"}));
  auto d = Request(RequestBody("EPUT", "S-G", "practice-review"), Lead());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  NoticeInput n = Notice("gn", &notice_canaries);
  ASSERT_TRUE(RecordNotice(*session_, *vault_, d->id, n, Lead(), kT0 + seconds(1)).ok());
  for (const char* member : {"P-20", "P-21"}) {
    auto notices = NoticesFor(*session_, *vault_, "EPUT", member);
    ASSERT_TRUE(notices.ok()) << notices.status().ToString();
    ASSERT_EQ(notices->size(), 1u) << member;
    const NoticeView& v = (*notices)[0];
    EXPECT_EQ(v.disclosure_id, d->id);
    EXPECT_EQ(v.session_id, "S-G");
    EXPECT_EQ(v.what, n.what);
    EXPECT_EQ(v.why, n.why);
    EXPECT_EQ(v.consequences, n.consequences);
    EXPECT_EQ(v.notice_at, "2026-12-01T10:00:01.000Z");
    EXPECT_EQ(v.ToJson()["what"], n.what);
  }
  EXPECT_TRUE(NoticesFor(*session_, *vault_, "EPUT", "P-10")->empty());  // the supervisor
  EXPECT_EQ(AuditRowsFor("write-disclosure-notice").size(), 2u);
  ExpectNoCanaryInStore(notice_canaries);
  ExpectNoCanaryInAudit(notice_canaries);
  EXPECT_EQ(RecordNotice(*session_, *vault_, d->id, NoticeInput{"a", "", "c"}, Lead(), kT0)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_F(DisclosureTest, RequestRefusalsAndUnknowns) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "ru", &canaries));
  EXPECT_EQ(Request(RequestBody("EPUT", "S-404", "court-order"), Lead()).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Request(RequestBody("NOPE", "S-1", "court-order"), Lead()).status().code(),
            StatusCode::kInvalidArgument);
  auto outsider = Request(RequestBody("EPUT", "S-1", "court-order"), Lead("SGSCB"));
  EXPECT_EQ(outsider.status().code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(RefusedDisclosureId(outsider.status()).has_value());
  EXPECT_EQ(Rows("disclosures"), 0);
  ASSERT_EQ(AuditRowsFor("request-disclosure").size(), 1u);
  EXPECT_EQ(AuditRowsFor("request-disclosure")[0].outcome, "refused");
  EXPECT_EQ(GetDisclosure(*session_, "D-0123456789abcdef").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetDisclosure(*session_, "not an id").status().code(), StatusCode::kNotFound);
}

TEST_F(DisclosureTest, Rs12_EveryStepIsAuditedWithIdsAndCodesOnly) {
  std::vector<std::string> canaries, notice_canaries;
  IntakeOk(OneToOneRecord("S-1", "au", &canaries));
  auto d = Request(RequestBody("EPUT", "S-1", "court-order"), Lead());
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(Approve(*session_, catalog(), d->id, Team(), kT0).status().code() ==
              StatusCode::kPermissionDenied);
  ASSERT_TRUE(
      RecordNotice(*session_, *vault_, d->id, Notice("au", &notice_canaries), Lead(), kT0).ok());
  ASSERT_TRUE(Approve(*session_, catalog(), d->id, Approver(), kT0).ok());
  ASSERT_TRUE(ReleasePackage(*session_, *vault_, d->id, Lead(), kT0).ok());
  EXPECT_EQ(Actions(),
            (std::vector<std::string>{
                "request-disclosure:ok", "approve-disclosure:refused", "write-disclosure-notice:ok",
                "record-notice:ok", "approve-disclosure:ok", "read-discussion:ok",
                "read-practitioner-record:ok", "write-disclosure-package:ok", "disclose:ok"}));
  std::vector<std::string> all = canaries;
  all.insert(all.end(), notice_canaries.begin(), notice_canaries.end());
  all.push_back("Proceedings about the child");  // the purpose: never stored
  ExpectNoCanaryInStore(all);
  all.push_back("Requester Rowe");  // stored in the disclosures row, never audited
  ExpectNoCanaryInAudit(all);
  EXPECT_TRUE(AuditChainIntact());
  json view = DisclosureToJson(*GetDisclosure(*session_, d->id));
  for (const char* key : {"id", "organisation", "sessionId", "state", "ground", "reference",
                          "urgent", "records", "caseRefs", "createdAt", "noticeAt", "approvedBy",
                          "approvedAt", "releasedAt", "noticeGapSeconds", "refusal"}) {
    EXPECT_TRUE(view.contains(key)) << key;
  }
  EXPECT_EQ(view["state"], "released");
  for (const auto& c : all) {
    if (c != "Requester Rowe") {
      EXPECT_EQ(view.dump().find(c), std::string::npos);
    }
  }
}

}  // namespace
TEST_F(DisclosureTest, TheRequesterCannotApproveTheirOwnRequest) {
  std::vector<std::string> canaries;
  IntakeOk(OneToOneRecord("S-1", "sd", &canaries));
  auto d = Request(RequestBody("EPUT", "S-1", "child-protection", true), Lead());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto self = Approve(*session_, catalog(), d->id, Lead(), kT0);
  EXPECT_EQ(self.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(Approve(*session_, catalog(), d->id, Approver(), kT0).ok());
}

}  // namespace sa::adapter::service::testing
