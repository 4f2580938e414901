// The supervision session record (contract §1, `supervision-session/1`) as
// typed values, after strict parsing and validation.
#ifndef SA_MAPPINGS_SESSION_H_
#define SA_MAPPINGS_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sa::mappings {

struct Staff {
  std::string id, name, role;
  std::optional<std::string> nmc, gmc, hcpc;  // professional registration numbers
};

struct LocalIdentifier {
  std::string system, value;
};

struct Subject {
  std::string kind;        // "child" or "adult-at-risk"
  std::string nhs_number;  // 10 digits, valid check digit
  std::optional<std::string> given, family, birth_date;
  std::vector<LocalIdentifier> identifiers;
};

struct Action {
  std::string id;    // unique within the session
  std::string what;  // RS-1: what, who, by when are all required
  Staff owner;
  std::string due;   // YYYY-MM-DD
};

struct DiscussionEntry {
  std::string key;
  std::optional<std::string> text;  // null when the key was left blank
};

struct Case {
  std::string case_ref;
  Subject subject;
  bool on_child_protection_plan = false;
  std::vector<DiscussionEntry> discussion;
  std::vector<Action> actions;
};

struct PractitionerNotes {
  std::optional<std::string> about;  // staff id; defaults to the sole supervisee
  std::optional<std::string> support, development, wellbeing, competence_concern;
  bool empty() const { return !support && !development && !wellbeing && !competence_concern; }
};

struct Signature {
  std::string by, role, at;
  std::int64_t at_epoch = 0;
};

struct Session {
  std::string schema, organisation, session_id, type, status;
  std::string scheduled_for;
  std::optional<std::string> held_at;
  std::optional<int> duration_minutes;
  std::optional<std::string> rebooked_to;
  // When urgent supervision was asked for (RFC 3339); the compliance report
  // measures "urgent within N hours" (SGSCB §3.4) from it to held_at.
  std::optional<std::string> requested_at;
  Staff supervisor;
  std::vector<Staff> supervisees;
  std::string template_name;
  std::vector<Case> cases;
  PractitionerNotes practitioner;
  std::vector<Signature> signatures;

  // True for group and peer sessions, whose notes belong to the group (RS-6).
  bool IsGroup() const { return type == "group" || type == "peer"; }
  // True when `staff_id` is the supervisor or one of the supervisees.
  bool IsParticipant(const std::string& staff_id) const;
};

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_SESSION_H_
