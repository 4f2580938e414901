#include "mappings/session_parser.h"

#include <map>
#include <set>

#include "mappings/formats.h"

namespace sa::mappings {

using nlohmann::json;

namespace {

const std::vector<std::string> kTypes = {"one-to-one", "group",          "peer",
                                         "ad-hoc",     "urgent",         "case-conference-pre",
                                         "case-conference-post"};
const std::vector<std::string> kStatuses = {"held", "cancelled", "did-not-attend"};
const std::vector<std::string> kSubjectKinds = {"child", "adult-at-risk"};
const std::vector<std::string> kSignerRoles = {"supervisor", "supervisee", "attendee"};
constexpr int kMaxDurationMinutes = 24 * 60;

class Validator {
 public:
  Validator(const json& doc, const Catalog& catalog) : doc_(doc), catalog_(catalog) {}

  SessionParse Run() {
    ObjectReader r(doc_, "", &errors_);
    Session& s = session_;
    if (auto schema = r.String("schema", Presence::kRequired)) {
      if (*schema != kSessionSchema) r.Enum("schema", Presence::kRequired, {std::string(kSessionSchema)});
      s.schema = *schema;
    }
    if (auto org = r.String("organisation", Presence::kRequired)) {
      s.organisation = *org;
      profile_ = catalog_.FindProfile(*org);
      if (!profile_) errors_.Add("/organisation", "not a configured policy profile");
    }
    s.session_id = r.String("sessionId", Presence::kRequired).value_or("");
    if (!s.session_id.empty() && !LooksLikeId(s.session_id)) {
      errors_.Add("/sessionId", "must be 1-64 characters of letters, digits, '-', '_', '.' or ':'");
    }
    s.type = r.Enum("type", Presence::kRequired, kTypes).value_or("");
    s.status = r.Enum("status", Presence::kRequired, kStatuses).value_or("");
    if (auto t = Time(r, "scheduledFor", Presence::kRequired)) s.scheduled_for = *t;
    s.held_at = Time(r, "heldAt", Presence::kOptional);
    if (auto d = r.Int("durationMinutes", Presence::kOptional, 1, kMaxDurationMinutes)) {
      s.duration_minutes = static_cast<int>(*d);
    }
    s.rebooked_to = Time(r, "rebookedTo", Presence::kOptional);
    s.requested_at = Time(r, "requestedAt", Presence::kOptional);

    if (const json* sup = r.Object("supervisor", Presence::kRequired)) {
      s.supervisor = ReadStaff(*sup, "/supervisor");
    }
    if (const json* list = r.Array("supervisees", Presence::kRequired)) {
      if (list->empty()) errors_.Add("/supervisees", "must name at least one supervisee");
      for (std::size_t i = 0; i < list->size(); ++i) {
        s.supervisees.push_back(ReadStaff((*list)[i], "/supervisees/" + std::to_string(i)));
      }
    }
    if (auto t = r.String("template", Presence::kRequired)) {
      s.template_name = *t;
      template_ = catalog_.FindTemplate(*t);
      if (!template_) {
        errors_.Add("/template", "not a known template");
      } else if (profile_ && !profile_->AllowsTemplate(*t)) {
        errors_.Add("/template", "not a template the organisation's profile allows (" +
                                     profile_->templates_cite + ")");
      }
    }
    const json* cases = r.Array("cases", Presence::kOptional);
    if (cases) {
      for (std::size_t i = 0; i < cases->size(); ++i) ReadCase((*cases)[i], i);
    }
    if (const json* p = r.Object("practitioner", Presence::kOptional)) ReadPractitioner(*p);
    if (const json* sigs = r.Array("signatures", Presence::kOptional)) {
      for (std::size_t i = 0; i < sigs->size(); ++i) ReadSignature((*sigs)[i], i);
    }
    r.RejectUnknown();
    if (r.is_object()) CrossChecks(r, r.Has("cases"));

    SessionParse out;
    out.errors = errors_.list();
    out.ok = errors_.empty();
    if (out.ok) out.session = std::move(session_);
    return out;
  }

