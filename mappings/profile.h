// Policy profiles as data (mappings/data/profiles/*.json, or an
// organisation's own file named in the configuration).
//
// One profile per policy: the timing standards the compliance report checks,
// the grounds on which a discussion form may be disclosed, who may read what,
// and whether a plan reaches the EHR before everyone has signed. Every value
// carries the clause it comes from, so an auditor can check it against the
// policy. Adding an organisation means adding a file, not code.
#ifndef SA_MAPPINGS_PROFILE_H_
#define SA_MAPPINGS_PROFILE_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fhir/status.h"

namespace sa::mappings {

struct FrequencyRule {
  std::string staff_group;                       // "all", "mental-health", ...
  std::optional<int> max_gap_days;               // longest allowed gap between sessions
  std::optional<int> min_sessions_per_12_months; // in any rolling 12 months
  bool per_agreement = false;                    // frequency set by the supervision agreement
  std::string cite;
};

struct DisclosureGround {
  std::string ground;  // practice-review, court-order, child-protection, complaint, ...
  std::string description;
  std::string cite;
};

struct ReaderRule {
  std::vector<std::string> readers;  // supervisor, supervisee, group-members, ...
  std::string cite;
};

struct Profile {
  std::string code;    // what a session's `organisation` names
  std::string name;
  std::string source;  // the policy document

  std::vector<std::string> templates_allowed;
  std::string templates_cite;

  std::vector<FrequencyRule> frequency;

  std::optional<int> min_minutes, max_minutes;
  bool length_agreed_in_advance = false;
  std::string length_cite;

  std::optional<int> urgent_within_hours;
  std::string urgent_cite;

  bool rebook_immediately = false;
  std::optional<int> rebook_within_days;
  std::string rebook_cite;

  std::optional<int> agreement_within_days;
  std::optional<int> agreement_review_months;
  std::string agreement_cite;

  std::vector<DisclosureGround> grounds;
  bool notice_before_release = true;
  std::string notice_cite;
  bool urgent_release_allowed = false;
  std::vector<std::string> urgent_release_grounds;
  std::string urgent_release_cite;
  std::string approver_role;
  std::string approver_cite;

  ReaderRule discussion_access, practitioner_access, register_access;

  bool send_before_agreed = false;  // RS-8: default only once agreed
  bool create_patient_if_missing = false;
  std::string ehr_cite;

  // True when the profile lets a disclosure rest on `ground` (RS-4).
  const DisclosureGround* FindGround(const std::string& ground) const;
  // True when staff under this profile may record on template `name`.
  bool AllowsTemplate(const std::string& name) const;
};

// The closed vocabularies profiles may use.
const std::vector<std::string>& KnownDisclosureGrounds();
const std::vector<std::string>& KnownReaders();

// Parses and validates one profile document; errors name `origin` and the key.
StatusOr<Profile> ParseProfile(const nlohmann::json& doc, const std::string& origin);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_PROFILE_H_
