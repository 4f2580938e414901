#include "mappings/separation.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <unistd.h>

#include <gtest/gtest.h>

#include "mappings/session_parser.h"
#include "mappings/test_support.h"

namespace sa::mappings {
namespace {

using nlohmann::json;
using testing::BuiltInCatalog;
using testing::ValidRecord;

StatusOr<Separation> SeparateRecord(const json& record, const Catalog& catalog = BuiltInCatalog()) {
  SessionParse p = ParseSession(record.dump(), catalog);
  if (!p.ok) return Status::InvalidArgument(p.errors.front().ToString());
  return Separate(p.session, p.document, catalog);
}

void CollectStrings(const json& v, std::vector<std::string>* out) {
  if (v.is_string()) out->push_back(v.get<std::string>());
  for (const auto& e : v) {
    if (v.is_structured()) CollectStrings(e, out);
  }
}

std::string EhrText(const Separation& s) {
  std::string text = s.ehr.dump();
  for (const auto& c : s.cases) text += c.ehr.dump();
  return text;
}

TEST(SeparationTest, Rs2_DiscussionTextNeverInEhrPlan) {
  json r = ValidRecord();
  r["cases"][0]["discussion"]["assessment"] = "CANARY-rs2-a1 the analysis stays confidential";
  r["practitioner"]["support"] = "CANARY-rs2-p1 support needs";
  auto s = SeparateRecord(r);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(EhrText(*s).find("CANARY"), std::string::npos);
  EXPECT_NE(s->confidential.dump().find("CANARY-rs2-a1"), std::string::npos);
  EXPECT_NE(s->practitioner.dump().find("CANARY-rs2-p1"), std::string::npos);
  EXPECT_EQ(s->register_entry.dump().find("CANARY"), std::string::npos);
  // ...and the plan itself does reach the EHR home: what, who, by when.
  EXPECT_EQ(s->cases[0].ehr["actions"][0]["what"], "Home visit to review safe sleeping arrangements");
  EXPECT_EQ(s->cases[0].ehr["actions"][0]["owner"]["id"], "P-20");
  EXPECT_EQ(s->cases[0].ehr["actions"][0]["due"], "2026-12-04");
}

TEST(SeparationTest, Rs2_ActionQuotingTheDiscussionIsHeldNotSent) {
  json r = ValidRecord();
  r["cases"][0]["actions"][1]["what"] = "Tell GP: neglect indicators are rising and the partner's history is unknown";
  auto s = SeparateRecord(r);
  ASSERT_TRUE(s.ok());
  const CasePlan& plan = s->cases[0];
  ASSERT_EQ(plan.held.size(), 1u);
  EXPECT_EQ(plan.held[0].pointer, "/cases/0/actions/1");
  EXPECT_NE(plan.held[0].reason.find("/cases/0/discussion/assessment"), std::string::npos);
  EXPECT_EQ(plan.held[0].reason.find("neglect"), std::string::npos);  // names the field, not the words
  ASSERT_EQ(plan.ehr["actions"].size(), 1u);
  EXPECT_EQ(plan.ehr["actions"][0]["id"], "A1");
  EXPECT_TRUE(plan.HasActionsToSend());
}

// Separate hands its leak guard on (intake checks the plan Bundles with it
// instead of indexing the texts again): it knows the discussion and the
// practitioner notes, and nothing else.
TEST(SeparationTest, TheLeakGuardItBuiltComesWithTheSeparation) {
  json r = ValidRecord();
  r["cases"][0]["discussion"]["assessment"] = "the stepfather was seen shouting at the twins outside school";
  r["practitioner"]["support"] = "needs protected time after the inquest next month";
  auto s = SeparateRecord(r);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_NE(s->leak_guard, nullptr);
  auto found = s->leak_guard->CheckJson(json{{"note", "Stepfather was seen shouting at the twins outside"}});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->source_pointer, "/cases/0/discussion/assessment");
  EXPECT_TRUE(s->leak_guard->Check("she needs protected time after the inquest").has_value());
  EXPECT_FALSE(s->leak_guard->CheckJson(s->cases[0].ehr).has_value());
}

TEST(SeparationTest, Rs2_ActionQuotingPractitionerNotesIsHeld) {
  json r = ValidRecord();
  r["practitioner"]["competenceConcern"] = "Did not escalate the bruise seen in October";
  r["cases"][0]["actions"][0]["what"] = "Review why she did not escalate the bruise seen in October";
  auto s = SeparateRecord(r);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->cases[0].held.size(), 1u);
  EXPECT_NE(s->cases[0].held[0].reason.find("/practitioner/competenceConcern"), std::string::npos);
}