 private:
  static bool LooksLikeId(const std::string& id) {
    if (id.empty() || id.size() > 64) return false;
    for (unsigned char c : id) {
      if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
    }
    return true;
  }

  std::optional<std::string> Time(ObjectReader& r, const std::string& key, Presence p) {
    auto v = r.String(key, p);
    if (v && !ParseRfc3339(*v)) {
      errors_.Add(r.Ptr(key), "must be an RFC 3339 date-time, e.g. 2026-11-20T10:05:00Z");
      return std::nullopt;
    }
    return v;
  }

  Staff ReadStaff(const json& v, const std::string& ptr) {
    ObjectReader r(v, ptr, &errors_);
    Staff st;
    st.id = r.String("id", Presence::kRequired).value_or("");
    if (!st.id.empty() && !LooksLikeId(st.id)) {
      errors_.Add(r.Ptr("id"), "must be 1-64 characters of letters, digits, '-', '_', '.' or ':'");
    }
    st.name = r.String("name", Presence::kRequired).value_or("");
    st.role = r.String("role", Presence::kRequired).value_or("");
    st.nmc = r.String("nmc", Presence::kOptional);
    st.gmc = r.String("gmc", Presence::kOptional);
    st.hcpc = r.String("hcpc", Presence::kOptional);
    r.RejectUnknown();
    return st;
  }

  void ReadCase(const json& v, std::size_t i) {
    std::string ptr = "/cases/" + std::to_string(i);
    ObjectReader r(v, ptr, &errors_);
    Case c;
    c.case_ref = r.String("caseRef", Presence::kRequired).value_or("");
    if (!c.case_ref.empty()) {
      if (!LooksLikeId(c.case_ref)) {
        errors_.Add(r.Ptr("caseRef"), "must be 1-64 characters of letters, digits, '-', '_', '.' or ':'");
      } else if (!case_refs_.emplace(c.case_ref, r.Ptr("caseRef")).second) {
        errors_.Add(r.Ptr("caseRef"), "duplicate caseRef (first at " + case_refs_[c.case_ref] + ")");
      }
    }
    if (const json* subj = r.Object("subject", Presence::kRequired)) ReadSubject(*subj, ptr + "/subject", &c.subject);
    c.on_child_protection_plan = r.Bool("onChildProtectionPlan", Presence::kOptional).value_or(false);
    if (c.on_child_protection_plan && c.subject.kind == "adult-at-risk") {
      errors_.Add(r.Ptr("onChildProtectionPlan"), "only a child can be on a child protection plan");
    }
    if (const json* d = r.Object("discussion", Presence::kOptional)) ReadDiscussion(*d, ptr + "/discussion", &c);
    if (const json* actions = r.Array("actions", Presence::kOptional)) {
      for (std::size_t a = 0; a < actions->size(); ++a) {
        c.actions.push_back(ReadAction((*actions)[a], ptr + "/actions/" + std::to_string(a)));
      }
    }
    r.RejectUnknown();
    session_.cases.push_back(std::move(c));
  }

  void ReadSubject(const json& v, const std::string& ptr, Subject* s) {
    ObjectReader r(v, ptr, &errors_);
    s->kind = r.Enum("kind", Presence::kRequired, kSubjectKinds).value_or("");
    if (auto nhs = r.String("nhsNumber", Presence::kRequired)) {
      if (!IsValidNhsNumber(*nhs)) {
        errors_.Add(r.Ptr("nhsNumber"), "must be a valid NHS number (10 digits, Modulus 11 check digit)");
      }
      s->nhs_number = *nhs;
    }
    if (const json* name = r.Object("name", Presence::kOptional)) {
      ObjectReader n(*name, r.Ptr("name"), &errors_);
      s->given = n.String("given", Presence::kOptional);
      s->family = n.String("family", Presence::kOptional);
      n.RejectUnknown();
    }
    if (auto bd = r.String("birthDate", Presence::kOptional)) {
      if (!IsValidDate(*bd)) errors_.Add(r.Ptr("birthDate"), "must be a date YYYY-MM-DD");
      s->birth_date = bd;
    }
    if (const json* ids = r.Array("identifiers", Presence::kOptional)) {
      for (std::size_t i = 0; i < ids->size(); ++i) {
        ObjectReader id((*ids)[i], r.Ptr("identifiers") + "/" + std::to_string(i), &errors_);
        LocalIdentifier li;
        li.system = id.String("system", Presence::kRequired).value_or("");
        li.value = id.String("value", Presence::kRequired).value_or("");
        id.RejectUnknown();
        s->identifiers.push_back(std::move(li));
      }
    }
    r.RejectUnknown();
  }

