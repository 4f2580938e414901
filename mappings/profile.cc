#include "mappings/profile.h"

#include <algorithm>

#include "mappings/json_reader.h"

namespace sa::mappings {

using nlohmann::json;

namespace {

constexpr int kMaxDays = 3660;
constexpr int kMaxMinutes = 24 * 60;

// A figure the policy may leave unset: the key must be present (so every
// profile states it explicitly, beside its cite), and null means "no figure".
std::optional<int> OptInt(ObjectReader& r, const std::string& key, int min, int max) {
  auto v = r.Int(key, Presence::kNullable, min, max);
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

// Every rule object must exist (even if its figures are null) and cite a clause.
std::string Cite(ObjectReader& r) { return r.String("cite", Presence::kRequired).value_or(""); }

void CheckVocabulary(const std::vector<std::string>& values, const std::vector<std::string>& known,
                     const std::string& pointer, FieldErrors* errors) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::find(known.begin(), known.end(), values[i]) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      errors->Add(pointer + "/" + std::to_string(i), "must be one of: " + list);
    }
  }
}

ReaderRule ReadReaders(ObjectReader& access, const std::string& key, FieldErrors* errors) {
  ReaderRule rule;
  const json* o = access.Object(key, Presence::kRequired);
  if (!o) return rule;
  ObjectReader r(*o, access.Ptr(key), errors);
  rule.readers = r.StringList("readers", Presence::kRequired).value_or(std::vector<std::string>{});
  CheckVocabulary(rule.readers, KnownReaders(), r.Ptr("readers"), errors);
  rule.cite = Cite(r);
  r.RejectUnknown();
  return rule;
}

}  // namespace

const std::vector<std::string>& KnownDisclosureGrounds() {
  static const std::vector<std::string> k = {"practice-review", "court-order", "child-protection",
                                             "complaint",       "audit",       "investigation",
                                             "court-proceedings"};
  return k;
}

const std::vector<std::string>& KnownReaders() {
  static const std::vector<std::string> k = {
      "supervisor",   "supervisee",         "group-members", "safeguarding-team",
      "named-managers", "practitioner",     "named-line-manager", "auditor", "hr"};
  return k;
}

const DisclosureGround* Profile::FindGround(const std::string& ground) const {
  for (const auto& g : grounds) {
    if (g.ground == ground) return &g;
  }
  return nullptr;
}

bool Profile::AllowsTemplate(const std::string& name) const {
  return std::find(templates_allowed.begin(), templates_allowed.end(), name) !=
         templates_allowed.end();
}

