// The separation engine: routes every field of a validated session to
// exactly one of the four homes, by the field table and the session's
// template (data), and fails closed on any field neither classifies.
//
// Output per case: the EHR plan (the only content that may reach the EHR),
// the confidential discussion; per session: the practitioner record, the
// register entry, the agreement state (RS-8) and whether the plan may be
// released to the EHR now. The leak guard runs over every EHR plan: an action
// that quotes confidential text is held for review, not sent.
#ifndef SA_MAPPINGS_SEPARATION_H_
#define SA_MAPPINGS_SEPARATION_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fhir/status.h"
#include "mappings/catalog.h"
#include "mappings/home.h"
#include "mappings/leak_guard.h"
#include "mappings/session.h"

namespace sa::mappings {

// One leaf of the record and where it went.
struct RoutedField {
  std::string pointer;
  Home home;
  std::string rule;  // RS-n
  std::string cite;  // policy clause(s)
  std::string why;
  bool is_null = false;  // the field was present but empty (null)
  bool free_text = false;  // typed text the leak guard protects
};

// An action (or a whole case plan) kept back from the EHR, and why.
struct Hold {
  std::string pointer;  // the action, or the case when the subject itself leaks
  std::string reason;   // names the confidential field quoted, never the words
};

struct CasePlan {
  std::string case_ref;
  nlohmann::json ehr;           // the case's EHR fields; held actions removed
  nlohmann::json confidential;  // the case's discussion form
  std::vector<Hold> held;
  bool whole_case_held = false;
  // True when this case has at least one action to send.
  bool HasActionsToSend() const;
};

struct Agreement {
  bool applicable = true;               // false for cancelled / did-not-attend
  bool agreed = false;
  std::optional<std::string> agreed_at;  // the last required signature's time
  std::vector<std::string> awaiting;    // staff ids still to sign
  std::string cite;
};

struct Separation {
  std::vector<RoutedField> routes;  // every leaf of the record, in sorted key order
  // The four homes as documents holding exactly the fields routed there.
  nlohmann::json ehr, confidential, practitioner, register_entry;
  std::vector<CasePlan> cases;
  std::optional<std::string> practitioner_about;  // whose practitioner record
  Agreement agreement;
  bool release_to_ehr = false;  // plans may be sent now (profile + agreement)
  std::string release_reason;
  // The leak guard over ConfidentialSources(*this), built once by Separate
  // and shared, so intake checks the plan Bundles without indexing the
  // session's confidential texts a second time. Null in a Separation not
  // made by Separate.
  std::shared_ptr<const LeakGuard> leak_guard;
};

// The session's confidential free texts (discussion and practitioner notes,
// by pointer; not ids such as practitioner.about): what the leak guard checks outgoing text against.
std::vector<LeakSource> ConfidentialSources(const Separation& separation);

// Separates a session that ValidateSession accepted. `document` is its JSON.
// Fails (InvalidArgument, naming the pointer) when a field has no home.
StatusOr<Separation> Separate(const Session& session, const nlohmann::json& document,
                              const Catalog& catalog);

}  // namespace sa::mappings

#endif  // SA_MAPPINGS_SEPARATION_H_