  void ReadDiscussion(const json& v, const std::string& ptr, Case* c) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& key = it.key();
      std::string kptr = ptr + "/" + EscapePointerToken(key);
      if (!LooksLikeFieldName(key)) {
        errors_.Add(ptr, "holds a key that is not a field name (not repeated here)");
        continue;
      }
      if (template_ && !template_->Find(key)) {
        errors_.Add(kptr, "not a key of template '" + template_->name + "'");
      }
      if (!it->is_null() && !it->is_string()) {
        errors_.Add(kptr, "must be a string or null");
        continue;
      }
      c->discussion.push_back({key, it->is_null() ? std::nullopt
                                                  : std::optional<std::string>(it->get<std::string>())});
    }
  }

  Action ReadAction(const json& v, const std::string& ptr) {
    ObjectReader r(v, ptr, &errors_);
    Action a;
    a.id = r.String("id", Presence::kRequired).value_or("");
    if (!a.id.empty()) {
      if (!LooksLikeId(a.id)) {
        errors_.Add(r.Ptr("id"), "must be 1-64 characters of letters, digits, '-', '_', '.' or ':'");
      } else if (!action_ids_.emplace(a.id, r.Ptr("id")).second) {
        errors_.Add(r.Ptr("id"), "duplicate action id (first at " + action_ids_[a.id] + ")");
      }
    }
    // RS-1: what, who and by when, all three.
    a.what = r.String("what", Presence::kRequired).value_or("");
    if (const json* owner = r.Object("owner", Presence::kRequired)) a.owner = ReadStaff(*owner, r.Ptr("owner"));
    if (auto due = r.String("due", Presence::kRequired)) {
      if (!IsValidDate(*due)) errors_.Add(r.Ptr("due"), "must be a date YYYY-MM-DD");
      a.due = *due;
    }
    r.RejectUnknown();
    return a;
  }

  void ReadPractitioner(const json& v) {
    ObjectReader r(v, "/practitioner", &errors_);
    PractitionerNotes& p = session_.practitioner;
    p.about = r.String("about", Presence::kOptional);
    p.support = r.String("support", Presence::kOptional, true);
    p.development = r.String("development", Presence::kOptional, true);
    p.wellbeing = r.String("wellbeing", Presence::kOptional, true);
    p.competence_concern = r.String("competenceConcern", Presence::kOptional, true);
    r.RejectUnknown();
  }

  void ReadSignature(const json& v, std::size_t i) {
    std::string ptr = "/signatures/" + std::to_string(i);
    ObjectReader r(v, ptr, &errors_);
    Signature s;
    s.by = r.String("by", Presence::kRequired).value_or("");
    s.role = r.Enum("role", Presence::kRequired, kSignerRoles).value_or("");
    if (auto at = Time(r, "at", Presence::kRequired)) {
      s.at = *at;
      s.at_epoch = *ParseRfc3339(*at);
    }
    r.RejectUnknown();
    signature_ptrs_.push_back(ptr);
    session_.signatures.push_back(std::move(s));
  }

