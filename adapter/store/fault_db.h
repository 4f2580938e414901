// A database that fails on cue, for crash and fault tests (leveldb's
// fault_injection_test idea): wrap a real database, program "the 3rd statement
// from now fails with a disk-full error" or "every INSERT INTO outbox fails",
// run the code under test, then check through the real database what survived.
//
// A fault fires either BEFORE the operation reaches the database (the usual
// failure: nothing happened) or AFTER it took effect (a lost reply: the
// statement ran or the commit happened, but the caller is told it failed) —
// the case idempotent writes and the outbox exist for.
//
// An injected failure inside a transaction aborts it exactly as a real one
// would (db.h): later statements and Commit() return FailedPrecondition and
// Commit() rolls the real transaction back.
#ifndef SA_ADAPTER_STORE_FAULT_DB_H_
#define SA_ADAPTER_STORE_FAULT_DB_H_

#include <memory>
#include <string>

#include "adapter/store/db.h"
#include "fhir/status.h"

namespace sa::adapter::store {

// The operations a fault can target.
enum class FaultOp {
  kConnect,
  kBegin,
  kExec,
  kQuery,
  kStatement,  // an Exec or a Query, whichever comes
  kCommit,
};

enum class FaultTiming {
  kBefore,  // the operation never reaches the database
  kAfter,   // the operation takes effect, then the caller sees the error
};

class FaultInjectingDatabase : public Database {
 public:
  // Wraps `base`, which must outlive this object and every session it hands out.
  explicit FaultInjectingDatabase(Database& base);
  ~FaultInjectingDatabase() override;

  // The `n`th (1 = the next) `op` from now, on any session, fails with `status`.
  // Several FailNth faults may be armed at once; each fires once.
  void FailNth(FaultOp op, int n, Status status, FaultTiming timing = FaultTiming::kBefore);
  // Every Exec/Query whose SQL contains `needle` fails with `status`, until Clear().
  void FailMatching(std::string needle, Status status, FaultTiming timing = FaultTiming::kBefore);
  // Disarms every fault.
  void Clear();

  // How many faults have fired so far.
  int fired() const;
  // How many calls of `op` the wrapper has seen (fired or not) since creation.
  int calls(FaultOp op) const;

  StatusOr<std::unique_ptr<DbSession>> Connect() override;
  Dialect dialect() const override;

  struct State;  // shared with the sessions; defined in fault_db.cc

 private:
  Database& base_;
  std::shared_ptr<State> state_;
};

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_FAULT_DB_H_