StatusOr<Profile> ParseProfile(const json& doc, const std::string& origin) {
  FieldErrors errors;
  ObjectReader r(doc, "", &errors);
  Profile p;
  r.Enum("schema", Presence::kRequired, {"supervision-profile/1"});
  p.code = r.String("code", Presence::kRequired).value_or("");
  if (!p.code.empty() && !LooksLikeFieldName(p.code)) {
    errors.Add("/code", "must be a short code of letters, digits, '-' or '_'");
  }
  p.name = r.String("name", Presence::kRequired).value_or("");
  p.source = r.String("source", Presence::kRequired).value_or("");

  if (const json* o = r.Object("templates", Presence::kRequired)) {
    ObjectReader t(*o, "/templates", &errors);
    p.templates_allowed = t.StringList("allowed", Presence::kRequired).value_or(std::vector<std::string>{});
    if (p.templates_allowed.empty() && t.Has("allowed")) errors.Add("/templates/allowed", "must name at least one template");
    p.templates_cite = Cite(t);
    t.RejectUnknown();
  }

  if (const json* o = r.Object("frequency", Presence::kRequired)) {
    ObjectReader f(*o, "/frequency", &errors);
    if (const json* rules = f.Array("rules", Presence::kRequired)) {
      for (std::size_t i = 0; i < rules->size(); ++i) {
        ObjectReader fr((*rules)[i], "/frequency/rules/" + std::to_string(i), &errors);
        FrequencyRule rule;
        rule.staff_group = fr.String("staffGroup", Presence::kRequired).value_or("");
        rule.max_gap_days = OptInt(fr, "maxGapDays", 1, kMaxDays);
        rule.min_sessions_per_12_months = OptInt(fr, "minSessionsPer12Months", 1, 366);
        rule.per_agreement = fr.Bool("perAgreement", Presence::kRequired).value_or(false);
        rule.cite = Cite(fr);
        fr.RejectUnknown();
        p.frequency.push_back(std::move(rule));
      }
    }
    f.RejectUnknown();
  }

  if (const json* o = r.Object("sessionLength", Presence::kRequired)) {
    ObjectReader s(*o, "/sessionLength", &errors);
    p.min_minutes = OptInt(s, "minMinutes", 1, kMaxMinutes);
    p.max_minutes = OptInt(s, "maxMinutes", 1, kMaxMinutes);
    p.length_agreed_in_advance = s.Bool("agreedInAdvance", Presence::kRequired).value_or(false);
    p.length_cite = Cite(s);
    if (p.min_minutes && p.max_minutes && *p.min_minutes > *p.max_minutes) {
      errors.Add("/sessionLength/minMinutes", "must not exceed maxMinutes");
    }
    s.RejectUnknown();
  }

  if (const json* o = r.Object("urgent", Presence::kRequired)) {
    ObjectReader u(*o, "/urgent", &errors);
    p.urgent_within_hours = OptInt(u, "withinHours", 1, 24 * 31);
    p.urgent_cite = Cite(u);
    u.RejectUnknown();
  }

  if (const json* o = r.Object("rebooking", Presence::kRequired)) {
    ObjectReader b(*o, "/rebooking", &errors);
    p.rebook_immediately = b.Bool("immediately", Presence::kRequired).value_or(false);
    p.rebook_within_days = OptInt(b, "withinDays", 0, kMaxDays);
    p.rebook_cite = Cite(b);
    b.RejectUnknown();
  }

  if (const json* o = r.Object("agreement", Presence::kRequired)) {
    ObjectReader a(*o, "/agreement", &errors);
    p.agreement_within_days = OptInt(a, "writtenWithinDays", 1, kMaxDays);
    p.agreement_review_months = OptInt(a, "reviewIntervalMonths", 1, 120);
    p.agreement_cite = Cite(a);
    a.RejectUnknown();
  }

  if (const json* o = r.Object("disclosure", Presence::kRequired)) {
    ObjectReader d(*o, "/disclosure", &errors);
    if (const json* grounds = d.Array("grounds", Presence::kRequired)) {
      for (std::size_t i = 0; i < grounds->size(); ++i) {
        ObjectReader g((*grounds)[i], "/disclosure/grounds/" + std::to_string(i), &errors);
        DisclosureGround dg;
        dg.ground = g.Enum("ground", Presence::kRequired, KnownDisclosureGrounds()).value_or("");
        dg.description = g.String("description", Presence::kRequired).value_or("");
        dg.cite = Cite(g);
        g.RejectUnknown();
        if (!dg.ground.empty() && p.FindGround(dg.ground)) errors.Add(g.Ptr("ground"), "duplicate ground");
        p.grounds.push_back(std::move(dg));
      }
    }
    if (const json* n = d.Object("noticeBeforeRelease", Presence::kRequired)) {
      ObjectReader nr(*n, "/disclosure/noticeBeforeRelease", &errors);
      p.notice_before_release = nr.Bool("required", Presence::kRequired).value_or(true);
      p.notice_cite = Cite(nr);
      nr.RejectUnknown();
    }
    if (const json* u = d.Object("urgentReleaseBeforeNotice", Presence::kRequired)) {
      ObjectReader ur(*u, "/disclosure/urgentReleaseBeforeNotice", &errors);
      p.urgent_release_allowed = ur.Bool("allowed", Presence::kRequired).value_or(false);
      p.urgent_release_grounds = ur.StringList("grounds", Presence::kRequired).value_or(std::vector<std::string>{});
      CheckVocabulary(p.urgent_release_grounds, KnownDisclosureGrounds(), ur.Ptr("grounds"), &errors);
      for (std::size_t i = 0; i < p.urgent_release_grounds.size(); ++i) {
        if (!p.FindGround(p.urgent_release_grounds[i])) {
          errors.Add(ur.Ptr("grounds") + "/" + std::to_string(i), "is not one of this profile's disclosure grounds");
        }
      }
      if (p.urgent_release_allowed && p.urgent_release_grounds.empty()) {
        errors.Add(ur.Ptr("grounds"), "must name the grounds when urgent release is allowed");
      }
      p.urgent_release_cite = Cite(ur);
      ur.RejectUnknown();
    }
    p.approver_role = d.String("approverRole", Presence::kRequired).value_or("");
    p.approver_cite = d.String("approverCite", Presence::kRequired).value_or("");
    d.RejectUnknown();
  }

  if (const json* o = r.Object("access", Presence::kRequired)) {
    ObjectReader a(*o, "/access", &errors);
    p.discussion_access = ReadReaders(a, "discussion", &errors);
    p.practitioner_access = ReadReaders(a, "practitionerRecord", &errors);
    p.register_access = ReadReaders(a, "register", &errors);
    a.RejectUnknown();
  }

  if (const json* o = r.Object("ehr", Presence::kRequired)) {
    ObjectReader e(*o, "/ehr", &errors);
    p.send_before_agreed = e.Bool("sendBeforeAgreed", Presence::kRequired).value_or(false);
    p.create_patient_if_missing = e.Bool("createPatientIfMissing", Presence::kRequired).value_or(false);
    p.ehr_cite = Cite(e);
    e.RejectUnknown();
  }

  r.RejectUnknown();
  if (!errors.empty()) return Status::InvalidArgument(errors.Join(origin + ": "));
  return p;
}

}  // namespace sa::mappings
