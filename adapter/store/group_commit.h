// Group commit: callers that want to commit at the same moment share one
// transaction and one durable commit (leveldb's write batching; PostgreSQL's
// commit_delay does the same one level down).
//
// Why: a durable commit costs a disk flush (SQLite's WAL fsync, PostgreSQL's
// WAL flush) and, for audited writes, the audit chain's lock is held until it
// ends, so commits of audited changes happen one at a time. When several
// request threads store sessions at once, each paying its own flush is the
// bottleneck; sharing it is not.
//
// How: callers queue. The first in the queue becomes the leader: it takes the
// queue's first `max_group` writes (its own included), runs them one after
// another in one transaction on one connection, commits, and wakes their
// callers with their results. Writes that arrive meanwhile form the next
// group. No caller is answered before the commit holding its write.
//
// Up to `max_in_flight` groups run at once, each on its own connection. One
// (SQLite's default) means a group starts only when the previous one ended:
// the database has one writer anyway. More lets a server database overlap
// one group's writes with another's end: a group starts once no other group
// is still sending its writes, so while one group holds what must be serial
// (the audit chain's lock, taken in the Finish hook) until its commit, the
// next has sent its writes and waits only for that lock, and the writes that
// arrive meanwhile gather into the group after it.
//
// Each write is all or nothing on its own: if any write of a group fails, or
// the commit does, the group's transaction is rolled back and each write is
// then run again alone, in its own transaction, so one failing write never
// takes another down with it and never leaves half of itself behind. A write
// must therefore be safe to run twice (it reads what it needs inside the
// transaction) and must do nothing outside it.
#ifndef SA_ADAPTER_STORE_GROUP_COMMIT_H_
#define SA_ADAPTER_STORE_GROUP_COMMIT_H_

#include <any>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::store {

// Most writes one transaction holds: enough to share a flush among a busy
// service's request threads, few enough that one group's latency stays short.
inline constexpr std::size_t kDefaultMaxGroup = 16;

// Groups in flight at once by default, per database (measured in
// docs/performance.md): SQLite has one writer, so a second group would only
// wait for the first; on PostgreSQL two overlap one group's statements with
// the other's audit append and commit.
inline constexpr std::size_t kDefaultSqliteGroupsInFlight = 1;
inline constexpr std::size_t kDefaultPostgresGroupsInFlight = 2;

// The default above for `dialect`.
std::size_t DefaultGroupsInFlight(Dialect dialect);

class GroupCommit {
 public:
  // One write: its statements on the shared session, inside the open
  // transaction. It returns true if it wrote, false if it decided to write
  // nothing (it read, and found nothing to do), or an error; after an error
  // the shared transaction may be aborted, so nothing the group wrote counts.
  using Write = std::function<StatusOr<bool>(DbSession&)>;

  // Runs once per group, after its writes and before its commit, with the
  // `tail` of every write that wrote (in group order). Why: work that must
  // come last in a transaction and is cheaper done once for many writes
  // (intake's audit entries: one lock, one head read, one INSERT per group).
  // It may return statements to run last, sent with the commit
  // (DbSession::CommitAfter: one round trip on PostgreSQL); their SQL text
  // must outlive the commit. An error, from it or from them, fails the group
  // like a failing write.
  using Finish =
      std::function<StatusOr<std::vector<Statement>>(DbSession&, const std::vector<const std::any*>& tails)>;

  // `db` must outlive this object. `max_group` >= 1 (1: no grouping).
  // `finish` may be empty. `max_in_flight` >= 1: groups running at once
  // (0: DefaultGroupsInFlight(db->dialect())).
  explicit GroupCommit(Database* db, std::size_t max_group = kDefaultMaxGroup, Finish finish = nullptr,
                       std::size_t max_in_flight = 1);
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `write` in a transaction, shared with the writes of other callers
  // waiting at the same time, and returns once that transaction committed:
  // the write's own result, or the commit's error (nothing of it stored).
  // `tail` is handed to the Finish hook if the write wrote.
  StatusOr<bool> Run(const Write& write, std::any tail = {});

  // Counters, for tests and diagnostics: transactions committed, writes in them.
  struct Stats {
    int64_t groups = 0, writes = 0, fallbacks = 0;
  };
  Stats stats() const;
  // Callers waiting now, the running groups' included (tests use it to line
  // writers up behind a group).
  std::size_t queued() const;
  // Groups running now (tests).
  std::size_t in_flight() const;

 private:
  struct Waiter {
    const Write* write;
    const std::any* tail;
    StatusOr<bool> result = Status::Internal("not run");
    bool done = false;
  };
  // Runs `group` in one transaction; on success fills every result.
  // `writes_done`, when set, is called once the group's writes were sent
  // (before Finish), so that the next group may start.
  Status RunGroup(const std::vector<Waiter*>& group, const std::function<void()>& writes_done = nullptr);
  // Ends the write stage held by the running group with that stage.
  void EndWriteStage();

  Database* db_;
  const std::size_t max_group_;
  const Finish finish_;
  const std::size_t max_in_flight_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Waiter*> queue_;  // not yet taken into a group
  std::size_t in_flight_ = 0;  // groups running
  bool writing_ = false;       // a group is still sending its writes
  std::size_t running_ = 0;    // writes in them
  Stats stats_;
};

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_GROUP_COMMIT_H_
