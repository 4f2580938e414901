// Settings of the outbox delivery worker (config "/delivery").
#ifndef SA_ADAPTER_CORE_OUTBOX_OPTIONS_H_
#define SA_ADAPTER_CORE_OUTBOX_OPTIONS_H_

#include <chrono>
#include <string>

namespace sa::adapter {

// Plans of one leased batch delivered at once by default. A worker that sends
// one plan at a time mostly waits on the EHR; a few in flight keep the link
// busy without crowding the EHR (docs/performance.md).
inline constexpr int kDefaultDeliveryConcurrency = 4;

// Rows leased per pass by default. The batch's outcomes (and the next lease)
// are one commit, and the pass waits for the batch's slowest plan, so a batch
// of several plans per in-flight slot keeps the slots busy (32 against 16:
// about +5-10% Bundles/s, docs/performance.md). The lease must outlast
// batch / concurrency deliveries (docs/configuration.md).
inline constexpr int kDefaultDeliveryBatch = 32;

struct OutboxOptions {
  std::string owner;                               // this worker's lease name (unique)
  int batch = kDefaultDeliveryBatch;               // rows leased per pass
  int concurrency = kDefaultDeliveryConcurrency;   // plans of a batch in flight at once (>= 1)
  std::chrono::milliseconds lease{60'000};         // a lease expires after this
  int max_attempts = 8;                            // then: dead letter
  std::chrono::milliseconds max_age{72LL * 3600 * 1000};  // then: dead letter
  std::chrono::milliseconds backoff_base{1'000};   // first retry ceiling
  std::chrono::milliseconds backoff_cap{600'000};  // longest wait between tries
};

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CORE_OUTBOX_OPTIONS_H_