  // Checks that need more than one field.
  void CrossChecks(ObjectReader& r, bool has_cases_member) {
    Session& s = session_;
    bool held = s.status == "held";
    if (!s.status.empty() && !held) {
      if (!s.cases.empty()) errors_.Add("/cases", "a " + s.status + " session has no cases");
      if (s.held_at) errors_.Add("/heldAt", "a " + s.status + " session was not held");
      if (s.duration_minutes) errors_.Add("/durationMinutes", "a " + s.status + " session has no duration");
      if (!s.practitioner.empty()) errors_.Add("/practitioner", "a " + s.status + " session has no practitioner notes");
    }
    if (held) {
      if (!r.Has("heldAt")) errors_.Add("/heldAt", "required for a held session");
      if (!r.Has("durationMinutes")) errors_.Add("/durationMinutes", "required for a held session");
      if (!has_cases_member) errors_.Add("/cases", "required for a held session (may be empty)");
      if (s.rebooked_to) errors_.Add("/rebookedTo", "only a cancelled or missed session is rebooked");
    }
    if (s.requested_at && s.held_at && *ParseRfc3339(*s.requested_at) > *ParseRfc3339(*s.held_at)) {
      errors_.Add("/requestedAt", "must not be after heldAt");
    }
    if (s.type == "group" && s.supervisees.size() < 2) {
      errors_.Add("/supervisees", "a group session needs at least 2 supervisees");
    }
    std::map<std::string, std::string> people;  // id -> pointer
    if (!s.supervisor.id.empty()) people[s.supervisor.id] = "/supervisor/id";
    for (std::size_t i = 0; i < s.supervisees.size(); ++i) {
      const std::string& id = s.supervisees[i].id;
      if (id.empty()) continue;
      std::string ptr = "/supervisees/" + std::to_string(i) + "/id";
      if (people.count(id)) {
        errors_.Add(ptr, "the same person appears twice in the session (first at " + people[id] + ")");
      } else {
        people[id] = ptr;
      }
    }
    std::set<std::string> signed_by;
    for (std::size_t i = 0; i < s.signatures.size(); ++i) {
      const Signature& sig = s.signatures[i];
      const std::string& ptr = signature_ptrs_[i];
      if (sig.by.empty()) continue;
      if (!people.count(sig.by)) {
        errors_.Add(ptr + "/by", "not a person in this session");
        continue;
      }
      if (sig.role == "supervisor" && sig.by != s.supervisor.id) {
        errors_.Add(ptr + "/role", "only the session's supervisor signs as supervisor");
      }
      if (sig.role == "supervisee" && sig.by == s.supervisor.id) {
        errors_.Add(ptr + "/role", "the supervisor does not sign as a supervisee");
      }
      if (!signed_by.insert(sig.by).second) errors_.Add(ptr + "/by", "has already signed this session");
    }
    const PractitionerNotes& p = s.practitioner;
    if (p.about) {
      bool supervisee = false;
      for (const auto& st : s.supervisees) supervisee |= st.id == *p.about;
      if (!supervisee) errors_.Add("/practitioner/about", "not a supervisee of this session");
    } else if (!p.empty() && s.supervisees.size() > 1) {
      // RS-7: in a group, notes about one member must say whose they are, or
      // they would be filed where other members could read them.
      errors_.Add("/practitioner/about", "required when a session has several supervisees");
    }
  }

  const json& doc_;
  const Catalog& catalog_;
  const Profile* profile_ = nullptr;
  const Template* template_ = nullptr;
  FieldErrors errors_;
  Session session_;
  std::map<std::string, std::string> case_refs_, action_ids_;
  std::vector<std::string> signature_ptrs_;
};

}  // namespace

bool Session::IsParticipant(const std::string& staff_id) const {
  if (supervisor.id == staff_id) return true;
  for (const auto& s : supervisees) {
    if (s.id == staff_id) return true;
  }
  return false;
}

SessionParse ValidateSession(json document, const Catalog& catalog) {
  SessionParse out = Validator(document, catalog).Run();
  out.document = std::move(document);
  return out;
}

SessionParse ParseSession(std::string_view text, const Catalog& catalog, const JsonLimits& limits) {
  json doc;
  JsonParseError err;
  if (!ParseStrictJson(text, limits, &doc, &err)) {
    SessionParse out;
    out.errors.push_back({err.pointer, err.reason});
    return out;
  }
  return ValidateSession(std::move(doc), catalog);
}

}  // namespace sa::mappings
