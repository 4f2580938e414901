#include "adapter/reports/compliance_context.h"

#include <algorithm>
#include <tuple>

#include "adapter/reports/dates.h"

namespace sa::adapter::reports::internal {

namespace {

const std::vector<SessionView>& Empty() {
  static const std::vector<SessionView>* const kEmpty = new std::vector<SessionView>();
  return *kEmpty;
}

std::optional<std::int64_t> OptionalInstant(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  return InstantToSeconds(*v);
}

}  // namespace

Context::Context(const ComplianceInput& in, ComplianceReport* out) : in_(in), out_(out) {
  auto from = DateToDays(in.from), to = DateToDays(in.to);
  if (!from || !to || *to <= *from) {
    Problem("period: from and to must be dates YYYY-MM-DD with from before to");
    return;
  }
  from_day = *from;
  to_day = *to;
  now = in.now;
  now_day = DayOf(in.now);
  as_of_day = std::min(to_day, now_day);
  ok_ = true;

  for (const auto& line : in.lines) {
    SessionView v;
    v.line = &line;
    auto scheduled = InstantToSeconds(line.scheduled_for);
    if (!scheduled) {
      Problem("register line " + line.organisation + "/" + line.session_id + " v" +
              std::to_string(line.version) + ": scheduledFor is not an RFC 3339 time; skipped");
      continue;
    }
    v.scheduled = *scheduled;
    v.held = OptionalInstant(line.held_at);
    v.requested = OptionalInstant(line.requested_at);
    v.rebooked = OptionalInstant(line.rebooked_to);
    v.received = InstantToSeconds(line.received_at).value_or(0);
    versions_[{line.organisation, line.session_id}].push_back(v);
  }
  for (auto& [key, list] : versions_) {
    std::sort(list.begin(), list.end(), [](const SessionView& a, const SessionView& b) {
      return a.line->version < b.line->version;
    });
    // A latest version that names a successor means the successor was not
    // loaded (rescheduled out of the range read): the old one is not the truth.
    if (list.back().line->superseded_by) continue;
    latest_[key.first].push_back(list.back());
  }
  for (auto& [org, list] : latest_) {
    std::sort(list.begin(), list.end(), [](const SessionView& a, const SessionView& b) {
      return std::tie(a.scheduled, a.line->session_id) < std::tie(b.scheduled, b.line->session_id);
    });
  }
  for (const auto& a : in.agreements) {
    agreements_[{a.organisation, a.supervisee.id}].push_back(&a);
    by_id_[a.id] = &a;
  }
  for (auto& [key, list] : agreements_) {
    std::stable_sort(list.begin(), list.end(), [](const Agreement* a, const Agreement* b) {
      return std::tie(a->created_at, a->id) < std::tie(b->created_at, b->id);
    });
  }
}

bool Context::InPeriod(const SessionView& s) const { return DayInPeriod(DayOf(s.scheduled)); }

const std::vector<SessionView>& Context::Sessions(const std::string& org) const {
  auto it = latest_.find(org);
  return it == latest_.end() ? Empty() : it->second;
}

const std::vector<SessionView>& Context::Versions(const std::string& org,
                                                  const std::string& sid) const {
  auto it = versions_.find({org, sid});
  return it == versions_.end() ? Empty() : it->second;
}

const SessionView* Context::Latest(const std::string& org, const std::string& sid) const {
  const auto& v = Versions(org, sid);
  return v.empty() ? nullptr : &v.back();
}

std::vector<std::string> Context::ActiveSupervisees(const std::string& org) const {
  std::set<std::string> ids;
  for (const auto& s : Sessions(org)) {
    if (!InPeriod(s)) continue;
    for (const auto& p : s.line->supervisees) ids.insert(p.id);
  }
  for (const auto& [key, list] : agreements_) {
    if (key.first != org) continue;
    const Agreement* current = Current(key.first, key.second);
    auto start = current ? DateToDays(current->start_date) : std::nullopt;
    if (start && *start < to_day) ids.insert(key.second);
  }
  return {ids.begin(), ids.end()};
}

const Agreement* Context::Current(const std::string& org, const std::string& supervisee) const {
  auto it = agreements_.find({org, supervisee});
  if (it == agreements_.end()) return nullptr;
  // The newest not superseded (there should be one; the newest wins if not).
  for (auto a = it->second.rbegin(); a != it->second.rend(); ++a) {
    if (!(*a)->superseded_by) return *a;
  }
  return nullptr;
}

std::vector<const Agreement*> Context::AgreementsOf(const std::string& org,
                                                    const std::string& supervisee) const {
  auto it = agreements_.find({org, supervisee});
  return it == agreements_.end() ? std::vector<const Agreement*>() : it->second;
}

const Agreement* Context::AgreementById(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::optional<std::int64_t> Context::FirstSeenDay(const std::string& org,
                                                  const std::string& supervisee) const {
  std::optional<std::int64_t> first;
  for (const auto& s : Sessions(org)) {
    for (const auto& p : s.line->supervisees) {
      if (p.id == supervisee) {
        const std::int64_t day = DayOf(s.scheduled);
        if (!first || day < *first) first = day;
      }
    }
  }
  return first;
}

void Context::AddForSession(const SessionView& s, Finding f) {
  f.session_id = s.line->session_id;
  for (const auto& p : s.line->supervisees) {
    Finding copy = f;
    copy.supervisee = p.id;
    Add(std::move(copy));
  }
}

Finding MakeFinding(const std::string& org, const std::string& supervisee, const char* rule,
                    Outcome outcome, const std::string& cite) {
  Finding f;
  f.organisation = org;
  f.supervisee = supervisee;
  f.rule = rule;
  f.outcome = outcome;
  f.cite = cite;
  return f;
}

SessionTally::SessionTally(Context& ctx, const std::string& org, std::string rule, std::string cite,
                           std::string unit, std::optional<std::int64_t> limit,
                           bool larger_is_worse)
    : ctx_(ctx),
      org_(org),
      rule_(std::move(rule)),
      cite_(std::move(cite)),
      unit_(std::move(unit)),
      limit_(limit),
      larger_is_worse_(larger_is_worse) {}

void SessionTally::Saw(const std::string& supervisee, std::int64_t actual, bool missed) {
  PerSupervisee& p = seen_[supervisee];
  ++p.checked;
  if (missed) ++p.missed;
  if (!p.worst || (larger_is_worse_ ? actual > *p.worst : actual < *p.worst)) p.worst = actual;
}

void SessionTally::Met(const SessionView& s, std::int64_t actual) {
  for (const auto& p : s.line->supervisees) Saw(p.id, actual, false);
}

void SessionTally::Missed(const SessionView& s, Finding f) {
  for (const auto& p : s.line->supervisees) Saw(p.id, f.actual.value_or(0), true);
  ctx_.AddForSession(s, std::move(f));
}

void SessionTally::MetFor(const std::string& supervisee, std::int64_t actual) {
  Saw(supervisee, actual, false);
}

void SessionTally::MissedFor(const SessionView& s, const std::string& supervisee, Finding f) {
  Saw(supervisee, f.actual.value_or(0), true);
  f.session_id = s.line->session_id;
  f.supervisee = supervisee;
  ctx_.Add(std::move(f));
}

void SessionTally::Flush() {
  for (const auto& [supervisee, p] : seen_) {
    if (p.missed) continue;
    Finding f = MakeFinding(org_, supervisee, rule_.c_str(), Outcome::kMet, cite_);
    f.limit = limit_;
    f.actual = p.worst;
    f.unit = unit_;
    f.values["sessionsChecked"] = std::to_string(p.checked);
    f.detail = "all " + std::to_string(p.checked) + " session(s) in the period met the standard";
    ctx_.Add(std::move(f));
  }
  seen_.clear();
}

}  // namespace sa::adapter::reports::internal
