// Disclosure requests as JSON in (ParseDisclosureRequest) and disclosures
// and notices as JSON out: the outside shapes of the workflow in
// disclosure.cc.
#include <algorithm>
#include <cctype>

#include "adapter/service/disclosure.h"
#include "adapter/service/disclosure_internal.h"
#include "mappings/formats.h"

namespace sa::adapter::service {

using mappings::Presence;
using nlohmann::json;
using namespace disclosure_internal;  // NOLINT(build/namespaces): the shared vocabulary

namespace {

// Session and organisation ids: what the session record allows.
bool LooksLikeId(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

// A reference such as "ZW23/0042" or "LCSPR-2026-7": a code, never prose.
bool LooksLikeReference(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == ':';
  });
}

bool HasControlChars(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

json OptionalJson(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

// ---- parsing --------------------------------------------------------------

StatusOr<DisclosureRequest> ParseDisclosureRequest(const json& body,
                                                   mappings::FieldErrors* errors) {
  mappings::FieldErrors local;
  mappings::FieldErrors& errs = errors ? *errors : local;
  const std::size_t before = errs.size();
  DisclosureRequest req;
  try {
    mappings::ObjectReader r(body, "", &errs);
    for (auto [key, out] :
         {std::pair{"organisation", &req.organisation}, std::pair{"sessionId", &req.session_id}}) {
      *out = r.String(key, Presence::kRequired).value_or("");
      if (!out->empty() && !LooksLikeId(*out)) {
        errs.Add(r.Ptr(key), "must be 1-64 letters, digits, '-', '_', '.' or ':'");
      }
    }
    if (auto records = r.StringList("records", Presence::kRequired)) {
      if (records->empty()) errs.Add("/records", "must name discussion, practitioner or both");
      for (std::size_t i = 0; i < records->size(); ++i) {
        const std::string& k = (*records)[i];
        const std::string ptr = "/records/" + std::to_string(i);
        if (k != kDiscussion && k != kPractitioner) {
          errs.Add(ptr, "must be discussion or practitioner");
        } else if (Contains(req.records, k)) {
          errs.Add(ptr, "appears twice");
        } else {
          req.records.push_back(k);
        }
      }
    }
    if (auto refs = r.StringList("caseRefs", Presence::kOptional)) {
      for (std::size_t i = 0; i < refs->size(); ++i) {
        const std::string& c = (*refs)[i];
        const std::string ptr = "/caseRefs/" + std::to_string(i);
        if (!LooksLikeId(c)) {
          errs.Add(ptr, "must be a case reference (1-64 letters, digits, '-', '_', '.' or ':')");
        } else if (Contains(req.case_refs, c)) {
          errs.Add(ptr, "appears twice");
        } else {
          req.case_refs.push_back(c);
        }
      }
      if (!refs->empty() && !Contains(req.records, kDiscussion)) {
        errs.Add("/caseRefs", "applies only when records include discussion");
      }
    }
    if (const json* q = r.Object("requester", Presence::kRequired)) {
      mappings::ObjectReader rq(*q, "/requester", &errs);
      for (auto [key, out] : {std::pair{"name", &req.requester.name},
                              std::pair{"organisation", &req.requester.organisation},
                              std::pair{"role", &req.requester.role}}) {
        *out = rq.String(key, Presence::kRequired).value_or("");
        if (out->size() > kMaxRequesterFieldBytes || HasControlChars(*out)) {
          errs.Add(rq.Ptr(key), "must be one line of at most " +
                                    std::to_string(kMaxRequesterFieldBytes) + " bytes");
        }
      }
      rq.RejectUnknown();
    }
    req.ground = r.String("ground", Presence::kRequired).value_or("");
    if (!req.ground.empty() && !mappings::LooksLikeFieldName(req.ground)) {
      errs.Add("/ground", "must be a ground code such as court-order");
    }
    req.reference = r.String("reference", Presence::kRequired).value_or("");
    if (!req.reference.empty() && !LooksLikeReference(req.reference)) {
      errs.Add("/reference", "must be 1-64 letters, digits, '-', '_', '.', '/' or ':'");
    }
    req.purpose = r.String("purpose", Presence::kOptional, /*allow_empty=*/true).value_or("");
    if (req.purpose.size() > kMaxPurposeBytes) {
      errs.Add("/purpose", "longer than " + std::to_string(kMaxPurposeBytes) + " bytes");
    }
    req.urgent = r.Bool("urgent", Presence::kOptional).value_or(false);
    r.RejectUnknown();
  } catch (const json::exception&) {
    errs.Add("", "malformed request");
  }
  if (errs.size() > before) return Status::InvalidArgument(errs.Join());
  return req;
}

// ---- views ----------------------------------------------------------------

json DisclosureToJson(const Disclosure& d) {
  return {{"id", d.id},
          {"organisation", d.organisation},
          {"sessionId", d.session_id},
          {"version", d.version},
          {"state", d.state},
          {"ground", d.ground},
          {"reference", d.reference},
          {"urgent", d.urgent},
          {"records", d.records},
          {"caseRefs", d.case_refs},
          {"requester",
           {{"name", d.requester.name},
            {"organisation", d.requester.organisation},
            {"role", d.requester.role}}},
          {"requestedBy", d.requested_by},
          {"approverRole", d.approver_role},
          {"createdAt", d.created_at},
          {"noticeAt", OptionalJson(d.notice_at)},
          {"approvedBy", OptionalJson(d.approved_by)},
          {"approvedAt", OptionalJson(d.approved_at)},
          {"releasedAt", OptionalJson(d.released_at)},
          {"noticeGapSeconds", d.notice_gap_seconds ? json(*d.notice_gap_seconds) : json(nullptr)},
          {"refusal", OptionalJson(d.refusal)}};
}

json NoticeView::ToJson() const {
  return {{"disclosureId", disclosure_id},
          {"organisation", organisation},
          {"sessionId", session_id},
          {"what", what},
          {"why", why},
          {"consequences", consequences},
          {"noticeAt", notice_at}};
}

std::optional<std::string> RefusedDisclosureId(const Status& status) {
  constexpr std::string_view kLead = "disclosure ";
  const std::string& m = status.message();
  if (status.code() != StatusCode::kPermissionDenied || m.rfind(kLead, 0) != 0) return std::nullopt;
  std::string id = m.substr(kLead.size(), 2 + kIdHexDigits);
  if (!LooksLikeDisclosureId(id) || m.compare(kLead.size() + id.size(), 9, " refused:") != 0) {
    return std::nullopt;
  }
  return id;
}

}  // namespace sa::adapter::service
