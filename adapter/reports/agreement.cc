#include "adapter/reports/agreement.h"

#include <cctype>

#include "adapter/reports/dates.h"

namespace sa::adapter::reports {

using mappings::ObjectReader;
using mappings::Presence;
using nlohmann::json;

namespace {

constexpr char kIdRule[] = "must be 1-64 characters of letters, digits, '-', '_', '.' or ':'";

// The session record's id rule (mappings/session_parser.cc), for staff ids.
bool LooksLikeId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (unsigned char c : id) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  }
  return true;
}

class AgreementReader {
 public:
  AgreementReader(const json& body, mappings::FieldErrors* errors, bool stored)
      : body_(body), errors_(errors), stored_(stored) {}

  Agreement Read(const std::set<std::string>* known_orgs) {
    ObjectReader r(body_, "", errors_);
    Agreement a;
    if (stored_) {
      a.id = r.String("id", Presence::kRequired).value_or("");
      a.created_at = r.String("createdAt", Presence::kRequired).value_or("");
      a.created_by = r.String("createdBy", Presence::kRequired).value_or("");
      a.superseded_by = r.String("supersededBy", Presence::kOptional);
    }
    if (auto org = r.String("organisation", Presence::kRequired)) {
      a.organisation = *org;
      if (known_orgs && !known_orgs->count(*org)) {
        errors_->Add("/organisation", "not a configured policy profile");
      }
    }
    if (const json* v = r.Object("supervisee", Presence::kRequired)) {
      a.supervisee = ReadStaff(*v, "/supervisee");
    }
    if (const json* v = r.Object("supervisor", Presence::kRequired)) {
      a.supervisor = ReadStaff(*v, "/supervisor");
    }
    a.line_managers = ReadStaffList(r, "lineManagers");
    a.named_managers = ReadStaffList(r, "namedManagers");
    if (auto g = r.String("staffGroup", Presence::kOptional)) {
      if (!mappings::LooksLikeFieldName(*g)) {
        errors_->Add("/staffGroup", "must be 1-64 characters of letters, digits, '-' or '_'");
      } else {
        a.staff_group = *g;
      }
    }
    if (const json* f = r.Object("frequency", Presence::kOptional)) {
      ObjectReader fr(*f, "/frequency", errors_);
      if (auto v = fr.Int("maxGapDays", Presence::kOptional, 1, kMaxAgreementGapDays)) {
        a.frequency.max_gap_days = static_cast<int>(*v);
      }
      if (auto v = fr.Int("minSessionsPer12Months", Presence::kOptional, 1,
                          kMaxAgreementSessionsPerYear)) {
        a.frequency.min_sessions_per_12_months = static_cast<int>(*v);
      }
      fr.RejectUnknown();
    }
    if (auto v = r.Int("sessionMinutes", Presence::kOptional, 1, kMaxAgreementSessionMinutes)) {
      a.session_minutes = static_cast<int>(*v);
    }
    a.start_date = Date(r, "startDate", Presence::kRequired).value_or("");
    a.signed_at = Date(r, "signedAt", Presence::kOptional);
    a.review_date = Date(r, "reviewDate", Presence::kOptional);
    r.RejectUnknown();
    if (r.is_object()) CrossChecks(a);
    return a;
  }

 private:
  std::optional<std::string> Date(ObjectReader& r, const std::string& key, Presence p) {
    auto v = r.String(key, p);
    if (v && !DateToDays(*v)) {
      errors_->Add(r.Ptr(key), "must be a date YYYY-MM-DD");
      return std::nullopt;
    }
    return v;
  }

  Staff ReadStaff(const json& v, const std::string& ptr) {
    ObjectReader r(v, ptr, errors_);
    Staff s;
    s.id = r.String("id", Presence::kRequired).value_or("");
    if (!s.id.empty() && !LooksLikeId(s.id)) errors_->Add(r.Ptr("id"), kIdRule);
    s.name = r.String("name", Presence::kRequired).value_or("");
    s.role = r.String("role", Presence::kRequired).value_or("");
    r.RejectUnknown();
    return s;
  }

  std::vector<Staff> ReadStaffList(ObjectReader& r, const std::string& key) {
    std::vector<Staff> out;
    const json* list = r.Array(key, Presence::kOptional);
    if (!list) return out;
    if (list->size() > kMaxAgreementManagers) {
      errors_->Add(r.Ptr(key), "must name at most " + std::to_string(kMaxAgreementManagers));
      return out;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      out.push_back(ReadStaff((*list)[i], r.Ptr(key) + "/" + std::to_string(i)));
    }
    return out;
  }

  void CrossChecks(const Agreement& a) {
    if (!a.supervisee.id.empty() && a.supervisee.id == a.supervisor.id) {
      errors_->Add("/supervisor/id", "must not be the supervisee");
    }
    auto start = DateToDays(a.start_date);
    if (start && a.review_date && *DateToDays(*a.review_date) < *start) {
      errors_->Add("/reviewDate", "must not be before startDate");
    }
    for (const auto& [list, key] : {std::pair{&a.line_managers, "/lineManagers/"},
                                    std::pair{&a.named_managers, "/namedManagers/"}}) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (!(*list)[i].id.empty() && (*list)[i].id == a.supervisee.id) {
          errors_->Add(key + std::to_string(i) + "/id", "must not be the supervisee");
        }
      }
    }
  }

  const json& body_;
  mappings::FieldErrors* errors_;
  bool stored_;
};

json OptionalJson(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json OptionalJson(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

StatusOr<Agreement> ParseAgreement(const json& body, const std::set<std::string>& known_orgs,
                                   mappings::FieldErrors* errors) {
  mappings::FieldErrors local;
  if (!errors) errors = &local;
  const std::size_t before = errors->size();
  Agreement a;
  try {
    a = AgreementReader(body, errors, /*stored=*/false).Read(&known_orgs);
  } catch (const json::exception&) {
    errors->Add("", "could not be read as an agreement");
  }
  if (errors->size() != before) return Status::InvalidArgument(errors->Join());
  return a;
}

json AgreementToJson(const Agreement& a) {
  json managers = json::array(), named = json::array();
  for (const auto& m : a.line_managers) managers.push_back(StaffToJson(m));
  for (const auto& m : a.named_managers) named.push_back(StaffToJson(m));
  return {{"id", a.id},
          {"organisation", a.organisation},
          {"supervisee", StaffToJson(a.supervisee)},
          {"supervisor", StaffToJson(a.supervisor)},
          {"lineManagers", managers},
          {"namedManagers", named},
          {"staffGroup", a.staff_group},
          {"frequency",
           {{"maxGapDays", OptionalJson(a.frequency.max_gap_days)},
            {"minSessionsPer12Months", OptionalJson(a.frequency.min_sessions_per_12_months)}}},
          {"sessionMinutes", OptionalJson(a.session_minutes)},
          {"startDate", a.start_date},
          {"signedAt", OptionalJson(a.signed_at)},
          {"reviewDate", OptionalJson(a.review_date)},
          {"createdAt", a.created_at},
          {"createdBy", a.created_by},
          {"supersededBy", OptionalJson(a.superseded_by)}};
}

StatusOr<Agreement> AgreementFromStoredJson(const json& stored) {
  mappings::FieldErrors errors;
  Agreement a;
  try {
    a = AgreementReader(stored, &errors, /*stored=*/true).Read(nullptr);
  } catch (const json::exception&) {
    return Status::Internal("stored agreement could not be read");
  }
  if (!errors.empty()) return Status::Internal("stored agreement is malformed: " + errors.Join());
  return a;
}

}  // namespace sa::adapter::reports
