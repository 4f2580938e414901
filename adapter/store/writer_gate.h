// The in-process writer gate of one SQLite database.
//
// SQLite admits one writer at a time. Between processes the wait is SQLite's
// own busy handler, which polls: it sleeps 1, 2, 5, 10… up to 100 ms between
// tries. Between the threads of one process that polling would turn a wait of
// a fraction of a millisecond (the other writer's commit) into several
// milliseconds, and the first writer to poll at the right moment wins, not
// the first to ask. So every connection one SqliteDatabase opens shares a
// gate: a write transaction passes it before BEGIN IMMEDIATE and releases it
// when the transaction ends, and a writer waiting on it wakes as soon as the
// previous one is done. Other processes still meet busy_timeout.
//
// The gate is released by whoever ends the transaction, which need not be the
// thread that began it (a mutex could not allow that).
#ifndef SA_ADAPTER_STORE_WRITER_GATE_H_
#define SA_ADAPTER_STORE_WRITER_GATE_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace sa::adapter::store {

class WriterGate {
 public:
  WriterGate() = default;
  WriterGate(const WriterGate&) = delete;
  WriterGate& operator=(const WriterGate&) = delete;

  // Waits up to `timeout` for the gate; true once held. False on time-out:
  // the caller fails the same way as a busy timeout (a thread that holds the
  // gate on one connection and begins on a second would otherwise wait for
  // itself forever).
  bool Acquire(std::chrono::milliseconds timeout);

  // Lets the next writer in. Only the holder calls this, once per Acquire.
  void Release();

 private:
  std::mutex mu_;
  std::condition_variable free_;
  bool held_ = false;
};

}  // namespace sa::adapter::store

#endif  // SA_ADAPTER_STORE_WRITER_GATE_H_
