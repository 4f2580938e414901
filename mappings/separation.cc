#include "mappings/separation.h"

#include <algorithm>
#include <set>

#include "mappings/field_table.h"
#include "mappings/leak_guard.h"
#include "mappings/strict_json.h"

namespace sa::mappings {

using nlohmann::json;

namespace {

constexpr const char* kAgreementCite = "SGSCB §4; CALDERDALE app. A";

// Collects every leaf (scalar or null) with its pointer, in document order.
// Empty objects and arrays hold no content and produce no leaf.
void Leaves(const json& v, const std::string& ptr,
            std::vector<std::pair<std::string, const json*>>* out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      Leaves(it.value(), ptr + "/" + EscapePointerToken(it.key()), out);
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) Leaves(v[i], ptr + "/" + std::to_string(i), out);
  } else {
    out->emplace_back(ptr, &v);
  }
}

json& HomeDoc(Separation& s, Home h) {
  switch (h) {
    case Home::kEhr: return s.ehr;
    case Home::kConfidential: return s.confidential;
    case Home::kPractitioner: return s.practitioner;
    case Home::kRegister: return s.register_entry;
  }
  return s.register_entry;
}

Agreement AgreementOf(const Session& session) {
  Agreement a;
  a.cite = kAgreementCite;
  if (session.status != "held") {
    a.applicable = false;
    return a;
  }
  // RS-8: the supervisor and every supervisee (all attendees of a group).
  std::vector<std::string> required = {session.supervisor.id};
  for (const auto& s : session.supervisees) required.push_back(s.id);
  std::int64_t last = 0;
  for (const auto& id : required) {
    auto it = std::find_if(session.signatures.begin(), session.signatures.end(),
                           [&](const Signature& s) { return s.by == id; });
    if (it == session.signatures.end()) {
      a.awaiting.push_back(id);
    } else if (it->at_epoch >= last) {
      last = it->at_epoch;
      a.agreed_at = it->at;
    }
  }
  a.agreed = a.awaiting.empty();
  if (!a.agreed) a.agreed_at.reset();
  return a;
}

std::string HoldReason(const LeakFinding& f) {
  return "repeats " + std::to_string(f.words) + " or more consecutive words of " +
         f.source_pointer + " (leak guard, RS-2, EPUT §3.3.4); held for review, not sent";
}

}  // namespace

std::vector<LeakSource> ConfidentialSources(const Separation& s) {
  std::vector<LeakSource> out;
  for (const auto& r : s.routes) {
    if (!r.free_text || (r.home != Home::kConfidential && r.home != Home::kPractitioner)) continue;
    const json& doc = r.home == Home::kConfidential ? s.confidential : s.practitioner;
    const json& v = doc.at(json::json_pointer(r.pointer));
    if (v.is_string()) out.push_back({r.pointer, v.get<std::string>()});
  }
  return out;
}

bool CasePlan::HasActionsToSend() const {
  return !whole_case_held && ehr.contains("actions") && !ehr["actions"].empty();
}

StatusOr<Separation> Separate(const Session& session, const json& document, const Catalog& catalog) {
  Separation out;
  out.ehr = out.confidential = out.practitioner = out.register_entry = json::object();
  const Template* tmpl = catalog.FindTemplate(session.template_name);
  const Profile* profile = catalog.FindProfile(session.organisation);
  if (!tmpl || !profile) return Status::InvalidArgument("session was not validated against this catalog");

  std::vector<std::pair<std::string, const json*>> leaves;
  Leaves(document, "", &leaves);
  for (const auto& [ptr, value] : leaves) {
    std::vector<std::string> tokens = SplitPointer(ptr);
    const FieldRule* rule = catalog.fields().Match(tokens);
    // Fail closed: no rule, no home.
    if (!rule) return Status::InvalidArgument(ptr + ": no home is defined for this field");
    RoutedField routed{ptr, Home::kRegister, rule->rule, rule->cite, rule->why, value->is_null(), rule->free_text};
    if (rule->home) {
      routed.home = *rule->home;
    } else {
      const TemplateField* field = tmpl->Find(tokens.back());
      if (!field) {
        return Status::InvalidArgument(ptr + ": template '" + tmpl->name + "' does not classify this field");
      }
      routed.home = field->home;
      routed.cite = rule->cite + "; " + field->cite;
      routed.why = "discussion form: " + field->label;
    }
    HomeDoc(out, routed.home)[json::json_pointer(ptr)] = *value;
    out.routes.push_back(std::move(routed));
  }

  const PractitionerNotes& notes = session.practitioner;
  if (notes.about) {
    out.practitioner_about = notes.about;
  } else if (!notes.empty() && session.supervisees.size() == 1) {
    out.practitioner_about = session.supervisees[0].id;
  }

  out.agreement = AgreementOf(session);
  if (!out.agreement.applicable) {
    out.release_reason = "a " + session.status + " session has no plan";
  } else if (out.agreement.agreed) {
    out.release_to_ehr = true;
    out.release_reason = "agreed: every party has signed (RS-8, " + std::string(kAgreementCite) + ")";
  } else if (profile->send_before_agreed) {
    out.release_to_ehr = true;
    out.release_reason = "not yet agreed, but profile " + profile->code +
                         " sends plans before agreement (" + profile->ehr_cite + ")";
  } else {
    out.release_reason = "awaiting signatures; profile " + profile->code +
                         " sends plans only once agreed (RS-8, " + profile->ehr_cite + ")";
  }

  // Built after every field is routed: nothing below changes the sources.
  out.leak_guard = std::make_shared<const LeakGuard>(ConfidentialSources(out));
  const LeakGuard& guard = *out.leak_guard;
  for (std::size_t i = 0; i < session.cases.size(); ++i) {
    std::string case_ptr = "/cases/" + std::to_string(i);
    CasePlan plan;
    plan.case_ref = session.cases[i].case_ref;
    plan.ehr = out.ehr["cases"][i];
    plan.confidential = out.confidential.contains("cases") && out.confidential["cases"].size() > i &&
                                !out.confidential["cases"][i].is_null()
                            ? out.confidential["cases"][i]
                            : json::object();
    json kept = json::array();
    if (plan.ehr.contains("actions")) {
      const json& actions = plan.ehr["actions"];
      for (std::size_t a = 0; a < actions.size(); ++a) {
        if (auto f = guard.CheckJson(actions[a])) {
          plan.held.push_back({case_ptr + "/actions/" + std::to_string(a), HoldReason(*f)});
        } else {
          kept.push_back(actions[a]);
        }
      }
      plan.ehr["actions"] = std::move(kept);
    }
    json rest = plan.ehr;
    rest.erase("actions");
    if (auto f = guard.CheckJson(rest)) {
      plan.whole_case_held = true;
      plan.held.push_back({case_ptr, "the case's EHR fields " + HoldReason(*f)});
    }
    out.cases.push_back(std::move(plan));
  }
  return out;
}

}  // namespace sa::mappings
