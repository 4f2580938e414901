// Internal to the compliance engine: the input indexed for the rules (latest
// version of each session, agreements by supervisee, parsed times), and the
// helpers that turn outcomes into findings. Not part of the public API.
#ifndef SA_ADAPTER_REPORTS_COMPLIANCE_CONTEXT_H_
#define SA_ADAPTER_REPORTS_COMPLIANCE_CONTEXT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "adapter/reports/compliance.h"

namespace sa::adapter::reports::internal {

// One register line with its times parsed (Unix seconds).
struct SessionView {
  const RegisterLine* line = nullptr;
  std::int64_t scheduled = 0;
  std::optional<std::int64_t> held, requested, rebooked;
  std::int64_t received = 0;
};

class Context {
 public:
  Context(const ComplianceInput& in, ComplianceReport* out);

  // False when the period could not be read (the report says why).
  bool ok() const { return ok_; }

  std::int64_t from_day = 0, to_day = 0;  // the period [from_day, to_day)
  std::int64_t now = 0, now_day = 0;
  // The end of the period, or today when the period has not ended yet: gaps
  // and windows are measured up to here, never into the future.
  std::int64_t as_of_day = 0;

  bool DayInPeriod(std::int64_t day) const { return day >= from_day && day < to_day; }
  // A session belongs to the period by its scheduled time (as the register does).
  bool InPeriod(const SessionView& s) const;

  // The latest version of every session of `org`, by scheduled time.
  const std::vector<SessionView>& Sessions(const std::string& org) const;
  // Every version of one session, oldest first.
  const std::vector<SessionView>& Versions(const std::string& org, const std::string& sid) const;
  const SessionView* Latest(const std::string& org, const std::string& sid) const;

  // Supervisees the period concerns: on a session scheduled in the period, or
  // with a current agreement that began before the period ended.
  std::vector<std::string> ActiveSupervisees(const std::string& org) const;
  // The current (not superseded) agreement of a supervisee, if any.
  const Agreement* Current(const std::string& org, const std::string& supervisee) const;
  // Every agreement of a supervisee, oldest first.
  std::vector<const Agreement*> AgreementsOf(const std::string& org,
                                             const std::string& supervisee) const;
  const Agreement* AgreementById(const std::string& id) const;
  // The earliest day the supervisee appears on any register line of `org`.
  std::optional<std::int64_t> FirstSeenDay(const std::string& org,
                                           const std::string& supervisee) const;

  const ComplianceInput& input() const { return in_; }

  void Add(Finding f) { out_->findings.push_back(std::move(f)); }
  // One copy of `f` per supervisee of the session, with its session id set.
  void AddForSession(const SessionView& s, Finding f);
  void Problem(std::string what) { out_->problems.push_back(std::move(what)); }

 private:
  using Key = std::pair<std::string, std::string>;
  const ComplianceInput& in_;
  ComplianceReport* out_;
  bool ok_ = false;
  std::map<Key, std::vector<SessionView>> versions_;         // (org, session id)
  std::map<std::string, std::vector<SessionView>> latest_;   // by org
  std::map<Key, std::vector<const Agreement*>> agreements_;  // (org, supervisee)
  std::map<std::string, const Agreement*> by_id_;
};

// A rule applied to many sessions of one supervisee: every miss is its own
// finding; a supervisee with no miss gets ONE "met" finding carrying the
// worst value seen, so the report shows the rule was checked without a line
// per session.
class SessionTally {
 public:
  SessionTally(Context& ctx, const std::string& org, std::string rule, std::string cite,
               std::string unit, std::optional<std::int64_t> limit, bool larger_is_worse);
  void Met(const SessionView& s, std::int64_t actual);
  void Missed(const SessionView& s, Finding f);
  // The same for one supervisee of the session (rules that differ per person).
  void MetFor(const std::string& supervisee, std::int64_t actual);
  void MissedFor(const SessionView& s, const std::string& supervisee, Finding f);
  // Emits the "met" findings. Call once, after every session.
  void Flush();

 private:
  struct PerSupervisee {
    int checked = 0, missed = 0;
    std::optional<std::int64_t> worst;
  };
  void Saw(const std::string& supervisee, std::int64_t actual, bool missed);

  Context& ctx_;
  std::string org_, rule_, cite_, unit_;
  std::optional<std::int64_t> limit_;
  bool larger_is_worse_;
  std::map<std::string, PerSupervisee> seen_;
};

// A finding with its identity filled in.
Finding MakeFinding(const std::string& org, const std::string& supervisee, const char* rule,
                    Outcome outcome, const std::string& cite);

// The rules, one file each (compliance_*.cc). Each applies one part of one
// profile; none reads anything the register, agreements or Task status hold.
void CheckFrequency(Context& ctx, const mappings::Profile& profile, const std::string& supervisee);
void CheckUrgent(Context& ctx, const mappings::Profile& profile);
void CheckRebooking(Context& ctx, const mappings::Profile& profile);
void CheckSessionLength(Context& ctx, const mappings::Profile& profile);
void CheckAgreement(Context& ctx, const mappings::Profile& profile, const std::string& supervisee);
void CheckPlans(Context& ctx, const mappings::Profile& profile);
void CheckActions(Context& ctx, const mappings::Profile& profile);

}  // namespace sa::adapter::reports::internal

#endif  // SA_ADAPTER_REPORTS_COMPLIANCE_CONTEXT_H_