TEST(SeparationTest, Rs7_CompetenceConcernGoesToPractitionerRecordOnly) {
  json r = ValidRecord();
  r["practitioner"]["competenceConcern"] = "CANARY-rs7-c1";
  auto s = SeparateRecord(r);
  ASSERT_TRUE(s.ok());
  int routes = 0;
  for (const auto& f : s->routes) {
    if (f.pointer == "/practitioner/competenceConcern") {
      ++routes;
      EXPECT_EQ(f.home, Home::kPractitioner);
      EXPECT_EQ(f.rule, "RS-7");
    }
  }
  EXPECT_EQ(routes, 1);
  EXPECT_EQ(s->practitioner["practitioner"]["competenceConcern"], "CANARY-rs7-c1");
  for (const json* home : {&s->ehr, &s->confidential, &s->register_entry}) {
    EXPECT_EQ(home->dump().find("CANARY-rs7"), std::string::npos);
  }
  EXPECT_EQ(s->practitioner_about, "P-20");
}

TEST(SeparationTest, Rs7_GroupPractitionerRecordIsAboutOneMemberOnly) {
  json r = ValidRecord();
  r["type"] = "group";
  r["supervisees"].push_back({{"id", "P-21"}, {"name", "Cy Dale"}, {"role", "School Nurse"}});
  r["practitioner"]["about"] = "P-21";
  r["signatures"].push_back({{"by", "P-21"}, {"role", "attendee"}, {"at", "2026-11-20T11:45:00Z"}});
  auto s = SeparateRecord(r);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->practitioner_about, "P-21");
}

TEST(SeparationTest, Rs7_PractitionerAboutIdIsNotConfidentialTextForTheLeakGuard) {
  // A staff id such as "SG-P-211" normalises to three words; treating it as
  // confidential text would hold every action that person owns.
  json r = ValidRecord();
  r["type"] = "group";
  json member = {{"id", "SG-P-211"}, {"name", "Cy Dale"}, {"role", "School Nurse"}};
  r["supervisees"].push_back(member);
  r["practitioner"]["about"] = "SG-P-211";
  r["signatures"].push_back({{"by", "SG-P-211"}, {"role", "attendee"}, {"at", "2026-11-20T11:45:00Z"}});
  r["cases"][0]["actions"][0]["owner"] = member;
  auto s = SeparateRecord(r);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->cases[0].held.empty()) << s->cases[0].held[0].reason;
  for (const auto& src : ConfidentialSources(*s)) EXPECT_NE(src.pointer, "/practitioner/about");
}

TEST(SeparationTest, Rs8_AgreedOnlyWhenSupervisorAndEverySuperviseeSigned) {
  json r = ValidRecord();
  auto both = SeparateRecord(r);
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->agreement.agreed);
  EXPECT_EQ(both->agreement.agreed_at, "2026-11-20T11:41:00Z");
  EXPECT_TRUE(both->release_to_ehr);

  r["signatures"].erase(1);
  auto one = SeparateRecord(r);
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->agreement.agreed);
  EXPECT_EQ(one->agreement.awaiting, std::vector<std::string>{"P-20"});
  EXPECT_FALSE(one->release_to_ehr);  // EPUT: only once agreed
  EXPECT_NE(one->release_reason.find("awaiting signatures"), std::string::npos);
}

TEST(SeparationTest, Rs8_GroupNeedsEveryAttendee) {
  json r = ValidRecord();
  r["type"] = "group";
  r["supervisees"].push_back({{"id", "P-21"}, {"name", "Cy Dale"}, {"role", "School Nurse"}});
  r["practitioner"] = nullptr;
  auto s = SeparateRecord(r);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->agreement.agreed);
  EXPECT_EQ(s->agreement.awaiting, std::vector<std::string>{"P-21"});
  r["signatures"].push_back({{"by", "P-21"}, {"role", "attendee"}, {"at", "2026-11-20T11:50:00Z"}});
  auto all = SeparateRecord(r);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->agreement.agreed);
  EXPECT_EQ(all->agreement.agreed_at, "2026-11-20T11:50:00Z");
}

