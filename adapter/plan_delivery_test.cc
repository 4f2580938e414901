#include "adapter/plan_delivery.h"

#include <gtest/gtest.h>

#include "adapter/fake_ehr.h"
#include "mappings/separation.h"
#include "mappings/session_parser.h"
#include "mappings/test_support.h"

namespace sa::adapter {
namespace {

using nlohmann::json;
using Kind = DeliveryOutcome::Kind;
using Mode = mappings::FhirMappingOptions::PatientReferenceMode;
using Sequence = std::vector<std::string>;

class PlanDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& catalog = mappings::testing::BuiltInCatalog();
    mappings::SessionParse p =
        mappings::ParseSession(mappings::testing::ValidRecord().dump(), catalog);
    ASSERT_TRUE(p.ok);
    auto sep = mappings::Separate(p.session, p.document, catalog);
    ASSERT_TRUE(sep.ok()) << sep.status().ToString();
    input_ = PlanInputs(p.session, *sep, 1, "2026-11-21T09:00:00Z").at(0);
  }
  DeliveryOutcome Deliver(PlanHistory history, bool create_patient_if_missing = false) {
    return DeliverCasePlan(ehr_.client(), input_, options_, mappings::LeakGuard({}),
                           create_patient_if_missing, history);
  }
  std::string Conditional() const {
    return mappings::PatientConditionalReference(options_, "9434765919");
  }
  // The Patient references of a posted transaction: CarePlan.subject, then each Task.for.
  static std::vector<std::string> PatientRefs(const json& bundle) {
    std::vector<std::string> out;
    for (const auto& e : bundle["entry"]) {
      const json& r = e["resource"];
      if (r["resourceType"] == "CarePlan") out.push_back(r["subject"]["reference"]);
      if (r["resourceType"] == "Task") out.push_back(r["for"]["reference"]);
    }
    return out;
  }

  testing::FakeEhr ehr_;
  mappings::FhirMappingOptions options_;
  mappings::PlanInput input_;
};

TEST_F(PlanDeliveryTest, NothingSentYetIsOneTransactionWithConditionalPatientReferences) {
  DeliveryOutcome out = Deliver(PlanHistory::kNeverSent);
  ASSERT_EQ(out.kind, Kind::kDelivered) << out.reason;
  EXPECT_EQ(out.tasks, 2);
  EXPECT_TRUE(out.patient_id.empty());  // the server resolved it
  EXPECT_EQ(ehr_.Sequence(), Sequence({"POST"}));
  const json bundle = ehr_.Transactions().at(0);
  EXPECT_EQ(PatientRefs(bundle), Sequence(3, Conditional()));  // CarePlan.subject, 2 × Task.for
  for (const auto& e : bundle["entry"]) {
    if (e["resource"]["resourceType"] == "CarePlan") {
      EXPECT_EQ(e["resource"]["subject"]["identifier"]["value"],
                "9434765919");  // beside it, as before
    }
  }
}

TEST_F(PlanDeliveryTest, MaybeSentReadsThePlansTasksFirstAndKeepsWhatCliniciansSet) {
  ehr_.set_tasks(
      json::array({{{"resourceType", "Task"},
                    {"identifier", json::array({{{"system", options_.task_identifier_system},
                                                 {"value", "EPUT/S-2026-0001/A1"}}})},
                    {"status", "completed"}}}));
  DeliveryOutcome out = Deliver(PlanHistory::kMaybeSent);
  ASSERT_EQ(out.kind, Kind::kDelivered) << out.reason;
  EXPECT_EQ(ehr_.Sequence(), Sequence({"GET Task", "POST"}));
  const json bundle = ehr_.Transactions().at(0);
  EXPECT_EQ(PatientRefs(bundle), Sequence(3, Conditional()));
  EXPECT_EQ(bundle["entry"][1]["resource"]["status"], "completed");
}

TEST_F(PlanDeliveryTest, RefusedConditionalTransactionWithNoPatientIsHeld) {
  ehr_.set_patients(0);
  ehr_.RefuseNextTransactions({400});
  DeliveryOutcome out = Deliver(PlanHistory::kNeverSent);
  EXPECT_EQ(out.kind, Kind::kHeld);
  EXPECT_EQ(out.reason,
            "no patient in the EHR has this NHS number; the plan is held until one exists");
  EXPECT_EQ(ehr_.Sequence(), Sequence({"POST", "GET Patient"}));
}

TEST_F(PlanDeliveryTest, RefusedConditionalTransactionWithTwoPatientsIsHeldNeverGuessed) {
  ehr_.set_patients(2);
  ehr_.RefuseNextTransactions({412});
  DeliveryOutcome out = Deliver(PlanHistory::kNeverSent);
  EXPECT_EQ(out.kind, Kind::kHeld);
  EXPECT_EQ(out.reason,
            "2 patients in the EHR have this NHS number; the plan is held, never guessed");
  EXPECT_EQ(ehr_.Sequence(), Sequence({"POST", "GET Patient"}));
}

