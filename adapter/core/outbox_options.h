// Settings of the outbox delivery worker (config "/delivery").
#ifndef SA_ADAPTER_CORE_OUTBOX_OPTIONS_H_
#define SA_ADAPTER_CORE_OUTBOX_OPTIONS_H_

#include <chrono>
#include <string>

namespace sa::adapter {

// Plans of one leased batch delivered at once by default. Each plan is three
// sequential round trips to the EHR (patient search, Task read, transaction),
// so a worker that sends one plan at a time mostly waits; a few in flight
// keep the link busy without crowding the EHR (docs/performance.md).
inline constexpr int kDefaultDeliveryConcurrency = 4;

struct OutboxOptions {
  std::string owner;                               // this worker's lease name (unique)
  int batch = 16;                                  // rows leased per pass
  int concurrency = kDefaultDeliveryConcurrency;   // plans of a batch in flight at once (>= 1)
  std::chrono::milliseconds lease{60'000};         // a lease expires after this
  int max_attempts = 8;                            // then: dead letter
  std::chrono::milliseconds max_age{72LL * 3600 * 1000};  // then: dead letter
  std::chrono::milliseconds backoff_base{1'000};   // first retry ceiling
  std::chrono::milliseconds backoff_cap{600'000};  // longest wait between tries
};

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CORE_OUTBOX_OPTIONS_H_