TEST(SeparationTest, Rs8_ProfileMaySendBeforeAgreement) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("sa-sep-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  json p = json::parse(testing::SourceFile("mappings/data/profiles/EPUT.json"));
  p["ehr"]["sendBeforeAgreed"] = true;
  std::ofstream(dir / "early.json") << p.dump();
  auto catalog = Catalog::Load({{(dir / "early.json").string()}, {}, "."});
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  json r = ValidRecord();
  r["signatures"].erase(1);
  auto s = SeparateRecord(r, **catalog);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->agreement.agreed);
  EXPECT_TRUE(s->release_to_ehr);
}

TEST(SeparationTest, Rs9_CancelledSessionGoesToRegisterOnly) {
  json r = ValidRecord();
  r["status"] = "cancelled";
  r["heldAt"] = nullptr;
  r["durationMinutes"] = nullptr;
  r["rebookedTo"] = "2026-11-27T10:00:00Z";
  r.erase("cases");
  r.erase("practitioner");
  r["signatures"] = json::array();
  auto s = SeparateRecord(r);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->register_entry["rebookedTo"], "2026-11-27T10:00:00Z");
  EXPECT_TRUE(s->ehr.empty());
  EXPECT_FALSE(s->agreement.applicable);
  EXPECT_FALSE(s->release_to_ehr);
}

TEST(SeparationTest, FailsClosedOnAFieldWithNoHome) {
  // Validation normally rejects unknown fields; the engine must not rely on
  // it. Feed it a document with a field the table does not classify.
  SessionParse p = ParseSession(ValidRecord().dump(), BuiltInCatalog());
  ASSERT_TRUE(p.ok);
  json doc = p.document;
  doc["cases"][0]["subject"]["address"] = "1 High Street";
  auto s = Separate(p.session, doc, BuiltInCatalog());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/cases/0/subject/address: no home"), std::string::npos);
}

TEST(SeparationTest, FailsClosedOnADiscussionKeyTheTemplateDoesNotClassify) {
  SessionParse p = ParseSession(ValidRecord().dump(), BuiltInCatalog());
  ASSERT_TRUE(p.ok);
  json doc = p.document;
  doc["cases"][0]["discussion"]["feeling"] = "x";
  auto s = Separate(p.session, doc, BuiltInCatalog());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("does not classify"), std::string::npos);
}

// Property test over generated sessions: every input field lands in exactly
// one home, and no confidential text reaches the EHR plan.
class SessionGenerator {
 public:
  explicit SessionGenerator(unsigned seed) : rng_(seed) {}