TEST_F(PlanDeliveryTest,
       RefusedConditionalTransactionWithOnePatientIsSentAgainWithTheLiteralReference) {
  for (int refused : {400, 404, 409, 412, 422}) {
    testing::FakeEhr ehr;
    ehr.RefuseNextTransactions({refused});  // e.g. a server without conditional references
    DeliveryOutcome out = DeliverCasePlan(ehr.client(), input_, options_, mappings::LeakGuard({}),
                                          false, PlanHistory::kNeverSent);
    ASSERT_EQ(out.kind, Kind::kDelivered) << refused << ": " << out.reason;
    EXPECT_EQ(out.patient_id, "pat-1");
    // The refused request was sent, so the literal path reads the Tasks.
    EXPECT_EQ(ehr.Sequence(), Sequence({"POST", "GET Patient", "GET Task", "POST"})) << refused;
    EXPECT_EQ(PatientRefs(ehr.Transactions().at(0)), Sequence(3, Conditional()));
    EXPECT_EQ(PatientRefs(ehr.Transactions().at(1)), Sequence(3, "Patient/pat-1"));
  }
}

TEST_F(PlanDeliveryTest, OnePatientButRefusedAgainReportsTheLiteralAttemptsFailure) {
  ehr_.RefuseNextTransactions({422, 422});
  DeliveryOutcome out = Deliver(PlanHistory::kNeverSent);
  EXPECT_EQ(out.kind, Kind::kFailed);
  EXPECT_EQ(out.reason.rfind("transaction: permanent: HTTP 422", 0), 0u) << out.reason;
  EXPECT_EQ(ehr_.Sequence(), Sequence({"POST", "GET Patient", "GET Task", "POST"}));
}

TEST_F(PlanDeliveryTest, UnavailableOrARefusalTheReferenceCannotExplainMeansNoSearch) {
  ehr_.RefuseNextTransactions({503});
  DeliveryOutcome out = Deliver(PlanHistory::kNeverSent);
  EXPECT_EQ(out.kind, Kind::kRetryLater) << out.reason;
  EXPECT_EQ(ehr_.Sequence(), Sequence({"POST"}));

  testing::FakeEhr forbidden;
  forbidden.RefuseNextTransactions({403});
  out = DeliverCasePlan(forbidden.client(), input_, options_, mappings::LeakGuard({}), false,
                        PlanHistory::kNeverSent);
  EXPECT_EQ(out.kind, Kind::kFailed) << out.reason;
  EXPECT_EQ(forbidden.Sequence(), Sequence({"POST"}));
}

TEST_F(PlanDeliveryTest, SearchOptionIsTodaysSearchTaskReadAndLiteralTransaction) {
  options_.patient_reference = Mode::kSearch;
  DeliveryOutcome out = Deliver(PlanHistory::kMaybeSent);
  ASSERT_EQ(out.kind, Kind::kDelivered) << out.reason;
  EXPECT_EQ(out.patient_id, "pat-1");
  EXPECT_EQ(ehr_.Sequence(), Sequence({"GET Patient", "GET Task", "POST"}));
  EXPECT_EQ(PatientRefs(ehr_.Transactions().at(0)), Sequence(3, "Patient/pat-1"));

  testing::FakeEhr fresh;  // nothing sent yet: the Task read is skipped there too
  out = DeliverCasePlan(fresh.client(), input_, options_, mappings::LeakGuard({}), false,
                        PlanHistory::kNeverSent);
  ASSERT_EQ(out.kind, Kind::kDelivered) << out.reason;
  EXPECT_EQ(fresh.Sequence(), Sequence({"GET Patient", "POST"}));

  testing::FakeEhr none;
  none.set_patients(0);
  out = DeliverCasePlan(none.client(), input_, options_, mappings::LeakGuard({}), false,
                        PlanHistory::kMaybeSent);
  EXPECT_EQ(out.kind, Kind::kHeld);
  EXPECT_EQ(none.Sequence(), Sequence({"GET Patient"}));  // nothing written
}

TEST_F(PlanDeliveryTest, ProfilesThatCreateMissingPatientsSearchFirst) {
  DeliveryOutcome out = Deliver(PlanHistory::kNeverSent, /*create_patient_if_missing=*/true);
  ASSERT_EQ(out.kind, Kind::kDelivered) << out.reason;
  EXPECT_EQ(ehr_.Sequence(), Sequence({"GET Patient", "POST"}));
  EXPECT_EQ(PatientRefs(ehr_.Transactions().at(0)), Sequence(3, "Patient/pat-1"));
}

}  // namespace
}  // namespace sa::adapter