  json Next(int n) {
    const Catalog& c = BuiltInCatalog();
    std::vector<std::string> orgs = c.ProfileCodes();
    const Profile* profile = c.FindProfile(orgs[Pick(orgs.size())]);
    const std::string& tmpl_name = profile->templates_allowed[Pick(profile->templates_allowed.size())];
    const Template* tmpl = c.FindTemplate(tmpl_name);
    int supervisees = 1 + static_cast<int>(Pick(3));
    json r = {{"schema", "supervision-session/1"},
              {"organisation", profile->code},
              {"sessionId", "GEN-" + std::to_string(n)},
              {"type", supervisees > 1 ? "group" : "one-to-one"},
              {"status", "held"},
              {"scheduledFor", "2026-11-20T10:00:00Z"},
              {"heldAt", "2026-11-20T10:05:00Z"},
              {"durationMinutes", 90},
              {"supervisor", Staff("SUP")},
              {"supervisees", json::array()},
              {"template", tmpl_name},
              {"cases", json::array()},
              {"signatures", json::array()}};
    for (int i = 0; i < supervisees; ++i) r["supervisees"].push_back(Staff("SV" + std::to_string(i)));
    int cases = static_cast<int>(Pick(4));
    int action_id = 0;
    for (int ci = 0; ci < cases; ++ci) {
      json cs = {{"caseRef", "C" + std::to_string(ci)},
                 {"subject", {{"kind", "child"}, {"nhsNumber", "9434765919"}}},
                 {"discussion", json::object()},
                 {"actions", json::array()}};
      for (const auto& f : tmpl->fields) {
        if (Pick(4) == 0) continue;
        cs["discussion"][f.key] = Pick(5) == 0 ? json(nullptr) : json(Confidential());
      }
      int actions = static_cast<int>(Pick(4));
      for (int a = 0; a < actions; ++a) {
        cs["actions"].push_back({{"id", "A" + std::to_string(action_id++)},
                                 {"what", PlanText()},
                                 {"owner", Staff("OWN" + std::to_string(a))},
                                 {"due", "2026-12-0" + std::to_string(1 + a)}});
      }
      r["cases"].push_back(cs);
    }
    if (Pick(2)) {
      json p = {{"support", Confidential()}, {"development", Confidential()},
                {"wellbeing", nullptr}, {"competenceConcern", Confidential()}};
      if (supervisees > 1) p["about"] = "SV1";
      r["practitioner"] = p;
    }
    if (Pick(2)) r["signatures"].push_back({{"by", "SUP"}, {"role", "supervisor"}, {"at", "2026-11-20T11:00:00Z"}});
    return r;
  }

  const std::vector<std::string>& confidential_texts() const { return confidential_; }

 private:
  std::size_t Pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  static json Staff(const std::string& id) { return {{"id", id}, {"name", "Name " + id}, {"role", "Nurse"}}; }
  std::string Confidential() {
    std::string s = "CANARY-gen-" + std::to_string(confidential_.size()) + "-x";
    for (int w = 0, n = 3 + static_cast<int>(Pick(12)); w < n; ++w) s += " c" + std::to_string(Pick(50));
    confidential_.push_back(s.substr(0, s.find(' ')));
    return s;
  }
  std::string PlanText() {
    std::string s = "Plan";
    for (int w = 0, n = 2 + static_cast<int>(Pick(8)); w < n; ++w) s += " p" + std::to_string(Pick(50));
    return s;
  }
  std::mt19937 rng_;
  std::vector<std::string> confidential_;
};

void LeafPointers(const json& v, const std::string& ptr, std::vector<std::string>* out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) LeafPointers(it.value(), ptr + "/" + it.key(), out);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) LeafPointers(v[i], ptr + "/" + std::to_string(i), out);
  } else {
    out->push_back(ptr);
  }
}

TEST(SeparationPropertyTest, EveryFieldLandsInExactlyOneHomeAndNoConfidentialTextInEhr) {
  SessionGenerator gen(20261123);
  for (int n = 0; n < 400; ++n) {
    json record = gen.Next(n);
    SessionParse p = ParseSession(record.dump(), BuiltInCatalog());
    ASSERT_TRUE(p.ok) << record.dump() << "\n" << (p.errors.empty() ? "" : p.errors[0].ToString());
    auto s = Separate(p.session, p.document, BuiltInCatalog());
    ASSERT_TRUE(s.ok()) << s.status().ToString();

    std::vector<std::string> input;
    LeafPointers(p.document, "", &input);
    std::multiset<std::string> routed;
    for (const auto& r : s->routes) routed.insert(r.pointer);
    ASSERT_EQ(routed.size(), input.size());
    for (const auto& ptr : input) {
      ASSERT_EQ(routed.count(ptr), 1u) << ptr;
      int homes = 0;
      for (const json* h : {&s->ehr, &s->confidential, &s->practitioner, &s->register_entry}) {
        if (h->contains(json::json_pointer(ptr))) {
          ++homes;
          EXPECT_EQ(h->at(json::json_pointer(ptr)), p.document.at(json::json_pointer(ptr)));
        }
      }
      ASSERT_EQ(homes, 1) << ptr;
    }
    std::string ehr = EhrText(*s);
    ASSERT_EQ(ehr.find("CANARY"), std::string::npos) << ehr;
  }
  EXPECT_GT(gen.confidential_texts().size(), 1000u);
}

}  // namespace
}  // namespace sa::mappings
